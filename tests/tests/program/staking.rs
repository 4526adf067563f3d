use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::{
    constants::MAX_LOCKUP_SECS,
    error::IoComputeError,
    events::{Staked, Withdrawn},
    state::{StakeKind, StakePosition},
};

const COOLDOWN: i64 = 14 * SECONDS_PER_DAY;

async fn position(
    env: &mut TestEnv,
    owner: &Pubkey,
    provider: &Pubkey,
    nonce: u64,
) -> StakePosition {
    env.account(&pda::stake_position(owner, provider, nonce))
        .await
}

#[tokio::test]
async fn stake_and_co_stake_record_positions_and_pool() {
    let mut env = TestEnv::initialized().await;
    let owner = registered_provider(&mut env).await;
    let provider = provider_key(&owner);
    let mut ledger = StakeLedger::default();
    ledger.provider(&owner);
    let source = env.give_io(&owner.pubkey(), 1_000 * ONE_IO).await;
    ledger.check(&mut env).await;

    let outcome = env
        .send(
            &[ix::stake(
                owner.pubkey(),
                source,
                stake_args(7, 600 * ONE_IO, MAX_LOCKUP_SECS),
            )],
            &[&owner],
        )
        .await;
    outcome.assert_ok();
    ledger.position(&owner.pubkey(), &provider, 7);
    assert_eq!(
        outcome.events::<Staked>(),
        vec![Staked {
            position: pda::stake_position(&owner.pubkey(), &provider, 7),
            owner: owner.pubkey(),
            provider,
            kind: StakeKind::Own,
            amount: 600 * ONE_IO,
            shares: 600 * ONE_IO as u128,
            lockup_end: GENESIS_TIME + MAX_LOCKUP_SECS,
            multiplier: 40_000,
        }]
    );
    let p = position(&mut env, &owner.pubkey(), &provider, 7).await;
    assert_eq!(
        (p.owner, p.provider, p.nonce, p.kind),
        (owner.pubkey(), provider, 7, StakeKind::Own)
    );
    assert_eq!(
        (p.deposited, p.shares),
        (600 * ONE_IO, 600 * ONE_IO as u128)
    );
    assert_eq!(
        (p.lockup_secs, p.lockup_end),
        (MAX_LOCKUP_SECS, GENESIS_TIME + MAX_LOCKUP_SECS)
    );
    assert_eq!(p.multiplier, 40_000, "one-year lockup = 4x");
    assert_eq!(
        (p.cooldown_end, p.active_votes, p.created_at),
        (0, 0, GENESIS_TIME)
    );
    assert_eq!(env.token_balance(&source).await, 400 * ONE_IO);
    ledger.check(&mut env).await;

    let (backer, backer_source) = co_staker(&mut env, provider, 300 * ONE_IO).await;
    ledger.position(&backer.pubkey(), &provider, 0);
    ledger.check(&mut env).await;
    let c = position(&mut env, &backer.pubkey(), &provider, 0).await;
    assert_eq!(
        (c.kind, c.shares, c.multiplier),
        (StakeKind::CoStake, 300 * ONE_IO as u128, 10_000)
    );
    assert_eq!(env.token_balance(&backer_source).await, 0);

    let pool = env.provider(&owner.pubkey()).await.stake;
    assert_eq!(pool.amount().unwrap(), 900 * ONE_IO);
    assert_eq!(
        (pool.own.total_shares, pool.co.total_shares),
        (600 * ONE_IO as u128, 300 * ONE_IO as u128)
    );
    assert_eq!(pool.own.unstaking_shares + pool.co.unstaking_shares, 0);
    assert_eq!(pool.position_count(), 2);
    assert_eq!(
        (pool.own.weighted_shares, pool.co.weighted_shares),
        (600 * ONE_IO as u128 * 40_000, 300 * ONE_IO as u128 * 10_000)
    );
    assert_eq!(pool.effective_stake().unwrap(), 900 * ONE_IO);

    // Half a year of lockup: 1x + 3x * 0.5 = 2.5x.
    env.ok(
        ix::stake(
            owner.pubkey(),
            source,
            stake_args(8, ONE_IO, MAX_LOCKUP_SECS / 2),
        ),
        &owner,
    )
    .await;
    ledger.position(&owner.pubkey(), &provider, 8);
    ledger.check(&mut env).await;
    assert_eq!(
        position(&mut env, &owner.pubkey(), &provider, 8)
            .await
            .multiplier,
        25_000
    );
}

