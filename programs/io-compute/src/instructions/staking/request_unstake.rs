use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, UnstakeRequested},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct RequestUnstake<'info> {
    pub owner: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
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
}

impl RequestUnstake<'_> {
    /// Starts the position's cooldown. The whole position unstakes; owners who
    /// want to keep part staked hold it in several positions.
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let position = &mut accounts.position;
        let provider = &mut accounts.provider;
        provider.unstake_position(
            &mut accounts.tokenomics.stakers,
            position,
            accounts.config.staking.unstake_cooldown_secs,
            now,
        )?;
        provider.invariant()?;
        emit_event(UnstakeRequested {
            position: position.key(),
            owner: position.owner,
            provider: position.provider,
            cooldown_end: position.cooldown_end,
        });
        Ok(())
    }
}
