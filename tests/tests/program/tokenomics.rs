//! Oracle sources, burning IO for IOSD, the IOSD circuit breaker, and the
//! supply accounting behind them.

use crate::*;
use io_compute::{
    error::IoComputeError,
    events::IoBurnedForIosd,
    state::{Epoch, OracleConfig, OracleSource, Tokenomics},
    BurnArgs,
};
use io_compute_sdk::oracle::{
    price_update_v2_data, PythPriceUpdate as PythPrice, PYTH_RECEIVER_ID,
};
use solana_sdk::account::Account;

const GENESIS: u64 = 500_000_000 * ONE_IO;
const FEED: [u8; 32] = [0x10; 32];

struct Burner {
    owner: Keypair,
    io: Pubkey,
    iosd: Pubkey,
}

async fn burner(env: &mut TestEnv, io_amount: u64) -> Burner {
    let owner = env.wallet().await;
    let io = env.give_io(&owner.pubkey(), io_amount).await;
    let iosd = env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
    Burner { owner, io, iosd }
}

async fn burn(env: &mut TestEnv, b: &Burner, price: Pubkey, args: BurnArgs) -> TxOutcome {
    let epoch = env
        .account::<Tokenomics>(&pda::tokenomics())
        .await
        .current_epoch;
    let ix = ix::burn_io_for_iosd(b.owner.pubkey(), b.io, b.iosd, price, epoch, args);
    env.send(&[ix], &[&b.owner]).await
}

/// IOSD supply equals everything minted as recorded; IO supply equals
/// genesis minus everything burned; the epoch's totals match.
async fn assert_supply_invariants(env: &mut TestEnv) {
    let t: Tokenomics = env.account(&pda::tokenomics()).await;
    assert_eq!(
        env.mint_supply(&pda::iosd_mint()).await,
        t.total_iosd_minted,
        "IOSD supply"
    );
    assert_eq!(
        env.mint_supply(&pda::io_mint()).await,
        GENESIS - t.total_io_burned,
        "IO supply"
    );
    let e: Epoch = env.account(&pda::epoch(t.current_epoch)).await;
    assert_eq!(
        (e.io_burned, e.iosd_minted),
        (t.total_io_burned, t.total_iosd_minted)
    );
}

fn expected_iosd(io: u64, price: u64, expo_shift: u32) -> u64 {
    // iosd = io x price / 10^(3 - expo) with expo -8: / 10^11
    ((io as u128 * price as u128) / 10u128.pow(expo_shift)) as u64
}

