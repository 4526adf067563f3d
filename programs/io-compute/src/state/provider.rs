use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{
        Bps, Config, ProviderProfile, ProviderRewards, StakeKind, StakePool, StakePosition,
        StakerRewardPool, REWARD_TOKENS,
    },
};
use anchor_lang::prelude::*;

/// A GPU provider [provider, authority].
#[account]
#[derive(InitSpace, Debug)]
pub struct Provider {
    pub authority: Pubkey,
    #[max_len(MAX_PROVIDER_NAME_LEN)]
    pub name: String,
    #[max_len(MAX_REGION_LEN)]
    pub region: String,
    #[max_len(MAX_ENDPOINT_LEN)]
    pub endpoint: String,
    /// Share of their own stake's rewards that co-stakers keep, in bps; the
    /// provider earns the rest as commission.
    pub co_stake_share_bps: u16,
    /// A lower share announced by the provider, and when it takes effect
    /// (0: none pending).
    pub pending_co_stake_share_bps: u16,
    pub pending_share_effective_at: i64,
    pub stake: StakePool,
    pub rewards: ProviderRewards,
    /// Devices that exist (any status).
    pub device_count: u32,
    /// Index of the next device PDA; never reused, so a removed device's
    /// address never comes back with different contents.
    pub next_device_index: u32,
    /// Minimum stake the provider's Idle and Leased devices need.
    pub required_stake_active: u64,
    /// Minimum stake the provider's Leased devices need; unstaking may never
    /// drop the provider below it.
    pub required_stake_leased: u64,
    pub reputation: Reputation,
    pub created_at: i64,
    pub bump: u8,
}

/// Reputation counters, updated by proofs, disputes and challenges.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct Reputation {
    pub proofs_finalized: u64,
    pub disputes_lost: u32,
    pub challenges_passed: u32,
    pub challenges_failed: u32,
    pub slash_count: u32,
    /// IO base units slashed from this provider over its life.
    pub total_slashed: u64,
}

impl Provider {
    /// Minimum stake a device needs: min_stake_per_gpu x multiplier x GPUs,
    /// rounded up.
    pub fn device_stake_requirement(
        min_stake_per_gpu: u64,
        gpu_multiplier: u32,
        gpu_count: u8,
    ) -> Result<u64> {
        let numerator = (min_stake_per_gpu as u128)
            .safe_mul(gpu_multiplier as u128)?
            .safe_mul(gpu_count as u128)?;
        to_u64(crate::math::mul_div_ceil(
            numerator,
            1,
            MULTIPLIER_ONE as u128,
        )?)
    }

    /// Counts a device's requirement toward the active total, then checks
    /// the provider still meets it.
    pub fn activate_device(&mut self, requirement: u64) -> Result<()> {
        self.required_stake_active = self.required_stake_active.safe_add(requirement)?;
        self.require_meets_active_stake()
    }

    /// A device of this provider starts serving a lease: its requirement
    /// now also guards unstaking.
    pub fn lease_device(&mut self, requirement: u64) -> Result<()> {
        self.require_meets_active_stake()?;
        self.required_stake_leased = self.required_stake_leased.safe_add(requirement)?;
        Ok(())
    }

    pub fn release_device(&mut self, requirement: u64) -> Result<()> {
        self.required_stake_leased = self.required_stake_leased.safe_sub(requirement)?;
        Ok(())
    }

    pub fn deactivate_device(&mut self, requirement: u64) -> Result<()> {
        self.required_stake_active = self.required_stake_active.safe_sub(requirement)?;
        Ok(())
    }

    /// True when the provider's effective stake covers its Idle and Leased
    /// devices; the matcher assigns devices only then.
    pub fn require_meets_active_stake(&self) -> Result<()> {
        require!(
            self.stake.effective_stake()? >= self.required_stake_active,
            IoComputeError::InsufficientProviderStake
        );
        Ok(())
    }

    /// A new provider with no stake and no devices.
    pub fn new(authority: Pubkey, profile: ProviderProfile, now: i64, bump: u8) -> Self {
        Self {
            authority,
            name: profile.name,
            region: profile.region,
            endpoint: profile.endpoint,
            co_stake_share_bps: profile.co_stake_share_bps,
            pending_co_stake_share_bps: 0,
            pending_share_effective_at: 0,
            stake: StakePool::default(),
            rewards: ProviderRewards::default(),
            device_count: 0,
            next_device_index: 0,
            required_stake_active: 0,
            required_stake_leased: 0,
            reputation: Reputation::default(),
            created_at: now,
            bump,
        }
    }

