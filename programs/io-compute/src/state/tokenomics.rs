use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
};
use anchor_lang::prelude::*;

/// Tokenomics parameters, set by `init_tokenomics` (later by governance).
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

/// How a fee paid in IOSD is split; the three parts sum to 10,000 bps.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct FeeSplit {
    pub treasury_bps: u16,
    pub stakers_bps: u16,
    pub burn_bps: u16,
}

/// A fee's parts in IOSD base units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeeParts {
    pub treasury: u64,
    pub stakers: u64,
    pub burn: u64,
}

impl FeeSplit {
    pub fn validate(&self) -> Result<()> {
        let sum = self.treasury_bps as u64 + self.stakers_bps as u64 + self.burn_bps as u64;
        require!(sum == BPS_DENOMINATOR, IoComputeError::InvalidFeeSplit);
        Ok(())
    }

    /// Splits `fee`: treasury and stakers rounded down, the burn takes the
    /// remainder, so the parts always sum to the fee.
    pub fn split(&self, fee: u64) -> Result<FeeParts> {
        let part = |bps: u16| -> Result<u64> {
            to_u64(mul_div_floor(
                fee as u128,
                bps as u128,
                BPS_DENOMINATOR as u128,
            )?)
        };
        let treasury = part(self.treasury_bps)?;
        let stakers = part(self.stakers_bps)?;
        let burn = fee.safe_sub(treasury)?.safe_sub(stakers)?;
        Ok(FeeParts {
            treasury,
            stakers,
            burn,
        })
    }
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
            fee_split: FeeSplit {
                treasury_bps: 4_000,
                stakers_bps: 4_000,
                burn_bps: 2_000,
            },
        }
    }

    pub fn validate(&self) -> Result<()> {
        let emission = &self.emission;
        require!(
            (MIN_EPOCH_LENGTH_SECS..=MAX_EPOCH_LENGTH_SECS).contains(&self.epoch_length_secs)
                && self.iosd_mint_cap > 0
                && self.iosd_mint_window_secs > 0
                && emission.monthly_decay_bps as u64 <= BPS_DENOMINATOR
                && emission.stakers_bps as u64 <= BPS_DENOMINATOR
                && emission.io_emission_cap > 0
                && emission.io_emission_window_secs > 0,
            IoComputeError::InvalidParameter
        );
        self.fee_split.validate()
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

/// The two tokens stakers earn: IO from emissions, IOSD from fees.
pub const REWARD_TOKENS: usize = 2;
pub const REWARD_IO: usize = 0;
pub const REWARD_IOSD: usize = 1;

/// The stakers' reward pool: a global index per token of rewards per unit of
/// weight, where a provider's weight is its active stake's IO value x
/// multiplier (see `ProviderRewards`).
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct StakerRewardPool {
    /// Cumulative rewards per unit of weight x `REWARD_INDEX_SCALE`.
    pub index: [u128; REWARD_TOKENS],
    /// Sum of every provider's weight.
    pub total_weight: u128,
    /// Base units put into the pool (minted or routed into its vault).
    pub funded: [u64; REWARD_TOKENS],
    /// Base units claimed out of it; never more than `funded`.
    pub paid: [u64; REWARD_TOKENS],
}

impl StakerRewardPool {
    /// Credits `amount` to every unit of weight. Returns false (and credits
    /// nothing) when nobody stakes; the caller then keeps the amount.
    pub fn fund(&mut self, token: usize, amount: u64) -> Result<bool> {
        if self.total_weight == 0 || amount == 0 {
            return Ok(false);
        }
        let step = mul_div_floor(amount as u128, REWARD_INDEX_SCALE, self.total_weight)?;
        self.index[token] = self.index[token].safe_add(step)?;
        self.funded[token] = self.funded[token].safe_add(amount)?;
        Ok(true)
    }

    pub fn record_payment(&mut self, token: usize, amount: u64) -> Result<()> {
        self.paid[token] = self.paid[token].safe_add(amount)?;
        require!(
            self.paid[token] <= self.funded[token],
            IoComputeError::RewardPoolExhausted
        );
        Ok(())
    }
}

/// IO emitted for devices. Keepers allocate it to per-epoch Merkle roots;
/// what an epoch's root leaves unallocated stays available to later roots.
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

    pub fn record_payment(&mut self, amount: u64) -> Result<()> {
        self.paid = self.paid.safe_add(amount)?;
        require!(
            self.paid <= self.allocated,
            IoComputeError::RewardPoolExhausted
        );
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
            self.monthly_emission = to_u64(mul_div_floor(
                self.monthly_emission as u128,
                BPS_DENOMINATOR.safe_sub(decay_bps as u64)? as u128,
                BPS_DENOMINATOR as u128,
            )?)?;
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
        let stakers_share = to_u64(mul_div_floor(
            total as u128,
            emission.stakers_bps as u128,
            BPS_DENOMINATOR as u128,
        )?)?;
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
