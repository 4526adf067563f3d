use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{
        index_step, Bps, Config, ProviderProfile, ProviderRewards, SlashSplit, StakeKind,
        StakePool, StakePosition, StakerRewardPool, REWARD_TOKENS,
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
    /// When a lower share was last announced: co-stake positions made
    /// before it may leave despite their lockup (H6).
    pub share_cut_announced_at: i64,
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
    /// devices, with at least `MIN_OWN_STAKE_BPS` of that its own (the part
    /// that takes a slash first); the matcher assigns devices only then.
    pub fn require_meets_active_stake(&self) -> Result<()> {
        self.require_covers(self.required_stake_active)
            .map_err(|_| error!(IoComputeError::InsufficientProviderStake))
    }

    /// Effective stake covers `requirement`, and own effective stake
    /// `MIN_OWN_STAKE_BPS` of it.
    fn require_covers(&self, requirement: u64) -> Result<()> {
        let own_needed = Bps(MIN_OWN_STAKE_BPS).ceil_of(requirement)?;
        require!(
            self.stake.effective_stake()? >= requirement
                && self.stake.own.effective()? >= own_needed,
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
            share_cut_announced_at: 0,
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
    /// it, and from now on it earns nothing. The provider's own stake may
    /// not leave its leased devices under-staked; a co-staker can always
    /// leave (H6): the provider's devices stop taking new leases instead.
    /// A co-stake position made before a share cut was announced may leave
    /// despite its lockup.
    pub fn unstake_position(
        &mut self,
        pool: &mut StakerRewardPool,
        position: &mut StakePosition,
        cooldown_secs: i64,
        now: i64,
    ) -> Result<()> {
        self.accrue_rewards(pool, now)?;
        position.accrue_rewards(&self.rewards)?;
        let lockup_waived = position.kind == StakeKind::CoStake
            && position.created_at < self.share_cut_announced_at;
        position.begin_unstake(now, cooldown_secs, lockup_waived)?;
        self.stake
            .begin_unstake(position.shares, position.multiplier, position.kind)?;
        if position.kind == StakeKind::Own {
            self.require_covers(self.required_stake_leased)
                .map_err(|_| error!(IoComputeError::UnstakeBreaksMinimumStake))?;
        }
        self.update_weight(pool)
    }

    /// Ends the reward multiplier of a position whose lockup is over (M4):
    /// it earns at 1x from now on, like a position that was never locked.
    /// Anyone may do this; rewards up to now keep the old multiplier.
    pub fn expire_lockup(
        &mut self,
        pool: &mut StakerRewardPool,
        position: &mut StakePosition,
        now: i64,
    ) -> Result<()> {
        require!(position.lockup_expired(now), IoComputeError::LockupNotEnded);
        self.accrue_rewards(pool, now)?;
        position.accrue_rewards(&self.rewards)?;
        self.stake.reweigh(
            position.shares,
            position.multiplier,
            MULTIPLIER_ONE,
            position.kind,
        )?;
        position.multiplier = MULTIPLIER_ONE;
        self.update_weight(pool)
    }

    /// Removes an unstaked position's shares; returns the IO it is owed.
    pub fn withdraw_shares(
        &mut self,
        pool: &mut StakerRewardPool,
        shares: u128,
        kind: StakeKind,
        now: i64,
    ) -> Result<u64> {
        self.accrue_rewards(pool, now)?;
        let amount = self.stake.withdraw(shares, kind)?;
        // Rounding can move the value per share, so the weight follows.
        self.update_weight(pool)?;
        Ok(amount)
    }

    /// Takes `amount` IO from the pool, the provider's own stake first:
    /// rewards accrue at the old weight, the weight drops with the stake.
    /// The one place a provider's pool is slashed (see `slash_provider`).
    pub fn apply_slash(
        &mut self,
        pool: &mut StakerRewardPool,
        amount: u64,
        now: i64,
    ) -> Result<SlashSplit> {
        self.accrue_rewards(pool, now)?;
        let split = self.stake.slash(amount)?;
        self.reputation.slash_count = self.reputation.slash_count.safe_add(1)?;
        self.reputation.total_slashed = self.reputation.total_slashed.safe_add(amount)?;
        self.update_weight(pool)?;
        Ok(split)
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
        require!(
            self.stake.is_consistent() && self.rewards.weight == self.stake.reward_weight()?,
            IoComputeError::ProviderBooksUnbalanced
        );
        Ok(())
    }

    pub fn is_closable(&self) -> Result<()> {
        require!(self.device_count == 0, IoComputeError::ProviderHasDevices);
        require!(
            self.stake.position_count() == 0 && self.stake.amount()? == 0,
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
        let (own_weight, co_weight) = (stake.own.weight()?, stake.co.weight()?);
        let total_weight = own_weight.safe_add(co_weight)?;
        for token in 0..REWARD_TOKENS {
            let rewards = &mut self.rewards;
            let delta = pool.index[token].safe_sub(rewards.global_index[token])?;
            rewards.global_index[token] = pool.index[token];
            let earned = mul_div_floor(rewards.weight, delta, REWARD_INDEX_SCALE)?;
            if earned == 0 {
                continue;
            }
            // earned > 0 implies weight > 0; the classes split it by value
            // weight, as their share prices may differ after a slash.
            let co_gross = mul_div_floor(earned, co_weight, total_weight)?;
            let co_net = Bps(self.co_stake_share_bps).floor_of_wide(co_gross)?;
            let own = earned.safe_sub(co_gross)?;
            let commission = to_u64(co_gross.safe_sub(co_net)?)?;
            rewards.commission[token] = rewards.commission[token].safe_add(commission)?;
            if stake.own.weighted_shares > 0 {
                let (step, carry) =
                    index_step(own, rewards.own_carry[token], stake.own.weighted_shares)?;
                rewards.own_index[token] = rewards.own_index[token].safe_add(step)?;
                rewards.own_carry[token] = carry;
            }
            if stake.co.weighted_shares > 0 {
                let (step, carry) =
                    index_step(co_net, rewards.co_carry[token], stake.co.weighted_shares)?;
                rewards.co_carry[token] = carry;
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
            self.share_cut_announced_at = now;
        }
        Ok(())
    }
}

/// Slashes `amount` IO from `provider`'s pool, own stake first, and counts
/// it in the config: the one slash path, taken by the authority's `slash`
/// and by an upheld dispute alike.
pub fn slash_provider(
    config: &mut Config,
    stakers: &mut StakerRewardPool,
    provider: &mut Provider,
    amount: u64,
    now: i64,
) -> Result<SlashSplit> {
    let split = provider.apply_slash(stakers, amount, now)?;
    config.total_slashed = config.total_slashed.safe_add(amount)?;
    Ok(split)
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

    fn co_staked(
        provider: &mut Provider,
        pool: &mut StakerRewardPool,
        amount: u64,
        nonce: u64,
        now: i64,
    ) -> StakePosition {
        let lockup = 365 * SECONDS_PER_DAY;
        let multiplier = StakePosition::multiplier_for_lockup(lockup).unwrap();
        let shares = provider
            .stake_in(pool, amount, multiplier, StakeKind::CoStake, now)
            .unwrap();
        StakePosition::new(
            Pubkey::new_unique(),
            Pubkey::default(),
            &provider.rewards,
            nonce,
            StakeKind::CoStake,
            amount,
            shares,
            lockup,
            now,
            0,
        )
        .unwrap()
    }

    #[test]
    fn unstake_guard_protects_leased_devices_from_the_provider_only() {
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
        // A co-staker leaves even when that under-stakes leased devices
        // (H6); the provider's devices then stop taking new leases.
        let mut c = co_staked(&mut provider, &mut pool, 1_000, 2, 0);
        c.lockup_end = 0;
        provider.required_stake_leased = 1_100;
        provider.required_stake_active = 1_100;
        provider.unstake_position(&mut pool, &mut c, 0, 0).unwrap();
        assert_eq!(
            provider.require_meets_active_stake().unwrap_err(),
            IoComputeError::InsufficientProviderStake.into()
        );
    }

    #[test]
    fn a_share_cut_frees_locked_co_stakers_made_before_it() {
        let mut pool = StakerRewardPool::default();
        let mut provider = Provider::new(Pubkey::default(), profile(), 0, 0);
        staked(&mut provider, &mut pool, 100, 0);
        let mut before = co_staked(&mut provider, &mut pool, 100, 1, 10);
        let attempt = provider.unstake_position(&mut pool, &mut before.clone(), 0, 20);
        assert_eq!(attempt.unwrap_err(), IoComputeError::LockupNotEnded.into());
        let cut = ProviderProfile {
            co_stake_share_bps: 1_000,
            ..profile()
        };
        provider.update_profile(&pool, cut, 30).unwrap();
        let mut after = co_staked(&mut provider, &mut pool, 100, 2, 40);
        provider
            .unstake_position(&mut pool, &mut before, 0, 50)
            .unwrap();
        assert_eq!(
            provider
                .unstake_position(&mut pool, &mut after, 0, 50)
                .unwrap_err(),
            IoComputeError::LockupNotEnded.into(),
            "joined knowing the new share"
        );
    }

    #[test]
    fn providers_keep_a_fifth_of_the_requirement_as_own_stake() {
        let mut pool = StakerRewardPool::default();
        let mut provider = Provider::new(Pubkey::default(), profile(), 0, 0);
        staked(&mut provider, &mut pool, 199, 0);
        co_staked(&mut provider, &mut pool, 10_000, 1, 0);
        provider.required_stake_active = 1_000;
        assert_eq!(
            provider.require_meets_active_stake().unwrap_err(),
            IoComputeError::InsufficientProviderStake.into()
        );
        staked(&mut provider, &mut pool, 1, 2);
        provider.require_meets_active_stake().unwrap();
    }

    #[test]
    fn an_ended_lockup_ends_its_multiplier() {
        let mut pool = StakerRewardPool::default();
        let mut provider = Provider::new(Pubkey::default(), profile(), 0, 0);
        let mut locked = co_staked(&mut provider, &mut pool, 100, 0, 0);
        assert_eq!(locked.multiplier, MAX_LOCKUP_MULTIPLIER);
        let end = locked.lockup_end;
        assert_eq!(
            provider
                .expire_lockup(&mut pool, &mut locked, end - 1)
                .unwrap_err(),
            IoComputeError::LockupNotEnded.into()
        );
        provider.expire_lockup(&mut pool, &mut locked, end).unwrap();
        assert_eq!(locked.multiplier, MULTIPLIER_ONE);
        assert_eq!(pool.total_weight, 100 * MULTIPLIER_ONE as u128);
        provider.invariant().unwrap();
        assert!(provider.expire_lockup(&mut pool, &mut locked, end).is_err());
    }

    #[test]
    fn invariant_refuses_a_pool_out_of_step() {
        let mut pool = StakerRewardPool::default();
        let mut provider = Provider::new(Pubkey::default(), profile(), 0, 0);
        staked(&mut provider, &mut pool, 100, 0);
        provider.invariant().unwrap();
        let broken = IoComputeError::ProviderBooksUnbalanced.into();

        let mut stale_weight = provider.clone();
        stale_weight.stake.own.amount += 1;
        assert_eq!(
            stale_weight.invariant().unwrap_err(),
            broken,
            "weight not reweighed"
        );

        let mut orphan = provider.clone();
        orphan.stake.own.position_count = 0;
        assert_eq!(
            orphan.invariant().unwrap_err(),
            broken,
            "shares without positions"
        );

        let mut unstaking = provider.clone();
        unstaking.stake.own.unstaking_shares = unstaking.stake.own.total_shares + 1;
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
