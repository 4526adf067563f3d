//! Emission schedule, circuit breakers and the hot tokenomics state.

use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{Bps, DeviceRewardPool, FeeParts, FeeSplit, StakerRewardPool, REWARD_IO, REWARD_IOSD},
};
use anchor_lang::prelude::*;

/// Tokenomics parameters, set by `init_tokenomics`, then by governance.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct TokenomicsParams {
    pub epoch_length_secs: i64,
    /// Most IOSD (base units) minted within one breaker window.
    pub iosd_mint_cap: u64,
    pub iosd_mint_window_secs: u32,
    pub emission: EmissionParams,
    pub fee_split: FeeSplit,
}

/// The IO emission schedule and its circuit breaker.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct EmissionParams {
    /// IO base units scheduled for month 0 (30 days from epoch 0's start).
    pub initial_monthly_emission: u64,
    /// Each month is scheduled this much less than the one before (bps).
    pub monthly_decay_bps: u16,
    /// Most IO re-minted per epoch for burns (net emission).
    pub net_emission_cap: u64,
    /// Stakers' share of each epoch's emission (bps); devices get the rest.
    pub stakers_bps: u16,
    /// Most IO emitted within one breaker window.
    pub io_emission_cap: u64,
    pub io_emission_window_secs: u32,
}

impl TokenomicsParams {
    /// Launch parameters: one-day epochs, io.net's emission schedule, fees
    /// 40 % treasury / 40 % stakers / 20 % burned.
    pub fn launch_defaults() -> Self {
        let day = SECONDS_PER_DAY as u32;
        Self {
            epoch_length_secs: SECONDS_PER_DAY,
            iosd_mint_cap: DEFAULT_IOSD_MINT_CAP_PER_DAY,
            iosd_mint_window_secs: day,
            emission: EmissionParams {
                initial_monthly_emission: DEFAULT_INITIAL_MONTHLY_EMISSION,
                monthly_decay_bps: DEFAULT_MONTHLY_DECAY_BPS,
                net_emission_cap: DEFAULT_NET_EMISSION_CAP_PER_DAY,
                stakers_bps: DEFAULT_STAKERS_EMISSION_BPS,
                io_emission_cap: DEFAULT_IO_EMISSION_CAP_PER_DAY,
                io_emission_window_secs: day,
            },
            fee_split: FeeSplit::LAUNCH,
        }
    }

    /// Every field within its hard bounds, and the fields consistent with
    /// each other (L1): the IO breaker lets the largest epoch emission
    /// through, so `advance_epoch` can never trip forever (the breaker
    /// decays over its window), yet sits at most `MAX_IO_BREAKER_HEADROOM`
    /// times above the most a window can emit, so it still bites.
    pub fn validate(&self) -> Result<()> {
        let emission = &self.emission;
        let window = 1..=MAX_BREAKER_WINDOW_SECS;
        require!(
            (MIN_EPOCH_LENGTH_SECS..=MAX_EPOCH_LENGTH_SECS).contains(&self.epoch_length_secs)
                && (1..=MAX_IOSD_MINT_CAP).contains(&self.iosd_mint_cap)
                && window.contains(&self.iosd_mint_window_secs)
                && Bps(emission.monthly_decay_bps).is_valid()
                && Bps(emission.stakers_bps).is_valid()
                && (1..=MAX_INITIAL_MONTHLY_EMISSION).contains(&emission.initial_monthly_emission)
                && emission.net_emission_cap <= MAX_NET_EMISSION_CAP
                && window.contains(&emission.io_emission_window_secs),
            IoComputeError::InvalidParameter
        );
        let (epoch_most, window_most) = self.max_emissions()?;
        require!(
            emission.io_emission_cap >= epoch_most
                && emission.io_emission_cap as u128
                    <= (window_most as u128).safe_mul(MAX_IO_BREAKER_HEADROOM as u128)?,
            IoComputeError::InvalidParameter
        );
        self.fee_split.validate()
    }

