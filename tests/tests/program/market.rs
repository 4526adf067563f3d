//! The market: leases with escrow, device assignment, time-locked usage
//! proofs, finalize with fee routing, close and refund; the escrow checked
//! after every step.

use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::{
    error::IoComputeError,
    events::ProofFinalized,
    state::{
        Device, Lease, LeaseSpec, LeaseStatus, Payment, ProofStatus, Tokenomics, UsageProof,
        Verdict, REWARD_IOSD,
    },
    CreateLeaseWithIoArgs, PostUsageProofArgs,
};
use io_compute_sdk::ix::ProofKeys;

pub(crate) const HOUR: i64 = 3_600;
const PRICE: u64 = 450_000;

pub(crate) struct Actors {
    pub(crate) keeper: Keypair,
    pub(crate) provider: Keypair,
    pub(crate) devices: [Pubkey; 2],
    pub(crate) backer: Keypair,
    pub(crate) client: Keypair,
    pub(crate) client_iosd: Pubkey,
    pub(crate) provider_iosd: Pubkey,
    pub(crate) leases: Vec<u64>,
}

/// A bonded keeper; a provider in us-east with a 2-GPU and a 1-GPU RTX4090
/// at 0.45 IOSD per GPU-hour, 4,000 IO of its own stake and a 1,000 IO
/// co-staker; a client holding 1,000 IOSD (IO burned at 1 USD).
pub(crate) async fn market(env: &mut TestEnv) -> Actors {
    env.with_price(100_000_000).await;
    let keeper = env.admit_keeper().await;
    let (provider, _) = staked_provider(env, 4_000 * ONE_IO).await;
    for (index, gpus) in [(0, 2), (1, 1)] {
        let mut device = spec("RTX4090", gpus, DeviceStatus::Idle);
        device.price_per_gpu_hour = PRICE;
        env.ok(ix::add_device(provider.pubkey(), index, device), &provider)
            .await;
    }
    let key = provider_key(&provider);
    let (backer, _) = co_staker(env, key, 1_000 * ONE_IO).await;
    let (client, client_iosd) = env.iosd_holder(1_000 * ONE_IO).await;
    let provider_iosd = env.ata(&provider.pubkey(), &pda::iosd_mint()).await;
    Actors {
        keeper,
        devices: [pda::device(&key, 0), pda::device(&key, 1)],
        provider,
        backer,
        client,
        client_iosd,
        provider_iosd,
        leases: Vec::new(),
    }
}

impl Actors {
    pub(crate) async fn create(&mut self, env: &mut TestEnv, spec: LeaseSpec) -> u64 {
        let id = env
            .account::<io_compute::state::Market>(&pda::market())
            .await
            .next_lease_id;
        env.ok(
            ix::create_lease(self.client.pubkey(), self.client_iosd, id, spec),
            &self.client,
        )
        .await;
        self.leases.push(id);
        id
    }

    pub(crate) fn provider(&self) -> Pubkey {
        provider_key(&self.provider)
    }

    pub(crate) fn keys(&self, id: u64, device: usize, seq: u32) -> ProofKeys {
        ProofKeys {
            lease_id: id,
            device: self.devices[device],
            provider: self.provider(),
            seq,
            keeper_authority: self.keeper.pubkey(),
        }
    }

    /// The escrow and supply invariants over this test's leases.
    async fn check_escrow(&self, env: &mut TestEnv) {
        crate::invariants::assert_escrow_invariants(env, &self.leases).await;
    }
}

/// A period of `device_time_ms` GPU-milliseconds (posted in µs).
pub(crate) fn usage(seq: u32, start: i64, end: i64, device_time_ms: u64) -> PostUsageProofArgs {
    PostUsageProofArgs {
        seq,
        period_start: start,
        period_end: end,
        device_time_us: device_time_ms * 1_000,
        job_count: 3,
        receipts_root: [7; 32],
    }
}

