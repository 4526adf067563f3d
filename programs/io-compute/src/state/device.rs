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
    /// Suspended after `JAIL_AFTER_FAILED_CHECKS` failed or missed device
    /// checks in a row: no new leases, no device rewards, until it passes a
    /// check again. Still counts toward the minimum stake (it was Idle).
    Jailed,
}

impl DeviceStatus {
    /// Idle, Leased and Jailed devices count toward the provider's minimum
    /// stake.
    pub fn needs_stake(self) -> bool {
        matches!(
            self,
            DeviceStatus::Idle | DeviceStatus::Leased | DeviceStatus::Jailed
        )
    }
}

/// What a keeper's device check found.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The device answered in time with a correct result.
    Pass,
    /// It answered with a wrong result or below its model's throughput.
    Fail,
    /// It did not answer before the deadline.
    Missed,
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
    /// The last epoch a device check was recorded for (one per epoch).
    pub last_check_epoch: Option<u64>,
    /// Failed or missed checks in a row; a pass resets it.
    pub failed_checks: u8,
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

    /// Records epoch `epoch`'s check. Returns the status change it caused:
    /// `Some(true)` jailed, `Some(false)` released, `None` nothing.
    pub fn record_check(&mut self, epoch: u64, outcome: CheckOutcome) -> Result<Option<bool>> {
        require!(
            self.last_check_epoch.is_none_or(|last| last < epoch),
            IoComputeError::DeviceAlreadyChecked
        );
        self.last_check_epoch = Some(epoch);
        if outcome == CheckOutcome::Pass {
            self.failed_checks = 0;
            if self.status == DeviceStatus::Jailed {
                self.status = DeviceStatus::Idle;
                return Ok(Some(false));
            }
            return Ok(None);
        }
        self.failed_checks = self.failed_checks.saturating_add(1);
        self.penalize_reliability();
        if self.failed_checks >= JAIL_AFTER_FAILED_CHECKS && self.status == DeviceStatus::Idle {
            self.status = DeviceStatus::Jailed;
            return Ok(Some(true));
        }
        Ok(None)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn device(status: DeviceStatus) -> Device {
        Device {
            provider: Pubkey::default(),
            index: 0,
            model: [0; GPU_MODEL_CODE_LEN],
            gpu_count: 1,
            vram_gb: 24,
            price_per_gpu_hour: 1,
            status,
            current_lease: Pubkey::default(),
            stake_requirement: 1,
            reliability_bps: INITIAL_RELIABILITY_BPS,
            worker: Pubkey::new_unique(),
            open_proofs: 0,
            last_check_epoch: None,
            failed_checks: 0,
            created_at: 0,
            bump: 0,
        }
    }

    #[test]
    fn three_failed_checks_in_a_row_jail_and_a_pass_releases() {
        let mut d = device(DeviceStatus::Idle);
        assert_eq!(d.record_check(0, CheckOutcome::Fail).unwrap(), None);
        assert_eq!(d.record_check(1, CheckOutcome::Missed).unwrap(), None);
        // A pass in between resets the count.
        assert_eq!(d.record_check(2, CheckOutcome::Pass).unwrap(), None);
        assert_eq!(d.record_check(3, CheckOutcome::Fail).unwrap(), None);
        assert_eq!(d.record_check(4, CheckOutcome::Fail).unwrap(), None);
        assert_eq!(d.record_check(5, CheckOutcome::Missed).unwrap(), Some(true));
        assert_eq!(d.status, DeviceStatus::Jailed);
        assert!(
            d.status.needs_stake(),
            "a jailed device keeps its requirement"
        );
        assert_eq!(
            d.record_check(5, CheckOutcome::Pass).unwrap_err(),
            IoComputeError::DeviceAlreadyChecked.into()
        );
        assert_eq!(d.record_check(6, CheckOutcome::Fail).unwrap(), None);
        assert_eq!(d.record_check(7, CheckOutcome::Pass).unwrap(), Some(false));
        assert_eq!((d.status, d.failed_checks), (DeviceStatus::Idle, 0));
    }

    #[test]
    fn leased_and_offline_devices_are_never_jailed() {
        for status in [DeviceStatus::Leased, DeviceStatus::Offline] {
            let mut d = device(status);
            for epoch in 0..5 {
                assert_eq!(d.record_check(epoch, CheckOutcome::Fail).unwrap(), None);
            }
            assert_eq!((d.status, d.failed_checks), (status, 5));
        }
    }
}
