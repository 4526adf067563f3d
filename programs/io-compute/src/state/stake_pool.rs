//! A provider's stake pool (shares over the IO staked behind it) and its
//! side of the staker reward indexes.

use crate::{
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{StakeKind, REWARD_TOKENS},
};
use anchor_lang::prelude::*;

/// The IO staked behind one provider (its own positions and co-stakers').
///
/// Positions hold shares of the pool, so a slash reduces every position pro
/// rata in O(1): a position is worth `shares * amount / total_shares`,
/// rounded down. The last position out takes whatever remains, so rounding
/// dust is never stranded in the vault.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct StakePool {
    /// IO base units in the stake vault for this provider, unstaking included.
    pub amount: u64,
    pub total_shares: u128,
    /// Shares of positions in cooldown: still slashable, no longer counted
    /// toward the minimum stake.
    pub unstaking_shares: u128,
    /// Sum of active shares x position multiplier, the weight for staking
    /// rewards within the pool.
    pub weighted_shares: u128,
    /// The co-stakers' part of `weighted_shares`.
    pub co_weighted_shares: u128,
    pub position_count: u32,
}

/// The provider's side of staking rewards: two levels of reward indexes.
///
/// Globally, the provider counts with `weight` = IO value of its active
/// stake x multiplier (`weighted_shares x amount / total_shares`), so a
/// slash lowers its weight at once. Within the provider, rewards are split
/// by weighted shares into an index for its own positions and one for
/// co-stakers, after the provider's commission on the co-stakers' part.
/// Everything is O(1) per instruction, however many positions exist.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct ProviderRewards {
    pub weight: u128,
    /// The global index this provider has accrued up to.
    pub global_index: [u128; REWARD_TOKENS],
    /// Rewards per weighted share of own positions x `REWARD_INDEX_SCALE`.
    pub own_index: [u128; REWARD_TOKENS],
    /// Rewards per weighted share of co-stake positions, after commission.
    pub co_index: [u128; REWARD_TOKENS],
    /// Commission owed to the provider's authority.
    pub commission: [u64; REWARD_TOKENS],
}

impl ProviderRewards {
    pub fn index_for(&self, kind: StakeKind) -> [u128; REWARD_TOKENS] {
        match kind {
            StakeKind::Own => self.own_index,
            StakeKind::CoStake => self.co_index,
        }
    }
}

impl StakePool {
    /// Adds `amount` IO and returns the shares it buys, rounded down.
    pub fn deposit(&mut self, amount: u64, multiplier: u64, kind: StakeKind) -> Result<u128> {
        require!(amount > 0, IoComputeError::ZeroAmount);
        let shares = if self.total_shares == 0 {
            amount as u128
        } else {
            require!(self.amount > 0, IoComputeError::StakePoolWiped);
            mul_div_floor(amount as u128, self.total_shares, self.amount as u128)?
        };
        require!(shares > 0, IoComputeError::StakeTooSmall);
        self.amount = self.amount.safe_add(amount)?;
        self.total_shares = self.total_shares.safe_add(shares)?;
        let weighted = shares.safe_mul(multiplier as u128)?;
        self.weighted_shares = self.weighted_shares.safe_add(weighted)?;
        if kind == StakeKind::CoStake {
            self.co_weighted_shares = self.co_weighted_shares.safe_add(weighted)?;
        }
        self.position_count = self.position_count.safe_add(1)?;
        Ok(shares)
    }

    /// Reward weight: the active stake's IO value x multiplier.
    pub fn reward_weight(&self) -> Result<u128> {
        if self.total_shares == 0 {
            return Ok(0);
        }
        mul_div_floor(self.weighted_shares, self.amount as u128, self.total_shares)
    }

    /// IO value of `shares`, rounded down; the whole pool for the last shares.
    pub fn value_of(&self, shares: u128) -> Result<u64> {
        if shares == self.total_shares {
            return Ok(self.amount);
        }
        to_u64(mul_div_floor(
            shares,
            self.amount as u128,
            self.total_shares,
        )?)
    }