/// The whole life of a 3-GPU, 2-hour lease, with exact balances:
/// payout + refund + fee == deposit.
#[tokio::test]
async fn lease_lifecycle_settles_exactly() {
    let mut env = TestEnv::initialized().await;
    let mut m = market(&mut env).await;
    let keeper = m.keeper.insecure_clone();
    let client = m.client.insecure_clone();
    let start_balance = env.token_balance(&m.client_iosd).await;

    // Budget 3 GPUs x 2 h x 0.50 = 3 IOSD, plus the 2.5 % client fee.
    let id = m.create(&mut env, lease_spec(3, 2, 500_000)).await;
    let deposit = 3_075_000;
    assert_eq!(
        env.token_balance(&m.client_iosd).await,
        start_balance - deposit
    );
    let lease: Lease = env.account(&pda::lease(id)).await;
    assert_eq!(
        (lease.status, lease.payment, lease.deposited, lease.escrow),
        (LeaseStatus::Open, Payment::Iosd, deposit, deposit)
    );
    m.check_escrow(&mut env).await;

    env.ok(
        ix::assign_devices(keeper.pubkey(), id, &m.devices, &[m.provider()]),
        &keeper,
    )
    .await;
    let start = env.now().await;
    let lease: Lease = env.account(&pda::lease(id)).await;
    assert_eq!(
        (
            lease.status,
            lease.start,
            lease.end,
            lease.devices.iter().map(|d| d.device).collect::<Vec<_>>(),
            lease.keeper,
        ),
        (
            LeaseStatus::Active,
            start,
            start + 2 * HOUR,
            m.devices.to_vec(),
            keeper.pubkey(),
        )
    );
    for entry in &lease.devices {
        assert_eq!(
            (
                entry.price_per_gpu_hour,
                entry.next_proof_seq,
                entry.proven_until
            ),
            (450_000, 0, start),
            "the price it was matched at; no proof yet"
        );
    }
    for device in m.devices {
        let d: Device = env.account(&device).await;
        assert_eq!(
            (d.status, d.current_lease),
            (DeviceStatus::Leased, pda::lease(id))
        );
    }
    let p = env.provider(&m.provider.pubkey()).await;
    assert_eq!(
        p.required_stake_leased,
        600 * ONE_IO,
        "400 + 200 IO now guard unstaking"
    );
    // The client cannot cancel an Active lease.
    env.rejects(
        ix::cancel_lease(client.pubkey(), id, m.client_iosd),
        &client,
        &[pda::lease(id), m.client_iosd],
    )
    .await
    .assert_error(IoComputeError::LeaseNotOpen);

    // One hour of both devices: 2 GPU-h x 0.45 = 0.9 IOSD and 0.45 IOSD.
    env.set_time(start + HOUR).await;
    env.ok(
        post_usage_proof(
            keeper.pubkey(),
            id,
            m.devices[0],
            usage(0, start, start + HOUR, 7_200_000),
        ),
        &keeper,
    )
    .await;
    let posted_at = env.now().await;
    env.ok(
        post_usage_proof(
            keeper.pubkey(),
            id,
            m.devices[1],
            usage(0, start, start + HOUR, 3_600_000),
        ),
        &keeper,
    )
    .await;
    let lease: Lease = env.account(&pda::lease(id)).await;
    assert_eq!(
        lease.reserved,
        922_500 + 461_250,
        "amount due + 2.5 % client fee each"
    );
    // The keeper's bond stays at stake until its proofs settle.
    let record = pda::keeper(&keeper.pubkey());
    let k: io_compute::state::Keeper = env.account(&record).await;
    assert_eq!(k.open_proofs, 2);
    let admin = env.admin.insecure_clone();
    let keeper_io = pda::associated_token(&keeper.pubkey(), &pda::io_mint());
    env.rejects(
        ix::remove_keeper(admin.pubkey(), keeper.pubkey(), keeper_io),
        &admin,
        &[record, pda::bond_vault()],
    )
    .await
    .assert_error(IoComputeError::KeeperHasOpenProofs);
    m.check_escrow(&mut env).await;

    // The time lock: not one second early.
    let unlock = posted_at + SECONDS_PER_DAY;
    let cranker = env.wallet().await;
    let finalize0 = ix::finalize_proof(cranker.pubkey(), m.keys(id, 0, 0), m.provider_iosd);
    env.set_time(unlock - 1).await;
    env.rejects(
        finalize0.clone(),
        &cranker,
        &[pda::lease(id), m.provider_iosd],
    )
    .await
    .assert_error(IoComputeError::ProofLocked);
    env.set_time(unlock).await;
    // The dispute window closes at unlock, to the second.
    let client_io = pda::associated_token(&client.pubkey(), &pda::io_mint());
    let bond = io_compute::constants::DEFAULT_MIN_DISPUTE_BOND;
    env.rejects(
        ix::dispute_proof(client.pubkey(), m.keys(id, 1, 0), client_io, bond),
        &client,
        &[m.keys(id, 1, 0).proof()],
    )
    .await
    .assert_error(IoComputeError::DisputeWindowClosed);
    let keeper_lamports = env.lamports(&keeper.pubkey()).await;
    let proof_rent = env.lamports(&m.keys(id, 0, 0).proof()).await;
    let iosd_supply = env.mint_supply(&pda::iosd_mint()).await;
    let outcome = env.ok(finalize0.clone(), &cranker).await;
    // 0.9 IOSD less the 2 % provider fee; fee 22,500 + 18,000 split 40/40/20.
    assert_eq!(
        outcome.events::<ProofFinalized>(),
        vec![ProofFinalized {
            proof: m.keys(id, 0, 0).proof(),
            lease: pda::lease(id),
            device: m.devices[0],
            provider: m.provider(),
            payout: 882_000,
            fee: 40_500,
            fee_to_treasury: 16_200,
            fee_to_stakers: 16_200,
            fee_burned: 8_100,
        }]
    );
    assert_eq!(env.token_balance(&m.provider_iosd).await, 882_000);
    assert_eq!(env.token_balance(&pda::treasury_iosd_vault()).await, 16_200);
    assert_eq!(env.token_balance(&pda::rewards_iosd_vault()).await, 16_200);
    assert_eq!(
        env.mint_supply(&pda::iosd_mint()).await,
        iosd_supply - 8_100
    );
    assert!(!env.exists(&m.keys(id, 0, 0).proof()).await);
    assert_eq!(
        env.lamports(&keeper.pubkey()).await,
        keeper_lamports + proof_rent
    );
    let d: Device = env.account(&m.devices[0]).await;
    assert_eq!(d.reliability_bps, 5_100);
    assert_eq!(
        env.provider(&m.provider.pubkey())
            .await
            .reputation
            .proofs_finalized,
        1
    );
    m.check_escrow(&mut env).await;
    // Twice: the proof is gone.
    env.rejects(finalize0, &cranker, &[pda::lease(id), m.provider_iosd])
        .await
        .assert_anchor_error(AnchorError::AccountNotInitialized);

    // The client ends the lease (past its end): devices back to Idle; the
    // second hour, never proven, is held back for a day (another 0.9 +
    // 0.45 IOSD with fees); the rest is refunded; device 1's proof still
    // settles.
    let close = ix::close_lease(
        client.pubkey(),
        client.pubkey(),
        id,
        m.client_iosd,
        &m.devices,
        &[m.provider()],
    );
    env.ok(close, &client).await;
    let refund = deposit - 922_500 - 461_250;
    let holdback = 922_500 + 461_250;
    assert_eq!(
        env.token_balance(&m.client_iosd).await,
        start_balance - deposit + refund - holdback
    );
    let closed: Lease = env.account(&pda::lease(id)).await;
    assert_eq!(
        (closed.holdback, closed.holdback_until),
        (holdback, closed.closed_at + SECONDS_PER_DAY)
    );
    for device in m.devices {
        let d: Device = env.account(&device).await;
        assert_eq!(
            (d.status, d.current_lease),
            (DeviceStatus::Idle, Pubkey::default())
        );
    }
    assert_eq!(
        env.provider(&m.provider.pubkey())
            .await
            .required_stake_leased,
        0
    );
    let lease: Lease = env.account(&pda::lease(id)).await;
    assert_eq!(
        (lease.status, lease.open_proofs, lease.escrow),
        (LeaseStatus::Closed, 1, 461_250 + holdback)
    );
    m.check_escrow(&mut env).await;

    env.ok(
        ix::finalize_proof(cranker.pubkey(), m.keys(id, 1, 0), m.provider_iosd),
        &cranker,
    )
    .await;
    assert_eq!(env.token_balance(&m.provider_iosd).await, 882_000 + 441_000);
    let k: io_compute::state::Keeper = env.account(&record).await;
    assert_eq!(k.open_proofs, 0);
    // Once the holdback has ended with nothing posted, it goes back to the
    // client and nothing is left: closing again closes the record, rent
    // to the client.
    env.set_time(closed.holdback_until).await;
    let client_lamports = env.lamports(&client.pubkey()).await;
    let lease_rent = env.lamports(&pda::lease(id)).await;
    let again = ix::close_lease(
        client.pubkey(),
        client.pubkey(),
        id,
        m.client_iosd,
        &[],
        &[],
    );
    env.ok(again, &client).await;
    assert_eq!(
        env.token_balance(&m.client_iosd).await,
        start_balance - deposit + refund
    );
    assert!(!env.exists(&pda::lease(id)).await);
    assert_eq!(
        env.lamports(&client.pubkey()).await,
        client_lamports + lease_rent
    );
    m.check_escrow(&mut env).await;

    // payout + refund + fee == deposit, to the base unit.
    let payout = env.token_balance(&m.provider_iosd).await;
    let fees = 40_500 + 20_250;
    assert_eq!(payout + refund + fees, deposit);
    let market: io_compute::state::Market = env.account(&pda::market()).await;
    assert_eq!(
        (
            market.total_paid_to_providers,
            market.total_fees,
            market.total_refunded,
            market.escrow_total
        ),
        (payout, fees, refund, 0)
    );

    // Stakers' fee share: 24,300 IOSD base units over the provider's 4,000
    // IO and the co-staker's 1,000; the co-staker keeps 20 % of its fifth.
    let t: Tokenomics = env.account(&pda::tokenomics()).await;
    assert_eq!(t.stakers.funded[REWARD_IOSD], 24_300);
    let backer = m.backer.insecure_clone();
    let backer_io = pda::associated_token(&backer.pubkey(), &pda::io_mint());
    let backer_iosd = env.ata(&backer.pubkey(), &pda::iosd_mint()).await;
    env.ok(
        ix::claim_rewards(backer.pubkey(), m.provider(), 0, backer_io, backer_iosd),
        &backer,
    )
    .await;
    assert_eq!(env.token_balance(&backer_iosd).await, 972);
    let owner = m.provider.insecure_clone();
    let owner_io = pda::associated_token(&owner.pubkey(), &pda::io_mint());
    env.ok(
        ix::claim_rewards(owner.pubkey(), m.provider(), 0, owner_io, m.provider_iosd),
        &owner,
    )
    .await;
    env.ok(
        ix::claim_commission(owner.pubkey(), owner_io, m.provider_iosd),
        &owner,
    )
    .await;
    assert_eq!(
        env.token_balance(&m.provider_iosd).await,
        payout + 19_440 + 3_888,
        "own 4/5 plus 80 % commission on the co-staker's fifth"
    );
    assert_eq!(env.token_balance(&pda::rewards_iosd_vault()).await, 0);
}

