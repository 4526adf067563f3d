//! Worker-signed usage proofs and GEMM fraud proofs: only a period the
//! device's worker signed can be posted (C1); a wrong element of C in a
//! signed integer GEMM voids the proof without an arbiter, however long k
//! is (one transaction per piece of evidence); a correct one changes
//! nothing; float jobs cannot be used; a challenge freezes the proof only
//! for its time; bad Merkle proofs are refused.

use crate::*;
use io_compute::{
    constants::GEMM_CHALLENGE_SECS,
    error::IoComputeError,
    events::{DisputeResolved, GemmFraudChecked, UsageProofPosted},
    receipt::{Dtype, JobReceipt},
    state::{Device, GemmEvidence, Lease, ProofStatus, UsageProof, Verdict},
    OpenGemmChallengeArgs, PostUsageProofArgs, SubmitGemmEvidenceArgs, UpdateDeviceArgs,
};
use io_compute_sdk::{gemm::GemmJob, ix::ProofKeys, merkle::receipts_tree, worker_key};
use solana_sdk::{instruction::Instruction, transaction::Transaction};

pub(crate) fn job(m: usize, k: usize, n: usize, seed: i32) -> GemmJob {
    let a = (0..m * k)
        .map(|x| (x as i32).wrapping_mul(seed) % 1_000)
        .collect();
    let b = (0..k * n).map(|x| (x as i32 ^ seed) % 777 - 300).collect();
    GemmJob::new(m, k, n, a, b)
}

/// Every step of a fraud proof fits one legacy transaction.
fn assert_fits(payer: &Pubkey, instructions: &[Instruction]) -> u64 {
    let tx = Transaction::new_with_payer(instructions, Some(payer));
    let size = bincode::serialized_size(&tx).unwrap();
    assert!(size <= 1_232, "{size} bytes: over the packet limit");
    size
}

/// A leased one-GPU device of a provider with 1,000 IO staked, a keeper,
/// and a client's 1-hour lease 0 assigned to it.
pub(crate) struct Market {
    pub env: TestEnv,
    pub keeper: Keypair,
    pub owner: Keypair,
    pub provider: Pubkey,
    pub device: Pubkey,
    pub client: Keypair,
    /// A co-staker's wallet, when there is one.
    pub co_staker: Option<Keypair>,
    pub start: i64,
}

async fn market() -> Market {
    market_with(1_000 * ONE_IO, 0).await
}

/// As `market`, with `own` IO of the provider's and `co` IO of a
/// co-staker's behind it.
pub(crate) async fn market_with(own: u64, co: u64) -> Market {
    let mut env = TestEnv::initialized().await;
    env.with_price(100_000_000).await;
    let keeper = env.admit_keeper().await;
    let (owner, _) = staked_provider(&mut env, own).await;
    let provider = provider_key(&owner);
    let co_staker = if co > 0 {
        Some(co_staker(&mut env, provider, co).await.0)
    } else {
        None
    };
    let mut device = spec("RTX4090", 1, DeviceStatus::Idle);
    device.price_per_gpu_hour = 1_000_000;
    env.ok(ix::add_device(owner.pubkey(), 0, device), &owner)
        .await;
    let device = pda::device(&provider, 0);
    let (client, client_iosd) = env.iosd_holder(10 * ONE_IO).await;
    env.ok(
        ix::create_lease(client.pubkey(), client_iosd, 0, lease_spec(1, 1, 1_000_000)),
        &client,
    )
    .await;
    env.ok(
        ix::assign_devices(keeper.pubkey(), 0, &[device], &[provider]),
        &keeper,
    )
    .await;
    let start = env.now().await;
    Market {
        env,
        keeper,
        owner,
        provider,
        device,
        client,
        co_staker,
        start,
    }
}

impl Market {
    pub(crate) fn keys(&self, seq: u32) -> ProofKeys {
        ProofKeys {
            lease_id: 0,
            device: self.device,
            provider: self.provider,
            seq,
            keeper_authority: self.keeper.pubkey(),
        }
    }