#[tokio::test]
async fn burn_exact_in_and_exact_out_at_the_conservative_price() {
    let mut env = TestEnv::with_tokenomics().await;
    let admin = env.admin.insecure_clone();
    // 2.50 USD with a 0.01 confidence: minting uses 2.50 - 2 x 0.01 = 2.48.
    env.ok(
        ix::update_price(admin.pubkey(), 250_000_000, 1_000_000, -8),
        &admin,
    )
    .await;
    let b = burner(&mut env, 10 * ONE_IO).await;
    assert_supply_invariants(&mut env).await;

    let outcome = burn(
        &mut env,
        &b,
        pda::price_feed(),
        BurnArgs::ExactIn {
            io: 4 * ONE_IO,
            min_iosd: 9_920_000,
        },
    )
    .await;
    outcome.assert_ok();
    assert_eq!(
        env.token_balance(&b.iosd).await,
        9_920_000,
        "4 IO x 2.48 = 9.92 IOSD"
    );
    assert_eq!(env.token_balance(&b.io).await, 6 * ONE_IO);
    assert_eq!(
        outcome.events::<IoBurnedForIosd>(),
        vec![IoBurnedForIosd {
            owner: b.owner.pubkey(),
            destination: b.iosd,
            epoch: 0,
            io_burned: 4 * ONE_IO,
            iosd_minted: 9_920_000,
            price: 248_000_000,
            expo: -8,
        }]
    );
    assert_supply_invariants(&mut env).await;

    // Exactly 1 IOSD costs ceil(1 / 2.48) IO = 0.403225807 IO.
    burn(
        &mut env,
        &b,
        pda::price_feed(),
        BurnArgs::ExactOut {
            iosd: ONE_IOSD,
            max_io: ONE_IO,
        },
    )
    .await
    .assert_ok();
    assert_eq!(env.token_balance(&b.iosd).await, 9_920_000 + ONE_IOSD);
    assert_eq!(env.token_balance(&b.io).await, 6 * ONE_IO - 403_225_807);
    // It is the least that works: one base unit less buys under 1 IOSD.
    assert_eq!(expected_iosd(403_225_806, 248_000_000, 11), 999_999);
    assert_supply_invariants(&mut env).await;

    // Dust: 1 base unit of IO buys nothing and is refused.
    let watch = [
        b.io,
        b.iosd,
        pda::tokenomics(),
        pda::io_mint(),
        pda::iosd_mint(),
    ];
    let epoch = 0;
    for (args, expected) in [
        (
            BurnArgs::ExactIn { io: 1, min_iosd: 0 },
            IoComputeError::ZeroAmount,
        ),
        (
            BurnArgs::ExactIn { io: 0, min_iosd: 0 },
            IoComputeError::ZeroAmount,
        ),
        (
            BurnArgs::ExactOut {
                iosd: 0,
                max_io: u64::MAX,
            },
            IoComputeError::ZeroAmount,
        ),
        (
            BurnArgs::ExactIn {
                io: ONE_IO,
                min_iosd: 2_480_001,
            },
            IoComputeError::SlippageExceeded,
        ),
        (
            BurnArgs::ExactOut {
                iosd: ONE_IOSD,
                max_io: 403_225_806,
            },
            IoComputeError::SlippageExceeded,
        ),
        (
            BurnArgs::ExactIn {
                io: 6 * ONE_IO,
                min_iosd: 0,
            },
            IoComputeError::InsufficientBalance,
        ),
        (
            BurnArgs::ExactIn {
                io: u64::MAX,
                min_iosd: 0,
            },
            IoComputeError::InsufficientBalance,
        ),
        // u64::MAX IOSD would cost more IO than a u64 holds.
        (
            BurnArgs::ExactOut {
                iosd: u64::MAX,
                max_io: u64::MAX,
            },
            IoComputeError::MathOverflow,
        ),
    ] {
        let ix = ix::burn_io_for_iosd(
            b.owner.pubkey(),
            b.io,
            b.iosd,
            pda::price_feed(),
            epoch,
            args,
        );
        env.rejects(ix, &b.owner, &watch)
            .await
            .assert_error(expected);
    }
    // IOSD is freely transferable: it moves like any SPL token.
    let friend = env.ata(&admin.pubkey(), &pda::iosd_mint()).await;
    let transfer = spl_token_interface::instruction::transfer_checked(
        &spl_token_interface::ID,
        &b.iosd,
        &pda::iosd_mint(),
        &friend,
        &b.owner.pubkey(),
        &[],
        ONE_IOSD,
        6,
    )
    .unwrap();
    env.ok(transfer, &b.owner).await;
    assert_eq!(env.token_balance(&friend).await, ONE_IOSD);
}

