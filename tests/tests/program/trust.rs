//! Trust model v2 (issue 14): a provider can never profit from a slash of
//! its own pool, co-stakers can always leave, a lockup's reward multiplier
//! ends with its lockup, unproven time is never free, keepers answer for
//! their own faults, a sham dispute cannot crowd out real ones, device
//! checks jail. Each test runs the audit's attack and checks who ends up
//! with what.

use crate::fraud::{job, market_with, Prover};
use crate::*;
use io_compute::{
    constants::KEEPER_SILENCE_SECS,
    error::IoComputeError,
    events::{DisputeResolved, LeaseTakenOver},
    state::{
        CheckOutcome, Device, Keeper, Lease, ProofStatus, StakeKind, StakePosition, UsageProof,
        Verdict,
    },
    PostUsageProofArgs,
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
    let outcome = env.ok(p.prove(), &owner).await;
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

/// Device 0's period `from..to` of lease 0 as proof `seq`, fully used.
fn span(seq: u32, from: i64, to: i64) -> PostUsageProofArgs {
    PostUsageProofArgs {
        seq,
        period_start: from,
        period_end: to,
        device_time_us: (to - from) as u64 * 1_000_000,
        job_count: 1,
        receipts_root: [seq as u8; 32],
    }
}

/// H2: a client that closes before the keeper's next proof does not get
/// the unproven time for free: it is held back, the keeper still posts it
/// after the close, and only what stays unproven after the grace period
/// goes back to the client.
#[tokio::test]
async fn closing_early_does_not_make_unproven_time_free() {
    let mut m = market_with(1_000 * ONE_IO, 0).await;
    m.post(&[job(2, 64, 2, 1).receipt([1; 32], &[0; 4], 1)])
        .await;
    m.close_at_end().await;
    let env = &mut m.env;
    let lease: Lease = env.account(&pda::lease(0)).await;
    // Deposit 1.025 IOSD: the first half hour is reserved by its proof,
    // the second half hour (0.5 IOSD + 2.5 %) held back; nothing refunded.
    assert_eq!(
        (
            lease.deposited,
            lease.reserved,
            lease.holdback,
            lease.refunded
        ),
        (1_025_000, 512_500, 512_500, 0)
    );
    // The keeper posts the second half hour after the close.
    let keeper = m.keeper.insecure_clone();
    let tail = span(1, m.start + 1_800, m.start + 3_600);
    env.ok(
        post_usage_proof(keeper.pubkey(), 0, m.device, tail),
        &keeper,
    )
    .await;
    let lease: Lease = env.account(&pda::lease(0)).await;
    assert_eq!((lease.reserved, lease.holdback), (1_025_000, 0));
    // A period after the close never posts.
    let after = span(2, m.start + 3_600, m.start + 3_601);
    env.set_time(m.start + 3_601).await;
    env.rejects(
        post_usage_proof(keeper.pubkey(), 0, m.device, after),
        &keeper,
        &[pda::lease(0)],
    )
    .await
    .assert_error(IoComputeError::InvalidProofPeriod);
}

/// Item 5: a lease is served by the keeper that assigned it; another may
/// take it over only once that keeper is silent (or gone); a keeper leaves
/// on its own once its proofs settle, and one whose bond fell under the
/// minimum can no longer act.
#[tokio::test]
async fn keepers_serve_their_leases_and_can_be_replaced() {
    let mut m = market_with(1_000 * ONE_IO, 0).await;
    let a = m.keeper.insecure_clone();
    let b = m.env.admit_keeper().await;
    let keys = io_compute_sdk::ix::ProofKeys {
        keeper_authority: b.pubkey(),
        ..m.keys(0)
    };
    let env = &mut m.env;
    let take_over = ix::take_over_lease(b.pubkey(), 0, a.pubkey());
    env.rejects(take_over.clone(), &b, &[pda::lease(0)])
        .await
        .assert_error(IoComputeError::KeeperStillServing);
    env.set_time(m.start + KEEPER_SILENCE_SECS - 1).await;
    env.rejects(take_over.clone(), &b, &[pda::lease(0)])
        .await
        .assert_error(IoComputeError::KeeperStillServing);
    env.set_time(m.start + KEEPER_SILENCE_SECS).await;
    let outcome = env.ok(take_over, &b).await;
    assert_eq!(
        outcome.events::<LeaseTakenOver>()[0].previous_keeper,
        a.pubkey()
    );
    let lease: Lease = env.account(&pda::lease(0)).await;
    assert_eq!(lease.keeper, b.pubkey());
    let period = span(0, m.start, m.start + 3_600);
    env.rejects(
        post_usage_proof(a.pubkey(), 0, m.device, period.clone()),
        &a,
        &[pda::lease(0)],
    )
    .await
    .assert_error(IoComputeError::NotLeaseKeeper);
    env.ok(post_usage_proof(b.pubkey(), 0, m.device, period), &b)
        .await;

    // A keeper leaves on its own, not before its proofs settle.
    let b_io = env.ata(&b.pubkey(), &pda::io_mint()).await;
    let leave = ix::remove_keeper(b.pubkey(), b.pubkey(), b_io);
    env.rejects(leave.clone(), &b, &[pda::keeper(&b.pubkey())])
        .await
        .assert_error(IoComputeError::KeeperHasOpenProofs);
    let proof = pda::usage_proof(&pda::lease(0), &m.device, 0);
    let unlock_at = env.account::<UsageProof>(&proof).await.unlock_at;
    env.set_time(unlock_at).await;
    let owner_iosd = env.ata(&m.owner.pubkey(), &pda::iosd_mint()).await;
    env.ok(ix::finalize_proof(b.pubkey(), keys, owner_iosd), &b)
        .await;
    env.ok(leave, &b).await;
    assert_eq!(
        env.token_balance(&b_io).await,
        io_compute::constants::DEFAULT_MIN_KEEPER_BOND
    );

    // A keeper whose bond fell under the minimum cannot act.
    let mut record: Keeper = env.account(&pda::keeper(&a.pubkey())).await;
    record.bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND - 1;
    env.write_account(&pda::keeper(&a.pubkey()), &record).await;
    env.with_price(100_000_000).await;
    let (client, iosd) = env.iosd_holder(10 * ONE_IO).await;
    env.ok(
        ix::create_lease(client.pubkey(), iosd, 1, lease_spec(1, 1, 1_000_000)),
        &client,
    )
    .await;
    env.rejects(
        ix::assign_devices(a.pubkey(), 1, &[m.device], &[m.provider]),
        &a,
        &[pda::lease(1)],
    )
    .await
    .assert_error(IoComputeError::KeeperBondDepleted);
}

/// M6: an upheld dispute the keeper caused slashes the keeper's bond, not
/// the provider, pays the challenger from that bond, and lets the period
/// be posted again.
#[tokio::test]
async fn a_keeper_fault_slashes_the_keeper_and_frees_the_period() {
    let mut m = market_with(1_000 * ONE_IO, 0).await;
    let proof = m
        .post(&[job(2, 64, 2, 1).receipt([1; 32], &[0; 4], 1)])
        .await;
    let client = m.client.insecure_clone();
    let keeper = m.keeper.insecure_clone();
    let again = m.period(1, [9; 32], 1);
    let keys = m.keys(0);
    let env = &mut m.env;
    let bond = io_compute::constants::DEFAULT_MIN_DISPUTE_BOND;
    let client_io = env.give_io(&client.pubkey(), bond).await;
    env.ok(
        ix::dispute_proof(client.pubkey(), keys, client_io, bond),
        &client,
    )
    .await;
    let admin = env.admin.insecure_clone();
    let outcome = env
        .ok(
            ix::resolve_dispute(
                admin.pubkey(),
                keys,
                client.pubkey(),
                client_io,
                Verdict::KeeperAtFault,
            ),
            &admin,
        )
        .await;
    let keeper_bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND;
    let resolved = &outcome.events::<DisputeResolved>()[0];
    assert_eq!(
        (
            resolved.verdict,
            resolved.provider_slashed,
            resolved.keeper_bond_slashed,
            resolved.challenger_reward
        ),
        (
            Verdict::KeeperAtFault,
            0,
            keeper_bond / 10,
            keeper_bond / 20
        )
    );
    assert!(!env.exists(&proof).await);
    assert_eq!(
        env.provider(&m.owner.pubkey())
            .await
            .stake
            .amount()
            .unwrap(),
        1_000 * ONE_IO,
        "the provider is not slashed"
    );
    assert_eq!(env.token_balance(&client_io).await, bond + keeper_bond / 20);
    let record: Keeper = env.account(&pda::keeper(&keeper.pubkey())).await;
    assert_eq!(record.bond, keeper_bond - keeper_bond / 10);
    // The period posts again, as the next seq.
    // The keeper's bond is now under the minimum: it must top up or a
    // fresh keeper takes over; here a new keeper takes the lease at once.
    let fresh = env.admit_keeper().await;
    env.ok(
        ix::take_over_lease(fresh.pubkey(), 0, keeper.pubkey()),
        &fresh,
    )
    .await;
    env.ok(post_usage_proof(fresh.pubkey(), 0, m.device, again), &fresh)
        .await;
}

/// M5, item 8: several challengers dispute one proof. The provider's sock
/// puppet disputes first, hoping a quick rejection clears the proof; the
/// client and others dispute too, each once, up to 8 at a time. The sham
/// is rejected (its bond to the provider) and the proof stays frozen; the
/// client's is upheld and voids it; the other disputers, who were right,
/// get their bonds back.
#[tokio::test]
async fn a_sham_dispute_cannot_crowd_out_real_ones() {
    let mut m = market_with(1_000 * ONE_IO, 0).await;
    let proof = m
        .post(&[job(2, 64, 2, 3).receipt([1; 32], &[0; 4], 1)])
        .await;
    let keys = m.keys(0);
    let bond = io_compute::constants::DEFAULT_MIN_DISPUTE_BOND;
    let env = &mut m.env;
    let owner_io = env.give_io(&m.owner.pubkey(), 0).await;
    let client = m.client.insecure_clone();
    let mut disputers = vec![env.wallet().await, client.insecure_clone()];
    for _ in 0..6 {
        disputers.push(env.wallet().await);
    }
    let mut ios = Vec::new();
    for d in &disputers {
        let io = env.give_io(&d.pubkey(), 2 * bond).await;
        env.ok(ix::dispute_proof(d.pubkey(), keys, io, bond), d)
            .await;
        ios.push(io);
    }
    let frozen: UsageProof = env.account(&proof).await;
    assert_eq!(
        (frozen.status, frozen.open_disputes),
        (ProofStatus::Disputed, 8)
    );
    // Eight at a time.
    let ninth = env.wallet().await;
    let ninth_io = env.give_io(&ninth.pubkey(), bond).await;
    env.rejects(
        ix::dispute_proof(ninth.pubkey(), keys, ninth_io, bond),
        &ninth,
        &[proof, ninth_io],
    )
    .await
    .assert_error(IoComputeError::TooManyDisputes);

    // The sham is rejected: its bond pays the provider, the proof stays
    // frozen for the others.
    let admin = env.admin.insecure_clone();
    let sham = disputers[0].pubkey();
    env.ok(
        ix::resolve_dispute(admin.pubkey(), keys, sham, owner_io, Verdict::Rejected),
        &admin,
    )
    .await;
    assert_eq!(env.token_balance(&owner_io).await, bond);
    let still: UsageProof = env.account(&proof).await;
    assert_eq!(
        (still.status, still.open_disputes),
        (ProofStatus::Disputed, 7)
    );
    env.set_time(still.unlock_at).await;
    let iosd = env.ata(&m.owner.pubkey(), &pda::iosd_mint()).await;
    env.rejects(
        ix::finalize_proof(admin.pubkey(), keys, iosd),
        &admin,
        &[proof],
    )
    .await
    .assert_error(IoComputeError::ProofDisputed);

    // The client's is upheld: the proof is voided, the client rewarded
    // (half of the 10 % slash of 1,000 IO) with its bond back.
    let outcome = env
        .ok(
            ix::resolve_dispute(
                admin.pubkey(),
                keys,
                client.pubkey(),
                ios[1],
                Verdict::ProviderAtFault,
            ),
            &admin,
        )
        .await;
    assert_eq!(
        outcome.events::<DisputeResolved>()[0].challenger,
        client.pubkey()
    );
    assert!(!env.exists(&proof).await);
    assert_eq!(env.token_balance(&ios[1]).await, 2 * bond + 50 * ONE_IO);
    // The six others were right too: each gets its bond back, once.
    for (d, io) in disputers.iter().zip(&ios).skip(2) {
        env.send(&[ix::refund_dispute(proof, d.pubkey(), *io)], &[])
            .await
            .assert_ok();
        assert_eq!(env.token_balance(io).await, 2 * bond);
        assert!(!env.exists(&pda::dispute(&proof, &d.pubkey())).await);
    }
    let keeper_bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND;
    assert_eq!(
        env.token_balance(&pda::bond_vault()).await,
        keeper_bond - keeper_bond / 10,
        "only the keeper's slashed bond is left"
    );
    assert_eq!(env.account::<Device>(&m.device).await.open_proofs, 0);
}

async fn current_epoch(env: &mut TestEnv) -> u64 {
    env.account::<io_compute::state::Tokenomics>(&pda::tokenomics())
        .await
        .current_epoch
}

/// Item 6: a keeper records device checks per device and epoch; three
/// failed or missed checks in a row jail an Idle device (no new lease, no
/// device reward) until it passes one.
#[tokio::test]
async fn failed_device_checks_jail_until_a_pass() {
    let mut env = TestEnv::with_tokenomics().await;
    let keeper = env.admit_keeper().await;
    let (owner, _) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    let provider = provider_key(&owner);
    env.ok(
        ix::add_device(owner.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Idle)),
        &owner,
    )
    .await;
    let device = pda::device(&provider, 0);
    let admin = env.admin.insecure_clone();
    let (client, iosd) = env.iosd_holder(10 * ONE_IO).await;
    let check =
        |epoch, outcome| ix::record_device_checks(keeper.pubkey(), epoch, &[(device, outcome)]);
    let stranger = env.wallet().await;
    env.rejects(
        ix::record_device_checks(stranger.pubkey(), 0, &[(device, CheckOutcome::Fail)]),
        &stranger,
        &[device],
    )
    .await
    .assert_error(IoComputeError::NotAdmittedKeeper);
    env.rejects(check(1, CheckOutcome::Fail), &keeper, &[device])
        .await
        .assert_error(IoComputeError::WrongCheckEpoch);
    for round in 0..3 {
        let current = current_epoch(&mut env).await;
        env.ok(check(current, CheckOutcome::Missed), &keeper).await;
        if round == 0 {
            env.rejects(check(current, CheckOutcome::Pass), &keeper, &[device])
                .await
                .assert_error(IoComputeError::DeviceAlreadyChecked);
        }
        let e: io_compute::state::Epoch = env.account(&pda::epoch(current)).await;
        let length = env.config().await.tokenomics_params.epoch_length_secs;
        env.set_time(e.start + length).await;
        env.ok(ix::advance_epoch(admin.pubkey(), current), &admin)
            .await;
    }
    let d: Device = env.account(&device).await;
    assert_eq!((d.status, d.failed_checks), (DeviceStatus::Jailed, 3));
    // No new lease while jailed.
    env.ok(
        ix::create_lease(client.pubkey(), iosd, 0, lease_spec(1, 1, 1_000_000)),
        &client,
    )
    .await;
    env.rejects(
        ix::assign_devices(keeper.pubkey(), 0, &[device], &[provider]),
        &keeper,
        &[device, pda::lease(0)],
    )
    .await
    .assert_error(IoComputeError::DeviceNotIdle);
    // A pass releases it.
    let current = current_epoch(&mut env).await;
    let outcome = env.ok(check(current, CheckOutcome::Pass), &keeper).await;
    let recorded = &outcome.events::<io_compute::events::DeviceChecksRecorded>()[0];
    assert_eq!((recorded.passed, recorded.released), (1, 1));
    let d: Device = env.account(&device).await;
    assert_eq!((d.status, d.failed_checks), (DeviceStatus::Idle, 0));
    env.ok(
        ix::assign_devices(keeper.pubkey(), 0, &[device], &[provider]),
        &keeper,
    )
    .await;
}