#[tokio::test]
async fn bad_stakes_are_refused_and_change_nothing() {
    let mut env = TestEnv::initialized().await;
    let owner = registered_provider(&mut env).await;
    let provider = provider_key(&owner);
    let source = env.give_io(&owner.pubkey(), 100 * ONE_IO).await;
    let position = pda::stake_position(&owner.pubkey(), &provider, 0);
    let watch = [provider, position, source, pda::stake_vault()];
    let mut ledger = StakeLedger::default();
    ledger.provider(&owner);
    ledger.position(&owner.pubkey(), &provider, 0);

    for (args, expected) in [
        (stake_args(0, 0, 0), IoComputeError::ZeroAmount),
        (
            stake_args(0, u64::MAX, 0),
            IoComputeError::InsufficientBalance,
        ),
        (
            stake_args(0, 100 * ONE_IO + 1, 0),
            IoComputeError::InsufficientBalance,
        ),
        (stake_args(0, ONE_IO, -1), IoComputeError::InvalidLockup),
        (
            stake_args(0, ONE_IO, MAX_LOCKUP_SECS + 1),
            IoComputeError::InvalidLockup,
        ),
        (
            stake_args(0, ONE_IO, i64::MAX),
            IoComputeError::InvalidLockup,
        ),
    ] {
        env.rejects(ix::stake(owner.pubkey(), source, args), &owner, &watch)
            .await
            .assert_error(expected);
    }

    // `stake` is for the provider itself, `co_stake` for everyone else.
    let backer = env.wallet().await;
    let backer_source = env.give_io(&backer.pubkey(), 10 * ONE_IO).await;
    let mut by_stranger = ix::stake(backer.pubkey(), backer_source, stake_args(0, ONE_IO, 0));
    let backer_provider = pda::provider(&backer.pubkey());
    swap_account(
        &mut by_stranger,
        &pda::stake_position(&backer.pubkey(), &backer_provider, 0),
        pda::stake_position(&backer.pubkey(), &provider, 0),
    );
    swap_account(&mut by_stranger, &backer_provider, provider);
    env.rejects(by_stranger, &backer, &[provider, backer_source])
        .await
        .assert_error(IoComputeError::StakeByNonAuthority);
    env.rejects(
        ix::co_stake(owner.pubkey(), provider, source, stake_args(0, ONE_IO, 0)),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::CoStakeBySelf);

    // An IOSD account as the source: wrong mint.
    let iosd_account = env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
    env.rejects(
        ix::stake(owner.pubkey(), iosd_account, stake_args(0, ONE_IO, 0)),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::WrongMint);

    // Someone else's IO account as the source: the token program refuses
    // because the owner did not sign for it.
    let foreign = ix::stake(owner.pubkey(), backer_source, stake_args(0, ONE_IO, 0));
    let outcome = env
        .rejects(foreign, &owner, &[provider, backer_source])
        .await;
    assert!(
        outcome.logs_contain("owner does not match"),
        "{:?}",
        outcome.logs
    );

    // A vault that is not the stake vault (the treasury, same mint and owner).
    let mut wrong_vault = ix::stake(owner.pubkey(), source, stake_args(0, ONE_IO, 0));
    swap_account(
        &mut wrong_vault,
        &pda::stake_vault(),
        pda::treasury_io_vault(),
    );
    env.rejects(wrong_vault, &owner, &watch)
        .await
        .assert_error(IoComputeError::WrongVault);

    // A config owned by another program (the IO mint) at the config slot.
    let mut fake_config = ix::stake(owner.pubkey(), source, stake_args(0, ONE_IO, 0));
    swap_account(&mut fake_config, &pda::config(), pda::io_mint());
    env.rejects(fake_config, &owner, &watch)
        .await
        .assert_anchor_error(AnchorError::AccountOwnedByWrongProgram);

    // Missing owner signature.
    let mut unsigned = ix::stake(owner.pubkey(), source, stake_args(0, ONE_IO, 0));
    unsigned.accounts[0].is_signer = false;
    env.expect_rejected(&[unsigned], &[], &watch)
        .await
        .assert_anchor_error(AnchorError::AccountNotSigner);

    // The same nonce twice.
    ledger.check(&mut env).await;
    env.ok(
        ix::stake(owner.pubkey(), source, stake_args(0, ONE_IO, 0)),
        &owner,
    )
    .await;
    ledger.check(&mut env).await;
    env.rejects(
        ix::stake(owner.pubkey(), source, stake_args(0, ONE_IO, 0)),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::AccountAlreadyExists);
    ledger.check(&mut env).await;
}

