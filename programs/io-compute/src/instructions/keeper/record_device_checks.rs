use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceChecksRecorded},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RecordDeviceChecksArgs {
    /// The current epoch.
    pub epoch: u64,
    /// One outcome per device in the remaining accounts, in order.
    pub outcomes: Vec<CheckOutcome>,
}

/// An admitted keeper records this epoch's device checks for a batch of
/// devices (remaining accounts, writable, each once): a pass resets the
/// device's failure count and releases it from jail; a fail or a missed
/// deadline lowers its reliability, and `JAIL_AFTER_FAILED_CHECKS` in a
/// row jail an Idle device (no new leases, no device rewards).
#[derive(Accounts)]
pub struct RecordDeviceChecks<'info> {
    pub keeper_authority: Signer<'info>,
    /// CHECK: the signer's `Keeper` record, checked by `Keeper::load`.
    pub keeper: UncheckedAccount<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
}

impl<'info> RecordDeviceChecks<'info> {
    pub fn validate(&self, args: &RecordDeviceChecksArgs) -> Result<()> {
        Keeper::load(
            &self.keeper,
            self.keeper_authority.key,
            self.config.staking.min_keeper_bond,
        )?;
        require!(
            args.epoch == self.tokenomics.current_epoch,
            IoComputeError::WrongCheckEpoch
        );
        require!(
            !args.outcomes.is_empty() && args.outcomes.len() <= MAX_CHECKS_PER_BATCH,
            IoComputeError::InvalidCheckBatch
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<'info, Self>, args: RecordDeviceChecksArgs) -> Result<()> {
        let remaining = ctx.remaining_accounts;
        require!(
            remaining.len() == args.outcomes.len(),
            IoComputeError::InvalidCheckBatch
        );
        let (mut jailed, mut released) = (0u8, 0u8);
        for (i, info) in remaining.iter().enumerate() {
            require!(
                remaining[..i].iter().all(|other| other.key != info.key),
                IoComputeError::DuplicateAccount
            );
            let mut device = Account::<Device>::try_from(info)?;
            match device.record_check(args.epoch, args.outcomes[i])? {
                Some(true) => jailed += 1,
                Some(false) => released += 1,
                None => {}
            }
            device.exit(&crate::ID)?;
        }
        let count = |outcome| args.outcomes.iter().filter(|o| **o == outcome).count() as u8;
        emit_event(DeviceChecksRecorded {
            epoch: args.epoch,
            keeper: ctx.accounts.keeper_authority.key(),
            passed: count(CheckOutcome::Pass),
            failed: count(CheckOutcome::Fail),
            missed: count(CheckOutcome::Missed),
            jailed,
            released,
        });
        Ok(())
    }
}
