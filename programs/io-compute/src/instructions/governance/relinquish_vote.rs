use crate::{
    constants::*,
    events::{emit_event, VoteRelinquished},
    math::SafeMath,
    state::*,
};
use anchor_lang::prelude::*;

/// Takes a vote back. While voting runs its weight leaves the tally; after
/// the end the tally stands and only the position is released. Either way
/// the position's active votes drop by one and the record's rent returns.
#[derive(Accounts)]
pub struct RelinquishVote<'info> {
    #[account(mut)]
    pub voter: Signer<'info>,
    #[account(mut, seeds = [PROPOSAL_SEED, &proposal.id.to_le_bytes()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    #[account(
        mut,
        seeds = [STAKE_SEED, voter.key().as_ref(), position.provider.as_ref(), &position.nonce.to_le_bytes()],
        bump = position.bump,
    )]
    pub position: Box<Account<'info, StakePosition>>,
    #[account(
        mut, close = voter,
        seeds = [VOTE_SEED, proposal.key().as_ref(), position.key().as_ref()],
        bump = vote.bump,
    )]
    pub vote: Box<Account<'info, VoteRecord>>,
}

impl RelinquishVote<'_> {
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let proposal = &mut accounts.proposal;
        let while_voting = proposal.state == ProposalState::Voting && now < proposal.voting_end;
        if while_voting {
            proposal.tally(accounts.vote.choice, accounts.vote.weight, false)?;
        }
        let position = &mut accounts.position;
        position.active_votes = position.active_votes.safe_sub(1)?;
        emit_event(VoteRelinquished {
            proposal: proposal.key(),
            position: position.key(),
            weight_removed: if while_voting {
                accounts.vote.weight
            } else {
                0
            },
        });
        Ok(())
    }
}