    pub(crate) fn period(&self, seq: u32, root: [u8; 32], jobs: u32) -> PostUsageProofArgs {
        PostUsageProofArgs {
            seq,
            period_start: self.start,
            period_end: self.start + 1_800,
            device_time_us: 1_800_000_000,
            job_count: jobs,
            receipts_root: root,
        }
    }

    /// The client closes lease 0 at its end.
    pub(crate) async fn close_at_end(&mut self) {
        let client = self.client.insecure_clone();
        let client_iosd = self.env.ata(&client.pubkey(), &pda::iosd_mint()).await;
        self.env.set_time(self.start + 3_600).await;
        let close = ix::close_lease(
            client.pubkey(),
            client.pubkey(),
            0,
            client_iosd,
            &[self.device],
            &[self.provider],
        );
        self.env.ok(close, &client).await;
    }

    /// Posts the period of `receipts` as seq 0, attested by the test worker.
    pub(crate) async fn post(&mut self, receipts: &[JobReceipt]) -> Pubkey {
        let tree = receipts_tree(&pda::lease(0), &self.device, receipts);
        self.env.set_time(self.start + 1_800).await;
        let args = self.period(0, tree.root(), receipts.len() as u32);
        let keeper = self.keeper.insecure_clone();
        self.env
            .ok(
                post_usage_proof(keeper.pubkey(), 0, self.device, args),
                &keeper,
            )
            .await;
        self.keys(0).proof()
    }
}

/// A GEMM challenger of one element of one receipt of proof seq 0.
pub(crate) struct Prover {
    pub wallet: Keypair,
    pub io: Pubkey,
    pub proof: Pubkey,
    pub keys: ProofKeys,
}

impl Prover {
    pub(crate) async fn new(m: &mut Market) -> Self {
        let wallet = m.env.wallet().await;
        Self::with_wallet(m, wallet).await
    }

    /// A prover signing with `wallet`.
    pub(crate) async fn with_wallet(m: &mut Market, wallet: Keypair) -> Self {
        let io = m.env.ata(&wallet.pubkey(), &pda::io_mint()).await;
        Self {
            wallet,
            io,
            proof: m.keys(0).proof(),
            keys: m.keys(0),
        }
    }

    fn challenge(&self) -> Pubkey {
        pda::gemm_challenge(&self.proof, &self.wallet.pubkey())
    }

    pub(crate) fn open(
        &self,
        receipt: JobReceipt,
        proof: Vec<[u8; 32]>,
        i: usize,
        j: usize,
    ) -> Instruction {
        ix::open_gemm_challenge(
            self.wallet.pubkey(),
            self.proof,
            OpenGemmChallengeArgs {
                receipt,
                receipt_proof: proof,
                i: i as u32,
                j: j as u32,
            },
        )
    }

    fn submit(&self, step: SubmitGemmEvidenceArgs) -> Instruction {
        ix::submit_gemm_evidence(self.wallet.pubkey(), self.proof, step)
    }

    pub(crate) fn prove(&self) -> Instruction {
        ix::prove_gemm_fraud(self.wallet.pubkey(), self.keys, self.io)
    }

    /// Submits every piece of evidence for C[i][j] of `job` as `c` has it,
    /// checking that each fits a transaction.
    pub(crate) async fn submit_all(
        &self,
        env: &mut TestEnv,
        job: &GemmJob,
        c: &[i64],
        i: usize,
        j: usize,
    ) {
        for step in job.fraud_evidence(c, i, j) {
            let ix = self.submit(step);
            assert_fits(&self.wallet.pubkey(), std::slice::from_ref(&ix));
            env.ok(ix, &self.wallet).await;
        }
    }
}

