use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::{error::IoComputeError, events::ProviderSlashed, state::StakePosition};

/// A provider with its own 300 IO and two co-stakers (200 IO and 100 IO +
/// 1 base unit, so shares do not divide evenly).
async fn provider_with_backers(
    env: &mut TestEnv,
) -> (Keypair, Vec<(Keypair, Pubkey)>, StakeLedger) {
    let (owner, owner_source) = staked_provider(env, 300 * ONE_IO).await;
    let provider = provider_key(&owner);
    let mut ledger = StakeLedger::default();
    ledger.provider(&owner);
    ledger.position(&owner.pubkey(), &provider, 0);
    let mut stakers = vec![(owner.insecure_clone(), owner_source)];
    for amount in [200 * ONE_IO, 100 * ONE_IO + 1] {
        let backer = env.wallet().await;
        let source = env.give_io(&backer.pubkey(), amount).await;
        env.ok(
            ix::co_stake(backer.pubkey(), provider, source, stake_args(0, amount, 0)),
            &backer,
        )
        .await;
        ledger.position(&backer.pubkey(), &provider, 0);
        ledger.check(env).await;
        stakers.push((backer, source));
    }
    (owner, stakers, ledger)
}

/// H1: a slash takes the provider's own stake first; co-stakers lose only
/// what it cannot cover, pro rata.
#[tokio::test]
async fn slash_takes_own_stake_first_then_co_stake_pro_rata() {
    let mut env = TestEnv::initialized().await;
    let (owner, stakers, ledger) = provider_with_backers(&mut env).await;
    let provider = provider_key(&owner);
    let admin = env.admin.insecure_clone();
    let treasury = pda::treasury_io_vault();
    let own = 300 * ONE_IO;
    let co_deposits = [200 * ONE_IO, 100 * ONE_IO + 1];
    let co_total: u64 = co_deposits.iter().sum();
    let total = own + co_total;
    let first = 123 * ONE_IO + 7;

    let outcome = env
        .send(&[ix::slash(admin.pubkey(), provider, first)], &[&admin])
        .await;
    outcome.assert_ok();
    assert_eq!(
        outcome.events::<ProviderSlashed>(),
        vec![ProviderSlashed {
            provider,
            amount: first,
            destination: treasury,
            remaining_stake: total - first
        }]
    );
    assert_eq!(env.token_balance(&treasury).await, first);
    assert_eq!(env.token_balance(&pda::stake_vault()).await, total - first);
    let p = env.provider(&owner.pubkey()).await;
    assert_eq!(
        (p.stake.own.amount, p.stake.co.amount),
        (own - first, co_total),
        "the co-stakers lost nothing"
    );
    assert_eq!(
        (p.reputation.slash_count, p.reputation.total_slashed),
        (1, first)
    );
    ledger.check(&mut env).await;

    // The second slash is larger than what the provider has left: its own
    // stake goes to zero and the co-stakers share the rest pro rata.
    let second = 250 * ONE_IO;
    env.ok(ix::slash(admin.pubkey(), provider, second), &admin)
        .await;
    let from_co = second - (own - first);
    let p = env.provider(&owner.pubkey()).await;
    assert_eq!(
        (p.stake.own.amount, p.stake.co.amount),
        (0, co_total - from_co)
    );
    assert_eq!(env.config().await.total_slashed, first + second);
    ledger.check(&mut env).await;

    // Each co-stake position now holds floor(deposit x remaining / total):
    // never more than its exact pro-rata share.
    let mut values = vec![0];
    for ((staker, _), deposit) in stakers[1..].iter().zip(co_deposits) {
        let position: StakePosition = env
            .account(&pda::stake_position(&staker.pubkey(), &provider, 0))
            .await;
        let value = p.stake.value_of(position.shares, position.kind).unwrap();
        let exact = deposit as u128 * (co_total - from_co) as u128 / co_total as u128;
        assert_eq!(value as u128, exact);
        values.push(value);
    }
    let dust = (co_total - from_co) - values.iter().sum::<u64>();
    assert!(dust < 2, "rounding dust is below one unit per position");
    assert!(
        dust > 0,
        "these deposits are chosen so that rounding leaves dust"
    );

    // Everyone leaves; together they take exactly what remains.
    for (staker, _) in &stakers {
        env.send(
            &[ix::request_unstake(staker.pubkey(), provider, 0)],
            &[staker],
        )
        .await
        .assert_ok();
        ledger.check(&mut env).await;
    }
    env.advance_time(14 * SECONDS_PER_DAY).await;
    let mut paid = 0;
    for ((staker, source), value) in stakers.iter().zip(&values) {
        env.send(
            &[ix::withdraw(staker.pubkey(), provider, 0, *source)],
            &[staker],
        )
        .await
        .assert_ok();
        let received = env.token_balance(source).await;
        // Earlier withdrawals round down, so later ones may pick up dust,
        // never less than their pro-rata floor.
        assert!(
            received >= *value && received <= value + dust,
            "{received} vs {value} + {dust}"
        );
        paid += received;
        ledger.check(&mut env).await;
    }
    assert_eq!(
        paid + first + second,
        total,
        "slashes + withdrawals == deposits"
    );
    assert_eq!(env.token_balance(&pda::stake_vault()).await, 0);
}