    /// The most IO the schedule can emit in one epoch (the initial monthly
    /// rate for one epoch plus the net-emission cap) and in one IO-breaker
    /// window (that times the epochs that can end in it).
    pub fn max_emissions(&self) -> Result<(u64, u64)> {
        let emission = &self.emission;
        let per_epoch = to_u64(mul_div_floor(
            emission.initial_monthly_emission as u128,
            self.epoch_length_secs as u128,
            SECONDS_PER_MONTH as u128,
        )?)?
        .safe_add(emission.net_emission_cap)?;
        let epochs = (emission.io_emission_window_secs as u64)
            .div_ceil(self.epoch_length_secs as u64)
            .max(1);
        Ok((per_epoch, per_epoch.safe_mul(epochs)?))
    }
}

/// A windowed, time-decayed cap (Helium's circuit breaker): the level falls
/// linearly to zero over one window; an amount fits while level + amount <=
/// cap.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct CircuitBreaker {
    pub level: u64,
    pub last_update: i64,
}

impl CircuitBreaker {
    /// The level after decay at `now`, rounded up (the stricter way).
    pub fn decayed(&self, now: i64, window_secs: u32) -> Result<u64> {
        let window = window_secs as u128;
        let elapsed = (now.saturating_sub(self.last_update).max(0) as u128).min(window);
        let numerator = (self.level as u128).safe_mul(window - elapsed)?;
        Ok((numerator.div_ceil(window)) as u64)
    }

    /// Adds `amount`, or fails with `tripped` without changing anything.
    pub fn record(
        &mut self,
        amount: u64,
        now: i64,
        cap: u64,
        window_secs: u32,
        tripped: IoComputeError,
    ) -> Result<()> {
        let level = self.decayed(now, window_secs)?.safe_add(amount)?;
        if level > cap {
            return Err(tripped.into());
        }
        self.level = level;
        self.last_update = now;
        Ok(())
    }
}

/// The hot tokenomics state [tokenomics]: written by burns, epoch advances
/// and reward flows so that `Config` is not.
#[account]
#[derive(InitSpace, Debug)]
pub struct Tokenomics {
    pub current_epoch: u64,
    pub iosd_breaker: CircuitBreaker,
    pub io_breaker: CircuitBreaker,
    pub total_io_burned: u64,
    pub total_iosd_minted: u64,
    pub total_io_emitted: u64,
    /// Start of month 0 of the emission schedule (epoch 0's start).
    pub schedule_start: i64,
    /// The month `monthly_emission` belongs to.
    pub emission_month: u32,
    pub monthly_emission: u64,
    /// IO burned in the last ended epochs; epoch n at `n % 7`.
    pub recent_burns: [u64; NET_EMISSION_WINDOW_EPOCHS],
    pub stakers: StakerRewardPool,
    pub devices: DeviceRewardPool,
    /// IOSD burned as the burn part of fees.
    pub total_fees_burned: u64,
    pub bump: u8,
}

/// One epoch's record [epoch, n]. The emission fields are written when the
/// epoch ends.
#[account]
#[derive(InitSpace, Debug)]
pub struct Epoch {
    pub number: u64,
    pub start: i64,
    pub io_burned: u64,
    pub iosd_minted: u64,
    pub emission: EpochEmission,
    /// The stakers' IO reward index when the epoch ended.
    pub reward_index: u128,
    /// Merkle root of (epoch, device, owner, amount) leaves; zero until a
    /// keeper posts it.
    pub device_root: [u8; 32],
    pub device_rewards_total: u64,
    pub device_rewards_claimed: u64,
    pub device_root_keeper: Pubkey,
    /// Claims open at this time (the root's dispute window, H4) ...
    pub device_root_unlock_at: i64,
    /// ... and close at this one; what is unclaimed then goes back to the
    /// device pool.
    pub device_claims_until: i64,
    pub bump: u8,
}

/// What an epoch emitted, written when it ends.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct EpochEmission {
    /// From the decaying schedule.
    pub scheduled: u64,
    /// min(average burn over the last 7 epochs, cap).
    pub net: u64,
    /// IO minted: scheduled + net, less what the maximum supply or an empty
    /// stakers' pool left out.
    pub emitted: u64,
    pub stakers: u64,
    pub devices: u64,
}

