use crate::{
    constants::*,
    error::IoComputeError,
    math::SafeMath,
    oracle::{self, OraclePrice},
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum OracleSource {
    /// The `PriceFeed` account, updated by the price authority.
    Authority,
    /// A Pyth pull-oracle `PriceUpdateV2` for `pyth_feed_id`.
    Pyth,
}

/// Where the IO/USD price comes from and how much to trust it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct OracleConfig {
    pub source: OracleSource,
    pub pyth_feed_id: [u8; 32],
    /// Signer of `update_price` for the authority feed.
    pub price_authority: Pubkey,
    pub max_age_secs: u32,
    /// Largest confidence / price accepted, in bps.
    pub max_conf_bps: u16,
    /// Largest move of the authority price within one hour-long window, in
    /// bps of the price the window started at (however many updates).
    pub max_change_bps: u16,
}

impl OracleConfig {
    pub fn default_for(price_authority: Pubkey) -> Self {
        Self {
            source: OracleSource::Authority,
            pyth_feed_id: [0; 32],
            price_authority,
            max_age_secs: DEFAULT_ORACLE_MAX_AGE_SECS,
            max_conf_bps: DEFAULT_ORACLE_MAX_CONF_BPS,
            max_change_bps: DEFAULT_ORACLE_MAX_CHANGE_BPS,
        }
    }

    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=MAX_ORACLE_AGE_SECS).contains(&self.max_age_secs)
                && (1..=MAX_ORACLE_CONF_BPS).contains(&self.max_conf_bps)
                && (1..=MAX_ORACLE_CHANGE_BPS).contains(&self.max_change_bps),
            IoComputeError::InvalidParameter
        );
        if self.source == OracleSource::Pyth {
            require!(
                self.pyth_feed_id != [0; 32],
                IoComputeError::InvalidParameter
            );
        }
        Ok(())
    }

    /// The conservative price from `account`, which must be the configured
    /// source: the `PriceFeed` PDA, or a Pyth update for the configured feed.
    pub fn read_price(&self, account: &AccountInfo, now: i64) -> Result<OraclePrice> {
        let raw = match self.source {
            OracleSource::Authority => {
                // Owner and discriminator first, then the address from the
                // stored canonical bump: one hash, not a bump search.
                require_keys_eq!(
                    *account.owner,
                    crate::ID,
                    IoComputeError::OracleWrongAccount
                );
                let feed = PriceFeed::try_deserialize(&mut &account.try_borrow_data()?[..])
                    .map_err(|_| error!(IoComputeError::OracleWrongAccount))?;
                let expected =
                    Pubkey::create_program_address(&[PRICE_FEED_SEED, &[feed.bump]], &crate::ID)
                        .map_err(|_| error!(IoComputeError::OracleWrongAccount))?;
                require_keys_eq!(*account.key, expected, IoComputeError::OracleWrongAccount);
                feed.price()
            }
            OracleSource::Pyth => {
                require_keys_eq!(
                    *account.owner,
                    oracle::PYTH_RECEIVER_ID,
                    IoComputeError::OracleWrongOwner
                );
                let update = oracle::parse_pyth_price_update(&account.try_borrow_data()?)?;
                require!(
                    update.feed_id == self.pyth_feed_id,
                    IoComputeError::OracleWrongFeed
                );
                require!(
                    update.fully_verified,
                    IoComputeError::OracleNotFullyVerified
                );
                // The EMA smooths out a momentary spike, as Helium does.
                OraclePrice {
                    price: update.ema_price,
                    conf: update.ema_conf,
                    expo: update.expo,
                    publish_time: update.publish_time,
                }
            }
        };
        oracle::conservative_price(raw, now, self.max_age_secs, self.max_conf_bps)
    }
}

/// The authority price feed [price_feed].
#[account]
#[derive(InitSpace, Debug)]
pub struct PriceFeed {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    /// The price when the current change window opened, and when that was:
    /// every update within `PRICE_CHANGE_WINDOW_SECS` of it stays within
    /// `max_change_bps` of that price (M1).
    pub window_price: i64,
    pub window_start: i64,
    pub bump: u8,
}

impl PriceFeed {
    pub fn price(&self) -> OraclePrice {
        OraclePrice {
            price: self.price,
            conf: self.conf,
            expo: self.expo,
            publish_time: self.publish_time,
        }
    }

    /// Records an authority update. The first sets the exponent; later ones
    /// keep it and stay within `limits.max_change_bps` of the price the
    /// current hour-long window opened at, so chaining updates in one
    /// transaction (or one hour) moves the price no further than one would.
    /// A confidence the program would refuse to read is refused here, so
    /// that a bad update cannot stop burns until the next one.
    pub fn update(
        &mut self,
        price: i64,
        conf: u64,
        expo: i32,
        now: i64,
        limits: &OracleConfig,
    ) -> Result<()> {
        require!(price > 0, IoComputeError::OraclePriceNotPositive);
        require!(
            (-18..=0).contains(&expo),
            IoComputeError::InvalidPriceExponent
        );
        require!(
            (conf as u128).safe_mul(BPS_DENOMINATOR as u128)?
                <= (price as u128).safe_mul(limits.max_conf_bps as u128)?,
            IoComputeError::OracleTooUncertain
        );
        if self.price > 0 {
            require!(expo == self.expo, IoComputeError::InvalidPriceExponent);
            if now >= self.window_start.safe_add(PRICE_CHANGE_WINDOW_SECS)? {
                self.window_price = self.price;
                self.window_start = now;
            }
            let change = (price as i128 - self.window_price as i128).unsigned_abs();
            require!(
                change.safe_mul(BPS_DENOMINATOR as u128)?
                    <= (self.window_price as u128).safe_mul(limits.max_change_bps as u128)?,
                IoComputeError::PriceChangeTooLarge
            );
        } else {
            self.window_price = price;
            self.window_start = now;
        }
        self.price = price;
        self.conf = conf;
        self.expo = expo;
        self.publish_time = now;
        Ok(())
    }
}