#[tokio::test]
async fn authority_feed_rejections() {
    let mut env = TestEnv::with_tokenomics().await;
    let admin = env.admin.insecure_clone();
    let b = burner(&mut env, 10 * ONE_IO).await;
    let watch = [pda::price_feed()];

    let stranger = env.wallet().await;
    env.rejects(
        ix::update_price(stranger.pubkey(), 250_000_000, 0, -8),
        &stranger,
        &watch,
    )
    .await
    .assert_error(IoComputeError::NotPriceAuthority);
    for (price, conf, expo, expected) in [
        (0, 0, -8, IoComputeError::OraclePriceNotPositive),
        (-1, 0, -8, IoComputeError::OraclePriceNotPositive),
        (250_000_000, 0, -9, IoComputeError::InvalidPriceExponent),
        (250_000_000, 0, 1, IoComputeError::InvalidPriceExponent),
        // The default limit is 10 % an hour: 2.75 passes, 2.7501 does not.
        (275_010_000, 0, -8, IoComputeError::PriceChangeTooLarge),
        (224_990_000, 0, -8, IoComputeError::PriceChangeTooLarge),
    ] {
        env.rejects(
            ix::update_price(admin.pubkey(), price, conf, expo),
            &admin,
            &watch,
        )
        .await
        .assert_error(expected);
    }
    env.ok(ix::update_price(admin.pubkey(), 275_000_000, 0, -8), &admin)
        .await;
    // M1: the limit holds over the hour, not per update. An update after
    // an hour opens a window at the price before it (2.75)...
    env.advance_time(3_600).await;
    env.ok(ix::update_price(admin.pubkey(), 280_000_000, 0, -8), &admin)
        .await;
    let feed: io_compute::state::PriceFeed = env.account(&pda::price_feed()).await;
    assert_eq!(feed.window_price, 275_000_000);
    // ... and within it, two updates in one transaction, or a later one,
    // stay within 10 % of 2.75.
    let two = [
        ix::update_price(admin.pubkey(), 290_000_000, 0, -8),
        ix::update_price(admin.pubkey(), 302_510_000, 0, -8),
    ];
    env.expect_rejected(&two, &[&admin], &watch)
        .await
        .assert_error(IoComputeError::PriceChangeTooLarge);
    env.set_time(feed.window_start + 3_599).await;
    env.rejects(
        ix::update_price(admin.pubkey(), 302_510_000, 0, -8),
        &admin,
        &watch,
    )
    .await
    .assert_error(IoComputeError::PriceChangeTooLarge);
    env.ok(ix::update_price(admin.pubkey(), 302_500_000, 0, -8), &admin)
        .await;
    // The next window opens from 3.025.
    env.set_time(feed.window_start + 3_600).await;
    env.ok(ix::update_price(admin.pubkey(), 332_750_000, 0, -8), &admin)
        .await;
    env.rejects(
        ix::update_price(admin.pubkey(), 272_240_000, 0, -8),
        &admin,
        &watch,
    )
    .await
    .assert_error(IoComputeError::PriceChangeTooLarge);
    env.advance_time(3_600).await;
    env.ok(ix::update_price(admin.pubkey(), 302_500_000, 0, -8), &admin)
        .await;
    env.advance_time(3_600).await;
    env.ok(ix::update_price(admin.pubkey(), 275_000_000, 0, -8), &admin)
        .await;

    // Too uncertain: a confidence above 2 % of the price is refused when
    // written, exactly 2 % is not.
    env.rejects(
        ix::update_price(admin.pubkey(), 275_000_000, 5_500_001, -8),
        &admin,
        &watch,
    )
    .await
    .assert_error(IoComputeError::OracleTooUncertain);
    env.ok(
        ix::update_price(admin.pubkey(), 275_000_000, 5_500_000, -8),
        &admin,
    )
    .await;
    let exact_in = BurnArgs::ExactIn {
        io: ONE_IO,
        min_iosd: 0,
    };
    let guarded = [b.io, b.iosd, pda::tokenomics()];
    let ix_with = |price| ix::burn_io_for_iosd(b.owner.pubkey(), b.io, b.iosd, price, 0, exact_in);
    // A limit lowered after the write is applied when the price is read.
    let oracle = env.config().await.oracle;
    let strict = io_compute::state::OracleConfig {
        max_conf_bps: 100,
        ..oracle
    };
    env.ok(ix::set_oracle(admin.pubkey(), strict), &admin).await;
    env.rejects(ix_with(pda::price_feed()), &b.owner, &guarded)
        .await
        .assert_error(IoComputeError::OracleTooUncertain);
    env.ok(ix::set_oracle(admin.pubkey(), oracle), &admin).await;
    let published = env.now().await;

    // Stale: exactly the maximum age is fine, one second more is not.
    env.set_time(published + 600).await;
    burn(&mut env, &b, pda::price_feed(), exact_in)
        .await
        .assert_ok();
    env.set_time(published + 601).await;
    env.rejects(ix_with(pda::price_feed()), &b.owner, &guarded)
        .await
        .assert_error(IoComputeError::OracleStale);

    // Not the configured feed.
    env.ok(ix::update_price(admin.pubkey(), 275_000_000, 0, -8), &admin)
        .await;
    env.rejects(ix_with(pda::config()), &b.owner, &guarded)
        .await
        .assert_error(IoComputeError::OracleWrongAccount);
    assert_supply_invariants(&mut env).await;
}

fn pyth(price: i64, ema: i64, ema_conf: u64, publish_time: i64) -> PythPrice {
    PythPrice {
        feed_id: FEED,
        price,
        conf: 0,
        expo: -8,
        publish_time,
        ema_price: ema,
        ema_conf,
        fully_verified: true,
    }
}

