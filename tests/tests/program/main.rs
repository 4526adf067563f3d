//! Program tests: every instruction through a real bank, with exact balances,
//! account fields and error codes.

mod devices;
mod gpu_models;
mod initialize;
mod providers;
mod slash;
mod staking;

use io_compute::state::{DeviceSpec, DeviceStatus, ProviderProfile};
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
    env.send(
        &[ix::register_provider(authority.pubkey(), profile("acme gpus"))],
        &[&authority],
    )
    .await
    .assert_ok();
    authority
}

/// A registered provider that staked `amount` IO (nonce 0, no lockup).
/// Returns the authority and its IO token account (now empty).
pub async fn staked_provider(env: &mut TestEnv, amount: u64) -> (Keypair, Pubkey) {
    let authority = registered_provider(env).await;
    let source = env.give_io(&authority.pubkey(), amount).await;
    env.send(
        &[ix::stake(authority.pubkey(), source, stake_args(0, amount, 0))],
        &[&authority],
    )
    .await
    .assert_ok();
    (authority, source)
}

/// The stake vault holds exactly the sum of the given providers' pools (all
/// the providers that exist in the test).
pub async fn assert_stake_vault_matches(env: &mut TestEnv, provider_authorities: &[Pubkey]) {
    let mut sum = 0u64;
    for authority in provider_authorities {
        let key = pda::provider(authority);
        if env.exists(&key).await {
            sum += env.provider(authority).await.stake.amount;
        }
    }
    assert_eq!(env.token_balance(&pda::stake_vault()).await, sum, "stake vault != sum of pools");
}

pub fn provider_key(authority: &Keypair) -> Pubkey {
    pda::provider(&authority.pubkey())
}
