//! The program's end-to-end scenario on a real bank, narrated: launch, GPU
//! models and tokenomics, a provider with devices, own stake and co-stake, a
//! slash, an epoch's emission paid out as device rewards (by Merkle proof)
//! and staking rewards, unstake and withdraw. Prints what happens and the balances that prove it, and
//! exits non-zero if any balance is not exactly what it must be.
//!
//! `cargo run -p io-compute-tests --bin scenario`

use io_compute::{
    state::{DeviceSpec, DeviceStatus, Epoch, ProviderProfile, StakePosition},
    ClaimDeviceRewardArgs, PostDeviceRewardsArgs, StakeArgs, UpdateDeviceArgs,
};
use io_compute_sdk::{
    gpu, ix,
    merkle::{DeviceReward, DeviceRewardTree},
    pda,
};
use io_compute_tests::{test_worker, TestEnv, ONE_IO, SECONDS_PER_DAY};
use solana_sdk::signer::Signer;
use std::process::ExitCode;

fn io(amount: u64) -> String {
    format!("{}.{:09} IO", amount / ONE_IO, amount % ONE_IO)
}

fn step(n: u32, what: &str) {
    println!("\n[{n}] {what}");
}

fn check(label: &str, actual: u64, expected: u64) -> Result<(), String> {
    let mark = if actual == expected { "ok" } else { "MISMATCH" };
    println!("    {label:<34} {:>28}   {mark}", io(actual));
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{label}: expected {}, got {}",
            io(expected),
            io(actual)
        ))
    }
}