fn pyth_account(p: &PythPrice, owner: Pubkey) -> Account {
    let data = price_update_v2_data(p);
    Account {
        lamports: 10_000_000,
        data,
        owner,
        executable: false,
        rent_epoch: 0,
    }
}

#[tokio::test]
async fn pyth_source_uses_the_ema_and_rejects_each_bad_update() {
    let mut env = TestEnv::with_tokenomics().await;
    let admin = env.admin.insecure_clone();
    let oracle = OracleConfig {
        source: OracleSource::Pyth,
        pyth_feed_id: FEED,
        ..OracleConfig::default_for(admin.pubkey())
    };
    env.ok(ix::set_oracle(admin.pubkey(), oracle), &admin).await;
    assert_eq!(env.config().await.oracle, oracle);
    let b = burner(&mut env, 10 * ONE_IO).await;
    let now = env.now().await;
    let update = Pubkey::new_unique();
    let exact_in = BurnArgs::ExactIn {
        io: ONE_IO,
        min_iosd: 0,
    };

    // Spot 9.99 USD, EMA 3.00 +- 0.01: the mint uses 3.00 - 0.02 = 2.98.
    env.ctx.set_account(
        &update,
        &pyth_account(
            &pyth(999_000_000, 300_000_000, 1_000_000, now),
            PYTH_RECEIVER_ID,
        )
        .into(),
    );
    burn(&mut env, &b, update, exact_in).await.assert_ok();
    assert_eq!(env.token_balance(&b.iosd).await, 2_980_000);
    assert_supply_invariants(&mut env).await;

    let guarded = [b.io, b.iosd, pda::tokenomics()];
    let cases: Vec<(Account, IoComputeError)> = vec![
        (
            pyth_account(&pyth(1, 300_000_000, 0, now), Pubkey::new_unique()),
            IoComputeError::OracleWrongOwner,
        ),
        (
            pyth_account(
                &PythPrice {
                    feed_id: [0x11; 32],
                    ..pyth(1, 300_000_000, 0, now)
                },
                PYTH_RECEIVER_ID,
            ),
            IoComputeError::OracleWrongFeed,
        ),
        (
            pyth_account(
                &PythPrice {
                    fully_verified: false,
                    ..pyth(1, 300_000_000, 0, now)
                },
                PYTH_RECEIVER_ID,
            ),
            IoComputeError::OracleNotFullyVerified,
        ),
        (
            pyth_account(&pyth(1, -300_000_000, 0, now), PYTH_RECEIVER_ID),
            IoComputeError::OraclePriceNotPositive,
        ),
        (
            pyth_account(&pyth(1, 300_000_000, 6_000_001, now), PYTH_RECEIVER_ID),
            IoComputeError::OracleTooUncertain,
        ),
        (
            pyth_account(&pyth(1, 300_000_000, 0, now - 601), PYTH_RECEIVER_ID),
            IoComputeError::OracleStale,
        ),
        (
            Account {
                lamports: 10_000_000,
                data: vec![1; 40],
                owner: PYTH_RECEIVER_ID,
                executable: false,
                rent_epoch: 0,
            },
            IoComputeError::OracleMalformed,
        ),
    ];
    for (account, expected) in cases {
        let key = Pubkey::new_unique();
        env.ctx.set_account(&key, &account.into());
        let ix = ix::burn_io_for_iosd(b.owner.pubkey(), b.io, b.iosd, key, 0, exact_in);
        env.rejects(ix, &b.owner, &guarded)
            .await
            .assert_error(expected);
    }
    // Exactly the maximum age is accepted.
    let edge = Pubkey::new_unique();
    env.ctx.set_account(
        &edge,
        &pyth_account(&pyth(1, 300_000_000, 0, now - 600), PYTH_RECEIVER_ID).into(),
    );
    burn(&mut env, &b, edge, exact_in).await.assert_ok();
    // The authority feed is no longer the source.
    let ix = ix::burn_io_for_iosd(
        b.owner.pubkey(),
        b.io,
        b.iosd,
        pda::price_feed(),
        0,
        exact_in,
    );
    env.rejects(ix, &b.owner, &guarded)
        .await
        .assert_error(IoComputeError::OracleWrongOwner);
    assert_supply_invariants(&mut env).await;
}

