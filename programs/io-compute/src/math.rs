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
impl_safe_math!(u16, u32, u64, u128, i64);

/// `a * b / d` in u128, rounded down. Errors when `d == 0` or the result does
/// not fit `u128`.
pub fn mul_div_floor(a: u128, b: u128, d: u128) -> Result<u128> {
    a.safe_mul(b)?.safe_div(d)
}

/// `a * b / d` in u128, rounded up.
pub fn mul_div_ceil(a: u128, b: u128, d: u128) -> Result<u128> {
    require!(d != 0, IoComputeError::MathOverflow);
    Ok(a.safe_mul(b)?.div_ceil(d))
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
        assert!(to_u64(u64::MAX as u128 + 1).is_err());
        assert_eq!(to_u64(u64::MAX as u128).unwrap(), u64::MAX);
        assert!(u64::MAX.safe_add(1).is_err());
        assert!(0u64.safe_sub(1).is_err());
    }
}