#[tokio::test]
async fn gemm_fraud_proofs_replay_k_chunk_by_chunk() {
    let mut m = market().await;
    // Two integer GEMM jobs with k = 200 (four chunks, the last short):
    // the first computed right, the second with C[5][7] off by one.
    let (i, j) = (5usize, 7usize);
    let honest = job(8, 200, 9, 3);
    let honest_c = honest.multiply();
    let forged = job(8, 200, 9, 5);
    let mut forged_c = forged.multiply();
    forged_c[forged.c_index(i, j)] += 1;
    let receipts = [
        honest.receipt([1; 32], &honest_c, 900_000_000),
        forged.receipt([2; 32], &forged_c, 900_000_000),
    ];
    let tree = receipts_tree(&pda::lease(0), &m.device, &receipts);
    let proof = m.post(&receipts).await;
    let p = Prover::new(&mut m).await;
    let env = &mut m.env;
    let watch = [proof, p.challenge(), pda::lease(0), m.provider];

    // A receipt that is not under the proof's root, a float job, or an
    // element outside C is refused.
    env.rejects(p.open(receipts[0], tree.proof(1), i, j), &p.wallet, &watch)
        .await
        .assert_error(IoComputeError::InvalidMerkleProof);
    let float = JobReceipt {
        dtype: Dtype::F32,
        ..receipts[0]
    };
    env.rejects(p.open(float, tree.proof(0), i, j), &p.wallet, &watch)
        .await
        .assert_error(IoComputeError::JobNotProvable);
    env.rejects(p.open(receipts[0], tree.proof(0), 8, 0), &p.wallet, &watch)
        .await
        .assert_error(IoComputeError::GemmElementOutOfRange);

    // The honest job: the element checks out; nothing happens to the proof.
    let open = p.open(receipts[0], tree.proof(0), i, j);
    assert_fits(&p.wallet.pubkey(), std::slice::from_ref(&open));
    env.ok(open, &p.wallet).await;
    let frozen: UsageProof = env.account(&proof).await;
    assert_eq!(frozen.open_challenges, 1);
    env.rejects(p.prove(), &p.wallet, &watch)
        .await
        .assert_error(IoComputeError::GemmOperandsMissing);
    let steps = honest.fraud_evidence(&honest_c, i, j);
    assert_eq!(steps.len(), 1 + 2 * 4);
    // Out of order (chunk 1 before chunk 0), a tampered chunk, a chunk of
    // the wrong length, or another claimed value: refused.
    env.rejects(p.submit(steps[3].clone()), &p.wallet, &watch)
        .await
        .assert_error(IoComputeError::GemmChunkOutOfOrder);
    let mut tampered = steps[1].clone();
    if let GemmEvidence::ARow { values, .. } = &mut tampered.evidence {
        values[0] += 1;
    }
    env.rejects(p.submit(tampered), &p.wallet, &watch)
        .await
        .assert_error(IoComputeError::InvalidMerkleProof);
    let mut short = steps[1].clone();
    if let GemmEvidence::ARow { values, .. } = &mut short.evidence {
        values.pop();
    }
    env.rejects(p.submit(short), &p.wallet, &watch)
        .await
        .assert_error(IoComputeError::GemmChunkOutOfOrder);
    let mut lie = steps[0].clone();
    lie.evidence = GemmEvidence::C {
        value: honest_c[honest.c_index(i, j)] + 1,
    };
    env.rejects(p.submit(lie), &p.wallet, &watch)
        .await
        .assert_error(IoComputeError::InvalidMerkleProof);
    p.submit_all(env, &honest, &honest_c, i, j).await;
    let check = p.prove();
    let size = assert_fits(&p.wallet.pubkey(), std::slice::from_ref(&check));
    println!("prove_gemm_fraud: {size} bytes");
    let outcome = env.ok(check, &p.wallet).await;
    let event = &outcome.events::<GemmFraudChecked>()[0];
    let element = honest_c[honest.c_index(i, j)];
    assert_eq!(
        (event.claimed, event.computed, event.fraud),
        (element, element, false)
    );
    assert!(outcome.events::<DisputeResolved>().is_empty());
    assert!(!env.exists(&p.challenge()).await, "the challenge closed");
    let unfrozen: UsageProof = env.account(&proof).await;
    assert_eq!(
        (unfrozen.status, unfrozen.open_challenges),
        (ProofStatus::Locked, 0)
    );

    // The forged job: C[5][7] is wrong, the proof is voided at once.
    env.ok(p.open(receipts[1], tree.proof(1), i, j), &p.wallet)
        .await;
    p.submit_all(env, &forged, &forged_c, i, j).await;
    let outcome = env.ok(p.prove(), &p.wallet).await;
    let event = &outcome.events::<GemmFraudChecked>()[0];
    assert!(event.fraud);
    assert_eq!(event.claimed, event.computed + 1);
    let resolved = &outcome.events::<DisputeResolved>()[0];
    assert_eq!(
        (
            resolved.verdict,
            resolved.provider_slashed,
            resolved.challenger_reward
        ),
        (Verdict::ProviderAtFault, 100 * ONE_IO, 50 * ONE_IO)
    );
    assert_eq!(env.token_balance(&p.io).await, 50 * ONE_IO);
    assert!(!env.exists(&proof).await);
    assert!(!env.exists(&p.challenge()).await);
    let lease: Lease = env.account(&pda::lease(0)).await;
    assert_eq!((lease.reserved, lease.open_proofs), (0, 0));
    assert_eq!(lease.escrow, lease.deposited, "the reservation is back");
    assert_eq!(
        env.provider(&m.owner.pubkey())
            .await
            .stake
            .amount()
            .unwrap(),
        900 * ONE_IO
    );
    let device: Device = env.account(&m.device).await;
    assert_eq!(device.open_proofs, 0);
}

