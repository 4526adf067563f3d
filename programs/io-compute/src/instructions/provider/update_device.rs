use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceUpdated},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateDeviceArgs {
    /// New price per GPU-hour in IOSD base units; refused while Leased, so
    /// a lease pays the price it was matched at.
    pub price_per_gpu_hour: Option<u64>,
    /// Idle or Offline.
    pub status: Option<DeviceStatus>,
    /// A new worker signing key (rotation; allowed at any time, so a
    /// leaked key can be replaced at once).
    pub worker: Option<Pubkey>,
}

#[derive(Accounts)]
pub struct UpdateDevice<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut, seeds = [PROVIDER_SEED, authority.key().as_ref()], bump = provider.bump,
        has_one = authority @ IoComputeError::NotProviderAuthority,
    )]
    pub provider: Box<Account<'info, Provider>>,
    #[account(
        mut, seeds = [DEVICE_SEED, provider.key().as_ref(), &device.index.to_le_bytes()],
        bump = device.bump,
        has_one = provider @ IoComputeError::DeviceProviderMismatch,
    )]
    pub device: Box<Account<'info, Device>>,
}

impl UpdateDeviceArgs {
    pub fn validate(&self) -> Result<()> {
        if let Some(price) = self.price_per_gpu_hour {
            validate_price(price)?;
        }
        if let Some(worker) = &self.worker {
            validate_worker(worker)?;
        }
        Ok(())
    }
}

impl UpdateDevice<'_> {
    #[access_control(args.validate())]
    pub fn handle(ctx: Context<Self>, args: UpdateDeviceArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let device = &mut accounts.device;
        if let Some(price) = args.price_per_gpu_hour {
            // A lease pays the price it was matched at.
            require!(
                device.status != DeviceStatus::Leased,
                IoComputeError::DeviceLeased
            );
            device.price_per_gpu_hour = price;
        }
        if let Some(status) = args.status {
            match device.set_status_by_provider(status)? {
                Some(true) => accounts
                    .provider
                    .activate_device(device.stake_requirement)?,
                Some(false) => accounts
                    .provider
                    .deactivate_device(device.stake_requirement)?,
                None => {}
            }
        }
        if let Some(worker) = args.worker {
            device.worker = worker;
        }
        emit_event(DeviceUpdated {
            device: device.key(),
            price_per_gpu_hour: device.price_per_gpu_hour,
            status: device.status,
            worker: device.worker,
        });
        Ok(())
    }
}
