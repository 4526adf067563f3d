//! GEMM fraud proofs: a wrong element of C voids the usage proof without an
//! arbiter; a correct one changes nothing; bad Merkle proofs are refused.

use crate::*;
use io_compute::{
    error::IoComputeError,
    events::{DisputeResolved, GemmFraudChecked},
    merkle::JobReceipt,
    state::{GemmOperand, Lease, ProofStatus, UsageProof},
    OpenGemmChallengeArgs, PostUsageProofArgs, ProveGemmFraudArgs, SubmitGemmOperandArgs,
};
use io_compute_sdk::{gemm::GemmJob, ix::ProofKeys, merkle::receipts_tree};
use solana_sdk::{instruction::Instruction, transaction::Transaction};

/// The largest operands the program accepts, and 64 x 64 outputs.
const M: usize = 64;
const K: usize = 128;
const N: usize = 64;

fn job(seed: i32) -> GemmJob {
    let a = (0..M * K)
        .map(|x| (x as i32).wrapping_mul(seed) % 1_000)
        .collect();
    let b = (0..K * N).map(|x| (x as i32 ^ seed) % 777 - 300).collect();
    GemmJob::new(M, K, N, a, b)
}

fn receipt(job: &GemmJob, c: &[i64], id: u8) -> JobReceipt {
    JobReceipt {
        job_id: [id; 32],
        input_hash: job.input_tree().root(),
        output_root: job.output_tree(c).root(),
        gpu_ms: 1_000,
        worker_signature: [id; 64],
    }
}

/// Every step of a fraud proof fits one legacy transaction.
fn assert_fits(payer: &Pubkey, ix: &Instruction) {
    let tx = Transaction::new_with_payer(std::slice::from_ref(ix), Some(payer));
    let size = bincode::serialized_size(&tx).unwrap();
    assert!(size <= 1_232, "{size} bytes: over the packet limit");
}