#[tokio::test]
async fn lockup_boundary_is_exact() {
    let mut env = TestEnv::initialized().await;
    let owner = registered_provider(&mut env).await;
    let provider = provider_key(&owner);
    let source = env.give_io(&owner.pubkey(), 3 * ONE_IO).await;
    let lockup = 30 * SECONDS_PER_DAY;
    let mut ledger = StakeLedger::default();
    ledger.provider(&owner);
    for nonce in 0..3 {
        env.ok(
            ix::stake(owner.pubkey(), source, stake_args(nonce, ONE_IO, lockup)),
            &owner,
        )
        .await;
        ledger.position(&owner.pubkey(), &provider, nonce);
        ledger.check(&mut env).await;
    }
    let lockup_end = GENESIS_TIME + lockup;

    env.set_time(lockup_end - 1).await;
    for nonce in 0..3 {
        let key = pda::stake_position(&owner.pubkey(), &provider, nonce);
        env.rejects(
            ix::request_unstake(owner.pubkey(), provider, nonce),
            &owner,
            &[key, provider],
        )
        .await
        .assert_error(IoComputeError::LockupNotEnded);
        ledger.check(&mut env).await;
    }
    env.set_time(lockup_end).await;
    env.ok(ix::request_unstake(owner.pubkey(), provider, 0), &owner)
        .await;
    ledger.check(&mut env).await;
    assert_eq!(
        position(&mut env, &owner.pubkey(), &provider, 0)
            .await
            .cooldown_end,
        lockup_end + COOLDOWN
    );
    env.set_time(lockup_end + 1).await;
    env.ok(ix::request_unstake(owner.pubkey(), provider, 1), &owner)
        .await;
    ledger.check(&mut env).await;
    assert_eq!(
        position(&mut env, &owner.pubkey(), &provider, 1)
            .await
            .cooldown_end,
        lockup_end + 1 + COOLDOWN
    );

    let pool = env.provider(&owner.pubkey()).await.stake;
    assert_eq!(pool.own.unstaking_shares, 2 * ONE_IO as u128);
    assert_eq!(pool.effective_stake().unwrap(), ONE_IO);
    assert_eq!(
        pool.own.weighted_shares,
        ONE_IO as u128
            * position(&mut env, &owner.pubkey(), &provider, 2)
                .await
                .multiplier as u128
    );
}

#[tokio::test]
async fn cooldown_boundary_is_exact_and_withdraw_pays_exactly() {
    let mut env = TestEnv::initialized().await;
    let owner = registered_provider(&mut env).await;
    let provider = provider_key(&owner);
    let source = env.give_io(&owner.pubkey(), 300 * ONE_IO).await;
    let mut ledger = StakeLedger::default();
    ledger.provider(&owner);
    for nonce in 0..3 {
        env.ok(
            ix::stake(owner.pubkey(), source, stake_args(nonce, 100 * ONE_IO, 0)),
            &owner,
        )
        .await;
        ledger.position(&owner.pubkey(), &provider, nonce);
        ledger.check(&mut env).await;
    }
    let cooldown_end = GENESIS_TIME + COOLDOWN;
    for nonce in 0..3 {
        env.ok(ix::request_unstake(owner.pubkey(), provider, nonce), &owner)
            .await;
        ledger.check(&mut env).await;
    }
    let destination = env.give_io(&owner.pubkey(), 0).await;

    env.set_time(cooldown_end - 1).await;
    for nonce in 0..3 {
        let key = pda::stake_position(&owner.pubkey(), &provider, nonce);
        env.rejects(
            ix::withdraw(owner.pubkey(), provider, nonce, destination),
            &owner,
            &[key, provider, destination, pda::stake_vault()],
        )
        .await
        .assert_error(IoComputeError::CooldownNotEnded);
        ledger.check(&mut env).await;
    }

    env.set_time(cooldown_end).await;
    let rent = env
        .lamports(&pda::stake_position(&owner.pubkey(), &provider, 0))
        .await;
    let lamports = env.lamports(&owner.pubkey()).await;
    let outcome = env
        .send(
            &[ix::withdraw(owner.pubkey(), provider, 0, destination)],
            &[&owner],
        )
        .await;
    outcome.assert_ok();
    assert_eq!(env.token_balance(&destination).await, 100 * ONE_IO);
    assert_eq!(
        outcome.events::<Withdrawn>(),
        vec![Withdrawn {
            position: pda::stake_position(&owner.pubkey(), &provider, 0),
            owner: owner.pubkey(),
            provider,
            destination,
            amount: 100 * ONE_IO,
        }]
    );
    assert_eq!(
        env.lamports(&owner.pubkey()).await,
        lamports + rent,
        "position rent refunded"
    );
    assert!(
        !env.exists(&pda::stake_position(&owner.pubkey(), &provider, 0))
            .await
    );
    ledger.check(&mut env).await;

    env.set_time(cooldown_end + 1).await;
    env.ok(
        ix::withdraw(owner.pubkey(), provider, 1, destination),
        &owner,
    )
    .await;
    ledger.check(&mut env).await;
    assert_eq!(env.token_balance(&destination).await, 200 * ONE_IO);
    env.ok(
        ix::withdraw(owner.pubkey(), provider, 2, destination),
        &owner,
    )
    .await;
    ledger.check(&mut env).await;
    assert_eq!(env.token_balance(&destination).await, 300 * ONE_IO);
    let pool = env.provider(&owner.pubkey()).await.stake;
    assert_eq!(
        pool,
        Default::default(),
        "pool is empty after the last withdraw"
    );
    assert_eq!(env.token_balance(&pda::stake_vault()).await, 0);
}

