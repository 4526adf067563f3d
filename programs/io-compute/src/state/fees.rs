//! Fees and rates: one basis-points type for every share the protocol takes
//! or pays, and the split of fees between treasury, stakers and burn.

use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_ceil, mul_div_floor, to_u64, SafeMath},
};
use anchor_lang::prelude::*;

/// A rate in basis points (1/10,000), as Marinade's `Fee { basis_points }`.
/// Stored fields stay plain `u16` (the account layouts are fixed); every
/// computation with a rate goes through this type, so the rounding direction
/// is always written at the call site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bps(pub u16);

impl Bps {
    pub const ZERO: Bps = Bps(0);
    pub const FULL: Bps = Bps(BPS_DENOMINATOR as u16);

    /// At most 100 %.
    pub fn is_valid(self) -> bool {
        self <= Self::FULL
    }

    /// `amount x rate`, rounded down: for what the protocol pays out.
    pub fn floor_of(self, amount: u64) -> Result<u64> {
        to_u64(self.floor_of_wide(amount as u128)?)
    }

    /// `amount x rate`, rounded up: for what the protocol charges.
    pub fn ceil_of(self, amount: u64) -> Result<u64> {
        to_u64(mul_div_ceil(
            amount as u128,
            self.0 as u128,
            BPS_DENOMINATOR as u128,
        )?)
    }

    /// `amount x rate` on a 128-bit amount, rounded down.
    pub fn floor_of_wide(self, amount: u128) -> Result<u128> {
        mul_div_floor(amount, self.0 as u128, BPS_DENOMINATOR as u128)
    }

    /// 100 % less this rate.
    pub fn complement(self) -> Result<Bps> {
        Ok(Bps(Self::FULL.0.safe_sub(self.0)?))
    }
}

/// The client fee on `amount` at `fee_bps`, rounded up.
pub fn client_fee(amount: u64, fee_bps: u16) -> Result<u64> {
    Bps(fee_bps).ceil_of(amount)
}

/// Splits a finalized proof's reservation into the provider's payout and the
/// protocol's fee: the provider fee is taken from `amount_due` (rounded up),
/// and the fee is everything reserved that the provider is not paid.
pub fn provider_payout(
    amount_due: u64,
    reserved: u64,
    provider_fee_bps: u16,
) -> Result<(u64, u64)> {
    let payout = amount_due.safe_sub(Bps(provider_fee_bps).ceil_of(amount_due)?)?;
    Ok((payout, reserved.safe_sub(payout)?))
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
    /// The launch split: 40 % treasury, 40 % stakers, 20 % burned.
    pub const LAUNCH: FeeSplit = FeeSplit {
        treasury_bps: DEFAULT_FEE_SPLIT_TREASURY_BPS,
        stakers_bps: DEFAULT_FEE_SPLIT_STAKERS_BPS,
        burn_bps: DEFAULT_FEE_SPLIT_BURN_BPS,
    };

    pub fn validate(&self) -> Result<()> {
        let sum = self.treasury_bps as u64 + self.stakers_bps as u64 + self.burn_bps as u64;
        require!(sum == BPS_DENOMINATOR, IoComputeError::InvalidFeeSplit);
        Ok(())
    }

    /// Splits `fee`: treasury and stakers rounded down, the burn takes the
    /// remainder, so the parts always sum to the fee.
    pub fn split(&self, fee: u64) -> Result<FeeParts> {
        let treasury = Bps(self.treasury_bps).floor_of(fee)?;
        let stakers = Bps(self.stakers_bps).floor_of(fee)?;
        let burn = fee.safe_sub(treasury)?.safe_sub(stakers)?;
        Ok(FeeParts {
            treasury,
            stakers,
            burn,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_in_the_direction_asked() {
        assert_eq!(Bps(250).floor_of(39).unwrap(), 0);
        assert_eq!(Bps(250).ceil_of(39).unwrap(), 1);
        assert_eq!(Bps(250).ceil_of(40).unwrap(), 1);
        assert_eq!(Bps::FULL.floor_of(u64::MAX).unwrap(), u64::MAX);
        assert!(
            Bps(10_001).floor_of(u64::MAX).is_err(),
            "over 100 % of u64::MAX overflows"
        );
        assert!(!Bps(10_001).is_valid() && Bps(10_000).is_valid());
        assert_eq!(Bps(1_000).complement().unwrap(), Bps(9_000));
        assert!(Bps(10_001).complement().is_err());
    }

    #[test]
    fn provider_payout_takes_the_fee_rounded_up() {
        // 900,000 due at a 5 % provider fee, 922,500 reserved with the client fee.
        assert_eq!(
            provider_payout(900_000, 922_500, 500).unwrap(),
            (855_000, 67_500)
        );
        // One base unit due at any fee: the provider gets nothing of it.
        assert_eq!(provider_payout(1, 2, 1).unwrap(), (0, 2));
    }

    #[test]
    fn split_parts_sum_to_the_fee() {
        let parts = FeeSplit::LAUNCH.split(1_001).unwrap();
        assert_eq!(
            parts,
            FeeParts {
                treasury: 400,
                stakers: 400,
                burn: 201
            }
        );
        FeeSplit::LAUNCH.validate().unwrap();
        assert!(FeeSplit {
            treasury_bps: 1,
            stakers_bps: 0,
            burn_bps: 0
        }
        .validate()
        .is_err());
    }
}