#[tokio::test]
async fn circuit_breaker_caps_minting_and_decays() {
    let mut env = TestEnv::initialized_with(io_compute::state::TokenomicsParams {
        iosd_mint_cap: 100 * ONE_IOSD,
        iosd_mint_window_secs: 1_000,
        ..default_tokenomics()
    })
    .await;
    let admin = env.admin.insecure_clone();
    let key = admin.pubkey();
    // 1 USD per IO makes the arithmetic plain: 1 IO = 1 IOSD.
    env.with_price(100_000_000).await;
    let b = burner(&mut env, 1_000 * ONE_IO).await;
    let start = env.now().await;

    burn(
        &mut env,
        &b,
        pda::price_feed(),
        BurnArgs::ExactOut {
            iosd: 100 * ONE_IOSD,
            max_io: u64::MAX,
        },
    )
    .await
    .assert_ok();
    let guarded = [b.io, b.iosd, pda::tokenomics()];
    let one_more = ix::burn_io_for_iosd(
        b.owner.pubkey(),
        b.io,
        b.iosd,
        pda::price_feed(),
        0,
        BurnArgs::ExactOut {
            iosd: 1,
            max_io: u64::MAX,
        },
    );
    env.rejects(one_more.clone(), &b.owner, &guarded)
        .await
        .assert_error(IoComputeError::IosdBreakerTripped);

    // Half the window later, half the cap is free again; not one unit more.
    env.set_time(start + 500).await;
    burn(
        &mut env,
        &b,
        pda::price_feed(),
        BurnArgs::ExactOut {
            iosd: 50 * ONE_IOSD,
            max_io: u64::MAX,
        },
    )
    .await
    .assert_ok();
    env.rejects(one_more.clone(), &b.owner, &guarded)
        .await
        .assert_error(IoComputeError::IosdBreakerTripped);
    // A full window later the breaker is empty (the price is refreshed,
    // it would be stale by now).
    env.set_time(start + 1_500).await;
    env.ok(ix::update_price(key, 100_000_000, 0, -8), &admin)
        .await;
    burn(
        &mut env,
        &b,
        pda::price_feed(),
        BurnArgs::ExactOut {
            iosd: 100 * ONE_IOSD,
            max_io: u64::MAX,
        },
    )
    .await
    .assert_ok();
    assert_eq!(env.token_balance(&b.iosd).await, 250 * ONE_IOSD);
    assert_supply_invariants(&mut env).await;
}

#[tokio::test]
async fn tokenomics_setup_is_guarded() {
    let mut env = TestEnv::protocol_only().await;
    let admin = env.admin.insecure_clone();
    let stranger = env.wallet().await;
    let key = admin.pubkey();
    let watch = [pda::config(), pda::tokenomics(), pda::price_feed()];
    env.rejects(
        ix::init_tokenomics(stranger.pubkey(), default_tokenomics()),
        &stranger,
        &watch,
    )
    .await
    .assert_error(IoComputeError::NotConfigAuthority);
    env.rejects(
        ix::set_oracle(stranger.pubkey(), OracleConfig::default_for(key)),
        &stranger,
        &watch,
    )
    .await
    .assert_error(IoComputeError::NotConfigAuthority);
    let bad = io_compute::state::TokenomicsParams {
        iosd_mint_cap: 0,
        ..default_tokenomics()
    };
    env.rejects(ix::init_tokenomics(key, bad), &admin, &watch)
        .await
        .assert_error(IoComputeError::InvalidParameter);
    let mut uneven = default_tokenomics();
    uneven.fee_split.burn_bps += 1;
    env.rejects(ix::init_tokenomics(key, uneven), &admin, &watch)
        .await
        .assert_error(IoComputeError::InvalidFeeSplit);
    for oracle in [
        OracleConfig {
            max_age_secs: 0,
            ..OracleConfig::default_for(key)
        },
        OracleConfig {
            max_conf_bps: 1_001,
            ..OracleConfig::default_for(key)
        },
        OracleConfig {
            max_change_bps: 5_001,
            ..OracleConfig::default_for(key)
        },
        OracleConfig {
            source: OracleSource::Pyth,
            ..OracleConfig::default_for(key)
        },
    ] {
        env.rejects(ix::set_oracle(key, oracle), &admin, &watch)
            .await
            .assert_error(IoComputeError::InvalidParameter);
    }
    env.ok(ix::init_tokenomics(key, default_tokenomics()), &admin)
        .await;
    env.rejects(
        ix::init_tokenomics(key, default_tokenomics()),
        &admin,
        &watch,
    )
    .await
    .assert_error(IoComputeError::AccountAlreadyExists);
    let epoch: Epoch = env.account(&pda::epoch(0)).await;
    assert_eq!(
        (epoch.number, epoch.start, epoch.io_burned),
        (0, GENESIS_TIME, 0)
    );
}