/// Paying with IO burns exactly the deposit's worth at the oracle price,
/// with no client fee (io.net's rule), straight into escrow.
#[tokio::test]
async fn lease_paid_with_io_burns_into_escrow() {
    let mut env = TestEnv::initialized().await;
    let mut m = market(&mut env).await;
    let client = m.client.insecure_clone();
    let io = env.give_io(&client.pubkey(), 10 * ONE_IO).await;
    let id = env
        .account::<io_compute::state::Market>(&pda::market())
        .await
        .next_lease_id;
    let args = CreateLeaseWithIoArgs {
        spec: lease_spec(1, 4, 500_000),
        max_io: 2 * ONE_IO,
    };
    let io_supply = env.mint_supply(&pda::io_mint()).await;
    env.ok(
        ix::create_lease_with_io(client.pubkey(), io, id, pda::price_feed(), 0, args.clone()),
        &client,
    )
    .await;
    m.leases.push(id);
    // 2 IOSD of budget, no fee, at 1 USD per IO: 2 IO burned.
    assert_eq!(env.token_balance(&io).await, 8 * ONE_IO);
    assert_eq!(
        env.mint_supply(&pda::io_mint()).await,
        io_supply - 2 * ONE_IO
    );
    let lease: Lease = env.account(&pda::lease(id)).await;
    assert_eq!(
        (lease.payment, lease.deposited, lease.client_fee_bps),
        (Payment::Io, 2_000_000, 0)
    );
    m.check_escrow(&mut env).await;
    // Slippage: a maximum below what the deposit costs is refused.
    let tight = CreateLeaseWithIoArgs {
        max_io: 2 * ONE_IO - 1,
        ..args
    };
    env.rejects(
        ix::create_lease_with_io(client.pubkey(), io, id + 1, pda::price_feed(), 0, tight),
        &client,
        &[io, pda::market(), pda::escrow_vault()],
    )
    .await
    .assert_error(IoComputeError::SlippageExceeded);
    // Cancelling an Open lease refunds everything, in IOSD.
    env.ok(
        ix::cancel_lease(client.pubkey(), id, m.client_iosd),
        &client,
    )
    .await;
    assert!(!env.exists(&pda::lease(id)).await);
    m.check_escrow(&mut env).await;
}

