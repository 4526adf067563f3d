use crate::{constants::*, error::IoComputeError, math::SafeMath};
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
}

impl TokenomicsParams {
    pub fn validate(&self) -> Result<()> {
        require!(
            (MIN_EPOCH_LENGTH_SECS..=MAX_EPOCH_LENGTH_SECS).contains(&self.epoch_length_secs)
                && self.iosd_mint_cap > 0
                && self.iosd_mint_window_secs > 0,
            IoComputeError::InvalidParameter
        );
        Ok(())
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

    /// Adds `amount`, or fails without changing anything.
    pub fn record(&mut self, amount: u64, now: i64, cap: u64, window_secs: u32) -> Result<()> {
        let level = self.decayed(now, window_secs)?.safe_add(amount)?;
        require!(level <= cap, IoComputeError::CircuitBreakerTripped);
        self.level = level;
        self.last_update = now;
        Ok(())
    }
}

/// The hot tokenomics state [tokenomics]: written by burns and epoch
/// advances so that `Config` is not.
#[account]
#[derive(InitSpace, Debug)]
pub struct Tokenomics {
    pub current_epoch: u64,
    pub iosd_breaker: CircuitBreaker,
    pub total_io_burned: u64,
    pub total_iosd_minted: u64,
    pub bump: u8,
}

/// One epoch's record [epoch, n].
#[account]
#[derive(InitSpace, Debug)]
pub struct Epoch {
    pub number: u64,
    pub start: i64,
    pub io_burned: u64,
    pub iosd_minted: u64,
    pub bump: u8,
}

impl Epoch {
    /// When this epoch ends and the next may start.
    pub fn end(&self, epoch_length_secs: i64) -> Result<i64> {
        self.start.safe_add(epoch_length_secs)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_caps_and_decays_linearly() {
        let mut breaker = CircuitBreaker::default();
        breaker.record(100, 0, 100, 10).unwrap();
        assert!(
            breaker.record(1, 0, 100, 10).is_err(),
            "one unit over the cap"
        );
        assert_eq!(breaker.level, 100, "a refused amount changes nothing");
        // Half a window later half the level remains.
        assert_eq!(breaker.decayed(5, 10).unwrap(), 50);
        breaker.record(50, 5, 100, 10).unwrap();
        assert!(breaker.record(1, 5, 100, 10).is_err());
        // 1/10 of a window: 100 -> 90, rounded up stays strict.
        assert_eq!(breaker.decayed(6, 10).unwrap(), 90);
        assert_eq!(breaker.decayed(100, 10).unwrap(), 0);
        let odd = CircuitBreaker {
            level: 7,
            last_update: 0,
        };
        assert_eq!(odd.decayed(1, 2).unwrap(), 4, "3.5 rounds up");
    }
}