#[tokio::test]
async fn epochs_advance_exactly_once_on_schedule() {
    let mut env = TestEnv::with_tokenomics().await;
    let cranker = env.wallet().await;
    let day = SECONDS_PER_DAY;
    let watch = [pda::tokenomics(), pda::epoch(1)];

    env.set_time(GENESIS_TIME + day - 1).await;
    env.rejects(ix::advance_epoch(cranker.pubkey(), 0), &cranker, &watch)
        .await
        .assert_error(IoComputeError::EpochNotEnded);
    env.set_time(GENESIS_TIME + day).await;
    let outcome = env
        .ok(ix::advance_epoch(cranker.pubkey(), 0), &cranker)
        .await;
    assert_eq!(
        outcome.events::<io_compute::events::EpochAdvanced>(),
        vec![io_compute::events::EpochAdvanced {
            epoch: 1,
            start: GENESIS_TIME + day,
            previous_io_burned: 0,
            previous_iosd_minted: 0,
            // 2M IO a month for one day of 30; nobody stakes, so only the
            // devices' 70 % is minted.
            emission: io_compute::state::EpochEmission {
                scheduled: 66_666_666_666_666,
                net: 0,
                emitted: 46_666_666_666_667,
                stakers: 0,
                devices: 46_666_666_666_667,
            },
            reward_index: 0,
        }]
    );
    assert_eq!(
        env.account::<Tokenomics>(&pda::tokenomics())
            .await
            .current_epoch,
        1
    );
    // Exactly once: epoch 1 has not ended, and epoch 0 cannot open epoch 1 again.
    env.rejects(
        ix::advance_epoch(cranker.pubkey(), 1),
        &cranker,
        &[pda::tokenomics(), pda::epoch(2)],
    )
    .await
    .assert_error(IoComputeError::EpochNotEnded);
    env.rejects(
        ix::advance_epoch(cranker.pubkey(), 0),
        &cranker,
        &[pda::tokenomics()],
    )
    .await
    .assert_anchor_error(anchor_lang::error::ErrorCode::ConstraintSeeds);

    // Burns land in the current epoch.
    let b = burner(&mut env, 10 * ONE_IO).await;
    env.ok(
        ix::update_price(env.admin.pubkey(), 250_000_000, 0, -8),
        &env.admin.insecure_clone(),
    )
    .await;
    burn(
        &mut env,
        &b,
        pda::price_feed(),
        BurnArgs::ExactIn {
            io: 2 * ONE_IO,
            min_iosd: 0,
        },
    )
    .await
    .assert_ok();
    let one: Epoch = env.account(&pda::epoch(1)).await;
    assert_eq!(
        (one.number, one.start, one.io_burned, one.iosd_minted),
        (1, GENESIS_TIME + day, 2 * ONE_IO, 5 * ONE_IOSD)
    );
    assert_eq!(env.account::<Epoch>(&pda::epoch(0)).await.io_burned, 0);

    // A late crank catches up one epoch per call, on the original schedule.
    env.set_time(GENESIS_TIME + 4 * day + 5).await;
    for n in 1..4 {
        env.ok(ix::advance_epoch(cranker.pubkey(), n), &cranker)
            .await;
        assert_eq!(
            env.account::<Epoch>(&pda::epoch(n + 1)).await.start,
            GENESIS_TIME + (n as i64 + 1) * day
        );
    }
    env.rejects(
        ix::advance_epoch(cranker.pubkey(), 4),
        &cranker,
        &[pda::tokenomics(), pda::epoch(5)],
    )
    .await
    .assert_error(IoComputeError::EpochNotEnded);
}
