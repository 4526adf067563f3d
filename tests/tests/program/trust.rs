//! Trust model v2 for stakers (issue 14 items 3 and 11): a provider can
//! never profit from a slash of its own pool, co-stakers can always leave,
//! and a lockup's reward multiplier ends with its lockup. Each test runs the
//! audit's attack and checks who ends up with what.

use crate::fraud::{job, market_with, Prover};
use crate::*;
use io_compute::{
    error::IoComputeError,
    events::DisputeResolved,
    state::{StakeKind, StakePosition},
};
use io_compute_sdk::merkle::receipts_tree;

/// H1: the provider's own wallet proves fraud on its own worker's signed
/// result. The slash takes its own stake first and the reward is half of
/// that part only, so it loses 100 IO net; the co-staker loses only what
/// the provider's stake could not cover, and none of it reaches the
/// provider.
#[tokio::test]
async fn a_provider_never_profits_from_slashing_its_own_pool() {
    let mut m = market_with(200 * ONE_IO, 10_000 * ONE_IO).await;
    let forged = job(2, 64, 2, 21);
    let mut c = forged.multiply();
    c[forged.c_index(0, 1)] += 1;
    let receipts = [forged.receipt([1; 32], &c, 1_000)];
    let tree = receipts_tree(&pda::lease(0), &m.device, &receipts);
    m.post(&receipts).await;
    let owner = m.owner.insecure_clone();
    let p = Prover::with_wallet(&mut m, owner.insecure_clone()).await;
    let env = &mut m.env;
    env.ok(p.open(receipts[0], tree.proof(0), 0, 1), &owner)
        .await;
    p.submit_all(env, &forged, &c, 0, 1).await;
    let outcome = env.ok(p.prove(None), &owner).await;
    let resolved = &outcome.events::<DisputeResolved>()[0];
    // 10 % of 10,200 IO: 200 from the provider's own stake, 820 from the
    // co-staker; the reward is half of the 200.
    assert_eq!(
        (resolved.provider_slashed, resolved.challenger_reward),
        (1_020 * ONE_IO, 100 * ONE_IO)
    );
    let pool = env.provider(&owner.pubkey()).await.stake;
    assert_eq!((pool.own.amount, pool.co.amount), (0, 9_180 * ONE_IO));
    let own_position: StakePosition = env
        .account(&pda::stake_position(&owner.pubkey(), &m.provider, 0))
        .await;
    let own_value = pool.value_of(own_position.shares, StakeKind::Own).unwrap();
    let wallet = env.token_balance(&p.io).await;
    assert_eq!((own_value, wallet), (0, 100 * ONE_IO));
    assert!(
        own_value + wallet < 200 * ONE_IO,
        "the provider's 200 IO became {}",
        own_value + wallet
    );
    assert_eq!(
        env.token_balance(&pda::treasury_io_vault()).await,
        920 * ONE_IO + io_compute::constants::DEFAULT_MIN_KEEPER_BOND / 10,
        "the rest of the slash and the keeper's 10 % go to the treasury"
    );
}

/// H1: a provider keeps a fifth of its devices' requirement as its own
/// stake; co-stake alone cannot back a device.
#[tokio::test]
async fn co_stake_alone_cannot_back_devices() {
    let mut env = TestEnv::initialized().await;
    let (owner, _) = staked_provider(&mut env, 39 * ONE_IO).await;
    let provider = provider_key(&owner);
    co_staker(&mut env, provider, 10_000 * ONE_IO).await;
    let idle = spec("RTX4090", 1, DeviceStatus::Idle);
    env.rejects(ix::add_device(owner.pubkey(), 0, idle), &owner, &[provider])
        .await
        .assert_error(IoComputeError::InsufficientProviderStake);
    let top_up = env.give_io(&owner.pubkey(), ONE_IO).await;
    env.ok(
        ix::stake(owner.pubkey(), top_up, stake_args(1, ONE_IO, 0)),
        &owner,
    )
    .await;
    env.ok(ix::add_device(owner.pubkey(), 0, idle), &owner)
        .await;
}

