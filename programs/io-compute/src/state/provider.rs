use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
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
    /// Share of the provider's stake rewards paid to its co-stakers, in bps.
    pub co_stake_share_bps: u16,
    pub stake: StakePool,
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
    /// Sum of shares x position multiplier, the weight for staking rewards.
    pub weighted_shares: u128,
    pub position_count: u32,
}

impl StakePool {
    /// Adds `amount` IO and returns the shares it buys, rounded down.
    pub fn deposit(&mut self, amount: u64, multiplier: u64) -> Result<u128> {
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

    /// Moves a position's shares into cooldown.
    pub fn begin_unstake(&mut self, shares: u128, multiplier: u64) -> Result<()> {
        self.unstaking_shares = self.unstaking_shares.safe_add(shares)?;
        self.weighted_shares = self
            .weighted_shares
            .safe_sub(shares.safe_mul(multiplier as u128)?)?;
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
    pub fn begin_unstake(&mut self, shares: u128, multiplier: u64) -> Result<()> {
        self.stake.begin_unstake(shares, multiplier)?;
        require!(
            self.stake.effective_stake()? >= self.required_stake_leased,
            IoComputeError::UnstakeBreaksMinimumStake
        );
        Ok(())
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
        let a = pool.deposit(300, MULTIPLIER_ONE).unwrap();
        let b = pool.deposit(200, MULTIPLIER_ONE).unwrap();
        let c = pool.deposit(101, MULTIPLIER_ONE).unwrap();
        pool.slash(100).unwrap();
        // 501 of 601 remain: each position keeps floor(its share).
        assert_eq!(pool.value_of(a).unwrap(), 300 * 501 / 601);
        assert_eq!(pool.value_of(b).unwrap(), 200 * 501 / 601);
        assert_eq!(pool.value_of(c).unwrap(), 101 * 501 / 601);
        pool.begin_unstake(a, MULTIPLIER_ONE).unwrap();
        pool.begin_unstake(b, MULTIPLIER_ONE).unwrap();
        pool.begin_unstake(c, MULTIPLIER_ONE).unwrap();
        let total =
            pool.withdraw(a).unwrap() + pool.withdraw(b).unwrap() + pool.withdraw(c).unwrap();
        assert_eq!(total, 501, "the last position takes the rounding dust");
        assert_eq!(pool, StakePool::default());
    }

    #[test]
    fn wiped_pool_refuses_new_stake_and_slash_is_bounded() {
        let mut pool = StakePool::default();
        let a = pool.deposit(10, MULTIPLIER_ONE).unwrap();
        assert!(pool.slash(11).is_err());
        pool.slash(10).unwrap();
        assert!(pool.deposit(5, MULTIPLIER_ONE).is_err());
        pool.begin_unstake(a, MULTIPLIER_ONE).unwrap();
        assert_eq!(pool.withdraw(a).unwrap(), 0);
        pool.deposit(5, MULTIPLIER_ONE).unwrap();
    }

    #[test]
    fn unstake_guard_protects_leased_devices() {
        let mut provider = Provider {
            authority: Pubkey::default(),
            name: String::new(),
            region: String::new(),
            endpoint: String::new(),
            co_stake_share_bps: 0,
            stake: StakePool::default(),
            device_count: 1,
            next_device_index: 1,
            required_stake_active: 0,
            required_stake_leased: 150,
            reputation: Reputation::default(),
            created_at: 0,
            bump: 0,
        };
        let a = provider.stake.deposit(100, MULTIPLIER_ONE).unwrap();
        let b = provider.stake.deposit(100, MULTIPLIER_ONE).unwrap();
        let mut attempt = provider.clone();
        assert!(attempt.begin_unstake(a, MULTIPLIER_ONE).is_err());
        provider.required_stake_leased = 100;
        provider.begin_unstake(b, MULTIPLIER_ONE).unwrap();
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