impl Epoch {
    pub fn open(number: u64, start: i64, bump: u8) -> Self {
        Self {
            number,
            start,
            io_burned: 0,
            iosd_minted: 0,
            emission: EpochEmission::default(),
            reward_index: 0,
            device_root: [0; 32],
            device_rewards_total: 0,
            device_rewards_claimed: 0,
            device_root_keeper: Pubkey::default(),
            device_root_unlock_at: 0,
            device_claims_until: 0,
            bump,
        }
    }

    /// When this epoch ends and the next may start.
    pub fn end(&self, epoch_length_secs: i64) -> Result<i64> {
        self.start.safe_add(epoch_length_secs)
    }

    pub fn has_device_root(&self) -> bool {
        self.device_root != [0; 32]
    }

    /// Records `keeper`'s root for `total` IO, claimable from `unlock_at`
    /// until `claims_until`.
    pub fn post_device_root(
        &mut self,
        keeper: Pubkey,
        root: [u8; 32],
        total: u64,
        unlock_at: i64,
        claims_until: i64,
    ) {
        self.device_root = root;
        self.device_rewards_total = total;
        self.device_rewards_claimed = 0;
        self.device_root_keeper = keeper;
        self.device_root_unlock_at = unlock_at;
        self.device_claims_until = claims_until;
    }

    /// Removes the root (voided, or expired with everything returned);
    /// returns the IO it had allocated and nobody claimed.
    pub fn clear_device_root(&mut self) -> Result<u64> {
        let unclaimed = self
            .device_rewards_total
            .safe_sub(self.device_rewards_claimed)?;
        self.device_rewards_total = self.device_rewards_claimed;
        Ok(unclaimed)
    }

    /// Records a claim against the posted root; never past its total.
    pub fn record_device_claim(&mut self, amount: u64) -> Result<()> {
        self.device_rewards_claimed = self.device_rewards_claimed.safe_add(amount)?;
        require!(
            self.device_rewards_claimed <= self.device_rewards_total,
            IoComputeError::DeviceRewardsExhausted
        );
        Ok(())
    }
}

impl Tokenomics {
    /// Splits an IOSD `fee` by `split` and books it: the stakers' part is
    /// credited to their index (to the treasury while nobody stakes) and the
    /// burn part counted. The caller moves the tokens as the parts say.
    pub fn plan_fee(&mut self, split: &FeeSplit, fee: u64) -> Result<FeeParts> {
        let mut parts = split.split(fee)?;
        if !self.stakers.fund(REWARD_IOSD, parts.stakers)? {
            parts.treasury = parts.treasury.safe_add(parts.stakers)?;
            parts.stakers = 0;
        }
        self.total_fees_burned = self.total_fees_burned.safe_add(parts.burn)?;
        Ok(parts)
    }

    /// Records a burn of `io` for `iosd` in the running totals and `epoch`.
    pub fn record_burn(&mut self, epoch: &mut Epoch, io: u64, iosd: u64) -> Result<()> {
        self.total_io_burned = self.total_io_burned.safe_add(io)?;
        self.total_iosd_minted = self.total_iosd_minted.safe_add(iosd)?;
        epoch.io_burned = epoch.io_burned.safe_add(io)?;
        epoch.iosd_minted = epoch.iosd_minted.safe_add(iosd)?;
        Ok(())
    }

    /// The scheduled monthly emission for the month containing `at`, decaying
    /// the stored month forward (rounded down at every step).
    fn monthly_emission_at(&mut self, at: i64, decay_bps: u16) -> Result<u64> {
        let month = at.safe_sub(self.schedule_start)?.max(0) / SECONDS_PER_MONTH;
        // Epochs are at most a month long, so this runs at most once per
        // epoch advance.
        while (self.emission_month as i64) < month {
            self.monthly_emission = Bps(decay_bps)
                .complement()?
                .floor_of(self.monthly_emission)?;
            self.emission_month = self.emission_month.safe_add(1)?;
        }
        Ok(self.monthly_emission)
    }

