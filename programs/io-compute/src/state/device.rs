use crate::{constants::*, error::IoComputeError, math::SafeMath};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum DeviceStatus {
    /// Online and available to the matcher.
    Idle,
    /// Assigned to a lease; cannot be removed or taken offline.
    Leased,
    /// Not available; needs no stake.
    Offline,
    /// Suspended by the protocol after failed challenges or lost disputes.
    Jailed,
}

impl DeviceStatus {
    /// Idle and Leased devices count toward the provider's minimum stake.
    pub fn needs_stake(self) -> bool {
        matches!(self, DeviceStatus::Idle | DeviceStatus::Leased)
    }
}

/// A GPU machine [device, provider, index].
#[account]
#[derive(InitSpace, Debug)]
pub struct Device {
    pub provider: Pubkey,
    pub index: u32,
    pub model: [u8; GPU_MODEL_CODE_LEN],
    pub gpu_count: u8,
    pub vram_gb: u16,
    /// IOSD base units per GPU-hour.
    pub price_per_gpu_hour: u64,
    pub status: DeviceStatus,
    /// The lease the device serves while Leased, else the default key.
    pub current_lease: Pubkey,
    /// Minimum stake this device needs, fixed when the device is added:
    /// min_stake_per_gpu x model multiplier x gpu_count.
    pub stake_requirement: u64,
    /// Reliability score in bps, moved by proofs, disputes and challenges.
    pub reliability_bps: u16,
    /// The key its worker signs job receipts and usage attestations with;
    /// set and rotated by the provider.
    pub worker: Pubkey,
    /// Usage proofs posted for it that are neither finalized nor voided;
    /// the device cannot be removed until they are.
    pub open_proofs: u32,
    pub created_at: i64,
    pub bump: u8,
}

/// Device specification chosen by the provider at `add_device`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceSpec {
    pub model: [u8; GPU_MODEL_CODE_LEN],
    pub gpu_count: u8,
    pub vram_gb: u16,
    pub price_per_gpu_hour: u64,
    /// Idle (available now) or Offline.
    pub status: DeviceStatus,
    /// The worker's signing key (see `Device::worker`).
    pub worker: Pubkey,
}

/// A device's price or a lease's maximum, per GPU-hour.
pub fn validate_price(price_per_gpu_hour: u64) -> Result<()> {
    require!(
        (1..=MAX_PRICE_PER_GPU_HOUR).contains(&price_per_gpu_hour),
        IoComputeError::InvalidPrice
    );
    Ok(())
}

impl DeviceSpec {
    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=MAX_GPUS_PER_DEVICE).contains(&self.gpu_count),
            IoComputeError::InvalidGpuCount
        );
        require!(self.vram_gb > 0, IoComputeError::InvalidVram);
        validate_price(self.price_per_gpu_hour)?;
        validate_worker(&self.worker)?;
        require_provider_settable(self.status)
    }
}

pub fn validate_worker(worker: &Pubkey) -> Result<()> {
    require_keys_neq!(*worker, Pubkey::default(), IoComputeError::InvalidWorkerKey);
    Ok(())
}

/// Providers may only choose Idle or Offline; Leased and Jailed are the
/// protocol's to set.
pub fn require_provider_settable(status: DeviceStatus) -> Result<()> {
    require!(
        matches!(status, DeviceStatus::Idle | DeviceStatus::Offline),
        IoComputeError::InvalidDeviceStatus
    );
    Ok(())
}

impl Device {
    /// Changes status at the provider's request. Returns the change in
    /// stake requirement: `Some(true)` when the device starts needing stake,
    /// `Some(false)` when it stops, `None` when nothing changes.
    pub fn set_status_by_provider(&mut self, status: DeviceStatus) -> Result<Option<bool>> {
        require_provider_settable(status)?;
        require!(
            self.status != DeviceStatus::Leased,
            IoComputeError::DeviceLeased
        );
        require!(
            self.status != DeviceStatus::Jailed,
            IoComputeError::InvalidDeviceStatus
        );
        let change = match (self.status.needs_stake(), status.needs_stake()) {
            (false, true) => Some(true),
            (true, false) => Some(false),
            _ => None,
        };
        self.status = status;
        Ok(change)
    }

    /// Takes the device for `lease` (the matcher checked it fits).
    pub fn lease_to(&mut self, lease: Pubkey) -> Result<()> {
        require!(
            self.status == DeviceStatus::Idle,
            IoComputeError::DeviceNotIdle
        );
        self.status = DeviceStatus::Leased;
        self.current_lease = lease;
        Ok(())
    }

    /// Back to Idle when its lease ends.
    pub fn release(&mut self) {
        self.status = DeviceStatus::Idle;
        self.current_lease = Pubkey::default();
    }

    pub fn reward_reliability(&mut self) {
        self.reliability_bps = self
            .reliability_bps
            .saturating_add(RELIABILITY_REWARD_BPS)
            .min(BPS_DENOMINATOR as u16);
    }

    pub fn penalize_reliability(&mut self) {
        self.reliability_bps = self.reliability_bps.saturating_sub(RELIABILITY_PENALTY_BPS);
    }

    pub fn require_removable(&self) -> Result<()> {
        require!(
            self.status != DeviceStatus::Leased,
            IoComputeError::DeviceLeased
        );
        // Its proofs need the account to settle (H3).
        require!(self.open_proofs == 0, IoComputeError::DeviceHasOpenProofs);
        Ok(())
    }

    /// A usage proof was posted for it.
    pub fn open_proof(&mut self) -> Result<()> {
        self.open_proofs = self.open_proofs.safe_add(1)?;
        Ok(())
    }

    /// One of its proofs was finalized or voided.
    pub fn close_proof(&mut self) -> Result<()> {
        self.open_proofs = self.open_proofs.safe_sub(1)?;
        Ok(())
    }
}
