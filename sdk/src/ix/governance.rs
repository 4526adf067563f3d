//! Proposals and votes on bounded parameter changes.

use super::*;

pub fn init_governance(authority: Pubkey, params: GovernanceParams) -> Instruction {
    build(
        accounts::InitGovernance {
            authority,
            config: pda::config(),
            governance: pda::governance(),
            system_program: system_program::ID,
        },
        instruction::InitGovernance { args: params },
    )
}

/// `hand_over_authority`: the roles that sign go to the keys in `roles`.
pub fn hand_over_authority(authority: Pubkey, roles: HandOverAuthorityArgs) -> Instruction {
    build(
        accounts::HandOverAuthority {
            authority,
            config: pda::config(),
            governance: pda::governance(),
        },
        instruction::HandOverAuthority { args: roles },
    )
}

/// `create_proposal` with the proposer's position `nonce` behind
/// `provider`; `id` is `Governance.next_proposal_id`.
pub fn create_proposal(
    proposer: Pubkey,
    provider: Pubkey,
    nonce: u64,
    id: u64,
    args: CreateProposalArgs,
) -> Instruction {
    build(
        accounts::CreateProposal {
            proposer,
            config: pda::config(),
            governance: pda::governance(),
            provider,
            position: pda::stake_position(&proposer, &provider, nonce),
            stake_vault: pda::stake_vault(),
            proposal: pda::proposal(id),
            system_program: system_program::ID,
        },
        instruction::CreateProposal { args },
    )
}

pub fn cast_vote(
    voter: Pubkey,
    proposal_id: u64,
    provider: Pubkey,
    nonce: u64,
    choice: VoteChoice,
) -> Instruction {
    let proposal = pda::proposal(proposal_id);
    let position = pda::stake_position(&voter, &provider, nonce);
    build(
        accounts::CastVote {
            voter,
            proposal,
            provider,
            position,
            vote: pda::vote(&proposal, &position),
            system_program: system_program::ID,
        },
        instruction::CastVote { choice },
    )
}

pub fn relinquish_vote(
    voter: Pubkey,
    proposal_id: u64,
    provider: Pubkey,
    nonce: u64,
) -> Instruction {
    let proposal = pda::proposal(proposal_id);
    let position = pda::stake_position(&voter, &provider, nonce);
    build(
        accounts::RelinquishVote {
            voter,
            proposal,
            position,
            vote: pda::vote(&proposal, &position),
        },
        instruction::RelinquishVote {},
    )
}

pub fn finalize_proposal(id: u64) -> Instruction {
    build(
        accounts::FinalizeProposal {
            proposal: pda::proposal(id),
        },
        instruction::FinalizeProposal {},
    )
}

pub fn execute_proposal(id: u64) -> Instruction {
    build(
        accounts::ExecuteProposal {
            config: pda::config(),
            governance: pda::governance(),
            proposal: pda::proposal(id),
            gpu_models: pda::gpu_models(),
        },
        instruction::ExecuteProposal {},
    )
}

pub fn cancel_proposal(proposer: Pubkey, id: u64) -> Instruction {
    build(
        accounts::CancelProposal {
            proposer,
            proposal: pda::proposal(id),
        },
        instruction::CancelProposal {},
    )
}