#[tokio::test]
async fn unstaking_positions_are_still_slashable() {
    let mut env = TestEnv::initialized().await;
    let (owner, source) = staked_provider(&mut env, 100 * ONE_IO).await;
    let provider = provider_key(&owner);
    let admin = env.admin.insecure_clone();
    env.ok(ix::request_unstake(owner.pubkey(), provider, 0), &owner)
        .await;
    env.ok(ix::slash(admin.pubkey(), provider, 40 * ONE_IO), &admin)
        .await;
    env.advance_time(14 * SECONDS_PER_DAY).await;
    env.ok(ix::withdraw(owner.pubkey(), provider, 0, source), &owner)
        .await;
    assert_eq!(env.token_balance(&source).await, 60 * ONE_IO);
}

/// A wiped class refuses new stake in it (its shares would be worth
/// nothing) until its positions leave; the other class still takes stake.
#[tokio::test]
async fn fully_slashed_provider_refuses_new_own_stake_until_positions_leave() {
    let mut env = TestEnv::initialized().await;
    let (owner, source) = staked_provider(&mut env, 50 * ONE_IO).await;
    let provider = provider_key(&owner);
    let admin = env.admin.insecure_clone();
    env.ok(ix::slash(admin.pubkey(), provider, 50 * ONE_IO), &admin)
        .await;
    let more = env.give_io(&owner.pubkey(), ONE_IO).await;
    env.rejects(
        ix::stake(owner.pubkey(), more, stake_args(1, ONE_IO, 0)),
        &owner,
        &[provider, more],
    )
    .await
    .assert_error(IoComputeError::StakePoolWiped);
    let (_backer, _) = co_staker(&mut env, provider, ONE_IO).await;
    env.ok(ix::request_unstake(owner.pubkey(), provider, 0), &owner)
        .await;
    env.advance_time(14 * SECONDS_PER_DAY).await;
    env.ok(ix::withdraw(owner.pubkey(), provider, 0, source), &owner)
        .await;
    assert_eq!(
        env.token_balance(&source).await,
        ONE_IO,
        "the wiped position paid nothing; the 1 IO is the new stake"
    );
    env.ok(
        ix::stake(owner.pubkey(), more, stake_args(1, ONE_IO, 0)),
        &owner,
    )
    .await;
}

#[tokio::test]
async fn bad_slashes_are_refused() {
    let mut env = TestEnv::initialized().await;
    let (owner, _) = staked_provider(&mut env, 100 * ONE_IO).await;
    let provider = provider_key(&owner);
    let admin = env.admin.insecure_clone();
    let treasury = pda::treasury_io_vault();
    let watch = [provider, pda::config(), pda::stake_vault(), treasury];

    for (amount, expected) in [
        (0, IoComputeError::ZeroAmount),
        (100 * ONE_IO + 1, IoComputeError::SlashExceedsStake),
        (u64::MAX, IoComputeError::SlashExceedsStake),
    ] {
        env.rejects(ix::slash(admin.pubkey(), provider, amount), &admin, &watch)
            .await
            .assert_error(expected);
    }
    let stranger = env.wallet().await;
    env.rejects(
        ix::slash(stranger.pubkey(), provider, ONE_IO),
        &stranger,
        &watch,
    )
    .await
    .assert_error(IoComputeError::NotConfigAuthority);
    // The slash may only go to the IO treasury.
    let thief = env.give_io(&stranger.pubkey(), 0).await;
    let mut to_thief = ix::slash(admin.pubkey(), provider, ONE_IO);
    to_thief
        .accounts
        .iter_mut()
        .find(|a| a.pubkey == pda::treasury_io_vault())
        .unwrap()
        .pubkey = thief;
    env.rejects(to_thief, &admin, &watch)
        .await
        .assert_error(IoComputeError::WrongVault);
    let mut unsigned = ix::slash(admin.pubkey(), provider, ONE_IO);
    unsigned.accounts[0].is_signer = false;
    env.expect_rejected(&[unsigned], &[], &watch)
        .await
        .assert_anchor_error(AnchorError::AccountNotSigner);
    // Slashing exactly everything is allowed.
    env.ok(ix::slash(admin.pubkey(), provider, 100 * ONE_IO), &admin)
        .await;
    assert_eq!(
        env.provider(&owner.pubkey()).await.stake.amount().unwrap(),
        0
    );
}