#[tokio::test]
async fn unstake_and_withdraw_guards() {
    let mut env = TestEnv::initialized().await;
    let (owner, source) = staked_provider(&mut env, 400 * ONE_IO).await;
    let provider = provider_key(&owner);
    let key = pda::stake_position(&owner.pubkey(), &provider, 0);
    let watch = [key, provider, source, pda::stake_vault()];
    let mut ledger = StakeLedger::default();
    ledger.provider(&owner);
    ledger.position(&owner.pubkey(), &provider, 0);
    ledger.position(&owner.pubkey(), &provider, 1);

    env.rejects(
        ix::withdraw(owner.pubkey(), provider, 0, source),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::NotUnstaking);
    ledger.check(&mut env).await;

    // Leased devices need 300 IO; unstaking the only 400 IO position would
    // leave 0.
    let mut p = env.provider(&owner.pubkey()).await;
    p.required_stake_leased = 300 * ONE_IO;
    env.write_account(&provider, &p).await;
    env.rejects(
        ix::request_unstake(owner.pubkey(), provider, 0),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::UnstakeBreaksMinimumStake);
    // With a second position covering the leased devices, the first may go.
    let more = env.give_io(&owner.pubkey(), 300 * ONE_IO).await;
    env.ok(
        ix::stake(owner.pubkey(), more, stake_args(1, 300 * ONE_IO, 0)),
        &owner,
    )
    .await;
    ledger.check(&mut env).await;
    // Governance votes block unstaking (flash-stake defence).
    let mut pos: StakePosition = env.account(&key).await;
    pos.active_votes = 1;
    env.write_account(&key, &pos).await;
    env.rejects(
        ix::request_unstake(owner.pubkey(), provider, 0),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::PositionHasActiveVotes);
    pos.active_votes = 0;
    env.write_account(&key, &pos).await;
    env.ok(ix::request_unstake(owner.pubkey(), provider, 0), &owner)
        .await;
    ledger.check(&mut env).await;
    env.rejects(
        ix::request_unstake(owner.pubkey(), provider, 0),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::AlreadyUnstaking);
    ledger.check(&mut env).await;

    // A stranger cannot unstake or withdraw the owner's position.
    let stranger = env.wallet().await;
    let mut steal = ix::withdraw(stranger.pubkey(), provider, 0, source);
    swap_account(
        &mut steal,
        &pda::stake_position(&stranger.pubkey(), &provider, 0),
        key,
    );
    env.advance_time(COOLDOWN).await;
    env.rejects(steal, &stranger, &watch)
        .await
        .assert_anchor_error(AnchorError::ConstraintSeeds);
    let mut steal = ix::request_unstake(stranger.pubkey(), provider, 1);
    swap_account(
        &mut steal,
        &pda::stake_position(&stranger.pubkey(), &provider, 1),
        pda::stake_position(&owner.pubkey(), &provider, 1),
    );
    env.rejects(steal, &stranger, &[provider])
        .await
        .assert_anchor_error(AnchorError::ConstraintSeeds);

    // Withdrawing to an IOSD account is refused; to the owner's IO account works.
    let iosd = env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
    env.rejects(
        ix::withdraw(owner.pubkey(), provider, 0, iosd),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::WrongMint);
    let before = env.token_balance(&source).await;
    env.ok(ix::withdraw(owner.pubkey(), provider, 0, source), &owner)
        .await;
    assert_eq!(env.token_balance(&source).await, before + 400 * ONE_IO);
    ledger.check(&mut env).await;
}