/// Each bad call fails with its own error and changes nothing.
#[tokio::test]
async fn market_guards() {
    let mut env = TestEnv::initialized().await;
    let mut m = market(&mut env).await;
    let keeper = m.keeper.insecure_clone();
    let client = m.client.insecure_clone();
    let stranger = env.wallet().await;
    let providers = [m.provider()];

    // Price above the lease's maximum.
    let cheap = m.create(&mut env, lease_spec(3, 1, PRICE - 1)).await;
    let watch = [pda::lease(cheap), m.devices[0], m.devices[1], m.provider()];
    env.rejects(
        ix::assign_devices(keeper.pubkey(), cheap, &m.devices, &providers),
        &keeper,
        &watch,
    )
    .await
    .assert_error(IoComputeError::PriceAboveMax);
    // GPUs that do not add up, and a stranger as matcher.
    let id = m.create(&mut env, lease_spec(3, 2, PRICE)).await;
    let watch = [pda::lease(id), m.devices[0], m.devices[1], m.provider()];
    env.rejects(
        ix::assign_devices(keeper.pubkey(), id, &m.devices[..1], &providers),
        &keeper,
        &watch,
    )
    .await
    .assert_error(IoComputeError::GpuCountMismatch);
    env.rejects(
        ix::assign_devices(stranger.pubkey(), id, &m.devices, &providers),
        &stranger,
        &watch,
    )
    .await
    .assert_error(IoComputeError::NotAdmittedKeeper);
    let twice = ix::assign_devices(
        keeper.pubkey(),
        id,
        &[m.devices[0], m.devices[0]],
        &providers,
    );
    env.rejects(twice, &keeper, &watch)
        .await
        .assert_error(IoComputeError::DuplicateAccount);
    env.ok(
        ix::assign_devices(keeper.pubkey(), id, &m.devices, &providers),
        &keeper,
    )
    .await;
    // A device already serving a lease cannot be assigned again.
    let other = m.create(&mut env, lease_spec(1, 1, PRICE)).await;
    env.rejects(
        ix::assign_devices(keeper.pubkey(), other, &m.devices[1..], &providers),
        &keeper,
        &[pda::lease(other), m.devices[1]],
    )
    .await
    .assert_error(IoComputeError::DeviceNotIdle);
    // Its price is fixed while it serves.
    let reprice = io_compute::UpdateDeviceArgs {
        price_per_gpu_hour: Some(1),
        status: None,
        worker: None,
    };
    let owner = m.provider.insecure_clone();
    env.rejects(
        ix::update_device(owner.pubkey(), 0, reprice),
        &owner,
        &[m.devices[0]],
    )
    .await
    .assert_error(IoComputeError::DeviceLeased);

    let start = env.now().await;
    env.set_time(start + HOUR).await;
    let post = |seq, gpu_ms| {
        post_usage_proof(
            keeper.pubkey(),
            id,
            m.devices[0],
            usage(seq, start, start + HOUR / 2, gpu_ms),
        )
    };
    let watch = [pda::lease(id), m.devices[0]];
    // Not by a non-keeper, nor by an admitted keeper other than the
    // lease's; GPU-ms within the period x GPUs; no seq gap.
    let other_keeper = env.admit_keeper().await;
    for outsider in [&stranger, &other_keeper] {
        let by_outsider = post_usage_proof(
            outsider.pubkey(),
            id,
            m.devices[0],
            usage(0, start, start + 60, 1),
        );
        env.rejects(by_outsider, outsider, &watch)
            .await
            .assert_error(IoComputeError::NotLeaseKeeper);
    }
    env.rejects(post(0, 1_800 * 1_000 * 2 + 1), &keeper, &watch)
        .await
        .assert_error(IoComputeError::DeviceTimeExceedsPeriod);
    env.rejects(post(1, 1_000), &keeper, &watch)
        .await
        .assert_error(IoComputeError::ProofSeqMismatch);
    env.ok(post(0, 1_800 * 1_000 * 2), &keeper).await;
    // Repeating seq 0, or overlapping the last period with seq 1.
    env.rejects(post(0, 1_000), &keeper, &watch)
        .await
        .assert_error(IoComputeError::ProofSeqMismatch);
    env.rejects(post(1, 1_000), &keeper, &watch)
        .await
        .assert_error(IoComputeError::InvalidProofPeriod);
    // A period in the future.
    let future = post_usage_proof(
        keeper.pubkey(),
        id,
        m.devices[0],
        usage(1, start + HOUR / 2, start + HOUR + 1, 1_000),
    );
    env.rejects(future, &keeper, &watch)
        .await
        .assert_error(IoComputeError::InvalidProofPeriod);
    // Only the client may close before the end; anyone after it.
    let early = ix::close_lease(
        stranger.pubkey(),
        client.pubkey(),
        id,
        m.client_iosd,
        &m.devices,
        &providers,
    );
    env.rejects(early, &stranger, &[pda::lease(id), m.client_iosd])
        .await
        .assert_error(IoComputeError::LeaseNotEnded);
    // A refund only ever goes to the client.
    let stranger_iosd = env.ata(&stranger.pubkey(), &pda::iosd_mint()).await;
    let diverted = ix::close_lease(
        client.pubkey(),
        client.pubkey(),
        id,
        stranger_iosd,
        &m.devices,
        &providers,
    );
    env.rejects(diverted, &client, &[pda::lease(id), stranger_iosd])
        .await
        .assert_error(IoComputeError::WrongPayee);
    env.set_time(start + 2 * HOUR).await;
    let late = ix::close_lease(
        stranger.pubkey(),
        client.pubkey(),
        id,
        m.client_iosd,
        &m.devices,
        &providers,
    );
    env.ok(late, &stranger).await;
    // Closed: the unproven time before the close still posts while the
    // holdback lasts (H2), and nothing after it; no top-ups.
    let lease: Lease = env.account(&pda::lease(id)).await;
    let tail = |seq| {
        post_usage_proof(
            keeper.pubkey(),
            id,
            m.devices[0],
            usage(seq, start + HOUR / 2, start + 2 * HOUR, 1_000),
        )
    };
    env.set_time(lease.holdback_until).await;
    env.rejects(tail(1), &keeper, &watch)
        .await
        .assert_error(IoComputeError::HoldbackExpired);
    env.set_time(lease.holdback_until - 1).await;
    env.ok(tail(1), &keeper).await;
    env.rejects(
        ix::top_up_lease(client.pubkey(), id, m.client_iosd, 1),
        &client,
        &[pda::lease(id)],
    )
    .await
    .assert_error(IoComputeError::LeaseClosed);
    m.check_escrow(&mut env).await;
}

