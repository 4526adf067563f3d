use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProposalFinalized},
    state::*,
};
use anchor_lang::prelude::*;

/// Anyone closes the vote once the voting period is over: Succeeded when
/// the quorum voted and yes beat the approval threshold, else Defeated.
#[derive(Accounts)]
pub struct FinalizeProposal<'info> {
    #[account(
        mut, seeds = [PROPOSAL_SEED, &proposal.id.to_le_bytes()], bump = proposal.bump,
        constraint = proposal.state == ProposalState::Voting @ IoComputeError::InvalidProposalState,
    )]
    pub proposal: Box<Account<'info, Proposal>>,
}

impl FinalizeProposal<'_> {
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let proposal = &mut ctx.accounts.proposal;
        require!(now >= proposal.voting_end, IoComputeError::VotingNotEnded);
        proposal.state = if proposal.passed()? {
            ProposalState::Succeeded
        } else {
            ProposalState::Defeated
        };
        proposal.finalized_at = now;
        emit_event(ProposalFinalized {
            proposal: proposal.key(),
            id: proposal.id,
            state: proposal.state,
            yes: proposal.yes,
            no: proposal.no,
            abstain: proposal.abstain,
            quorum_weight: proposal.quorum_weight,
        });
        Ok(())
    }
}
