use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{StakeKind, StakerRewardPool, REWARD_TOKENS},
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

    /// Starts a position's cooldown unless that would leave leased devices
    /// under-staked.
    pub fn begin_unstake(&mut self, shares: u128, multiplier: u64, kind: StakeKind) -> Result<()> {
        self.stake.begin_unstake(shares, multiplier, kind)?;
        require!(
            self.stake.effective_stake()? >= self.required_stake_leased,
            IoComputeError::UnstakeBreaksMinimumStake
        );
        Ok(())
    }

    /// Slashes `amount` from the pool with the reward accounting around it:
    /// rewards accrue at the old weight, the weight drops with the stake.
    pub fn apply_slash(
        &mut self,
        pool: &mut StakerRewardPool,
        amount: u64,
        now: i64,
    ) -> Result<()> {
        self.accrue_rewards(pool, now)?;
        self.record_slash(amount)?;
        self.update_weight(pool)
    }

    pub fn record_slash(&mut self, amount: u64) -> Result<()> {
        self.stake.slash(amount)?;
        self.reputation.slash_count = self.reputation.slash_count.safe_add(1)?;
        self.reputation.total_slashed = self.reputation.total_slashed.safe_add(amount)?;
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
    pub fn accrue_rewards(&mut self, pool: &StakerRewardPool, now: i64) -> Result<()> {
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
            let co_net = mul_div_floor(
                co_gross,
                self.co_stake_share_bps as u128,
                BPS_DENOMINATOR as u128,
            )?;
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
    pub fn update_weight(&mut self, pool: &mut StakerRewardPool) -> Result<()> {
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
    pub fn set_co_stake_share(&mut self, share_bps: u16, now: i64) -> Result<()> {
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

/// Provider profile fields, validated together by register and update.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ProviderProfile {
    pub name: String,
    pub region: String,
    pub endpoint: String,
    pub co_stake_share_bps: u16,
}

impl ProviderProfile {
    pub fn validate(&self) -> Result<()> {
        require!(
            !self.name.is_empty()
                && self.name.len() <= MAX_PROVIDER_NAME_LEN
                && self.name.chars().all(|c| !c.is_control()),
            IoComputeError::InvalidProviderName
        );
        validate_region(&self.region)?;
        let rest = self
            .endpoint
            .strip_prefix("https://")
            .or_else(|| self.endpoint.strip_prefix("http://"));
        require!(
            self.endpoint.len() <= MAX_ENDPOINT_LEN
                && rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_graphic())),
            IoComputeError::InvalidEndpoint
        );
        require!(
            self.co_stake_share_bps as u64 <= BPS_DENOMINATOR,
            IoComputeError::InvalidCoStakeShare
        );
        Ok(())
    }
}

/// Region codes are 1-16 characters of `a-z`, `0-9` or `-` (e.g. `us-east`).
pub fn validate_region(region: &str) -> Result<()> {
    require!(
        !region.is_empty()
            && region.len() <= MAX_REGION_LEN
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        IoComputeError::InvalidRegion
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn unstake_guard_protects_leased_devices() {
        let mut provider = Provider {
            authority: Pubkey::default(),
            name: String::new(),
            region: String::new(),
            endpoint: String::new(),
            co_stake_share_bps: 0,
            pending_co_stake_share_bps: 0,
            pending_share_effective_at: 0,
            stake: StakePool::default(),
            rewards: ProviderRewards::default(),
            device_count: 1,
            next_device_index: 1,
            required_stake_active: 0,
            required_stake_leased: 150,
            reputation: Reputation::default(),
            created_at: 0,
            bump: 0,
        };
        let a = provider
            .stake
            .deposit(100, MULTIPLIER_ONE, StakeKind::Own)
            .unwrap();
        let b = provider
            .stake
            .deposit(100, MULTIPLIER_ONE, StakeKind::Own)
            .unwrap();
        let mut attempt = provider.clone();
        assert!(attempt
            .begin_unstake(a, MULTIPLIER_ONE, StakeKind::Own)
            .is_err());
        provider.required_stake_leased = 100;
        provider
            .begin_unstake(b, MULTIPLIER_ONE, StakeKind::Own)
            .unwrap();
        assert_eq!(provider.stake.effective_stake().unwrap(), 100);
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
