use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, LockupExpired},
    state::*,
};
use anchor_lang::prelude::*;

/// Anyone ends the reward multiplier of a position whose lockup is over
/// (M4): from now on it earns at 1x, like a position that was never
/// locked, and the other stakers' share rises accordingly.
#[derive(Accounts)]
pub struct ExpireLockup<'info> {
    #[account(mut, seeds = [PROVIDER_SEED, provider.authority.as_ref()], bump = provider.bump)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(
        mut,
        seeds = [STAKE_SEED, position.owner.as_ref(), provider.key().as_ref(), &position.nonce.to_le_bytes()],
        bump = position.bump,
        has_one = provider @ IoComputeError::PositionProviderMismatch,
    )]
    pub position: Box<Account<'info, StakePosition>>,
}

impl ExpireLockup<'_> {
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let position = &mut accounts.position;
        let multiplier = position.multiplier;
        accounts
            .provider
            .expire_lockup(&mut accounts.tokenomics.stakers, position, now)?;
        accounts.provider.invariant()?;
        emit_event(LockupExpired {
            position: position.key(),
            provider: position.provider,
            previous_multiplier: multiplier,
        });
        Ok(())
    }
}