    // Every change to the stake or the co-stake share goes through one of
    // the methods below: each accrues rewards at the old weight and share,
    // makes the change, then reweighs, so no handler can get the order wrong.

    /// Adds `amount` IO to the pool; returns the shares it buys.
    pub fn stake_in(
        &mut self,
        pool: &mut StakerRewardPool,
        amount: u64,
        multiplier: u64,
        kind: StakeKind,
        now: i64,
    ) -> Result<u128> {
        self.accrue_rewards(pool, now)?;
        let shares = self.stake.deposit(amount, multiplier, kind)?;
        self.update_weight(pool)?;
        Ok(shares)
    }

    /// Starts `position`'s cooldown: its rewards up to now are credited to
    /// it, and from now on it earns nothing. Refused when it would leave
    /// leased devices under-staked.
    pub fn unstake_position(
        &mut self,
        pool: &mut StakerRewardPool,
        position: &mut StakePosition,
        cooldown_secs: i64,
        now: i64,
    ) -> Result<()> {
        self.accrue_rewards(pool, now)?;
        position.accrue_rewards(&self.rewards)?;
        position.begin_unstake(now, cooldown_secs)?;
        self.stake
            .begin_unstake(position.shares, position.multiplier, position.kind)?;
        require!(
            self.stake.effective_stake()? >= self.required_stake_leased,
            IoComputeError::UnstakeBreaksMinimumStake
        );
        self.update_weight(pool)
    }

    /// Removes an unstaked position's shares; returns the IO it is owed.
    pub fn withdraw_shares(
        &mut self,
        pool: &mut StakerRewardPool,
        shares: u128,
        now: i64,
    ) -> Result<u64> {
        self.accrue_rewards(pool, now)?;
        let amount = self.stake.withdraw(shares)?;
        // Rounding can move the value per share, so the weight follows.
        self.update_weight(pool)?;
        Ok(amount)
    }

    /// Takes `amount` IO from the pool, every position pro rata: rewards
    /// accrue at the old weight, the weight drops with the stake. The one
    /// place a provider's pool is slashed (see `slash_provider`).
    pub fn apply_slash(
        &mut self,
        pool: &mut StakerRewardPool,
        amount: u64,
        now: i64,
    ) -> Result<()> {
        self.accrue_rewards(pool, now)?;
        self.stake.slash(amount)?;
        self.reputation.slash_count = self.reputation.slash_count.safe_add(1)?;
        self.reputation.total_slashed = self.reputation.total_slashed.safe_add(amount)?;
        self.update_weight(pool)
    }

    /// Replaces the profile; a lower co-stake share is announced, not
    /// applied (see `set_co_stake_share`).
    pub fn update_profile(
        &mut self,
        pool: &StakerRewardPool,
        profile: ProviderProfile,
        now: i64,
    ) -> Result<()> {
        self.accrue_rewards(pool, now)?;
        self.name = profile.name;
        self.region = profile.region;
        self.endpoint = profile.endpoint;
        self.set_co_stake_share(profile.co_stake_share_bps, now)
    }

    /// Takes the commission owed to the provider's authority.
    pub fn take_commission(
        &mut self,
        pool: &StakerRewardPool,
        now: i64,
    ) -> Result<[u64; REWARD_TOKENS]> {
        self.accrue_rewards(pool, now)?;
        Ok(std::mem::take(&mut self.rewards.commission))
    }

    /// Takes the rewards `position` has earned behind this provider.
    pub fn take_position_rewards(
        &mut self,
        pool: &StakerRewardPool,
        position: &mut StakePosition,
        now: i64,
    ) -> Result<[u64; REWARD_TOKENS]> {
        self.accrue_rewards(pool, now)?;
        position.accrue_rewards(&self.rewards)?;
        Ok(std::mem::take(&mut position.rewards_owed))
    }

