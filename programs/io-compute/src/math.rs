//! Checked arithmetic. Every on-chain amount goes through these helpers so that
//! an overflow is a clear error, never a wrap or a panic.

use crate::error::IoComputeError;
use anchor_lang::prelude::*;

pub trait SafeMath: Sized {
    fn safe_add(self, rhs: Self) -> Result<Self>;
    fn safe_sub(self, rhs: Self) -> Result<Self>;
    fn safe_mul(self, rhs: Self) -> Result<Self>;
    fn safe_div(self, rhs: Self) -> Result<Self>;
}

macro_rules! impl_safe_math {
    ($($t:ty),*) => {$(
        impl SafeMath for $t {
            #[inline]
            fn safe_add(self, rhs: Self) -> Result<Self> {
                self.checked_add(rhs).ok_or_else(|| error!(IoComputeError::MathOverflow))
            }
            #[inline]
            fn safe_sub(self, rhs: Self) -> Result<Self> {
                self.checked_sub(rhs).ok_or_else(|| error!(IoComputeError::MathOverflow))
            }
            #[inline]
            fn safe_mul(self, rhs: Self) -> Result<Self> {
                self.checked_mul(rhs).ok_or_else(|| error!(IoComputeError::MathOverflow))
            }
            #[inline]
            fn safe_div(self, rhs: Self) -> Result<Self> {
                self.checked_div(rhs).ok_or_else(|| error!(IoComputeError::MathOverflow))
            }
        }
    )*};
}
impl_safe_math!(u8, u16, u32, u64, u128, i64);

mod wide {
    #![allow(clippy::manual_div_ceil)] // inside the uint macro's expansion
    uint::construct_uint! {
        /// 256-bit intermediate for products of two u128 values.
        pub struct U256(4);
    }
}
use wide::U256;

/// `a * b / d` rounded down. The product is taken in 256 bits, so only a
/// quotient that does not fit `u128` (or `d == 0`) is an error.
pub fn mul_div_floor(a: u128, b: u128, d: u128) -> Result<u128> {
    require!(d != 0, IoComputeError::MathOverflow);
    match a.checked_mul(b) {
        Some(product) => Ok(product / d),
        None => narrow(U256::from(a) * U256::from(b) / U256::from(d)),
    }
}

/// `a * b / d` rounded up, with the same range as [`mul_div_floor`].
pub fn mul_div_ceil(a: u128, b: u128, d: u128) -> Result<u128> {
    require!(d != 0, IoComputeError::MathOverflow);
    match a.checked_mul(b) {
        Some(product) => Ok(product.div_ceil(d)),
        None => {
            let (a, b, d) = (U256::from(a), U256::from(b), U256::from(d));
            let (quotient, remainder) = (a * b).div_mod(d);
            narrow(quotient + U256::from(!remainder.is_zero() as u8))
        }
    }
}

fn narrow(value: U256) -> Result<u128> {
    require!(value.bits() <= 128, IoComputeError::MathOverflow);
    Ok(value.low_u128())
}

/// Narrows a u128 to u64, failing with `MathOverflow` instead of truncating.
pub fn to_u64(value: u128) -> Result<u64> {
    u64::try_from(value).map_err(|_| error!(IoComputeError::MathOverflow))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_directions() {
        assert_eq!(mul_div_floor(7, 3, 2).unwrap(), 10);
        assert_eq!(mul_div_ceil(7, 3, 2).unwrap(), 11);
        assert_eq!(mul_div_ceil(6, 3, 2).unwrap(), 9);
        assert!(mul_div_floor(1, 1, 0).is_err());
        assert!(mul_div_floor(u128::MAX, 2, 1).is_err());
        // Products beyond u128 are exact as long as the quotient fits.
        assert_eq!(
            mul_div_floor(u128::MAX, 6, 3).unwrap_err(),
            error!(IoComputeError::MathOverflow)
        );
        assert_eq!(mul_div_floor(u128::MAX, 3, 6).unwrap(), u128::MAX / 2);
        assert_eq!(mul_div_ceil(u128::MAX, 3, 6).unwrap(), u128::MAX / 2 + 1);
        assert_eq!(
            mul_div_floor(1 << 100, 1 << 100, 1 << 90).unwrap(),
            1 << 110
        );
        assert_eq!(mul_div_ceil(1 << 100, 1 << 100, 1 << 90).unwrap(), 1 << 110);
        assert!(to_u64(u64::MAX as u128 + 1).is_err());
        assert_eq!(to_u64(u64::MAX as u128).unwrap(), u64::MAX);
        assert!(u64::MAX.safe_add(1).is_err());
        assert!(0u64.safe_sub(1).is_err());
    }
}
