use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceRemoved},
    math::SafeMath,
    state::*,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct RemoveDevice<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        mut, seeds = [PROVIDER_SEED, authority.key().as_ref()], bump = provider.bump,
        has_one = authority @ IoComputeError::NotProviderAuthority,
    )]
    pub provider: Box<Account<'info, Provider>>,
    #[account(
        mut, close = authority,
        seeds = [DEVICE_SEED, provider.key().as_ref(), &device.index.to_le_bytes()],
        bump = device.bump,
        has_one = provider @ IoComputeError::DeviceProviderMismatch,
    )]
    pub device: Box<Account<'info, Device>>,
}

impl RemoveDevice<'_> {
    pub fn validate(&self) -> Result<()> {
        self.device.require_removable()
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let provider = &mut accounts.provider;
        if accounts.device.status.needs_stake() {
            provider.deactivate_device(accounts.device.stake_requirement)?;
        }
        provider.device_count = provider.device_count.safe_sub(1)?;
        emit_event(DeviceRemoved {
            device: accounts.device.key(),
            provider: provider.key(),
        });
        Ok(())
    }
}