    /// The pool's shares, positions and reward weight are in step. Checked
    /// at the end of every instruction that changes a provider's stake.
    pub fn invariant(&self) -> Result<()> {
        let stake = &self.stake;
        require!(
            stake.co_weighted_shares <= stake.weighted_shares
                && stake.unstaking_shares <= stake.total_shares
                && (stake.position_count > 0 || stake.total_shares == 0)
                && (stake.total_shares > 0 || (stake.amount == 0 && stake.weighted_shares == 0))
                && self.rewards.weight == stake.reward_weight()?,
            IoComputeError::ProviderBooksUnbalanced
        );
        Ok(())
    }

    pub fn is_closable(&self) -> Result<()> {
        require!(self.device_count == 0, IoComputeError::ProviderHasDevices);
        require!(
            self.stake.position_count == 0 && self.stake.amount == 0,
            IoComputeError::ProviderHasStake
        );
        require!(
            self.rewards.commission == [0; REWARD_TOKENS],
            IoComputeError::UnclaimedCommission
        );
        Ok(())
    }

    /// Brings the provider's rewards up to the global indexes. Must run
    /// before anything that changes its weight or co-stake share, so that
    /// every reward is split with the stake and share it was earned under.
    pub(crate) fn accrue_rewards(&mut self, pool: &StakerRewardPool, now: i64) -> Result<()> {
        let stake = &self.stake;
        let own_weighted = stake.weighted_shares.safe_sub(stake.co_weighted_shares)?;
        for token in 0..REWARD_TOKENS {
            let rewards = &mut self.rewards;
            let delta = pool.index[token].safe_sub(rewards.global_index[token])?;
            rewards.global_index[token] = pool.index[token];
            let earned = mul_div_floor(rewards.weight, delta, REWARD_INDEX_SCALE)?;
            if earned == 0 {
                continue;
            }
            // weight > 0 implies weighted_shares > 0.
            let co_gross = mul_div_floor(earned, stake.co_weighted_shares, stake.weighted_shares)?;
            let co_net = Bps(self.co_stake_share_bps).floor_of_wide(co_gross)?;
            let own = earned.safe_sub(co_gross)?;
            let commission = to_u64(co_gross.safe_sub(co_net)?)?;
            rewards.commission[token] = rewards.commission[token].safe_add(commission)?;
            if own_weighted > 0 {
                let step = mul_div_floor(own, REWARD_INDEX_SCALE, own_weighted)?;
                rewards.own_index[token] = rewards.own_index[token].safe_add(step)?;
            }
            if stake.co_weighted_shares > 0 {
                let step = mul_div_floor(co_net, REWARD_INDEX_SCALE, stake.co_weighted_shares)?;
                rewards.co_index[token] = rewards.co_index[token].safe_add(step)?;
            }
        }
        // An announced lower share applies only from the first accrual after
        // its notice ends: everything earned before that used the old share.
        if self.pending_share_effective_at != 0 && now >= self.pending_share_effective_at {
            self.co_stake_share_bps = self.pending_co_stake_share_bps;
            self.pending_co_stake_share_bps = 0;
            self.pending_share_effective_at = 0;
        }
        Ok(())
    }

    /// Recomputes the provider's weight after its stake changed and moves
    /// the global total by the difference.
    pub(crate) fn update_weight(&mut self, pool: &mut StakerRewardPool) -> Result<()> {
        let weight = self.stake.reward_weight()?;
        pool.total_weight = pool
            .total_weight
            .safe_sub(self.rewards.weight)?
            .safe_add(weight)?;
        self.rewards.weight = weight;
        Ok(())
    }

    /// A higher co-stake share applies at once; a lower one after
    /// `CO_STAKE_SHARE_NOTICE_SECS`, so co-stakers can leave first. Rewards
    /// must be accrued first.
    fn set_co_stake_share(&mut self, share_bps: u16, now: i64) -> Result<()> {
        if share_bps >= self.co_stake_share_bps {
            self.co_stake_share_bps = share_bps;
            self.pending_co_stake_share_bps = 0;
            self.pending_share_effective_at = 0;
        } else if self.pending_share_effective_at == 0
            || share_bps != self.pending_co_stake_share_bps
        {
            self.pending_co_stake_share_bps = share_bps;
            self.pending_share_effective_at = now.safe_add(CO_STAKE_SHARE_NOTICE_SECS)?;
        }
        Ok(())
    }
}