/// k = 8,192: 128 chunks, 257 evidence transactions, each within the
/// packet limit, and the wrong element is still caught.
#[tokio::test]
async fn a_fraud_proof_for_k_8192_fits_one_transaction_per_step() {
    let mut m = market().await;
    let forged = job(2, 8_192, 2, 11);
    let mut c = forged.multiply();
    c[forged.c_index(1, 0)] ^= 1 << 40;
    let receipts = [forged.receipt([9; 32], &c, 1_000)];
    let tree = receipts_tree(&pda::lease(0), &m.device, &receipts);
    m.post(&receipts).await;
    let p = Prover::new(&mut m).await;
    m.env
        .ok(p.open(receipts[0], tree.proof(0), 1, 0), &p.wallet)
        .await;
    assert_eq!(forged.fraud_evidence(&c, 1, 0).len(), 257);
    p.submit_all(&mut m.env, &forged, &c, 1, 0).await;
    let outcome = m.env.ok(p.prove(), &p.wallet).await;
    assert!(outcome.events::<GemmFraudChecked>()[0].fraud);
    assert_eq!(m.env.token_balance(&p.io).await, 50 * ONE_IO);

    // The largest provable job's deepest chunk proof (23 levels) and a
    // receipt proof for a million receipts still fit.
    let deepest = ix::submit_gemm_evidence(
        p.wallet.pubkey(),
        p.proof,
        SubmitGemmEvidenceArgs {
            evidence: GemmEvidence::BCol {
                chunk: 255,
                values: vec![i32::MIN; 64],
            },
            proof: vec![[7; 32]; 23],
        },
    );
    let size = assert_fits(&p.wallet.pubkey(), &[deepest]);
    let open = p.open(receipts[0], vec![[7; 32]; 20], 0, 0);
    let open_size = assert_fits(&p.wallet.pubkey(), &[open]);
    println!("largest evidence tx: {size} bytes; open with 2^20 receipts: {open_size} bytes");
}

