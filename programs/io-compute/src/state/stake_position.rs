use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{ProviderRewards, REWARD_TOKENS},
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum StakeKind {
    /// Staked by the provider's own authority.
    Own,
    /// Staked by a third party behind the provider; earns the provider's
    /// advertised co-stake share.
    CoStake,
}

/// A stake position [stake, owner, provider, nonce].
#[account]
#[derive(InitSpace, Debug)]
pub struct StakePosition {
    pub owner: Pubkey,
    pub provider: Pubkey,
    pub nonce: u64,
    pub kind: StakeKind,
    /// IO base units deposited (before any slash).
    pub deposited: u64,
    /// Shares of the provider's stake pool; their IO value falls with slashes.
    pub shares: u128,
    pub lockup_secs: i64,
    pub lockup_end: i64,
    /// Reward multiplier fixed at stake time: 10_000 = 1x .. 40_000 = 4x.
    pub multiplier: u64,
    /// 0 while active; the withdraw time once unstaking.
    pub cooldown_end: i64,
    /// Governance votes on proposals that have not ended; unstaking waits
    /// until this is zero.
    pub active_votes: u32,
    /// The provider's index for this position's kind, as last accrued.
    pub reward_index: [u128; REWARD_TOKENS],
    /// Rewards accrued and not yet claimed: IO, IOSD.
    pub rewards_owed: [u64; REWARD_TOKENS],
    pub created_at: i64,
    pub bump: u8,
}

impl StakePosition {
    /// A position of `shares` bought with `amount` IO behind `provider`,
    /// earning from the provider's current reward index on.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        owner: Pubkey,
        provider: Pubkey,
        provider_rewards: &ProviderRewards,
        nonce: u64,
        kind: StakeKind,
        amount: u64,
        shares: u128,
        lockup_secs: i64,
        now: i64,
        bump: u8,
    ) -> Result<Self> {
        Ok(Self {
            owner,
            provider,
            nonce,
            kind,
            deposited: amount,
            shares,
            lockup_secs,
            lockup_end: now.safe_add(lockup_secs)?,
            multiplier: Self::multiplier_for_lockup(lockup_secs)?,
            cooldown_end: 0,
            active_votes: 0,
            reward_index: provider_rewards.index_for(kind),
            rewards_owed: [0; REWARD_TOKENS],
            created_at: now,
            bump,
        })
    }

    /// Multiplier for a lockup: 1x without lockup, rising linearly to 4x at
    /// one year, rounded down.
    pub fn multiplier_for_lockup(lockup_secs: i64) -> Result<u64> {
        require!(
            (0..=MAX_LOCKUP_SECS).contains(&lockup_secs),
            IoComputeError::InvalidLockup
        );
        let extra = (MAX_LOCKUP_MULTIPLIER - MULTIPLIER_ONE)
            .safe_mul(lockup_secs as u64)?
            .safe_div(MAX_LOCKUP_SECS as u64)?;
        MULTIPLIER_ONE.safe_add(extra)
    }

    pub fn is_unstaking(&self) -> bool {
        self.cooldown_end != 0
    }

    /// Its lockup is over and it still earns a lockup multiplier (M4).
    pub fn lockup_expired(&self, now: i64) -> bool {
        !self.is_unstaking() && now >= self.lockup_end && self.multiplier > MULTIPLIER_ONE
    }

    /// Starts the cooldown: allowed from `lockup_end` on (or before, when
    /// `lockup_waived`), with no active votes.
    pub fn begin_unstake(
        &mut self,
        now: i64,
        cooldown_secs: i64,
        lockup_waived: bool,
    ) -> Result<()> {
        require!(!self.is_unstaking(), IoComputeError::AlreadyUnstaking);
        require!(
            lockup_waived || now >= self.lockup_end,
            IoComputeError::LockupNotEnded
        );
        require!(
            self.active_votes == 0,
            IoComputeError::PositionHasActiveVotes
        );
        // A cooldown end of 0 means "active", so never store 0.
        self.cooldown_end = now.safe_add(cooldown_secs)?.max(1);
        Ok(())
    }

    /// Reward weight within the provider: shares x multiplier while active.
    pub fn weighted_shares(&self) -> Result<u128> {
        if self.is_unstaking() {
            return Ok(0);
        }
        self.shares.safe_mul(self.multiplier as u128)
    }

    /// Moves what the position earned since its last accrual into
    /// `rewards_owed`. The provider must have accrued first.
    pub fn accrue_rewards(&mut self, provider: &ProviderRewards) -> Result<()> {
        let index = provider.index_for(self.kind);
        let weight = self.weighted_shares()?;
        for ((owed, last), current) in self
            .rewards_owed
            .iter_mut()
            .zip(self.reward_index.iter_mut())
            .zip(index)
        {
            let earned = to_u64(mul_div_floor(
                weight,
                current.safe_sub(*last)?,
                REWARD_INDEX_SCALE,
            )?)?;
            *owed = owed.safe_add(earned)?;
            *last = current;
        }
        Ok(())
    }

    pub fn require_withdrawable(&self, now: i64) -> Result<()> {
        require!(self.is_unstaking(), IoComputeError::NotUnstaking);
        require!(now >= self.cooldown_end, IoComputeError::CooldownNotEnded);
        require!(
            self.active_votes == 0,
            IoComputeError::PositionHasActiveVotes
        );
        require!(
            self.rewards_owed == [0; REWARD_TOKENS],
            IoComputeError::UnclaimedRewards
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplier_is_linear_from_1x_to_4x() {
        assert_eq!(StakePosition::multiplier_for_lockup(0).unwrap(), 10_000);
        assert_eq!(
            StakePosition::multiplier_for_lockup(MAX_LOCKUP_SECS).unwrap(),
            40_000
        );
        assert_eq!(
            StakePosition::multiplier_for_lockup(MAX_LOCKUP_SECS / 2).unwrap(),
            25_000
        );
        assert!(StakePosition::multiplier_for_lockup(-1).is_err());
        assert!(StakePosition::multiplier_for_lockup(MAX_LOCKUP_SECS + 1).is_err());
    }
}
