//! Program tests: every instruction through a real bank, with exact balances,
//! account fields and error codes.

mod attacks;
mod devices;
mod fraud;
mod fuzz;
mod governance;
mod gpu_models;
mod initialize;
mod invariants;
mod logs;
mod market;
mod providers;
mod rewards;
mod slash;
mod staking;
mod tokenomics;
mod trust;

use io_compute::state::{DeviceSpec, DeviceStatus, ProviderProfile, StakeKind};
use io_compute::StakeArgs;
use io_compute_sdk::{gpu, ix, pda};
use io_compute_tests::*;
use solana_sdk::{pubkey::Pubkey, signature::Keypair, signer::Signer};

pub fn profile(name: &str) -> ProviderProfile {
    ProviderProfile {
        name: name.to_string(),
        region: "us-east".to_string(),
        endpoint: "https://gpu.example.com:8443".to_string(),
        co_stake_share_bps: 2_000,
    }
}

pub fn spec(model: &str, gpu_count: u8, status: DeviceStatus) -> DeviceSpec {
    DeviceSpec {
        model: gpu::model_code(model).unwrap(),
        gpu_count,
        vram_gb: 24,
        price_per_gpu_hour: 450_000,
        status,
        worker: test_worker().pubkey(),
    }
}

/// `gpus` RTX4090s for `hours` at up to `max_price` IOSD base units a
/// GPU-hour, any reliability.
pub fn lease_spec(gpus: u8, hours: u32, max_price: u64) -> io_compute::state::LeaseSpec {
    io_compute::state::LeaseSpec {
        model: gpu::model_code("RTX4090").unwrap(),
        gpu_count: gpus,
        region: "us-east".into(),
        hours,
        max_price_per_gpu_hour: max_price,
        min_reliability_bps: 0,
    }
}

pub fn stake_args(nonce: u64, amount: u64, lockup_secs: i64) -> StakeArgs {
    StakeArgs {
        nonce,
        amount,
        lockup_secs,
    }
}

/// A registered provider with no devices and no stake.
pub async fn registered_provider(env: &mut TestEnv) -> Keypair {
    let authority = env.wallet().await;
    env.ok(
        ix::register_provider(authority.pubkey(), profile("acme gpus")),
        &authority,
    )
    .await;
    authority
}

/// A registered provider that staked `amount` IO (nonce 0, no lockup).
/// Returns the authority and its IO token account (now empty).
pub async fn staked_provider(env: &mut TestEnv, amount: u64) -> (Keypair, Pubkey) {
    let authority = registered_provider(env).await;
    let source = env.give_io(&authority.pubkey(), amount).await;
    env.ok(
        ix::stake(authority.pubkey(), source, stake_args(0, amount, 0)),
        &authority,
    )
    .await;
    (authority, source)
}

/// A new wallet that co-staked `io` IO behind `provider` (nonce 0, no
/// lockup). Returns the wallet and its IO token account (now empty).
pub async fn co_staker(env: &mut TestEnv, provider: Pubkey, io: u64) -> (Keypair, Pubkey) {
    let wallet = env.wallet().await;
    let source = env.give_io(&wallet.pubkey(), io).await;
    env.ok(
        ix::co_stake(wallet.pubkey(), provider, source, stake_args(0, io, 0)),
        &wallet,
    )
    .await;
    (wallet, source)
}

/// Every provider and position a test has created, so that the stake
/// accounting can be checked whole after each step.
#[derive(Default)]
pub struct StakeLedger {
    providers: Vec<Pubkey>,
    positions: Vec<Pubkey>,
}

impl StakeLedger {
    pub fn provider(&mut self, authority: &Keypair) {
        self.providers.push(provider_key(authority));
    }

    pub fn position(&mut self, owner: &Pubkey, provider: &Pubkey, nonce: u64) {
        self.positions
            .push(pda::stake_position(owner, provider, nonce));
    }

    /// The stake vault holds exactly the sum of the provider pools; each
    /// class of each pool (own, co-stake) is exactly its live positions
    /// (shares, unstaking shares, count) and pays them at most what it
    /// holds, with less than one base unit of rounding dust per position.
    pub async fn check(&self, env: &mut TestEnv) {
        let mut pools_total = 0u64;
        for provider in &self.providers {
            if !env.exists(provider).await {
                continue;
            }
            let pool = env
                .account::<io_compute::state::Provider>(provider)
                .await
                .stake;
            pools_total += pool.amount().unwrap();
            for kind in [StakeKind::Own, StakeKind::CoStake] {
                let class = pool.class(kind);
                let (mut shares, mut unstaking, mut count, mut value) = (0u128, 0u128, 0u32, 0u64);
                for key in &self.positions {
                    if !env.exists(key).await {
                        continue;
                    }
                    let position: io_compute::state::StakePosition = env.account(key).await;
                    if position.provider != *provider || position.kind != kind {
                        continue;
                    }
                    shares += position.shares;
                    if position.cooldown_end != 0 {
                        unstaking += position.shares;
                    }
                    count += 1;
                    value += class.value_of(position.shares).unwrap();
                }
                assert_eq!(
                    shares, class.total_shares,
                    "{kind:?} shares != sum of position shares"
                );
                assert_eq!(
                    unstaking, class.unstaking_shares,
                    "unstaking shares mismatch"
                );
                assert_eq!(count, class.position_count, "position count mismatch");
                assert!(
                    value <= class.amount,
                    "positions are owed more than the class holds"
                );
                assert!(
                    class.amount - value <= u64::from(count),
                    "rounding dust above one unit per position"
                );
                if count == 0 {
                    assert_eq!(class.amount, 0, "a class without positions holds IO");
                }
            }
        }
        assert_eq!(
            env.token_balance(&pda::stake_vault()).await,
            pools_total,
            "stake vault != sum of pools"
        );
    }
}

pub fn provider_key(authority: &Keypair) -> Pubkey {
    pda::provider(&authority.pubkey())
}