/// H6: a co-staker leaves while the provider's leased device needs its
/// stake; the provider's devices then take no new lease until it restakes.
#[tokio::test]
async fn co_stakers_can_always_leave() {
    let mut m = market_with(40 * ONE_IO, 160 * ONE_IO).await;
    let backer = m.co_staker.take().unwrap();
    let env = &mut m.env;
    let (next_client, next_iosd) = env.iosd_holder(10 * ONE_IO).await;
    let p = env.provider(&m.owner.pubkey()).await;
    assert_eq!(p.required_stake_leased, 200 * ONE_IO);
    env.ok(ix::request_unstake(backer.pubkey(), m.provider, 0), &backer)
        .await;
    let p = env.provider(&m.owner.pubkey()).await;
    assert_eq!(p.stake.effective_stake().unwrap(), 40 * ONE_IO);
    // The provider's own stake still may not leave under its leased device.
    env.rejects(
        ix::request_unstake(m.owner.pubkey(), m.provider, 0),
        &m.owner,
        &[m.provider],
    )
    .await
    .assert_error(IoComputeError::UnstakeBreaksMinimumStake);
    // The lease ends; its device cannot be leased again while under-staked.
    m.close_at_end().await;
    let env = &mut m.env;
    env.ok(
        ix::create_lease(
            next_client.pubkey(),
            next_iosd,
            1,
            lease_spec(1, 1, 1_000_000),
        ),
        &next_client,
    )
    .await;
    let keeper = m.keeper.insecure_clone();
    env.rejects(
        ix::assign_devices(keeper.pubkey(), 1, &[m.device], &[m.provider]),
        &keeper,
        &[m.device, pda::lease(1)],
    )
    .await
    .assert_error(IoComputeError::InsufficientProviderStake);
}

/// M4: a year-locked position earns 4x only while it is locked; once the
/// lockup is over anyone ends the multiplier and it earns like an unlocked
/// position of the same size.
#[tokio::test]
async fn a_lockup_multiplier_ends_with_the_lockup() {
    let mut env = TestEnv::with_tokenomics().await;
    let admin = env.admin.insecure_clone();
    let (owner, _) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    let provider = provider_key(&owner);
    let locked = env.wallet().await;
    let source = env.give_io(&locked.pubkey(), 1_000 * ONE_IO).await;
    let year = io_compute::constants::MAX_LOCKUP_SECS;
    env.ok(
        ix::co_stake(
            locked.pubkey(),
            provider,
            source,
            stake_args(0, 1_000 * ONE_IO, year),
        ),
        &locked,
    )
    .await;
    let unlocked = co_staker(&mut env, provider, 1_000 * ONE_IO).await.0;
    let position = pda::stake_position(&locked.pubkey(), &provider, 0);
    // Anyone (here the fee payer alone) may send it.
    let expire = ix::expire_lockup(locked.pubkey(), provider, 0);
    env.expect_rejected(std::slice::from_ref(&expire), &[], &[position, provider])
        .await
        .assert_error(IoComputeError::LockupNotEnded);
    env.advance_time(year + SECONDS_PER_DAY).await;
    env.send(std::slice::from_ref(&expire), &[])
        .await
        .assert_ok();
    let p: StakePosition = env.account(&position).await;
    assert_eq!(p.multiplier, io_compute::constants::MULTIPLIER_ONE);
    env.expect_rejected(&[expire], &[], &[position, provider])
        .await
        .assert_error(IoComputeError::LockupNotEnded);

    // From here both co-stakers earn alike: claim what each had, then one
    // epoch of emission.
    let claim = |who: &Keypair| {
        let io = pda::associated_token(&who.pubkey(), &pda::io_mint());
        let iosd = pda::associated_token(&who.pubkey(), &pda::iosd_mint());
        ix::claim_rewards(who.pubkey(), provider, 0, io, iosd)
    };
    for who in [&locked, &unlocked] {
        env.ata(&who.pubkey(), &pda::iosd_mint()).await;
        env.ata(&who.pubkey(), &pda::io_mint()).await;
        env.send(&[claim(who)], &[who]).await;
    }
    let before = [
        env.token_balance(&pda::associated_token(&locked.pubkey(), &pda::io_mint()))
            .await,
        env.token_balance(&pda::associated_token(&unlocked.pubkey(), &pda::io_mint()))
            .await,
    ];
    let epoch = env
        .account::<io_compute::state::Tokenomics>(&pda::tokenomics())
        .await
        .current_epoch;
    env.ok(ix::advance_epoch(admin.pubkey(), epoch), &admin)
        .await;
    for who in [&locked, &unlocked] {
        env.ok(claim(who), who).await;
    }
    let after = [
        env.token_balance(&pda::associated_token(&locked.pubkey(), &pda::io_mint()))
            .await,
        env.token_balance(&pda::associated_token(&unlocked.pubkey(), &pda::io_mint()))
            .await,
    ];
    let earned = [after[0] - before[0], after[1] - before[1]];
    assert!(earned[0] > 0);
    assert_eq!(
        earned[0], earned[1],
        "the same IO earns the same once unlocked"
    );
}
