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

#[tokio::test]
async fn slash_takes_pro_rata_from_every_position() {
    let mut env = TestEnv::initialized().await;
    let (owner, stakers, ledger) = provider_with_backers(&mut env).await;
    let provider = provider_key(&owner);
    let admin = env.admin.insecure_clone();
    let treasury = pda::treasury_io_vault();
    let deposits = [300 * ONE_IO, 200 * ONE_IO, 100 * ONE_IO + 1];
    let total: u64 = deposits.iter().sum();
    let slashed = 123 * ONE_IO + 7;

    let outcome = env
        .send(&[ix::slash(admin.pubkey(), provider, slashed)], &[&admin])
        .await;
    outcome.assert_ok();
    assert_eq!(
        outcome.events::<ProviderSlashed>(),
        vec![ProviderSlashed {
            provider,
            amount: slashed,
            destination: treasury,
            remaining_stake: total - slashed
        }]
    );
    assert_eq!(
        env.token_balance(&treasury).await,
        slashed,
        "destination receives exactly the slash"
    );
    assert_eq!(
        env.token_balance(&pda::stake_vault()).await,
        total - slashed
    );
    let p = env.provider(&owner.pubkey()).await;
    assert_eq!(p.stake.amount, total - slashed);
    assert_eq!(
        (p.reputation.slash_count, p.reputation.total_slashed),
        (1, slashed)
    );
    assert_eq!(env.config().await.total_slashed, slashed);
    ledger.check(&mut env).await;

    // Each position now holds floor(deposit x remaining / total): never more
    // than its exact pro-rata share.
    let mut values = vec![];
    for ((staker, _), deposit) in stakers.iter().zip(deposits) {
        let position: StakePosition = env
            .account(&pda::stake_position(&staker.pubkey(), &provider, 0))
            .await;
        let value = p.stake.value_of(position.shares).unwrap();
        let exact = deposit as u128 * (total - slashed) as u128 / total as u128;
        assert_eq!(value as u128, exact);
        values.push(value);
    }
    let dust = (total - slashed) - values.iter().sum::<u64>();
    assert!(
        dust < stakers.len() as u64,
        "rounding dust is below one unit per position"
    );
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
    assert_eq!(paid + slashed, total, "slash + withdrawals == deposits");
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

#[tokio::test]
async fn fully_slashed_provider_refuses_new_stake_until_positions_leave() {
    let mut env = TestEnv::initialized().await;
    let (owner, source) = staked_provider(&mut env, 50 * ONE_IO).await;
    let provider = provider_key(&owner);
    let admin = env.admin.insecure_clone();
    env.ok(ix::slash(admin.pubkey(), provider, 50 * ONE_IO), &admin)
        .await;
    let backer = env.wallet().await;
    let backer_source = env.give_io(&backer.pubkey(), ONE_IO).await;
    env.rejects(
        ix::co_stake(
            backer.pubkey(),
            provider,
            backer_source,
            stake_args(0, ONE_IO, 0),
        ),
        &backer,
        &[provider, backer_source],
    )
    .await
    .assert_error(IoComputeError::StakePoolWiped);
    env.ok(ix::request_unstake(owner.pubkey(), provider, 0), &owner)
        .await;
    env.advance_time(14 * SECONDS_PER_DAY).await;
    env.ok(ix::withdraw(owner.pubkey(), provider, 0, source), &owner)
        .await;
    assert_eq!(env.token_balance(&source).await, 0);
    env.ok(
        ix::co_stake(
            backer.pubkey(),
            provider,
            backer_source,
            stake_args(0, ONE_IO, 0),
        ),
        &backer,
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
    assert_eq!(env.provider(&owner.pubkey()).await.stake.amount, 0);
}