    /// Ends `epoch`: computes its emission, trips the IO breaker if it is
    /// over the window's cap, and credits the pools. The caller mints
    /// `emitted` into the rewards vault.
    ///
    /// - scheduled = monthly emission x epoch length / 30 days (rounded down)
    /// - net = min(IO burned in the last 7 ended epochs / 7, cap)
    /// - at most `io_max_supply - io_supply` is minted;
    /// - stakers get `stakers_bps` of it, devices the rest; with no stake the
    ///   stakers' part is not minted at all.
    pub fn close_epoch(
        &mut self,
        epoch: &mut Epoch,
        params: &TokenomicsParams,
        io_supply: u64,
        io_max_supply: u64,
        now: i64,
    ) -> Result<EpochEmission> {
        let emission = &params.emission;
        let monthly = self.monthly_emission_at(epoch.start, emission.monthly_decay_bps)?;
        let scheduled = to_u64(mul_div_floor(
            monthly as u128,
            params.epoch_length_secs as u128,
            SECONDS_PER_MONTH as u128,
        )?)?;
        self.recent_burns[(epoch.number % NET_EMISSION_WINDOW_EPOCHS as u64) as usize] =
            epoch.io_burned;
        let recent: u128 = self.recent_burns.iter().map(|&b| b as u128).sum();
        let net =
            to_u64(recent / NET_EMISSION_WINDOW_EPOCHS as u128)?.min(emission.net_emission_cap);
        let headroom = io_max_supply.saturating_sub(io_supply);
        let total = scheduled.saturating_add(net).min(headroom);
        let stakers_share = Bps(emission.stakers_bps).floor_of(total)?;
        let devices = total.safe_sub(stakers_share)?;
        let stakers = if self.stakers.fund(REWARD_IO, stakers_share)? {
            stakers_share
        } else {
            0
        };
        let emitted = stakers.safe_add(devices)?;
        self.io_breaker.record(
            emitted,
            now,
            emission.io_emission_cap,
            emission.io_emission_window_secs,
            IoComputeError::EmissionBreakerTripped,
        )?;
        self.devices.funded = self.devices.funded.safe_add(devices)?;
        self.total_io_emitted = self.total_io_emitted.safe_add(emitted)?;
        let result = EpochEmission {
            scheduled,
            net,
            emitted,
            stakers,
            devices,
        };
        epoch.emission = result;
        epoch.reward_index = self.stakers.index[REWARD_IO];
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIP: IoComputeError = IoComputeError::IosdBreakerTripped;

    #[test]
    fn breaker_caps_and_decays_linearly() {
        let mut breaker = CircuitBreaker::default();
        breaker.record(100, 0, 100, 10, TRIP).unwrap();
        assert!(
            breaker.record(1, 0, 100, 10, TRIP).is_err(),
            "one unit over the cap"
        );
        assert_eq!(breaker.level, 100, "a refused amount changes nothing");
        // Half a window later half the level remains.
        assert_eq!(breaker.decayed(5, 10).unwrap(), 50);
        breaker.record(50, 5, 100, 10, TRIP).unwrap();
        assert!(breaker.record(1, 5, 100, 10, TRIP).is_err());
        // 1/10 of a window: 100 -> 90, rounded up stays strict.
        assert_eq!(breaker.decayed(6, 10).unwrap(), 90);
        assert_eq!(breaker.decayed(100, 10).unwrap(), 0);
        let odd = CircuitBreaker {
            level: 7,
            last_update: 0,
        };
        assert_eq!(odd.decayed(1, 2).unwrap(), 4, "3.5 rounds up");
    }

    #[test]
    fn fee_split_sums_to_the_fee_and_burns_the_rounding() {
        let split = FeeSplit {
            treasury_bps: 3_333,
            stakers_bps: 3_333,
            burn_bps: 3_334,
        };
        split.validate().unwrap();
        for fee in [0, 1, 2, 3, 10_000, 999_999_999, u64::MAX] {
            let parts = split.split(fee).unwrap();
            assert_eq!(parts.treasury + parts.stakers + parts.burn, fee);
            assert_eq!(parts.treasury, (fee as u128 * 3_333 / 10_000) as u64);
            assert!(parts.burn >= parts.treasury, "the burn takes the rounding");
        }
        assert_eq!(
            split.split(10).unwrap(),
            FeeParts {
                treasury: 3,
                stakers: 3,
                burn: 4
            }
        );
        for bad in [(5_000, 5_000, 1), (0, 0, 0), (10_000, 1, 0)] {
            let split = FeeSplit {
                treasury_bps: bad.0,
                stakers_bps: bad.1,
                burn_bps: bad.2,
            };
            assert!(split.validate().is_err());
        }
    }
}
