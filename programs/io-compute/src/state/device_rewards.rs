use crate::{error::IoComputeError, math::SafeMath};
use anchor_lang::prelude::*;

/// IO emitted for devices. Keepers allocate it to per-epoch Merkle roots,
/// each at most its own epoch's device emission; what a root leaves
/// unallocated, what a voided root held and what expires unclaimed stays
/// available to later roots.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct DeviceRewardPool {
    pub funded: u64,
    pub allocated: u64,
    pub paid: u64,
}

impl DeviceRewardPool {
    pub fn available(&self) -> Result<u64> {
        self.funded.safe_sub(self.allocated)
    }

    pub fn allocate(&mut self, amount: u64) -> Result<()> {
        require!(
            amount <= self.available()?,
            IoComputeError::DeviceRewardsExceedPool
        );
        self.allocated = self.allocated.safe_add(amount)?;
        Ok(())
    }

    /// A voided or expired root gives back what it had not paid.
    pub fn release(&mut self, amount: u64) -> Result<()> {
        self.allocated = self.allocated.safe_sub(amount)?;
        Ok(())
    }

    pub fn record_payment(&mut self, amount: u64) -> Result<()> {
        self.paid = self.paid.safe_add(amount)?;
        require!(
            self.paid <= self.allocated,
            IoComputeError::RewardPoolExhausted
        );
        Ok(())
    }
}

/// Receipt of a device-reward claim [device_claim, epoch, device]; its
/// existence is what makes a second claim impossible.
#[account]
#[derive(InitSpace, Debug)]
pub struct DeviceRewardClaim {
    pub epoch: u64,
    pub device: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub claimed_at: i64,
    pub bump: u8,
}
