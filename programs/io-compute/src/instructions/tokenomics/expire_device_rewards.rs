use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DeviceRewardsExpired},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ExpireDeviceRewardsArgs {
    pub epoch: u64,
}

/// Anyone returns an epoch's unclaimed device rewards to the device pool
/// once its claims have closed, for later roots to allocate (H4).
#[derive(Accounts)]
#[instruction(args: ExpireDeviceRewardsArgs)]
pub struct ExpireDeviceRewards<'info> {
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(mut, seeds = [EPOCH_SEED, &args.epoch.to_le_bytes()], bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
}

impl ExpireDeviceRewards<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.epoch.has_device_root(),
            IoComputeError::DeviceRewardsNotPosted
        );
        require!(
            Clock::get()?.unix_timestamp >= self.epoch.device_claims_until,
            IoComputeError::DeviceClaimsStillOpen
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>, args: ExpireDeviceRewardsArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let returned = accounts.epoch.clear_device_root()?;
        require!(returned > 0, IoComputeError::NothingToClaim);
        accounts.tokenomics.devices.release(returned)?;
        emit_event(DeviceRewardsExpired {
            epoch: args.epoch,
            returned,
        });
        Ok(())
    }
}
