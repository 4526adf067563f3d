use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, VoteCast},
    math::SafeMath,
    pda_create,
    state::*,
};
use anchor_lang::prelude::*;

/// A position votes once on a proposal with its weight at vote time (its
/// IO plus the lockup extra), snapshotted in a `VoteRecord`. Positions
/// created after the proposal started have no weight for it, and a
/// position with active votes cannot unstake or withdraw until it
/// relinquishes them (flash-stake defence).
#[derive(Accounts)]
pub struct CastVote<'info> {
    #[account(mut)]
    pub voter: Signer<'info>,
    #[account(mut, seeds = [PROPOSAL_SEED, &proposal.id.to_le_bytes()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    #[account(seeds = [PROVIDER_SEED, provider.authority.as_ref()], bump = provider.bump)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(
        mut,
        seeds = [STAKE_SEED, voter.key().as_ref(), provider.key().as_ref(), &position.nonce.to_le_bytes()],
        bump = position.bump,
        has_one = provider @ IoComputeError::PositionProviderMismatch,
    )]
    pub position: Box<Account<'info, StakePosition>>,
    /// CHECK: created as `VoteRecord` by the handler.
    #[account(
        mut,
        seeds = [VOTE_SEED, proposal.key().as_ref(), position.key().as_ref()],
        bump,
    )]
    pub vote: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl CastVote<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        require!(
            self.proposal.state == ProposalState::Voting && now < self.proposal.voting_end,
            IoComputeError::VotingEnded
        );
        require!(*self.vote.owner != crate::ID, IoComputeError::AlreadyVoted);
        require!(
            self.position.created_at < self.proposal.voting_start,
            IoComputeError::PositionCreatedAfterProposal
        );
        require!(
            !self.position.is_unstaking(),
            IoComputeError::PositionUnstaking
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>, choice: VoteChoice) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let position = &mut accounts.position;
        let value = accounts
            .provider
            .stake
            .value_of(position.shares, position.kind)?;
        let weight = voting_weight(value, position.lockup_end, now)?;
        accounts.proposal.tally(choice, weight, true)?;
        position.active_votes = position.active_votes.safe_add(1)?;
        let bump = ctx.bumps.vote;
        let (proposal, position_key) = (accounts.proposal.key(), position.key());
        pda_create::create_program_account(
            &accounts.voter,
            &accounts.vote,
            8 + VoteRecord::INIT_SPACE,
            &[VOTE_SEED, proposal.as_ref(), position_key.as_ref(), &[bump]],
            &VoteRecord {
                proposal,
                position: position_key,
                voter: accounts.voter.key(),
                choice,
                weight,
                bump,
            },
        )?;
        emit_event(VoteCast {
            proposal,
            position: position_key,
            voter: accounts.voter.key(),
            choice,
            weight,
        });
        Ok(())
    }
}