/// C1: a keeper cannot post a period the device's worker did not sign, so
/// no made-up receipt can ever be held against the provider.
#[tokio::test]
async fn only_a_period_the_worker_signed_can_be_posted() {
    let mut m = market().await;
    let forged = job(4, 64, 4, 7);
    let mut c = forged.multiply();
    c[0] += 1;
    let receipts = [forged.receipt([3; 32], &c, 1_000)];
    let tree = receipts_tree(&pda::lease(0), &m.device, &receipts);
    m.env.set_time(m.start + 1_800).await;
    let args = m.period(0, tree.root(), 1);
    let keeper = m.keeper.insecure_clone();
    let proof = m.keys(0).proof();
    let watch = [
        proof,
        pda::lease(0),
        m.device,
        m.provider,
        pda::keeper(&keeper.pubkey()),
    ];
    let env = &mut m.env;
    let stake_before = env
        .provider(&m.owner.pubkey())
        .await
        .stake
        .amount()
        .unwrap();

    // Without the Ed25519 check.
    let [_, bare] = post_usage_proof(keeper.pubkey(), 0, m.device, args.clone());
    env.rejects(bare, &keeper, &watch)
        .await
        .assert_error(IoComputeError::WorkerSignatureMissing);
    // Signed by the keeper itself (a made-up receipt).
    let by_keeper = post_usage_proof_by(&keeper, keeper.pubkey(), 0, m.device, args.clone());
    env.rejects(by_keeper, &keeper, &watch)
        .await
        .assert_error(IoComputeError::WorkerSignatureMismatch);
    // The worker's real signature over another period (the keeper
    // claims more time than the worker signed).
    let signed = ix::usage_attestation(
        0,
        m.device,
        &PostUsageProofArgs {
            device_time_us: args.device_time_us - 1,
            ..args.clone()
        },
    );
    let signature = worker_key::sign_attestation(&test_worker(), &signed);
    let inflated = args.clone();
    let verify = worker_key::ed25519_verify(&test_worker().pubkey(), &signed.message(), &signature);
    let [_, post_inflated] = post_usage_proof(keeper.pubkey(), 0, m.device, inflated);
    env.rejects([verify.clone(), post_inflated], &keeper, &watch)
        .await
        .assert_error(IoComputeError::WorkerSignatureMismatch);
    // A bad signature fails in the Ed25519 program itself.
    let [_, post] = post_usage_proof(keeper.pubkey(), 0, m.device, args.clone());
    let mut bad = verify.clone();
    let last = bad.data.len() - 1;
    bad.data[last - signed.message().len()] ^= 1; // a byte of the signature
    let outcome = env.expect_rejected(&[bad, post], &[&keeper], &watch).await;
    assert!(outcome.result.is_err());
    assert_eq!(
        env.provider(&m.owner.pubkey())
            .await
            .stake
            .amount()
            .unwrap(),
        stake_before
    );

    // The worker's signature over exactly this period posts (the Ed25519
    // check and the post fit one transaction), and the proof records the
    // key that signed it.
    let pair = post_usage_proof(keeper.pubkey(), 0, m.device, args.clone());
    let size = assert_fits(&keeper.pubkey(), &pair);
    println!("post_usage_proof with its Ed25519 check: {size} bytes");
    let outcome = env
        .ok(
            post_usage_proof(keeper.pubkey(), 0, m.device, args),
            &keeper,
        )
        .await;
    let posted = &outcome.events::<UsageProofPosted>()[0];
    assert_eq!(posted.receipts_root, tree.root());
    assert_eq!(posted.period_end, m.start + 1_800);
    assert_eq!(posted.worker, test_worker().pubkey());
    let p: UsageProof = env.account(&proof).await;
    assert_eq!(
        (p.worker, p.device_time_us),
        (test_worker().pubkey(), 1_800_000_000)
    );
}

