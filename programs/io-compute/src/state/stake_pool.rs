//! A provider's stake pool (shares over the IO staked behind it) and its
//! side of the staker reward indexes.

use crate::{
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{StakeKind, REWARD_TOKENS},
};
use anchor_lang::prelude::*;

/// One class of stake behind a provider (its own, or co-stakers'):
/// positions hold shares of the class, so a slash reduces every position
/// of the class pro rata in O(1): a position is worth
/// `shares * amount / total_shares`, rounded down. The last position out
/// takes whatever remains, so rounding dust is never stranded in the vault.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct ShareClass {
    /// IO base units in the stake vault for this class, unstaking included.
    pub amount: u64,
    pub total_shares: u128,
    /// Shares of positions in cooldown: still slashable, no longer counted
    /// toward the minimum stake.
    pub unstaking_shares: u128,
    /// Sum of active shares x position multiplier.
    pub weighted_shares: u128,
    pub position_count: u32,
}

impl ShareClass {
    /// Adds `amount` IO and returns the shares it buys, rounded down.
    fn deposit(&mut self, amount: u64, multiplier: u64) -> Result<u128> {
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
        self.weighted_shares = self
            .weighted_shares
            .safe_add(shares.safe_mul(multiplier as u128)?)?;
        self.position_count = self.position_count.safe_add(1)?;
        Ok(shares)
    }

    /// IO value of `shares`, rounded down; the whole class for the last
    /// shares.
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

    /// IO of positions not in cooldown.
    pub fn effective(&self) -> Result<u64> {
        if self.total_shares == 0 {
            return Ok(0);
        }
        self.value_of(self.total_shares.safe_sub(self.unstaking_shares)?)
    }

    /// Reward weight: the active stake's IO value x multiplier.
    pub fn weight(&self) -> Result<u128> {
        if self.total_shares == 0 {
            return Ok(0);
        }
        mul_div_floor(self.weighted_shares, self.amount as u128, self.total_shares)
    }

    fn begin_unstake(&mut self, shares: u128, multiplier: u64) -> Result<()> {
        self.unstaking_shares = self.unstaking_shares.safe_add(shares)?;
        self.weighted_shares = self
            .weighted_shares
            .safe_sub(shares.safe_mul(multiplier as u128)?)?;
        Ok(())
    }

    fn withdraw(&mut self, shares: u128) -> Result<u64> {
        let amount = self.value_of(shares)?;
        self.amount = self.amount.safe_sub(amount)?;
        self.total_shares = self.total_shares.safe_sub(shares)?;
        self.unstaking_shares = self.unstaking_shares.safe_sub(shares)?;
        self.position_count = self.position_count.safe_sub(1)?;
        Ok(amount)
    }

    /// An active position's multiplier changes from `old` to `new`.
    fn reweigh(&mut self, shares: u128, old: u64, new: u64) -> Result<()> {
        self.weighted_shares = self
            .weighted_shares
            .safe_sub(shares.safe_mul(old as u128)?)?
            .safe_add(shares.safe_mul(new as u128)?)?;
        Ok(())
    }

    fn is_consistent(&self) -> bool {
        self.unstaking_shares <= self.total_shares
            && (self.position_count > 0 || self.total_shares == 0)
            && (self.total_shares > 0 || (self.amount == 0 && self.weighted_shares == 0))
    }
}

/// The IO staked behind one provider, in two classes: the provider's own
/// positions and its co-stakers'. A slash takes the provider's own stake
/// first (H1), so co-stakers only lose what the provider could not cover.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct StakePool {
    pub own: ShareClass,
    pub co: ShareClass,
}

/// How a slash fell on the two classes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlashSplit {
    pub own: u64,
    pub co: u64,
}

impl StakePool {
    pub fn class(&self, kind: StakeKind) -> &ShareClass {
        match kind {
            StakeKind::Own => &self.own,
            StakeKind::CoStake => &self.co,
        }
    }

    fn class_mut(&mut self, kind: StakeKind) -> &mut ShareClass {
        match kind {
            StakeKind::Own => &mut self.own,
            StakeKind::CoStake => &mut self.co,
        }
    }

    /// All IO staked behind the provider, unstaking included.
    pub fn amount(&self) -> Result<u64> {
        self.own.amount.safe_add(self.co.amount)
    }

    pub fn position_count(&self) -> u32 {
        self.own
            .position_count
            .saturating_add(self.co.position_count)
    }

    /// Adds `amount` IO to `kind`'s class and returns the shares it buys.
    pub fn deposit(&mut self, amount: u64, multiplier: u64, kind: StakeKind) -> Result<u128> {
        self.class_mut(kind).deposit(amount, multiplier)
    }

    /// Reward weight: the active stake's IO value x multiplier.
    pub fn reward_weight(&self) -> Result<u128> {
        self.own.weight()?.safe_add(self.co.weight()?)
    }

    /// IO value of `shares` of `kind`'s class.
    pub fn value_of(&self, shares: u128, kind: StakeKind) -> Result<u64> {
        self.class(kind).value_of(shares)
    }

