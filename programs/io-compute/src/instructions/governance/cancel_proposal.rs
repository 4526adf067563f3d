use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProposalCancelled},
    state::*,
};
use anchor_lang::prelude::*;

/// The proposer withdraws a proposal nobody has voted on; its rent returns.
#[derive(Accounts)]
pub struct CancelProposal<'info> {
    #[account(mut)]
    pub proposer: Signer<'info>,
    #[account(
        mut, close = proposer,
        seeds = [PROPOSAL_SEED, &proposal.id.to_le_bytes()], bump = proposal.bump,
    )]
    pub proposal: Box<Account<'info, Proposal>>,
}

impl CancelProposal<'_> {
    pub fn validate(&self) -> Result<()> {
        let proposal = &self.proposal;
        require!(
            proposal.proposer == self.proposer.key()
                && proposal.state == ProposalState::Voting
                && proposal.vote_count == 0,
            IoComputeError::CannotCancel
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        emit_event(ProposalCancelled {
            proposal: ctx.accounts.proposal.key(),
            id: ctx.accounts.proposal.id,
        });
        Ok(())
    }
}