/// The provider rotates the worker key at any time; the next period needs
/// the new key.
#[tokio::test]
async fn worker_keys_rotate() {
    let mut m = market().await;
    let new_worker = Keypair::new();
    let owner = m.owner.insecure_clone();
    let rotate = |worker| {
        ix::update_device(
            owner.pubkey(),
            0,
            UpdateDeviceArgs {
                price_per_gpu_hour: None,
                status: None,
                worker: Some(worker),
            },
        )
    };
    m.env
        .rejects(rotate(Pubkey::default()), &owner, &[m.device])
        .await
        .assert_error(IoComputeError::InvalidWorkerKey);
    m.env.ok(rotate(new_worker.pubkey()), &owner).await;
    let device: Device = m.env.account(&m.device).await;
    assert_eq!(device.worker, new_worker.pubkey());
    m.env.set_time(m.start + 1_800).await;
    let args = m.period(0, [5; 32], 1);
    let keeper = m.keeper.insecure_clone();
    m.env
        .rejects(
            post_usage_proof(keeper.pubkey(), 0, m.device, args.clone()),
            &keeper,
            &[m.device],
        )
        .await
        .assert_error(IoComputeError::WorkerSignatureMismatch);
    m.env
        .ok(
            post_usage_proof_by(&new_worker, keeper.pubkey(), 0, m.device, args),
            &keeper,
        )
        .await;
}

/// A GEMM challenge freezes the proof, but only for its time: then anyone
/// abandons it and the proof finalizes. Abandoning returns the rent.
#[tokio::test]
async fn a_gemm_challenge_freezes_the_proof_for_its_time_only() {
    let mut m = market().await;
    let honest = job(4, 64, 4, 9);
    let c = honest.multiply();
    let receipts = [honest.receipt([4; 32], &c, 1_000)];
    let tree = receipts_tree(&pda::lease(0), &m.device, &receipts);
    let proof = m.post(&receipts).await;
    let p = Prover::new(&mut m).await;
    let stranger = m.env.wallet().await;
    let keys = m.keys(0);
    let env = &mut m.env;
    // Opened an hour before the proof unlocks, it runs 5 hours past that.
    let unlock_at = env.account::<UsageProof>(&proof).await.unlock_at;
    env.set_time(unlock_at - 3_600).await;
    env.ok(p.open(receipts[0], tree.proof(0), 1, 1), &p.wallet)
        .await;
    env.set_time(unlock_at).await;
    let provider_iosd = env.ata(&m.owner.pubkey(), &pda::iosd_mint()).await;
    let finalize = ix::finalize_proof(stranger.pubkey(), keys, provider_iosd);
    env.rejects(finalize.clone(), &stranger, &[proof])
        .await
        .assert_error(IoComputeError::ProofUnderChallenge);
    let abandon = ix::abandon_gemm_challenge(stranger.pubkey(), proof, p.wallet.pubkey());
    env.rejects(abandon.clone(), &stranger, &[proof, p.challenge()])
        .await
        .assert_error(IoComputeError::GemmChallengeStillOpen);
    let opened = env
        .account::<io_compute::state::GemmChallenge>(&p.challenge())
        .await;
    assert_eq!(opened.expires_at, unlock_at - 3_600 + GEMM_CHALLENGE_SECS);
    env.set_time(opened.expires_at).await;
    let late = p.submit(honest.fraud_evidence(&c, 1, 1).remove(0));
    env.rejects(late, &p.wallet, &[p.challenge()])
        .await
        .assert_error(IoComputeError::GemmChallengeExpired);
    let rent = env.lamports(&p.challenge()).await;
    let prover_lamports = env.lamports(&p.wallet.pubkey()).await;
    env.ok(abandon, &stranger).await;
    assert_eq!(
        env.lamports(&p.wallet.pubkey()).await,
        prover_lamports + rent
    );
    assert_eq!(env.account::<UsageProof>(&proof).await.open_challenges, 0);
    env.ok(finalize, &stranger).await;
    assert!(!env.exists(&proof).await);
    let device: Device = env.account(&m.device).await;
    assert_eq!(device.open_proofs, 0);
}

