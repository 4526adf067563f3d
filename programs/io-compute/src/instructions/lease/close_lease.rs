use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, LeaseClosed},
    instructions::lease::{devices::LeaseDevices, refund::*},
    state::*,
};
use anchor_lang::prelude::*;

/// Ends an Active lease: by its client at any time, or by anyone once it has
/// run its hours. The devices (remaining accounts: the lease's devices, then
/// their providers) go back to Idle, the cost of each device's unproven
/// time is held back for `PROOF_HOLDBACK_SECS` so its keeper can still post
/// those periods (H2), and the rest of the unreserved escrow goes to the
/// client. Calling again on a Closed lease refunds what voided proofs
/// released and, once the holdback has ended, what it kept; once nothing
/// is left the record closes with its rent back to the client.
#[derive(Accounts)]
pub struct CloseLease<'info> {
    pub closer: Signer<'info>,
    /// CHECK: the lease's client, receives the record's rent.
    #[account(mut, address = lease.client @ IoComputeError::WrongPayee)]
    pub client: UncheckedAccount<'info>,
    #[account(
        mut, seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump,
        constraint = lease.status != LeaseStatus::Open @ IoComputeError::LeaseNotActive,
    )]
    pub lease: Box<Account<'info, Lease>>,
    pub refund: LeaseRefund<'info>,
}

impl<'info> CloseLease<'info> {
    pub fn validate(&self) -> Result<()> {
        if self.closer.key() != self.lease.client {
            require!(
                Clock::get()?.unix_timestamp >= self.lease.end,
                IoComputeError::LeaseNotEnded
            );
        }
        Ok(())
    }

    /// Releases every device of the lease.
    fn release_devices(lease: &Lease, remaining: &'info [AccountInfo<'info>]) -> Result<()> {
        let mut loaded = LeaseDevices::load(remaining, lease.devices.len())?;
        for i in 0..loaded.devices.len() {
            require_keys_eq!(
                loaded.devices[i].key(),
                lease.devices[i].device,
                IoComputeError::LeaseAccountMismatch
            );
            let p = loaded.provider_index(i)?;
            let requirement = loaded.devices[i].stake_requirement;
            loaded.providers[p].release_device(requirement)?;
            loaded.devices[i].release();
        }
        loaded.exit()
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<'info, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let lease = &mut accounts.lease;
        let now = Clock::get()?.unix_timestamp;
        let released = lease.status == LeaseStatus::Active;
        if released {
            Self::release_devices(lease, ctx.remaining_accounts)?;
            lease.end_at(now, PROOF_HOLDBACK_SECS)?;
        } else {
            lease.expire_holdback(now);
        }
        let refunded = accounts.refund.refund(lease)?;
        let settled = lease.is_settled();
        emit_event(LeaseClosed {
            lease: lease.key(),
            id: lease.id,
            refunded,
            holdback: lease.holdback,
            holdback_until: lease.holdback_until,
            devices_released: released,
            record_closed: settled,
        });
        if settled {
            lease.close(accounts.client.to_account_info())?;
        }
        Ok(())
    }
}
