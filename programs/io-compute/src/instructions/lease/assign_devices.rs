use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, LeaseActivated},
    instructions::lease::devices::LeaseDevices,
    math::SafeMath,
    state::*,
};
use anchor_lang::prelude::*;

/// An admitted keeper matches an Open lease with Idle devices (remaining
/// accounts: the devices, then their providers). Every device must fit the
/// spec; together their GPUs make the lease's count. The devices become
/// Leased, so no other lease can take them, the lease runs from now for its
/// hours at the prices the devices ask now, and this keeper serves it.
#[derive(Accounts)]
pub struct AssignDevices<'info> {
    pub keeper_authority: Signer<'info>,
    /// CHECK: the signer's `Keeper` record, checked by `Keeper::load`.
    pub keeper: UncheckedAccount<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        mut, seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump,
        constraint = lease.status == LeaseStatus::Open @ IoComputeError::LeaseNotOpen,
    )]
    pub lease: Box<Account<'info, Lease>>,
}

impl<'info> AssignDevices<'info> {
    pub fn validate(&self) -> Result<()> {
        Keeper::load(
            &self.keeper,
            self.keeper_authority.key,
            self.config.staking.min_keeper_bond,
        )?;
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<'info, Self>, device_count: u8) -> Result<()> {
        let lease = &mut ctx.accounts.lease;
        let mut loaded = LeaseDevices::load(ctx.remaining_accounts, device_count as usize)?;
        let mut gpus = 0u8;
        for i in 0..loaded.devices.len() {
            let p = loaded.provider_index(i)?;
            lease
                .spec
                .accepts(&loaded.devices[i], &loaded.providers[p])?;
            let requirement = loaded.devices[i].stake_requirement;
            loaded.providers[p].lease_device(requirement)?;
            loaded.devices[i].lease_to(lease.key())?;
            gpus = gpus.safe_add(loaded.devices[i].gpu_count)?;
        }
        require!(
            gpus == lease.spec.gpu_count,
            IoComputeError::GpuCountMismatch
        );
        let now = Clock::get()?.unix_timestamp;
        lease.status = LeaseStatus::Active;
        lease.start = now;
        lease.end = now.safe_add((lease.spec.hours as i64).safe_mul(SECONDS_PER_HOUR)?)?;
        lease.devices = loaded
            .devices
            .iter()
            .map(|d| LeaseDevice {
                device: d.key(),
                gpu_count: d.gpu_count,
                price_per_gpu_hour: d.price_per_gpu_hour,
                next_proof_seq: 0,
                proven_until: now,
            })
            .collect();
        lease.keeper = ctx.accounts.keeper_authority.key();
        lease.keeper_active_at = now;
        lease.invariant()?;
        loaded.exit()?;
        emit_event(LeaseActivated {
            lease: lease.key(),
            id: lease.id,
            keeper: ctx.accounts.keeper_authority.key(),
            devices: lease.devices.iter().map(|d| d.device).collect(),
            start: lease.start,
            end: lease.end,
        });
        Ok(())
    }
}
