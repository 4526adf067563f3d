//! IO/USD prices: reading a Pyth pull-oracle `PriceUpdateV2` account (parsed
//! directly, no Pyth crate), validating any price source, and converting
//! between IO and IOSD.
//!
//! A price is `mantissa x 10^expo` USD per IO. IOSD (6 decimals) is worth
//! 1 USD, IO has 9 decimals, so
//! `iosd_base = io_base x mantissa x 10^(expo - 3)`.

use crate::{
    constants::{BPS_DENOMINATOR, IOSD_DECIMALS, IO_DECIMALS},
    error::IoComputeError,
    math::{to_u64, SafeMath},
};
use anchor_lang::prelude::*;

/// The Pyth Solana receiver program, owner of every `PriceUpdateV2`.
pub const PYTH_RECEIVER_ID: Pubkey = pubkey!("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");
/// Anchor discriminator of `PriceUpdateV2`: sha256("account:PriceUpdateV2")[..8].
pub const PRICE_UPDATE_V2_DISCRIMINATOR: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];
/// Largest power of ten a u128 holds.
const MAX_POW10: u32 = 38;

/// A price as the protocol uses it, already conservative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
}

/// The fields of a `PriceUpdateV2` the protocol reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PythPriceUpdate {
    pub fully_verified: bool,
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    pub ema_price: i64,
    pub ema_conf: u64,
}

fn read<const N: usize>(data: &[u8], at: &mut usize) -> Result<[u8; N]> {
    let bytes = data
        .get(*at..*at + N)
        .ok_or_else(|| error!(IoComputeError::OracleMalformed))?;
    *at += N;
    Ok(bytes.try_into().expect("length checked"))
}

/// Parses a `PriceUpdateV2` account:
/// discriminator, write_authority, verification_level
/// (`Partial { num_signatures: u8 }` = 0 or `Full` = 1), then the price
/// message (feed_id, price, conf, exponent, publish_time, prev_publish_time,
/// ema_price, ema_conf) and posted_slot.
pub fn parse_pyth_price_update(data: &[u8]) -> Result<PythPriceUpdate> {
    let mut at = 0;
    require!(
        read::<8>(data, &mut at)? == PRICE_UPDATE_V2_DISCRIMINATOR,
        IoComputeError::OracleMalformed
    );
    read::<32>(data, &mut at)?; // write authority
    let fully_verified = match read::<1>(data, &mut at)?[0] {
        0 => {
            read::<1>(data, &mut at)?; // num_signatures
            false
        }
        1 => true,
        _ => return err!(IoComputeError::OracleMalformed),
    };
    let feed_id = read::<32>(data, &mut at)?;
    let price = i64::from_le_bytes(read(data, &mut at)?);
    let conf = u64::from_le_bytes(read(data, &mut at)?);
    let expo = i32::from_le_bytes(read(data, &mut at)?);
    let publish_time = i64::from_le_bytes(read(data, &mut at)?);
    read::<8>(data, &mut at)?; // prev_publish_time
    let ema_price = i64::from_le_bytes(read(data, &mut at)?);
    let ema_conf = u64::from_le_bytes(read(data, &mut at)?);
    Ok(PythPriceUpdate {
        fully_verified,
        feed_id,
        price,
        conf,
        expo,
        publish_time,
        ema_price,
        ema_conf,
    })
}

/// Checks freshness, sign and uncertainty, then returns the conservative
/// price `price - 2 x conf` (Helium's rule for minting credits): the lower
/// the price, the less IOSD per IO, so errors favour the protocol.
pub fn conservative_price(
    price: OraclePrice,
    now: i64,
    max_age_secs: u32,
    max_conf_bps: u16,
) -> Result<OraclePrice> {
    require!(price.price > 0, IoComputeError::OraclePriceNotPositive);
    let age = now.saturating_sub(price.publish_time);
    require!(age <= max_age_secs as i64, IoComputeError::OracleStale);
    // conf / price <= max_conf_bps / 10_000, in u128.
    require!(
        (price.conf as u128).safe_mul(BPS_DENOMINATOR as u128)?
            <= (price.price as u128).safe_mul(max_conf_bps as u128)?,
        IoComputeError::OracleTooUncertain
    );
    let lowered = (price.price as i128) - 2 * (price.conf as i128);
    require!(lowered > 0, IoComputeError::OraclePriceNotPositive);
    Ok(OraclePrice {
        price: lowered as i64,
        ..price
    })
}

