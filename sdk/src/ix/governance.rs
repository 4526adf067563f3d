//! Proposals and votes: bounded parameter changes, or a role instruction
//! governance signs with its PDA.

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

/// `ix`, an instruction of this program signed by the governance PDA (as
/// the role it holds), as a proposal's call.
pub fn governance_call(ix: &Instruction) -> GovernanceCall {
    assert_eq!(ix.program_id, ID, "a call runs this program");
    GovernanceCall {
        accounts: ix
            .accounts
            .iter()
            .map(|meta| CallAccount {
                pubkey: meta.pubkey,
                is_signer: meta.is_signer,
                is_writable: meta.is_writable,
            })
            .collect(),
        data: ix.data.clone(),
    }
}

/// `execute_proposal_call` of proposal `id`, whose call is `call`: the
/// call's accounts follow, each co-signer of the call (not governance)
/// signing this transaction.
pub fn execute_proposal_call(id: u64, call: &GovernanceCall) -> Instruction {
    let governance = pda::governance();
    let mut ix = build(
        accounts::ExecuteProposalCall {
            config: pda::config(),
            governance,
            proposal: pda::proposal(id),
            io_compute_program: ID,
        },
        instruction::ExecuteProposalCall {},
    );
    ix.accounts
        .extend(call.accounts.iter().map(|a| AccountMeta {
            pubkey: a.pubkey,
            is_signer: a.is_signer && a.pubkey != governance,
            is_writable: a.is_writable,
        }));
    ix
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
