use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, SafeMath},
};
use anchor_lang::prelude::*;

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