/// Slashes `amount` IO from `provider`'s pool and counts it in the config:
/// the one slash path, taken by the authority's `slash` and by an upheld
/// dispute alike.
pub fn slash_provider(
    config: &mut Config,
    stakers: &mut StakerRewardPool,
    provider: &mut Provider,
    amount: u64,
    now: i64,
) -> Result<()> {
    provider.apply_slash(stakers, amount, now)?;
    config.total_slashed = config.total_slashed.safe_add(amount)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> ProviderProfile {
        ProviderProfile {
            name: "p".into(),
            region: "us-east".into(),
            endpoint: "https://p".into(),
            co_stake_share_bps: 8_000,
        }
    }

    fn staked(
        provider: &mut Provider,
        pool: &mut StakerRewardPool,
        amount: u64,
        nonce: u64,
    ) -> StakePosition {
        let shares = provider
            .stake_in(pool, amount, MULTIPLIER_ONE, StakeKind::Own, 0)
            .unwrap();
        let owner = provider.authority;
        StakePosition::new(
            owner,
            Pubkey::default(),
            &provider.rewards,
            nonce,
            StakeKind::Own,
            amount,
            shares,
            0,
            0,
            0,
        )
        .unwrap()
    }

    #[test]
    fn unstake_guard_protects_leased_devices() {
        let mut pool = StakerRewardPool::default();
        let mut provider = Provider::new(Pubkey::default(), profile(), 0, 0);
        provider.required_stake_leased = 150;
        let mut a = staked(&mut provider, &mut pool, 100, 0);
        let mut b = staked(&mut provider, &mut pool, 100, 1);
        assert_eq!(pool.total_weight, 200 * MULTIPLIER_ONE as u128);
        let (mut attempt, mut attempt_pool) = (provider.clone(), pool);
        assert_eq!(
            attempt
                .unstake_position(&mut attempt_pool, &mut a, 0, 0)
                .unwrap_err(),
            IoComputeError::UnstakeBreaksMinimumStake.into()
        );
        provider.required_stake_leased = 100;
        provider.unstake_position(&mut pool, &mut b, 0, 0).unwrap();
        assert_eq!(provider.stake.effective_stake().unwrap(), 100);
        assert_eq!(
            pool.total_weight,
            100 * MULTIPLIER_ONE as u128,
            "the unstaking position no longer weighs"
        );
        provider.invariant().unwrap();
    }

    #[test]
    fn invariant_refuses_a_pool_out_of_step() {
        let mut pool = StakerRewardPool::default();
        let mut provider = Provider::new(Pubkey::default(), profile(), 0, 0);
        staked(&mut provider, &mut pool, 100, 0);
        provider.invariant().unwrap();
        let broken = IoComputeError::ProviderBooksUnbalanced.into();

        let mut stale_weight = provider.clone();
        stale_weight.stake.amount += 1;
        assert_eq!(
            stale_weight.invariant().unwrap_err(),
            broken,
            "weight not reweighed"
        );

        let mut co = provider.clone();
        co.stake.co_weighted_shares = co.stake.weighted_shares + 1;
        assert_eq!(
            co.invariant().unwrap_err(),
            broken,
            "co-stake part over the whole"
        );

        let mut orphan = provider.clone();
        orphan.stake.position_count = 0;
        assert_eq!(
            orphan.invariant().unwrap_err(),
            broken,
            "shares without positions"
        );

        let mut unstaking = provider.clone();
        unstaking.stake.unstaking_shares = unstaking.stake.total_shares + 1;
        assert_eq!(
            unstaking.invariant().unwrap_err(),
            broken,
            "more unstaking than exists"
        );
    }

    #[test]
    fn requirement_rounds_up() {
        // 200 IO x 0.25 x 3 GPUs = 150 IO exactly.
        assert_eq!(
            Provider::device_stake_requirement(200 * ONE_IO, 2_500, 3).unwrap(),
            150 * ONE_IO
        );
        assert_eq!(Provider::device_stake_requirement(1, 1, 1).unwrap(), 1);
        assert!(Provider::device_stake_requirement(u64::MAX, MAX_GPU_MULTIPLIER, 16).is_err());
    }
}