/// M7: a lease of 16 devices from 16 providers is assigned and closed in v0
/// transactions reading the devices and providers from a lookup table;
/// neither instruction fits a legacy transaction.
#[tokio::test]
async fn sixteen_devices_from_sixteen_providers_assign_and_close() {
    let mut env = TestEnv::with_tokenomics().await;
    let keeper = env.admit_keeper().await;
    let (client, iosd) = env.iosd_holder(100 * ONE_IO).await;
    let (mut devices, mut providers) = (Vec::new(), Vec::new());
    for _ in 0..16 {
        let (owner, _) = staked_provider(&mut env, 200 * ONE_IO).await;
        env.ok(
            ix::add_device(owner.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Idle)),
            &owner,
        )
        .await;
        providers.push(provider_key(&owner));
        devices.push(pda::device(&provider_key(&owner), 0));
    }
    env.ok(
        ix::create_lease(client.pubkey(), iosd, 0, lease_spec(16, 1, 500_000)),
        &client,
    )
    .await;
    let assign = ix::assign_devices(keeper.pubkey(), 0, &devices, &providers);
    let legacy = |ix: &solana_sdk::instruction::Instruction, payer: &Pubkey| {
        let tx = solana_sdk::transaction::Transaction::new_with_payer(
            std::slice::from_ref(ix),
            Some(payer),
        );
        bincode::serialized_size(&tx).unwrap()
    };
    assert!(
        legacy(&assign, &keeper.pubkey()) > 1_232,
        "legacy does not fit"
    );
    let table = env
        .lookup_table(&io_compute_sdk::lookup::lease_addresses(
            &devices, &providers,
        ))
        .await;
    let (outcome, size) = env
        .send_v0(&[assign], &[&keeper], std::slice::from_ref(&table))
        .await;
    outcome.assert_ok();
    assert!(size <= 1_232, "assign v0: {size} bytes");
    let lease: Lease = env.account(&pda::lease(0)).await;
    assert_eq!(
        (lease.status, lease.devices.len()),
        (io_compute::state::LeaseStatus::Active, 16)
    );

    let close = ix::close_lease(
        client.pubkey(),
        client.pubkey(),
        0,
        iosd,
        &devices,
        &providers,
    );
    assert!(
        legacy(&close, &client.pubkey()) > 1_232,
        "legacy does not fit"
    );
    let (outcome, close_size) = env.send_v0(&[close], &[&client], &[table]).await;
    outcome.assert_ok();
    assert!(close_size <= 1_232, "close v0: {close_size} bytes");
    println!("16 devices from 16 providers: assign {size} bytes, close {close_size} bytes (v0 with a lookup table)");
    for device in &devices {
        let d: Device = env.account(device).await;
        assert_eq!(d.status, DeviceStatus::Idle);
    }
    // Closed at once: nothing used, nothing held back, all refunded and the
    // record gone.
    assert!(!env.exists(&pda::lease(0)).await);
}
