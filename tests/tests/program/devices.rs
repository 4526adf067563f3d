use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::{
    constants::MAX_PRICE_PER_GPU_HOUR, error::IoComputeError, state::Device, UpdateDeviceArgs,
};

const RTX4090_REQUIREMENT: u64 = 200 * ONE_IO; // 200 IO x 1.0x per GPU
const H100_REQUIREMENT: u64 = 2_000 * ONE_IO; // 200 IO x 10x per GPU

#[tokio::test]
async fn add_device_records_spec_and_stake_requirement() {
    let mut env = TestEnv::initialized().await;
    let (owner, _) = staked_provider(&mut env, 2 * H100_REQUIREMENT).await;
    let provider = provider_key(&owner);

    let h100 = DeviceSpec {
        vram_gb: 80,
        price_per_gpu_hour: 2_500_000,
        ..spec("H100-SXM", 2, DeviceStatus::Idle)
    };
    let outcome = env
        .send(&[ix::add_device(owner.pubkey(), 0, h100)], &[&owner])
        .await;
    outcome.assert_ok();
    assert_eq!(
        outcome.events::<io_compute::events::DeviceAdded>(),
        vec![io_compute::events::DeviceAdded {
            device: pda::device(&provider, 0),
            provider,
            index: 0,
            model: h100.model,
            gpu_count: 2,
            vram_gb: 80,
            price_per_gpu_hour: 2_500_000,
            status: DeviceStatus::Idle,
            worker: test_worker().pubkey(),
            stake_requirement: 2 * H100_REQUIREMENT,
        }]
    );
    let device: Device = env.account(&pda::device(&provider, 0)).await;
    assert_eq!(device.provider, provider);
    assert_eq!(device.index, 0);
    assert_eq!(gpu::model_name(&device.model), "H100-SXM");
    assert_eq!(
        (device.gpu_count, device.vram_gb, device.price_per_gpu_hour),
        (2, 80, 2_500_000)
    );
    assert_eq!(device.status, DeviceStatus::Idle);
    assert_eq!(device.current_lease, Pubkey::default());
    assert_eq!(device.stake_requirement, 2 * H100_REQUIREMENT);
    assert_eq!(device.reliability_bps, 5_000);
    assert_eq!(device.created_at, GENESIS_TIME);

    let p = env.provider(&owner.pubkey()).await;
    assert_eq!((p.device_count, p.next_device_index), (1, 1));
    assert_eq!(p.required_stake_active, 2 * H100_REQUIREMENT);

    // Exactly at the requirement: one more Idle device does not fit, an
    // Offline one needs no stake.
    let watch = [provider, pda::device(&provider, 1)];
    env.rejects(
        ix::add_device(owner.pubkey(), 1, spec("RTX4090", 1, DeviceStatus::Idle)),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::InsufficientProviderStake);
    env.ok(
        ix::add_device(owner.pubkey(), 1, spec("RTX4090", 1, DeviceStatus::Offline)),
        &owner,
    )
    .await;
    let p = env.provider(&owner.pubkey()).await;
    assert_eq!(
        (p.device_count, p.required_stake_active),
        (2, 2 * H100_REQUIREMENT)
    );
}

#[tokio::test]
async fn invalid_device_specs_are_refused() {
    let mut env = TestEnv::initialized().await;
    let (owner, _) = staked_provider(&mut env, 10_000 * ONE_IO).await;
    let provider = provider_key(&owner);
    let watch = [provider, pda::device(&provider, 0)];
    let cases = [
        (
            spec("B300", 1, DeviceStatus::Idle),
            IoComputeError::UnknownGpuModel,
        ),
        (
            spec("RTX4090", 0, DeviceStatus::Idle),
            IoComputeError::InvalidGpuCount,
        ),
        (
            spec("RTX4090", 17, DeviceStatus::Idle),
            IoComputeError::InvalidGpuCount,
        ),
        (
            DeviceSpec {
                vram_gb: 0,
                ..spec("RTX4090", 1, DeviceStatus::Idle)
            },
            IoComputeError::InvalidVram,
        ),
        (
            DeviceSpec {
                price_per_gpu_hour: 0,
                ..spec("RTX4090", 1, DeviceStatus::Idle)
            },
            IoComputeError::InvalidPrice,
        ),
        (
            DeviceSpec {
                price_per_gpu_hour: MAX_PRICE_PER_GPU_HOUR + 1,
                ..spec("RTX4090", 1, DeviceStatus::Idle)
            },
            IoComputeError::InvalidPrice,
        ),
        (
            spec("RTX4090", 1, DeviceStatus::Leased),
            IoComputeError::InvalidDeviceStatus,
        ),
        (
            spec("RTX4090", 1, DeviceStatus::Jailed),
            IoComputeError::InvalidDeviceStatus,
        ),
    ];
    for (bad, expected) in cases {
        env.rejects(ix::add_device(owner.pubkey(), 0, bad), &owner, &watch)
            .await
            .assert_error(expected);
    }
    // A device PDA that skips the next index does not match the seeds.
    env.rejects(
        ix::add_device(owner.pubkey(), 5, spec("RTX4090", 1, DeviceStatus::Idle)),
        &owner,
        &watch,
    )
    .await
    .assert_anchor_error(AnchorError::ConstraintSeeds);
    // The highest price and GPU count are allowed.
    let max = DeviceSpec {
        price_per_gpu_hour: MAX_PRICE_PER_GPU_HOUR,
        ..spec("RTX4090", 16, DeviceStatus::Offline)
    };
    env.ok(ix::add_device(owner.pubkey(), 0, max), &owner).await;
}