/// M5: disputes filed first do not lock GEMM provers out. The fraud proof
/// voids the proof; each disputer, who was right, gets its bond and its
/// dispute's rent back from anyone's `refund_dispute`, and only then.
#[tokio::test]
async fn earlier_disputes_do_not_lock_out_fraud_provers() {
    let mut m = market().await;
    let forged = job(4, 64, 4, 13);
    let mut c = forged.multiply();
    c[forged.c_index(2, 3)] -= 5;
    let receipts = [forged.receipt([6; 32], &c, 1_000)];
    let tree = receipts_tree(&pda::lease(0), &m.device, &receipts);
    let proof = m.post(&receipts).await;
    let bond = io_compute::constants::DEFAULT_MIN_DISPUTE_BOND;
    let mut disputers = Vec::new();
    for _ in 0..2 {
        let disputer = m.env.wallet().await;
        let io = m.env.give_io(&disputer.pubkey(), bond).await;
        m.env
            .ok(
                ix::dispute_proof(disputer.pubkey(), m.keys(0), io, bond),
                &disputer,
            )
            .await;
        disputers.push((disputer, io));
    }
    assert_eq!(m.env.account::<UsageProof>(&proof).await.open_disputes, 2);
    // Anyone may send a refund (no signer but the fee payer); not while
    // the proof stands.
    let (first, first_io) = (&disputers[0].0, disputers[0].1);
    let refund_first = ix::refund_dispute(proof, first.pubkey(), first_io);
    let first_dispute = pda::dispute(&proof, &first.pubkey());
    m.env
        .expect_rejected(&[refund_first], &[], &[first_dispute, first_io])
        .await
        .assert_error(IoComputeError::DisputedProofStillOpen);

    let p = Prover::new(&mut m).await;
    let env = &mut m.env;
    env.ok(p.open(receipts[0], tree.proof(0), 2, 3), &p.wallet)
        .await;
    p.submit_all(env, &forged, &c, 2, 3).await;
    env.ok(p.prove(), &p.wallet).await;
    assert!(!env.exists(&proof).await);
    assert_eq!(
        env.token_balance(&p.io).await,
        50 * ONE_IO,
        "reward to the prover"
    );
    for (disputer, io) in &disputers {
        let dispute = pda::dispute(&proof, &disputer.pubkey());
        let rent = env.lamports(&dispute).await;
        let lamports = env.lamports(&disputer.pubkey()).await;
        let refund = ix::refund_dispute(proof, disputer.pubkey(), *io);
        env.send(std::slice::from_ref(&refund), &[])
            .await
            .assert_ok();
        assert_eq!(env.token_balance(io).await, bond, "bond back");
        assert_eq!(env.lamports(&disputer.pubkey()).await, lamports + rent);
        assert!(!env.exists(&dispute).await);
        env.expect_rejected(&[refund], &[], &[*io])
            .await
            .assert_anchor_error(anchor_lang::error::ErrorCode::AccountNotInitialized);
    }
    assert_eq!(
        env.token_balance(&pda::bond_vault()).await,
        io_compute::constants::DEFAULT_MIN_KEEPER_BOND
            - io_compute::constants::DEFAULT_MIN_KEEPER_BOND / 10
    );
}

/// H3: a device (and so its provider) cannot leave while it has open
/// proofs; once they settle it can.
#[tokio::test]
async fn a_device_with_open_proofs_cannot_be_removed() {
    let mut m = market().await;
    let proof = m
        .post(&[job(2, 64, 2, 1).receipt([1; 32], &[0; 4], 1)])
        .await;
    m.close_at_end().await;
    let owner = m.owner.insecure_clone();
    m.env
        .rejects(
            ix::remove_device(owner.pubkey(), 0),
            &owner,
            &[m.device, m.provider],
        )
        .await
        .assert_error(IoComputeError::DeviceHasOpenProofs);
    let unlock_at = m.env.account::<UsageProof>(&proof).await.unlock_at;
    m.env.set_time(unlock_at).await;
    let provider_iosd = m.env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
    m.env
        .ok(
            ix::finalize_proof(owner.pubkey(), m.keys(0), provider_iosd),
            &owner,
        )
        .await;
    m.env.ok(ix::remove_device(owner.pubkey(), 0), &owner).await;
    assert!(!m.env.exists(&m.device).await);
}
