use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::{error::IoComputeError, state::Provider};

#[tokio::test]
async fn register_update_and_close() {
    let mut env = TestEnv::initialized().await;
    let authority = env.wallet().await;
    let key = pda::provider(&authority.pubkey());
    let lamports_before = env.lamports(&authority.pubkey()).await;
    env.ok(
        ix::register_provider(authority.pubkey(), profile("acme gpus")),
        &authority,
    )
    .await;

    let provider: Provider = env.account(&key).await;
    assert_eq!(provider.authority, authority.pubkey());
    assert_eq!(provider.name, "acme gpus");
    assert_eq!(provider.region, "us-east");
    assert_eq!(provider.endpoint, "https://gpu.example.com:8443");
    assert_eq!(provider.co_stake_share_bps, 2_000);
    assert_eq!(provider.stake, Default::default());
    assert_eq!((provider.device_count, provider.next_device_index), (0, 0));
    assert_eq!(provider.created_at, GENESIS_TIME);
    let rent = env.lamports(&key).await;
    assert_eq!(
        env.lamports(&authority.pubkey()).await,
        lamports_before - rent
    );

    let mut changed = profile("acme gpus eu");
    changed.region = "eu-west".into();
    changed.endpoint = "http://10.0.0.7:9000".into();
    changed.co_stake_share_bps = 10_000;
    env.ok(
        ix::update_provider(authority.pubkey(), changed.clone()),
        &authority,
    )
    .await;
    let provider: Provider = env.account(&key).await;
    assert_eq!(
        (
            provider.name,
            provider.region,
            provider.endpoint,
            provider.co_stake_share_bps
        ),
        (
            changed.name,
            changed.region,
            changed.endpoint,
            changed.co_stake_share_bps
        )
    );

    env.ok(ix::close_provider(authority.pubkey()), &authority)
        .await;
    assert!(!env.exists(&key).await);
    assert_eq!(
        env.lamports(&authority.pubkey()).await,
        lamports_before,
        "rent comes back in full"
    );
}

#[tokio::test]
async fn invalid_profiles_are_refused() {
    let mut env = TestEnv::initialized().await;
    let authority = env.wallet().await;
    let key = pda::provider(&authority.pubkey());
    let cases = [
        (
            ProviderProfile {
                name: "".into(),
                ..profile("x")
            },
            IoComputeError::InvalidProviderName,
        ),
        (
            ProviderProfile {
                name: "n".repeat(33),
                ..profile("x")
            },
            IoComputeError::InvalidProviderName,
        ),
        (
            ProviderProfile {
                name: "bad\nname".into(),
                ..profile("x")
            },
            IoComputeError::InvalidProviderName,
        ),
        (
            ProviderProfile {
                region: "".into(),
                ..profile("x")
            },
            IoComputeError::InvalidRegion,
        ),
        (
            ProviderProfile {
                region: "US-EAST".into(),
                ..profile("x")
            },
            IoComputeError::InvalidRegion,
        ),
        (
            ProviderProfile {
                region: "r".repeat(17),
                ..profile("x")
            },
            IoComputeError::InvalidRegion,
        ),
        (
            ProviderProfile {
                endpoint: "ftp://x".into(),
                ..profile("x")
            },
            IoComputeError::InvalidEndpoint,
        ),
        (
            ProviderProfile {
                endpoint: "https://".into(),
                ..profile("x")
            },
            IoComputeError::InvalidEndpoint,
        ),
        (
            ProviderProfile {
                endpoint: format!("https://{}", "a".repeat(121)),
                ..profile("x")
            },
            IoComputeError::InvalidEndpoint,
        ),
        (
            ProviderProfile {
                co_stake_share_bps: 10_001,
                ..profile("x")
            },
            IoComputeError::InvalidCoStakeShare,
        ),
    ];
    for (bad, expected) in cases.clone() {
        env.rejects(
            ix::register_provider(authority.pubkey(), bad),
            &authority,
            &[key],
        )
        .await
        .assert_error(expected);
    }
    // 32-byte name and 128-byte endpoint are the exact limits.
    let limits = ProviderProfile {
        name: "n".repeat(32),
        endpoint: format!("https://{}", "a".repeat(120)),
        ..profile("x")
    };
    env.ok(
        ix::register_provider(authority.pubkey(), limits),
        &authority,
    )
    .await;
    for (bad, expected) in cases {
        env.rejects(
            ix::update_provider(authority.pubkey(), bad),
            &authority,
            &[key],
        )
        .await
        .assert_error(expected);
    }
}

#[tokio::test]
async fn only_the_authority_controls_its_provider() {
    let mut env = TestEnv::initialized().await;
    let owner = registered_provider(&mut env).await;
    let attacker = env.wallet().await;
    let key = provider_key(&owner);

    // Registering twice is refused.
    env.rejects(
        ix::register_provider(owner.pubkey(), profile("again")),
        &owner,
        &[key],
    )
    .await
    .assert_error(IoComputeError::AccountAlreadyExists);

    // The attacker signs, naming the victim's provider account.
    let mut update = ix::update_provider(attacker.pubkey(), profile("pwned"));
    update.accounts[1].pubkey = key;
    env.rejects(update, &attacker, &[key])
        .await
        .assert_anchor_error(AnchorError::ConstraintSeeds);
    let mut close = ix::close_provider(attacker.pubkey());
    close.accounts[1].pubkey = key;
    env.rejects(close, &attacker, &[key])
        .await
        .assert_anchor_error(AnchorError::ConstraintSeeds);

    // The victim's key without its signature.
    let mut unsigned = ix::update_provider(owner.pubkey(), profile("pwned"));
    unsigned.accounts[0].is_signer = false;
    env.expect_rejected(&[unsigned], &[], &[key])
        .await
        .assert_anchor_error(AnchorError::AccountNotSigner);

    // A token account posing as the provider.
    let mut fake = ix::update_provider(owner.pubkey(), profile("pwned"));
    fake.accounts[1].pubkey = pda::stake_vault();
    env.rejects(fake, &owner, &[key])
        .await
        .assert_anchor_error(AnchorError::AccountOwnedByWrongProgram);
}

#[tokio::test]
async fn close_requires_no_devices_and_no_stake() {
    let mut env = TestEnv::initialized().await;
    let (owner, source) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    let key = provider_key(&owner);
    env.rejects(ix::close_provider(owner.pubkey()), &owner, &[key])
        .await
        .assert_error(IoComputeError::ProviderHasStake);

    env.ok(ix::request_unstake(owner.pubkey(), key, 0), &owner)
        .await;
    env.rejects(ix::close_provider(owner.pubkey()), &owner, &[key])
        .await
        .assert_error(IoComputeError::ProviderHasStake);
    env.advance_time(14 * SECONDS_PER_DAY).await;
    env.ok(ix::withdraw(owner.pubkey(), key, 0, source), &owner)
        .await;

    env.ok(
        ix::add_device(owner.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Offline)),
        &owner,
    )
    .await;
    env.rejects(ix::close_provider(owner.pubkey()), &owner, &[key])
        .await
        .assert_error(IoComputeError::ProviderHasDevices);
    env.ok(ix::remove_device(owner.pubkey(), 0), &owner).await;
    env.ok(ix::close_provider(owner.pubkey()), &owner).await;
    assert!(!env.exists(&key).await);
    assert_eq!(env.token_balance(&source).await, 1_000 * ONE_IO);
}
