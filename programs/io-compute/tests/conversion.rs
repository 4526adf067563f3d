//! Property tests of the IO <-> IOSD conversion over the full ranges of
//! amounts, prices and exponents, against exact big-integer arithmetic.

use io_compute::oracle::{io_for_iosd, iosd_for_io, OraclePrice};
use num_bigint::BigUint;
use proptest::prelude::*;

fn price(mantissa: i64, expo: i32) -> OraclePrice {
    OraclePrice {
        price: mantissa,
        conf: 0,
        expo,
        publish_time: 0,
    }
}

fn pow10(n: u32) -> BigUint {
    BigUint::from(10u32).pow(n)
}

/// io x price x 10^(expo - 3) as the exact fraction numerator / denominator.
fn exact(io: u64, mantissa: i64, expo: i32) -> (BigUint, BigUint) {
    let value = BigUint::from(io) * BigUint::from(mantissa as u64);
    let shift = expo - 3;
    if shift >= 0 {
        (value * pow10(shift as u32), BigUint::from(1u32))
    } else {
        (value, pow10((-shift) as u32))
    }
}

fn u64_max() -> BigUint {
    BigUint::from(u64::MAX)
}

fn amounts() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1u64),
        Just(u64::MAX),
        any::<u64>(),
        0u64..1_000_000_000_000
    ]
}

fn mantissas() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(1i64),
        Just(i64::MAX),
        1i64..=i64::MAX,
        1i64..1_000_000_000
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    /// Exact-in rounds down, and fails exactly when the result cannot fit.
    #[test]
    fn iosd_for_io_is_the_exact_floor(io in amounts(), m in mantissas(), expo in -40i32..=12) {
        let (num, den) = exact(io, m, expo);
        let floor = &num / &den;
        match iosd_for_io(io, &price(m, expo)) {
            Ok(out) => prop_assert_eq!(BigUint::from(out), floor),
            Err(_) => prop_assert!(floor > u64_max(), "refused a representable result"),
        }
    }

    /// Exact-out rounds up: the least IO that buys at least `iosd`.
    #[test]
    fn io_for_iosd_is_the_exact_ceiling(iosd in amounts(), m in mantissas(), expo in -40i32..=12) {
        // io >= iosd / (price x 10^(expo-3)): ceil of iosd x den / num_per_io.
        let (per_io, den) = exact(1, m, expo);
        let ceil = (BigUint::from(iosd) * &den + &per_io - 1u32) / &per_io;
        match io_for_iosd(iosd, &price(m, expo)) {
            Ok(io) => prop_assert_eq!(BigUint::from(io), ceil),
            Err(_) => prop_assert!(ceil > u64_max(), "refused a representable result"),
        }
    }

    /// No sequence of conversions gains value: burning the IO an exact-out
    /// costs buys at least that IOSD, the IOSD an exact-in buys never costs
    /// more IO than was burned, and splitting a burn never buys more.
    #[test]
    fn no_conversion_sequence_gains_value(
        a in 0u64..=u64::MAX / 2,
        b in 0u64..=u64::MAX / 2,
        m in mantissas(),
        expo in -20i32..=4,
    ) {
        let p = price(m, expo);
        if let (Ok(fa), Ok(fb), Ok(fab)) = (iosd_for_io(a, &p), iosd_for_io(b, &p), iosd_for_io(a + b, &p)) {
            prop_assert!(fa as u128 + fb as u128 <= fab as u128, "split burns bought more");
            if let Ok(back) = io_for_iosd(fa, &p) {
                prop_assert!(back <= a, "the IOSD bought costs more than was burned");
            }
        }
        if let Ok(cost) = io_for_iosd(a, &p) {
            if let Ok(bought) = iosd_for_io(cost, &p) {
                prop_assert!(bought >= a, "paying the quoted IO bought less than asked");
            }
            if let (Ok(cb), Ok(cab)) = (io_for_iosd(b, &p), io_for_iosd(a.saturating_add(b), &p)) {
                prop_assert!(cost as u128 + cb as u128 >= cab as u128, "split exact-outs cost less");
            }
        }
    }
}