#[tokio::test]
async fn update_device_price_and_status_track_the_requirement() {
    let mut env = TestEnv::initialized().await;
    let (owner, _) = staked_provider(&mut env, RTX4090_REQUIREMENT * 2).await;
    let provider = provider_key(&owner);
    let device = pda::device(&provider, 0);
    env.ok(
        ix::add_device(owner.pubkey(), 0, spec("RTX4090", 2, DeviceStatus::Offline)),
        &owner,
    )
    .await;
    assert_eq!(env.provider(&owner.pubkey()).await.required_stake_active, 0);

    let update = |price, status| UpdateDeviceArgs {
        price_per_gpu_hour: price,
        status,
        worker: None,
    };
    env.ok(
        ix::update_device(
            owner.pubkey(),
            0,
            update(Some(900_000), Some(DeviceStatus::Idle)),
        ),
        &owner,
    )
    .await;
    let d: Device = env.account(&device).await;
    assert_eq!(
        (d.price_per_gpu_hour, d.status),
        (900_000, DeviceStatus::Idle)
    );
    assert_eq!(
        env.provider(&owner.pubkey()).await.required_stake_active,
        2 * RTX4090_REQUIREMENT
    );

    // Idle -> Idle is a no-op for the requirement.
    env.ok(
        ix::update_device(owner.pubkey(), 0, update(None, Some(DeviceStatus::Idle))),
        &owner,
    )
    .await;
    assert_eq!(
        env.provider(&owner.pubkey()).await.required_stake_active,
        2 * RTX4090_REQUIREMENT
    );

    env.ok(
        ix::update_device(owner.pubkey(), 0, update(None, Some(DeviceStatus::Offline))),
        &owner,
    )
    .await;
    assert_eq!(env.provider(&owner.pubkey()).await.required_stake_active, 0);

    let watch = [provider, device];
    for (args, expected) in [
        (update(Some(0), None), IoComputeError::InvalidPrice),
        (
            update(None, Some(DeviceStatus::Leased)),
            IoComputeError::InvalidDeviceStatus,
        ),
        (
            update(None, Some(DeviceStatus::Jailed)),
            IoComputeError::InvalidDeviceStatus,
        ),
    ] {
        env.rejects(ix::update_device(owner.pubkey(), 0, args), &owner, &watch)
            .await
            .assert_error(expected);
    }

    // Without enough stake the device cannot go Idle.
    env.ok(
        ix::add_device(
            owner.pubkey(),
            1,
            spec("H100-SXM", 1, DeviceStatus::Offline),
        ),
        &owner,
    )
    .await;
    env.rejects(
        ix::update_device(owner.pubkey(), 1, update(None, Some(DeviceStatus::Idle))),
        &owner,
        &[provider, pda::device(&provider, 1)],
    )
    .await
    .assert_error(IoComputeError::InsufficientProviderStake);
}

#[tokio::test]
async fn leased_devices_cannot_be_removed_or_taken_offline() {
    let mut env = TestEnv::initialized().await;
    let (owner, _) = staked_provider(&mut env, RTX4090_REQUIREMENT).await;
    let provider = provider_key(&owner);
    let key = pda::device(&provider, 0);
    env.ok(
        ix::add_device(owner.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Idle)),
        &owner,
    )
    .await;
    // Put the device in the state `assign_devices` leaves it in.
    let mut device: Device = env.account(&key).await;
    device.status = DeviceStatus::Leased;
    device.current_lease = Pubkey::new_unique();
    env.write_account(&key, &device).await;

    let offline = UpdateDeviceArgs {
        price_per_gpu_hour: None,
        status: Some(DeviceStatus::Offline),
        worker: None,
    };
    env.rejects(
        ix::update_device(owner.pubkey(), 0, offline),
        &owner,
        &[provider, key],
    )
    .await
    .assert_error(IoComputeError::DeviceLeased);
    env.rejects(
        ix::remove_device(owner.pubkey(), 0),
        &owner,
        &[provider, key],
    )
    .await
    .assert_error(IoComputeError::DeviceLeased);
}

#[tokio::test]
async fn remove_device_returns_rent_and_releases_requirement() {
    let mut env = TestEnv::initialized().await;
    let (owner, _) = staked_provider(&mut env, RTX4090_REQUIREMENT).await;
    let provider = provider_key(&owner);
    let key = pda::device(&provider, 0);
    env.ok(
        ix::add_device(owner.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Idle)),
        &owner,
    )
    .await;
    let rent = env.lamports(&key).await;
    let before = env.lamports(&owner.pubkey()).await;
    env.ok(ix::remove_device(owner.pubkey(), 0), &owner).await;
    assert!(!env.exists(&key).await);
    assert_eq!(env.lamports(&owner.pubkey()).await, before + rent);
    let p = env.provider(&owner.pubkey()).await;
    assert_eq!(
        (p.device_count, p.next_device_index, p.required_stake_active),
        (0, 1, 0)
    );

    // Indices are never reused: the next device is index 1.
    env.ok(
        ix::add_device(owner.pubkey(), 1, spec("RTX4090", 1, DeviceStatus::Idle)),
        &owner,
    )
    .await;
    // A stranger cannot remove it, even naming the right accounts.
    let stranger = env.wallet().await;
    let mut remove = ix::remove_device(stranger.pubkey(), 1);
    remove.accounts[1].pubkey = provider;
    remove.accounts[2].pubkey = pda::device(&provider, 1);
    env.rejects(remove, &stranger, &[provider, pda::device(&provider, 1)])
        .await
        .assert_anchor_error(AnchorError::ConstraintSeeds);
}
