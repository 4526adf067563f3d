use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, LeaseTakenOver},
    math::SafeMath,
    state::*,
};
use anchor_lang::prelude::*;

/// Another admitted keeper takes over a lease whose keeper is gone (left,
/// removed or with its bond under the minimum) or has neither assigned nor
/// posted for it for `KEEPER_SILENCE_SECS`: from then on it posts the
/// lease's proofs. Works on an Active lease and on a Closed one whose
/// holdback still runs.
#[derive(Accounts)]
pub struct TakeOverLease<'info> {
    pub keeper_authority: Signer<'info>,
    /// CHECK: the signer's `Keeper` record, checked by `Keeper::load`.
    pub keeper: UncheckedAccount<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump)]
    pub lease: Box<Account<'info, Lease>>,
    /// CHECK: the current keeper's record address (checked); it may be gone.
    #[account(seeds = [KEEPER_SEED, lease.keeper.as_ref()], bump)]
    pub current_keeper: UncheckedAccount<'info>,
}

impl TakeOverLease<'_> {
    pub fn validate(&self) -> Result<()> {
        let min_bond = self.config.staking.min_keeper_bond;
        Keeper::load(&self.keeper, self.keeper_authority.key, min_bond)?;
        let lease = &self.lease;
        let now = Clock::get()?.unix_timestamp;
        let serving = lease.status == LeaseStatus::Active
            || (lease.status == LeaseStatus::Closed && now < lease.holdback_until);
        require!(serving, IoComputeError::LeaseNotActive);
        require_keys_neq!(
            lease.keeper,
            self.keeper_authority.key(),
            IoComputeError::KeeperStillServing
        );
        let gone = Keeper::load(&self.current_keeper, &lease.keeper, min_bond).is_err();
        let silent = now >= lease.keeper_active_at.safe_add(KEEPER_SILENCE_SECS)?;
        require!(gone || silent, IoComputeError::KeeperStillServing);
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let lease = &mut ctx.accounts.lease;
        let previous_keeper = lease.keeper;
        lease.keeper = ctx.accounts.keeper_authority.key();
        lease.keeper_active_at = Clock::get()?.unix_timestamp;
        emit_event(LeaseTakenOver {
            lease: lease.key(),
            previous_keeper,
            keeper: lease.keeper,
        });
        Ok(())
    }
}