    /// IO that counts toward the minimum stake: positions not in cooldown.
    pub fn effective_stake(&self) -> Result<u64> {
        if self.total_shares == 0 {
            return Ok(0);
        }
        self.value_of(self.total_shares.safe_sub(self.unstaking_shares)?)
    }

    /// Moves a position's shares into cooldown; they stop earning.
    pub fn begin_unstake(&mut self, shares: u128, multiplier: u64, kind: StakeKind) -> Result<()> {
        self.unstaking_shares = self.unstaking_shares.safe_add(shares)?;
        let weighted = shares.safe_mul(multiplier as u128)?;
        self.weighted_shares = self.weighted_shares.safe_sub(weighted)?;
        if kind == StakeKind::CoStake {
            self.co_weighted_shares = self.co_weighted_shares.safe_sub(weighted)?;
        }
        Ok(())
    }

    /// Removes an unstaking position's shares and returns the IO it is owed.
    pub fn withdraw(&mut self, shares: u128) -> Result<u64> {
        let amount = self.value_of(shares)?;
        self.amount = self.amount.safe_sub(amount)?;
        self.total_shares = self.total_shares.safe_sub(shares)?;
        self.unstaking_shares = self.unstaking_shares.safe_sub(shares)?;
        self.position_count = self.position_count.safe_sub(1)?;
        Ok(amount)
    }

    /// Takes `amount` IO from every position pro rata.
    pub fn slash(&mut self, amount: u64) -> Result<()> {
        require!(amount > 0, IoComputeError::ZeroAmount);
        require!(amount <= self.amount, IoComputeError::SlashExceedsStake);
        self.amount -= amount;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::MULTIPLIER_ONE;

    #[test]
    fn pool_slash_is_pro_rata_and_last_out_takes_the_rest() {
        let mut pool = StakePool::default();
        let a = pool.deposit(300, MULTIPLIER_ONE, StakeKind::Own).unwrap();
        let b = pool.deposit(200, MULTIPLIER_ONE, StakeKind::Own).unwrap();
        let c = pool.deposit(101, MULTIPLIER_ONE, StakeKind::Own).unwrap();
        pool.slash(100).unwrap();
        // 501 of 601 remain: each position keeps floor(its share).
        assert_eq!(pool.value_of(a).unwrap(), 300 * 501 / 601);
        assert_eq!(pool.value_of(b).unwrap(), 200 * 501 / 601);
        assert_eq!(pool.value_of(c).unwrap(), 101 * 501 / 601);
        pool.begin_unstake(a, MULTIPLIER_ONE, StakeKind::Own)
            .unwrap();
        pool.begin_unstake(b, MULTIPLIER_ONE, StakeKind::Own)
            .unwrap();
        pool.begin_unstake(c, MULTIPLIER_ONE, StakeKind::Own)
            .unwrap();
        let total =
            pool.withdraw(a).unwrap() + pool.withdraw(b).unwrap() + pool.withdraw(c).unwrap();
        assert_eq!(total, 501, "the last position takes the rounding dust");
        assert_eq!(pool, StakePool::default());
    }

    #[test]
    fn wiped_pool_refuses_new_stake_and_slash_is_bounded() {
        let mut pool = StakePool::default();
        let a = pool.deposit(10, MULTIPLIER_ONE, StakeKind::Own).unwrap();
        assert!(pool.slash(11).is_err());
        pool.slash(10).unwrap();
        assert!(pool.deposit(5, MULTIPLIER_ONE, StakeKind::Own).is_err());
        pool.begin_unstake(a, MULTIPLIER_ONE, StakeKind::Own)
            .unwrap();
        assert_eq!(pool.withdraw(a).unwrap(), 0);
        pool.deposit(5, MULTIPLIER_ONE, StakeKind::Own).unwrap();
    }
}