async fn run() -> Result<(), String> {
    let mut env = TestEnv::new().await;
    let admin = env.admin.insecure_clone();

    step(
        1,
        "initialize: config, IO and IOSD mints, vaults, 500M IO genesis supply",
    );
    env.initialize(io_compute_tests::default_init_args())
        .await
        .assert_ok();
    let genesis = pda::associated_token(&admin.pubkey(), &pda::io_mint());
    check(
        "genesis account",
        env.token_balance(&genesis).await,
        500_000_000 * ONE_IO,
    )?;
    check(
        "IO supply",
        env.mint_supply(&pda::io_mint()).await,
        500_000_000 * ONE_IO,
    )?;

    step(
        2,
        "set_gpu_models: the launch table; init_tokenomics: one-day epochs, 2M IO a month decaying 1.02 %",
    );
    env.ok(
        ix::set_gpu_models(admin.pubkey(), gpu::default_models()),
        &admin,
    )
    .await;
    env.ok(
        ix::init_tokenomics(admin.pubkey(), io_compute_tests::default_tokenomics()),
        &admin,
    )
    .await;
    for model in gpu::default_models() {
        println!(
            "    {:<10} multiplier {:>6.2}x   fp32 {:>7.2} TFLOP/s   bf16 {:>7.2} TFLOP/s",
            gpu::model_name(&model.code),
            model.reward_multiplier as f64 / 10_000.0,
            model.ref_fp32_tflops_x100 as f64 / 100.0,
            model.ref_bf16_tflops_x100 as f64 / 100.0
        );
    }

    step(
        3,
        "a provider registers and stakes 4,000 IO for 90 days (1.74x)",
    );
    let provider_authority = env.wallet().await;
    let provider = pda::provider(&provider_authority.pubkey());
    env.ok(
        ix::register_provider(
            provider_authority.pubkey(),
            ProviderProfile {
                name: "Lagos GPU Farm".into(),
                region: "af-west".into(),
                endpoint: "https://gpu.lagos.example:8443".into(),
                co_stake_share_bps: 8_000,
            },
        ),
        &provider_authority,
    )
    .await;
    let provider_io = env
        .give_io(&provider_authority.pubkey(), 4_000 * ONE_IO)
        .await;
    let stake = StakeArgs {
        nonce: 0,
        amount: 4_000 * ONE_IO,
        lockup_secs: 90 * SECONDS_PER_DAY,
    };
    env.ok(
        ix::stake(provider_authority.pubkey(), provider_io, stake),
        &provider_authority,
    )
    .await;
    let position: StakePosition = env
        .account(&pda::stake_position(
            &provider_authority.pubkey(),
            &provider,
            0,
        ))
        .await;
    println!(
        "    position multiplier {:.4}x",
        position.multiplier as f64 / 10_000.0
    );
    check(
        "stake vault",
        env.token_balance(&pda::stake_vault()).await,
        4_000 * ONE_IO,
    )?;

    step(
        4,
        "devices: 2x RTX4090 Idle (needs 400 IO), 1x H100-SXM Offline, then Idle (needs 2,000 IO)",
    );
    let rtx = DeviceSpec {
        model: gpu::model_code("RTX4090").unwrap(),
        gpu_count: 2,
        vram_gb: 24,
        price_per_gpu_hour: 350_000,
        status: DeviceStatus::Idle,
        worker: test_worker().pubkey(),
    };
    let h100 = DeviceSpec {
        model: gpu::model_code("H100-SXM").unwrap(),
        gpu_count: 1,
        vram_gb: 80,
        price_per_gpu_hour: 2_490_000,
        status: DeviceStatus::Offline,
        worker: test_worker().pubkey(),
    };
    env.ok(
        ix::add_device(provider_authority.pubkey(), 0, rtx),
        &provider_authority,
    )
    .await;
    env.ok(
        ix::add_device(provider_authority.pubkey(), 1, h100),
        &provider_authority,
    )
    .await;
    let online = UpdateDeviceArgs {
        price_per_gpu_hour: None,
        status: Some(DeviceStatus::Idle),
        worker: None,
    };
    env.ok(
        ix::update_device(provider_authority.pubkey(), 1, online),
        &provider_authority,
    )
    .await;
    let p = env.provider(&provider_authority.pubkey()).await;
    check(
        "required stake (Idle + Leased)",
        p.required_stake_active,
        2_400 * ONE_IO,
    )?;
    check(
        "effective stake",
        p.stake.effective_stake().unwrap(),
        4_000 * ONE_IO,
    )?;

    step(5, "a backer co-stakes 1,000 IO behind the provider");
    let backer = env.wallet().await;
    let backer_io = env.give_io(&backer.pubkey(), 1_000 * ONE_IO).await;
    let co = StakeArgs {
        nonce: 0,
        amount: 1_000 * ONE_IO,
        lockup_secs: 0,
    };
    env.ok(
        ix::co_stake(backer.pubkey(), provider, backer_io, co),
        &backer,
    )
    .await;
    check(
        "stake vault",
        env.token_balance(&pda::stake_vault()).await,
        5_000 * ONE_IO,
    )?;

    step(
        6,
        "the config authority slashes the provider 500 IO (10%), its own stake first",
    );
    env.ok(ix::slash(admin.pubkey(), provider, 500 * ONE_IO), &admin)
        .await;
    let p = env.provider(&provider_authority.pubkey()).await;
    let own: StakePosition = env
        .account(&pda::stake_position(
            &provider_authority.pubkey(),
            &provider,
            0,
        ))
        .await;
    let backed: StakePosition = env
        .account(&pda::stake_position(&backer.pubkey(), &provider, 0))
        .await;
    check(
        "provider position",
        p.stake.value_of(own.shares, own.kind).unwrap(),
        3_500 * ONE_IO,
    )?;
    check(
        "backer position",
        p.stake.value_of(backed.shares, backed.kind).unwrap(),
        1_000 * ONE_IO,
    )?;
    check(
        "treasury",
        env.token_balance(&pda::treasury_io_vault()).await,
        500 * ONE_IO,
    )?;

    step(
        7,
        "a day passes: advance_epoch mints epoch 0's emission, 30 % stakers, 70 % devices",
    );
    let supply = env.mint_supply(&pda::io_mint()).await;
    env.set_time(io_compute_tests::GENESIS_TIME + SECONDS_PER_DAY)
        .await;
    env.ok(ix::advance_epoch(admin.pubkey(), 0), &admin).await;
    let epoch: Epoch = env.account(&pda::epoch(0)).await;
    let emission = epoch.emission;
    check(
        "scheduled (2M IO / 30)",
        emission.scheduled,
        66_666_666_666_666,
    )?;
    check(
        "IO minted",
        env.mint_supply(&pda::io_mint()).await - supply,
        emission.scheduled,
    )?;
    check("  for stakers", emission.stakers, 19_999_999_999_999)?;
    check("  for devices", emission.devices, 46_666_666_666_667)?;

    step(
        8,
        "a bonded keeper posts epoch 0's device rewards; a day later the provider claims them by Merkle proof",
    );
    let keeper = env.admit_keeper().await;
    let devices = [pda::device(&provider, 0), pda::device(&provider, 1)];
    let owner = provider_authority.pubkey();
    let rtx_reward = 20_000 * ONE_IO;
    let tree = DeviceRewardTree::new(
        0,
        vec![
            DeviceReward {
                device: devices[0],
                owner,
                amount: rtx_reward,
            },
            DeviceReward {
                device: devices[1],
                owner,
                amount: emission.devices - rtx_reward,
            },
        ],
    );
    env.ok(
        ix::post_device_rewards(
            keeper.pubkey(),
            PostDeviceRewardsArgs {
                epoch: 0,
                root: tree.root(),
                total: tree.total(),
            },
        ),
        &keeper,
    )
    .await;
    // Claims open once the root's one-day dispute window has passed.
    env.advance_time(SECONDS_PER_DAY).await;
    let before = env.token_balance(&provider_io).await;
    for (i, reward) in tree.rewards.iter().enumerate() {
        let args = ClaimDeviceRewardArgs {
            epoch: 0,
            amount: reward.amount,
            proof: tree.proof(i),
        };
        env.ok(
            ix::claim_device_reward(owner, reward.device, provider_io, args),
            &provider_authority,
        )
        .await;
    }
    check(
        "provider's device rewards",
        env.token_balance(&provider_io).await - before,
        emission.devices,
    )?;

    step(
        9,
        "staking rewards by weight (IO x lockup multiplier); the backer keeps 80 %, the provider earns 20 % commission",
    );
    let backer_iosd = env.ata(&backer.pubkey(), &pda::iosd_mint()).await;
    let provider_iosd = env.ata(&owner, &pda::iosd_mint()).await;
    let mut paid = 0;
    for (label, claim, signer, wallet) in [
        (
            "provider's own position",
            ix::claim_rewards(owner, provider, 0, provider_io, provider_iosd),
            &provider_authority,
            provider_io,
        ),
        (
            "backer's co-stake",
            ix::claim_rewards(backer.pubkey(), provider, 0, backer_io, backer_iosd),
            &backer,
            backer_io,
        ),
        (
            "provider's commission",
            ix::claim_commission(owner, provider_io, provider_iosd),
            &provider_authority,
            provider_io,
        ),
    ] {
        let before = env.token_balance(&wallet).await;
        env.ok(claim, signer).await;
        let amount = env.token_balance(&wallet).await - before;
        println!("    {label:<34} {:>28}", io(amount));
        paid += amount;
    }
    let dust = env.token_balance(&pda::rewards_vault()).await;
    check("paid + rounding dust left", paid + dust, emission.stakers)?;
    if dust > 3 {
        return Err(format!("{dust} base units of dust: more than rounding"));
    }
    let backer_rewards = env.token_balance(&backer_io).await;

    step(
        10,
        "the backer unstakes, waits the 14-day cooldown and withdraws",
    );
    env.ok(ix::request_unstake(backer.pubkey(), provider, 0), &backer)
        .await;
    env.advance_time(14 * SECONDS_PER_DAY).await;
    env.ok(
        ix::withdraw(backer.pubkey(), provider, 0, backer_io),
        &backer,
    )
    .await;
    check(
        "backer wallet (1,000 IO + rewards)",
        env.token_balance(&backer_io).await,
        1_000 * ONE_IO + backer_rewards,
    )?;
    check(
        "stake vault",
        env.token_balance(&pda::stake_vault()).await,
        3_500 * ONE_IO,
    )?;

    step(
        11,
        "conservation: genesis supply plus emissions is all accounted for",
    );
    let total = env.token_balance(&genesis).await
        + env.token_balance(&provider_io).await
        + env.token_balance(&backer_io).await
        + env.token_balance(&pda::stake_vault()).await
        + env.token_balance(&pda::treasury_io_vault()).await
        + env.token_balance(&pda::bond_vault()).await
        + env.token_balance(&pda::rewards_vault()).await;
    check(
        "sum of all IO accounts",
        total,
        500_000_000 * ONE_IO + emission.emitted,
    )?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    // The runtime logs every instruction at DEBUG by default (solana-program-
    // test's own logger set-up); the scenario prints its own story, so the
    // runtime is quiet unless RUST_LOG asks for more.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    match run().await {
        Ok(()) => {
            println!("\nscenario complete: every balance is exact");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("\nscenario FAILED: {err}");
            ExitCode::FAILURE
        }
    }
}