/// `10^(expo + IOSD_DECIMALS - IO_DECIMALS)` as a multiplier (`Ok(Ok(m))`)
/// or a divisor (`Ok(Err(d))`). A divisor beyond u128 reads as `None`.
fn scale(expo: i32) -> Result<std::result::Result<u128, Option<u128>>> {
    let shift = expo as i64 + IOSD_DECIMALS as i64 - IO_DECIMALS as i64;
    if shift >= 0 {
        require!(shift <= MAX_POW10 as i64, IoComputeError::MathOverflow);
        Ok(Ok(10u128.pow(shift as u32)))
    } else if -shift <= MAX_POW10 as i64 {
        Ok(Err(Some(10u128.pow((-shift) as u32))))
    } else {
        Ok(Err(None))
    }
}

/// IOSD base units bought by burning `io` base units at `price`, rounded
/// down. Never silently overflows: an unrepresentable result is an error.
pub fn iosd_for_io(io: u64, price: &OraclePrice) -> Result<u64> {
    require!(price.price > 0, IoComputeError::OraclePriceNotPositive);
    let value = (io as u128).safe_mul(price.price as u128)?;
    match scale(price.expo)? {
        Ok(multiplier) => to_u64(value.safe_mul(multiplier)?),
        // io x price < 2^127 < 10^39: dividing by more than 10^38 leaves 0.
        Err(Some(divisor)) => to_u64(value / divisor),
        Err(None) => Ok(0),
    }
}

/// IO base units to burn for exactly `iosd` base units at `price`, rounded
/// up.
pub fn io_for_iosd(iosd: u64, price: &OraclePrice) -> Result<u64> {
    require!(price.price > 0, IoComputeError::OraclePriceNotPositive);
    if iosd == 0 {
        return Ok(0);
    }
    let price_units = price.price as u128;
    let needed = match scale(price.expo)? {
        Ok(multiplier) => {
            let per_io = price_units.safe_mul(multiplier)?;
            (iosd as u128).div_ceil(per_io)
        }
        Err(Some(divisor)) => (iosd as u128).safe_mul(divisor)?.div_ceil(price_units),
        Err(None) => return err!(IoComputeError::MathOverflow),
    };
    to_u64(needed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(mantissa: i64, expo: i32) -> OraclePrice {
        OraclePrice {
            price: mantissa,
            conf: 0,
            expo,
            publish_time: 0,
        }
    }

    #[test]
    fn discriminator_is_sha256_of_the_account_name() {
        // Recomputed here so a typo in the constant cannot pass.
        use sha2::Digest;
        let hash = sha2::Sha256::digest(b"account:PriceUpdateV2");
        assert_eq!(hash[..8], PRICE_UPDATE_V2_DISCRIMINATOR);
    }

    #[test]
    fn conversions_at_a_known_price() {
        // 2.50 USD per IO with Pyth's usual exponent -8.
        let p = price(250_000_000, -8);
        assert_eq!(iosd_for_io(1_000_000_000, &p).unwrap(), 2_500_000); // 1 IO -> 2.5 IOSD
        assert_eq!(iosd_for_io(1, &p).unwrap(), 0); // dust rounds down
        assert_eq!(io_for_iosd(2_500_000, &p).unwrap(), 1_000_000_000);
        assert_eq!(io_for_iosd(1, &p).unwrap(), 400); // 0.000001 IOSD -> 400 nIO
        assert!(iosd_for_io(u64::MAX, &price(i64::MAX, 0)).is_err());
        assert_eq!(iosd_for_io(u64::MAX, &price(i64::MAX, -60)).unwrap(), 0);
        assert!(io_for_iosd(1, &price(1, -60)).is_err());
    }

    #[test]
    fn conservative_price_checks() {
        let p = OraclePrice {
            price: 1_000,
            conf: 10,
            expo: -3,
            publish_time: 100,
        };
        assert_eq!(conservative_price(p, 160, 60, 100).unwrap().price, 980);
        assert_eq!(
            conservative_price(p, 161, 60, 100).unwrap_err(),
            IoComputeError::OracleStale.into()
        );
        assert_eq!(
            conservative_price(p, 100, 60, 99).unwrap_err(),
            IoComputeError::OracleTooUncertain.into()
        );
        let negative = OraclePrice { price: -5, ..p };
        assert_eq!(
            conservative_price(negative, 100, 60, 100).unwrap_err(),
            IoComputeError::OraclePriceNotPositive.into()
        );
        let wide = OraclePrice { conf: 500, ..p };
        assert_eq!(
            conservative_price(wide, 100, 60, 10_000).unwrap_err(),
            IoComputeError::OraclePriceNotPositive.into()
        );
    }
}
