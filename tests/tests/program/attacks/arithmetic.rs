//! Arithmetic extremes: the largest (or most negative) value each numeric
//! argument can carry, for every instruction that takes one. Each must be
//! refused with its specific error, never a panic or an overflow fault,
//! and change nothing.

use super::*;
use io_compute::{
    state::ParamChange, BurnArgs, ClaimDeviceRewardArgs, CreateProposalArgs, PostDeviceRewardsArgs,
    PostUsageProofArgs, UpdateDeviceArgs,
};
use io_compute_sdk::ix::ProofKeys;

#[tokio::test]
async fn extreme_values_are_refused_cleanly() {
    let mut env = TestEnv::initialized().await;
    env.with_price(100_000_000).await;
    let admin = env.admin.insecure_clone();
    let keeper = env.admit_keeper().await;
    let keeper_io = env.ata(&keeper.pubkey(), &pda::io_mint()).await;
    let (owner, owner_io) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    let provider = provider_key(&owner);
    env.ok(
        ix::add_device(owner.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Idle)),
        &owner,
    )
    .await;
    let device = pda::device(&provider, 0);
    // Device 1 stays idle, so its price may change; the owner keeps IO.
    env.ok(
        ix::add_device(owner.pubkey(), 1, spec("RTX4090", 1, DeviceStatus::Idle)),
        &owner,
    )
    .await;
    env.give_io(&owner.pubkey(), 10 * ONE_IO).await;
    let (client, client_iosd) = env.iosd_holder(100 * ONE_IO).await;
    let client_io = env.give_io(&client.pubkey(), 10 * ONE_IO).await;
    env.ok(
        ix::create_lease(client.pubkey(), client_iosd, 0, lease_spec(1, 2, 500_000)),
        &client,
    )
    .await;
    env.ok(
        ix::assign_devices(keeper.pubkey(), 0, &[device], &[provider]),
        &keeper,
    )
    .await;
    let (whale, whale_io) = co_staker(&mut env, provider, 20_000 * ONE_IO).await;
    env.advance_time(1).await;
    env.ok(
        ix::init_governance(admin.pubkey(), Default::default()),
        &admin,
    )
    .await;
    let start = env.now().await;
    env.advance_time(600).await;
    let usage = |device_time_us, period_end| PostUsageProofArgs {
        seq: 0,
        period_start: start - 1,
        period_end,
        device_time_us,
        job_count: 1,
        receipts_root: [0; 32],
    };
    env.ok(
        post_usage_proof(keeper.pubkey(), 0, device, usage(1_000, start + 300)),
        &keeper,
    )
    .await;
    let keys = ProofKeys {
        lease_id: 0,
        device,
        provider,
        seq: 0,
        keeper_authority: keeper.pubkey(),
    };
    // A fresh price for the burns.
    env.ok(ix::update_price(admin.pubkey(), 100_000_000, 0, -8), &admin)
        .await;
    let max = u64::MAX;
    let burn = |args| {
        ix::burn_io_for_iosd(
            client.pubkey(),
            client_io,
            client_iosd,
            pda::price_feed(),
            0,
            args,
        )
    };
    let propose = |change| {
        ix::create_proposal(
            whale.pubkey(),
            provider,
            0,
            0,
            CreateProposalArgs {
                description: "extreme".into(),
                changes: vec![change],
                call: None,
            },
        )
    };
    let err = program_error;
    let cases = [
        (
            "stake u64::MAX",
            ix::stake(owner.pubkey(), owner_io, stake_args(1, max, 0)),
            vec![&owner],
            err(IoComputeError::InsufficientBalance),
        ),
        (
            "lockup i64::MAX",
            ix::stake(owner.pubkey(), owner_io, stake_args(1, ONE_IO, i64::MAX)),
            vec![&owner],
            err(IoComputeError::InvalidLockup),
        ),
        (
            "negative lockup",
            ix::stake(owner.pubkey(), owner_io, stake_args(1, ONE_IO, i64::MIN)),
            vec![&owner],
            err(IoComputeError::InvalidLockup),
        ),
        (
            "co-stake u64::MAX",
            ix::co_stake(whale.pubkey(), provider, whale_io, stake_args(1, max, 0)),
            vec![&whale],
            err(IoComputeError::InsufficientBalance),
        ),
        (
            "slash u64::MAX",
            ix::slash(admin.pubkey(), provider, max),
            vec![&admin],
            err(IoComputeError::SlashExceedsStake),
        ),
        (
            "device price u64::MAX",
            ix::update_device(
                owner.pubkey(),
                1,
                UpdateDeviceArgs {
                    price_per_gpu_hour: Some(max),
                    status: None,
                    worker: None,
                },
            ),
            vec![&owner],
            err(IoComputeError::InvalidPrice),
        ),
        (
            "255 GPUs at u64::MAX",
            ix::add_device(owner.pubkey(), 2, {
                let mut d = spec("RTX4090", u8::MAX, DeviceStatus::Idle);
                d.price_per_gpu_hour = max;
                d
            }),
            vec![&owner],
            err(IoComputeError::InvalidGpuCount),
        ),
        (
            "price i64::MAX",
            ix::update_price(admin.pubkey(), i64::MAX, 0, -8),
            vec![&admin],
            err(IoComputeError::PriceChangeTooLarge),
        ),
        (
            "price i64::MIN",
            ix::update_price(admin.pubkey(), i64::MIN, 0, -8),
            vec![&admin],
            err(IoComputeError::OraclePriceNotPositive),
        ),
        (
            "confidence u64::MAX",
            ix::update_price(admin.pubkey(), 100_000_000, max, -8),
            vec![&admin],
            err(IoComputeError::OracleTooUncertain),
        ),
        (
            "exponent i32::MIN",
            ix::update_price(admin.pubkey(), 100_000_000, 0, i32::MIN),
            vec![&admin],
            err(IoComputeError::InvalidPriceExponent),
        ),
        (
            "burn u64::MAX IO",
            burn(BurnArgs::ExactIn {
                io: max,
                min_iosd: 0,
            }),
            vec![&client],
            err(IoComputeError::InsufficientBalance),
        ),
        (
            "mint u64::MAX IOSD",
            burn(BurnArgs::ExactOut {
                iosd: max,
                max_io: max,
            }),
            vec![&client],
            err(IoComputeError::MathOverflow),
        ),
        (
            "lease for u32::MAX hours",
            ix::create_lease(client.pubkey(), client_iosd, 1, lease_spec(1, u32::MAX, 1)),
            vec![&client],
            err(IoComputeError::InvalidLeaseHours),
        ),
        (
            "lease at u64::MAX a GPU-hour",
            ix::create_lease(client.pubkey(), client_iosd, 1, lease_spec(16, 1, max)),
            vec![&client],
            err(IoComputeError::InvalidPrice),
        ),
        (
            "top-up u64::MAX",
            ix::top_up_lease(client.pubkey(), 0, client_iosd, max),
            vec![&client],
            err(IoComputeError::InsufficientBalance),
        ),
        // The period checks come before the worker signature's, so the
        // post alone is refused on its arithmetic.
        (
            "device time u64::MAX",
            post_usage_proof(keeper.pubkey(), 0, device, {
                let mut args = usage(max, start + 600);
                args.seq = 1;
                args.period_start = start + 300;
                args
            })[1]
                .clone(),
            vec![&keeper],
            err(IoComputeError::DeviceTimeExceedsPeriod),
        ),
        (
            "period ending at i64::MAX",
            post_usage_proof(keeper.pubkey(), 0, device, {
                let mut args = usage(1_000, i64::MAX);
                args.seq = 1;
                args.period_start = start + 300;
                args
            })[1]
                .clone(),
            vec![&keeper],
            err(IoComputeError::InvalidProofPeriod),
        ),
        (
            "dispute bond u64::MAX",
            ix::dispute_proof(whale.pubkey(), keys, whale_io, max),
            vec![&whale],
            err(IoComputeError::InsufficientBalance),
        ),
        (
            "keeper bond u64::MAX",
            ix::admit_keeper(
                admin.pubkey(),
                whale.pubkey(),
                whale_io,
                max,
                "https://keeper.example.com",
            ),
            vec![&admin, &whale],
            err(IoComputeError::InsufficientBalance),
        ),
        (
            "device rewards u64::MAX",
            ix::post_device_rewards(
                keeper.pubkey(),
                PostDeviceRewardsArgs {
                    epoch: 0,
                    root: [1; 32],
                    total: max,
                },
            ),
            vec![&keeper],
            err(IoComputeError::EpochNotClosed),
        ),
        (
            "device reward claim u64::MAX",
            ix::claim_device_reward(
                keeper.pubkey(),
                device,
                keeper_io,
                ClaimDeviceRewardArgs {
                    epoch: 0,
                    amount: max,
                    proof: vec![],
                },
            ),
            vec![&keeper],
            err(IoComputeError::DeviceRewardsNotPosted),
        ),
        (
            "fee of 65,535 bps",
            propose(ParamChange::ProviderFeeBps(u16::MAX)),
            vec![&whale],
            err(IoComputeError::ChangeOutOfBounds),
        ),
        (
            "dispute window i64::MAX",
            propose(ParamChange::DisputeWindowSecs(i64::MAX)),
            vec![&whale],
            err(IoComputeError::ChangeOutOfBounds),
        ),
        (
            "negative dispute window",
            propose(ParamChange::DisputeWindowSecs(i64::MIN)),
            vec![&whale],
            err(IoComputeError::ChangeOutOfBounds),
        ),
    ];
    let mut wrong = Vec::new();
    for (what, ix, signers, expected) in cases {
        let watch = writable(&ix);
        let outcome = env.expect_rejected_as(what, &[ix], &signers, &watch).await;
        if outcome.custom_code() != Some(expected) {
            let reason = outcome.logs.iter().find(|l| l.contains("Error Code"));
            wrong.push(format!("{what}: {:?} {reason:?}", outcome.result));
        }
    }
    assert!(wrong.is_empty(), "unexpected errors:\n{}", wrong.join("\n"));
}