/// Disputes: strictly before unlock, freeze the proof; rejected, the bond
/// pays the provider and the proof pays later; upheld, the reservation
/// returns to escrow and the provider and keeper are slashed.
#[tokio::test]
async fn disputes_freeze_then_void_or_release() {
    let mut env = TestEnv::initialized().await;
    let mut m = market(&mut env).await;
    let admin = env.admin.insecure_clone();
    let keeper = m.keeper.insecure_clone();
    let client = m.client.insecure_clone();
    let id = m.create(&mut env, lease_spec(3, 2, 500_000)).await;
    env.ok(
        ix::assign_devices(keeper.pubkey(), id, &m.devices, &[m.provider()]),
        &keeper,
    )
    .await;
    let start = env.now().await;
    env.set_time(start + HOUR).await;
    for (device, gpu_ms) in [(0, 7_200_000), (1, 3_600_000)] {
        let args = usage(0, start, start + HOUR, gpu_ms);
        env.ok(
            post_usage_proof(keeper.pubkey(), id, m.devices[device], args),
            &keeper,
        )
        .await;
    }
    let unlock = start + HOUR + SECONDS_PER_DAY;
    let (p0, p1) = (m.keys(id, 0, 0), m.keys(id, 1, 0));

    // A staker challenges proof 1 with a bond: not below the minimum.
    let challenger = env.wallet().await;
    let min_bond = io_compute::constants::DEFAULT_MIN_DISPUTE_BOND;
    let challenger_io = env.give_io(&challenger.pubkey(), min_bond).await;
    let watch = [p1.proof(), challenger_io, pda::bond_vault()];
    env.rejects(
        ix::dispute_proof(challenger.pubkey(), p1, challenger_io, min_bond - 1),
        &challenger,
        &watch,
    )
    .await
    .assert_error(IoComputeError::DisputeBondTooSmall);
    env.ok(
        ix::dispute_proof(challenger.pubkey(), p1, challenger_io, min_bond),
        &challenger,
    )
    .await;
    assert_eq!(env.token_balance(&challenger_io).await, 0);
    // The client disputes proof 0 with a bond like anyone (M5), in the
    // window's last second.
    let client_io = env.give_io(&client.pubkey(), min_bond).await;
    env.set_time(unlock - 1).await;
    env.rejects(
        ix::dispute_proof(client.pubkey(), p0, client_io, 0),
        &client,
        &[p0.proof(), client_io],
    )
    .await
    .assert_error(IoComputeError::DisputeBondTooSmall);
    env.ok(
        ix::dispute_proof(client.pubkey(), p0, client_io, min_bond),
        &client,
    )
    .await;
    env.set_time(unlock).await;
    let cranker = env.wallet().await;
    for keys in [p0, p1] {
        env.rejects(
            ix::finalize_proof(cranker.pubkey(), keys, m.provider_iosd),
            &cranker,
            &[keys.proof(), pda::lease(id)],
        )
        .await
        .assert_error(IoComputeError::ProofDisputed);
    }
    m.check_escrow(&mut env).await;

    // Only the arbiter resolves.
    let owner_io = pda::associated_token(&m.provider.pubkey(), &pda::io_mint());
    let stranger = env.wallet().await;
    env.rejects(
        ix::resolve_dispute(
            stranger.pubkey(),
            p1,
            challenger.pubkey(),
            owner_io,
            Verdict::Rejected,
        ),
        &stranger,
        &[p1.proof()],
    )
    .await
    .assert_error(IoComputeError::NotArbiter);
    // Rejected: the bond pays the provider; the proof pays out as posted.
    let resolve_p1 = ix::resolve_dispute(
        admin.pubkey(),
        p1,
        challenger.pubkey(),
        owner_io,
        Verdict::Rejected,
    );
    env.ok(resolve_p1.clone(), &admin).await;
    assert_eq!(env.token_balance(&owner_io).await, min_bond);
    // The dispute is closed: its verdict cannot be given twice.
    env.rejects(resolve_p1, &admin, &[p1.proof()])
        .await
        .assert_anchor_error(AnchorError::AccountNotInitialized);
    let cleared: UsageProof = env.account(&p1.proof()).await;
    assert_eq!(
        (cleared.status, cleared.open_disputes),
        (ProofStatus::Cleared, 0)
    );
    // A rejected proof is never disputed again (states only move forward).
    let again_io = env.give_io(&challenger.pubkey(), min_bond).await;
    env.set_time(unlock - 1).await;
    env.rejects(
        ix::dispute_proof(challenger.pubkey(), p1, again_io, min_bond),
        &challenger,
        &[p1.proof(), again_io],
    )
    .await
    .assert_error(IoComputeError::ProofAlreadyCleared);
    env.set_time(unlock).await;
    env.ok(
        ix::finalize_proof(cranker.pubkey(), p1, m.provider_iosd),
        &cranker,
    )
    .await;
    assert_eq!(env.token_balance(&m.provider_iosd).await, 441_000);

    // Upheld: 10 % of the provider's 5,000 IO is slashed, half to the
    // client; the keeper loses 10 % of its bond; the reservation returns.
    let treasury = env.token_balance(&pda::treasury_io_vault()).await;
    let client_lamports = env.lamports(&client.pubkey()).await;
    let proof_rent = env.lamports(&p0.proof()).await;
    let dispute_rent = env
        .lamports(&pda::dispute(&p0.proof(), &client.pubkey()))
        .await;
    let outcome = env
        .ok(
            ix::resolve_dispute(
                admin.pubkey(),
                p0,
                client.pubkey(),
                client_io,
                Verdict::ProviderAtFault,
            ),
            &admin,
        )
        .await;
    let bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND;
    assert_eq!(
        outcome.events::<io_compute::events::DisputeResolved>(),
        vec![io_compute::events::DisputeResolved {
            proof: p0.proof(),
            lease: pda::lease(id),
            challenger: client.pubkey(),
            verdict: Verdict::ProviderAtFault,
            provider_slashed: 500 * ONE_IO,
            challenger_reward: 250 * ONE_IO,
            keeper_bond_slashed: bond / 10,
            bond: min_bond,
        }]
    );
    assert_eq!(
        env.token_balance(&client_io).await,
        250 * ONE_IO + min_bond,
        "the reward and the bond back"
    );
    assert_eq!(
        env.token_balance(&pda::treasury_io_vault()).await,
        treasury + 250 * ONE_IO + bond / 10
    );
    let p = env.provider(&m.provider.pubkey()).await;
    assert_eq!(
        (p.stake.amount().unwrap(), p.reputation.disputes_lost),
        (4_500 * ONE_IO, 1)
    );
    assert_eq!(env.token_balance(&pda::stake_vault()).await, 4_500 * ONE_IO);
    let k: io_compute::state::Keeper = env.account(&pda::keeper(&keeper.pubkey())).await;
    assert_eq!(k.bond, bond - bond / 10);
    assert_eq!(
        env.token_balance(&pda::bond_vault()).await,
        bond - bond / 10
    );
    let d: Device = env.account(&m.devices[0]).await;
    assert_eq!(d.reliability_bps, 3_000);
    assert!(!env.exists(&p0.proof()).await);
    assert_eq!(
        env.lamports(&client.pubkey()).await,
        client_lamports + proof_rent + dispute_rent,
        "the proof's and the dispute's rent"
    );
    let lease: Lease = env.account(&pda::lease(id)).await;
    assert_eq!((lease.reserved, lease.open_proofs), (0, 0));
    m.check_escrow(&mut env).await;
    // The client gets everything but the settled proof back: at once but
    // the holdback for the second hour, the holdback a day later.
    let before = env.token_balance(&m.client_iosd).await;
    let close = |devices: &[Pubkey], providers: &[Pubkey]| {
        ix::close_lease(
            client.pubkey(),
            client.pubkey(),
            id,
            m.client_iosd,
            devices,
            providers,
        )
    };
    env.ok(close(&m.devices, &[m.provider()]), &client).await;
    let holdback = 922_500 + 461_250;
    assert_eq!(
        env.token_balance(&m.client_iosd).await,
        before + 3_075_000 - 461_250 - holdback
    );
    let lease: Lease = env.account(&pda::lease(id)).await;
    env.set_time(lease.holdback_until).await;
    env.ok(close(&[], &[]), &client).await;
    assert_eq!(
        env.token_balance(&m.client_iosd).await,
        before + 3_075_000 - 461_250
    );
    assert!(!env.exists(&pda::lease(id)).await, "settled and closed");
    m.check_escrow(&mut env).await;
}
