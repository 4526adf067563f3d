use crate::{constants::*, error::IoComputeError, math::SafeMath};
use anchor_lang::prelude::*;

/// The two tokens stakers earn: IO from emissions, IOSD from fees.
pub const REWARD_TOKENS: usize = 2;
pub const REWARD_IO: usize = 0;
pub const REWARD_IOSD: usize = 1;

/// Spreads `amount` (plus `carry`, already x `REWARD_INDEX_SCALE`) over
/// `weight`: the index step and the new carry, `< weight`.
pub fn index_step(amount: u128, carry: u128, weight: u128) -> Result<(u128, u128)> {
    let total = amount.safe_mul(REWARD_INDEX_SCALE)?.safe_add(carry)?;
    let step = total.safe_div(weight)?;
    Ok((step, total.safe_sub(step.safe_mul(weight)?)?))
}

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
    /// What index steps have not distributed yet, x `REWARD_INDEX_SCALE`
    /// (less than `total_weight`): carried into the next funding, so no
    /// fee share is lost to rounding however large the total weight (M3).
    pub carry: [u128; REWARD_TOKENS],
}

impl StakerRewardPool {
    /// Credits `amount` to every unit of weight. Returns false (and credits
    /// nothing) when nobody stakes; the caller then keeps the amount.
    pub fn fund(&mut self, token: usize, amount: u64) -> Result<bool> {
        if self.total_weight == 0 || amount == 0 {
            return Ok(false);
        }
        let (step, carry) = index_step(amount as u128, self.carry[token], self.total_weight)?;
        self.index[token] = self.index[token].safe_add(step)?;
        self.carry[token] = carry;
        self.funded[token] = self.funded[token].safe_add(amount)?;
        Ok(true)
    }

    /// Base units funded and not yet in the index (rounded down).
    pub fn undistributed(&self, token: usize) -> u128 {
        self.carry[token] / REWARD_INDEX_SCALE
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

#[cfg(test)]
mod tests {
    use super::*;

    /// M3: 200M IO staked at 2x weighs 4e21; an hourly $0.20 GPU's
    /// stakers' fee share is 3,600 base units, under one index quantum
    /// (4,000). Without the carry the index never moves; with it nothing is
    /// lost.
    #[test]
    fn small_fundings_add_up_however_large_the_weight() {
        let mut pool = StakerRewardPool {
            total_weight: 200_000_000 * ONE_IO as u128 * 20_000,
            ..Default::default()
        };
        for _ in 0..1_000 {
            pool.fund(REWARD_IOSD, 3_600).unwrap();
        }
        let distributed = pool.index[REWARD_IOSD] * pool.total_weight / REWARD_INDEX_SCALE;
        assert_eq!(distributed + pool.undistributed(REWARD_IOSD), 3_600_000);
        assert!(
            pool.undistributed(REWARD_IOSD) < 4_000,
            "less than one quantum waits"
        );
        assert!(pool.carry[REWARD_IOSD] < pool.total_weight);
    }
}