#[tokio::test]
async fn gemm_fraud_proofs() {
    let mut env = TestEnv::initialized().await;
    env.with_price(100_000_000).await;
    let keeper = env.admit_keeper().await;
    let (owner, _) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    let provider = provider_key(&owner);
    let mut device = spec("RTX4090", 1, DeviceStatus::Idle);
    device.price_per_gpu_hour = 1_000_000;
    env.ok(ix::add_device(owner.pubkey(), 0, device), &owner)
        .await;
    let device = pda::device(&provider, 0);
    let (client, client_iosd) = env.iosd_holder(10 * ONE_IO).await;
    let spec = lease_spec(1, 1, 1_000_000);
    env.ok(
        ix::create_lease(client.pubkey(), client_iosd, 0, spec),
        &client,
    )
    .await;
    env.ok(
        ix::assign_devices(keeper.pubkey(), 0, &[device], &[provider]),
        &keeper,
    )
    .await;

    // Two GEMM jobs in the period: the first computed right, the second
    // with C[5][7] off by one.
    let honest = job(3);
    let honest_c = honest.multiply();
    let forged = job(5);
    let mut forged_c = forged.multiply();
    let (i, j) = (5usize, 7usize);
    forged_c[forged.c_index(i, j)] += 1;
    let receipts = [
        receipt(&honest, &honest_c, 1),
        receipt(&forged, &forged_c, 2),
    ];
    let tree = receipts_tree(&receipts);
    let start = env.now().await;
    env.set_time(start + 1_800).await;
    let usage = PostUsageProofArgs {
        seq: 0,
        period_start: start,
        period_end: start + 1_800,
        gpu_ms: 1_800_000,
        job_count: 2,
        receipts_root: tree.root(),
    };
    env.ok(
        ix::post_usage_proof(keeper.pubkey(), 0, device, usage),
        &keeper,
    )
    .await;
    let keys = ProofKeys {
        lease_id: 0,
        device,
        provider,
        seq: 0,
        keeper_authority: keeper.pubkey(),
    };
    let proof = keys.proof();

    let prover = env.wallet().await;
    let prover_io = env.ata(&prover.pubkey(), &pda::io_mint()).await;
    let open = |n: usize, receipt_proof: Vec<[u8; 32]>| {
        ix::open_gemm_challenge(
            prover.pubkey(),
            proof,
            OpenGemmChallengeArgs {
                receipt: receipts[n],
                receipt_proof,
                i: i as u32,
                j: j as u32,
            },
        )
    };
    let submit = |job: &GemmJob, operand: GemmOperand, values: Vec<i32>| {
        let index = match operand {
            GemmOperand::ARow => job.a_row_index(i),
            GemmOperand::BCol => job.b_col_index(j),
        };
        ix::submit_gemm_operand(
            prover.pubkey(),
            proof,
            SubmitGemmOperandArgs {
                operand,
                values,
                proof: job.input_tree().proof(index),
            },
        )
    };
    let prove = |job: &GemmJob, c: &[i64]| {
        ix::prove_gemm_fraud(
            prover.pubkey(),
            keys,
            prover_io,
            ProveGemmFraudArgs {
                claimed: c[job.c_index(i, j)],
                proof: job.output_tree(c).proof(job.c_index(i, j)),
            },
        )
    };
    let challenge = pda::gemm_challenge(&proof, &prover.pubkey());
    let watch = [proof, challenge, pda::lease(0), provider];

    // A receipt that is not under the proof's root is refused.
    env.rejects(open(0, tree.proof(1)), &prover, &watch)
        .await
        .assert_error(IoComputeError::InvalidMerkleProof);

    // The honest job: the element checks out; nothing happens to the proof.
    env.ok(open(0, tree.proof(0)), &prover).await;
    env.rejects(prove(&honest, &honest_c), &prover, &watch)
        .await
        .assert_error(IoComputeError::GemmOperandsMissing);
    let mut tampered = honest.a_row(i);
    tampered[0] += 1;
    env.rejects(
        submit(&honest, GemmOperand::ARow, tampered),
        &prover,
        &watch,
    )
    .await
    .assert_error(IoComputeError::InvalidMerkleProof);
    for (operand, values) in [
        (GemmOperand::ARow, honest.a_row(i)),
        (GemmOperand::BCol, honest.b_col(j)),
    ] {
        let ix = submit(&honest, operand, values);
        assert_fits(&prover.pubkey(), &ix);
        env.ok(ix, &prover).await;
    }
    // A claimed value that is not the committed one, or a tampered output
    // proof, does not verify.
    let index = honest.c_index(i, j);
    let output = honest.output_tree(&honest_c);
    let mut bad_proof = output.proof(index);
    bad_proof[0][0] ^= 1;
    for (claimed, proof) in [
        (honest_c[index] + 1, output.proof(index)),
        (honest_c[index], bad_proof),
    ] {
        let lie = ix::prove_gemm_fraud(
            prover.pubkey(),
            keys,
            prover_io,
            ProveGemmFraudArgs { claimed, proof },
        );
        env.rejects(lie, &prover, &watch)
            .await
            .assert_error(IoComputeError::InvalidMerkleProof);
    }
    let check = prove(&honest, &honest_c);
    assert_fits(&prover.pubkey(), &check);
    let outcome = env.ok(check, &prover).await;
    let event = &outcome.events::<GemmFraudChecked>()[0];
    assert_eq!(
        (event.claimed, event.computed, event.fraud),
        (
            honest_c[honest.c_index(i, j)],
            honest_c[honest.c_index(i, j)],
            false
        )
    );
    assert!(outcome.events::<DisputeResolved>().is_empty());
    assert!(!env.exists(&challenge).await, "the challenge closed");
    let p: UsageProof = env.account(&proof).await;
    assert_eq!(p.status, ProofStatus::Locked);

    // The forged job: C[5][7] is wrong, the proof is voided at once.
    let reserved = p.reserved;
    let open_forged = open(1, tree.proof(1));
    assert_fits(&prover.pubkey(), &open_forged);
    env.ok(open_forged, &prover).await;
    env.ok(submit(&forged, GemmOperand::ARow, forged.a_row(i)), &prover)
        .await;
    env.ok(submit(&forged, GemmOperand::BCol, forged.b_col(j)), &prover)
        .await;
    let outcome = env.ok(prove(&forged, &forged_c), &prover).await;
    let event = &outcome.events::<GemmFraudChecked>()[0];
    assert!(event.fraud);
    assert_eq!(event.claimed, event.computed + 1);
    let resolved = &outcome.events::<DisputeResolved>()[0];
    assert_eq!(
        (
            resolved.upheld,
            resolved.provider_slashed,
            resolved.challenger_reward
        ),
        (true, 100 * ONE_IO, 50 * ONE_IO)
    );
    assert_eq!(env.token_balance(&prover_io).await, 50 * ONE_IO);
    assert!(!env.exists(&proof).await);
    assert!(!env.exists(&challenge).await);
    let lease: Lease = env.account(&pda::lease(0)).await;
    assert_eq!((lease.reserved, lease.open_proofs), (0, 0));
    assert_eq!(lease.escrow, lease.deposited, "the reservation is back");
    assert!(reserved > 0);
    assert_eq!(
        env.provider(&owner.pubkey()).await.stake.amount,
        900 * ONE_IO
    );
}