    /// IO that counts toward the minimum stake: positions not in cooldown.
    pub fn effective_stake(&self) -> Result<u64> {
        self.own.effective()?.safe_add(self.co.effective()?)
    }

    /// Moves a position's shares into cooldown; they stop earning.
    pub fn begin_unstake(&mut self, shares: u128, multiplier: u64, kind: StakeKind) -> Result<()> {
        self.class_mut(kind).begin_unstake(shares, multiplier)
    }

    /// Removes an unstaking position's shares and returns the IO it is owed.
    pub fn withdraw(&mut self, shares: u128, kind: StakeKind) -> Result<u64> {
        self.class_mut(kind).withdraw(shares)
    }

    /// An active position's reward multiplier changes.
    pub fn reweigh(&mut self, shares: u128, old: u64, new: u64, kind: StakeKind) -> Result<()> {
        self.class_mut(kind).reweigh(shares, old, new)
    }

    /// Takes `amount` IO, the provider's own stake first, then co-stake
    /// pro rata.
    pub fn slash(&mut self, amount: u64) -> Result<SlashSplit> {
        require!(amount > 0, IoComputeError::ZeroAmount);
        require!(amount <= self.amount()?, IoComputeError::SlashExceedsStake);
        let own = amount.min(self.own.amount);
        let co = amount.safe_sub(own)?;
        self.own.amount = self.own.amount.safe_sub(own)?;
        self.co.amount = self.co.amount.safe_sub(co)?;
        Ok(SlashSplit { own, co })
    }

    /// Both classes are in step.
    pub fn is_consistent(&self) -> bool {
        self.own.is_consistent() && self.co.is_consistent()
    }
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
    /// What the own and co-stake index steps have not distributed yet,
    /// x `REWARD_INDEX_SCALE` (see `index_step`).
    pub own_carry: [u128; REWARD_TOKENS],
    pub co_carry: [u128; REWARD_TOKENS],
}

impl ProviderRewards {
    pub fn index_for(&self, kind: StakeKind) -> [u128; REWARD_TOKENS] {
        match kind {
            StakeKind::Own => self.own_index,
            StakeKind::CoStake => self.co_index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::MULTIPLIER_ONE;

    const ONE: u64 = MULTIPLIER_ONE;

    #[test]
    fn class_slash_is_pro_rata_and_last_out_takes_the_rest() {
        let mut pool = StakePool::default();
        let co = StakeKind::CoStake;
        let a = pool.deposit(300, ONE, co).unwrap();
        let b = pool.deposit(200, ONE, co).unwrap();
        let c = pool.deposit(101, ONE, co).unwrap();
        assert_eq!(pool.slash(100).unwrap(), SlashSplit { own: 0, co: 100 });
        // 501 of 601 remain: each position keeps floor(its share).
        assert_eq!(pool.value_of(a, co).unwrap(), 300 * 501 / 601);
        assert_eq!(pool.value_of(b, co).unwrap(), 200 * 501 / 601);
        assert_eq!(pool.value_of(c, co).unwrap(), 101 * 501 / 601);
        for shares in [a, b, c] {
            pool.begin_unstake(shares, ONE, co).unwrap();
        }
        let total = pool.withdraw(a, co).unwrap()
            + pool.withdraw(b, co).unwrap()
            + pool.withdraw(c, co).unwrap();
        assert_eq!(total, 501, "the last position takes the rounding dust");
        assert_eq!(pool, StakePool::default());
    }

    #[test]
    fn the_providers_own_stake_takes_the_first_loss() {
        let mut pool = StakePool::default();
        let own = pool.deposit(100, ONE, StakeKind::Own).unwrap();
        let co = pool.deposit(900, ONE, StakeKind::CoStake).unwrap();
        assert_eq!(pool.slash(60).unwrap(), SlashSplit { own: 60, co: 0 });
        assert_eq!(pool.value_of(co, StakeKind::CoStake).unwrap(), 900);
        assert_eq!(pool.slash(90).unwrap(), SlashSplit { own: 40, co: 50 });
        assert_eq!(pool.value_of(own, StakeKind::Own).unwrap(), 0);
        assert_eq!(pool.value_of(co, StakeKind::CoStake).unwrap(), 850);
        assert_eq!(pool.amount().unwrap(), 850);
        assert!(pool.slash(851).is_err());
        // Weight follows value: the wiped own class weighs nothing.
        assert_eq!(pool.reward_weight().unwrap(), 850 * ONE as u128);
    }

    #[test]
    fn wiped_class_refuses_new_stake_and_slash_is_bounded() {
        let mut pool = StakePool::default();
        let a = pool.deposit(10, ONE, StakeKind::Own).unwrap();
        assert!(pool.slash(11).is_err());
        pool.slash(10).unwrap();
        assert!(pool.deposit(5, ONE, StakeKind::Own).is_err());
        pool.deposit(5, ONE, StakeKind::CoStake).unwrap();
        pool.begin_unstake(a, ONE, StakeKind::Own).unwrap();
        assert_eq!(pool.withdraw(a, StakeKind::Own).unwrap(), 0);
        pool.deposit(5, ONE, StakeKind::Own).unwrap();
    }
}
