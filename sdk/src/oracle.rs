//! Pyth `PriceUpdateV2` account data, for tests and for posting a price to
//! the localnet with `localnet_setAccount`. The program parses the same
//! layout (`io_compute::oracle::parse_pyth_price_update`).

pub use io_compute::oracle::{PythPriceUpdate, PRICE_UPDATE_V2_DISCRIMINATOR, PYTH_RECEIVER_ID};

/// Encodes a `PriceUpdateV2` account (write authority zeroed, posted slot 0;
/// a partially verified update records 5 signatures).
pub fn price_update_v2_data(p: &PythPriceUpdate) -> Vec<u8> {
    let mut data = PRICE_UPDATE_V2_DISCRIMINATOR.to_vec();
    data.extend_from_slice(&[0u8; 32]);
    if p.fully_verified {
        data.push(1);
    } else {
        data.extend_from_slice(&[0, 5]);
    }
    data.extend_from_slice(&p.feed_id);
    data.extend_from_slice(&p.price.to_le_bytes());
    data.extend_from_slice(&p.conf.to_le_bytes());
    data.extend_from_slice(&p.expo.to_le_bytes());
    data.extend_from_slice(&p.publish_time.to_le_bytes());
    data.extend_from_slice(&p.publish_time.saturating_sub(1).to_le_bytes());
    data.extend_from_slice(&p.ema_price.to_le_bytes());
    data.extend_from_slice(&p.ema_conf.to_le_bytes());
    data.extend_from_slice(&0u64.to_le_bytes());
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_parses_what_the_sdk_encodes() {
        for fully_verified in [true, false] {
            let p = PythPriceUpdate {
                feed_id: [7; 32],
                price: 123,
                conf: 4,
                expo: -8,
                publish_time: 1_000,
                ema_price: 120,
                ema_conf: 3,
                fully_verified,
            };
            let parsed =
                io_compute::oracle::parse_pyth_price_update(&price_update_v2_data(&p)).unwrap();
            assert_eq!(
                (
                    parsed.fully_verified,
                    parsed.feed_id,
                    parsed.price,
                    parsed.conf,
                    parsed.expo
                ),
                (fully_verified, [7; 32], 123, 4, -8)
            );
            assert_eq!(
                (parsed.publish_time, parsed.ema_price, parsed.ema_conf),
                (1_000, 120, 3)
            );
        }
        assert!(io_compute::oracle::parse_pyth_price_update(&[0; 40]).is_err());
    }
}
