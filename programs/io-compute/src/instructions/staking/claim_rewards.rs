use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, RewardsClaimed},
    instructions::staking::payout::*,
    state::*,
};
use anchor_lang::prelude::*;

/// Pays a position everything it has earned (IO emissions and IOSD fee
/// shares), active or unstaking.
#[derive(Accounts)]
pub struct ClaimRewards<'info> {
    pub owner: Signer<'info>,
    #[account(mut, seeds = [PROVIDER_SEED, provider.authority.as_ref()], bump = provider.bump)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(
        mut,
        seeds = [STAKE_SEED, owner.key().as_ref(), provider.key().as_ref(), &position.nonce.to_le_bytes()],
        bump = position.bump,
        has_one = owner @ IoComputeError::NotPositionOwner,
        has_one = provider @ IoComputeError::PositionProviderMismatch,
    )]
    pub position: Box<Account<'info, StakePosition>>,
    pub payout: RewardPayout<'info>,
}

impl ClaimRewards<'_> {
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let position = &mut accounts.position;
        let owed =
            accounts
                .provider
                .take_position_rewards(&accounts.tokenomics.stakers, position, now)?;
        accounts
            .payout
            .pay(&mut accounts.tokenomics.stakers, owed)?;
        emit_event(RewardsClaimed {
            position: position.key(),
            owner: position.owner,
            provider: position.provider,
            io: owed[REWARD_IO],
            iosd: owed[REWARD_IOSD],
        });
        Ok(())
    }
}
