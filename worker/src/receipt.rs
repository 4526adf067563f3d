//! Receipts of finished jobs, in the program's format
//! (`io_compute::receipt::JobReceipt`), signed by the machine's worker key:
//! what the keeper puts under a period's root and what can be held against
//! the device's provider.

use crate::{device_check::DeviceCheckRun, gemm::GemmOutcome, mlp::MlpOutcome};
use io_compute::receipt::{Dtype, JobKind, JobReceipt};
use io_compute_sdk::{
    job::{CudaKernelSpec, GemmSpec, MlpInferSpec},
    merkle::MerkleTree,
    worker_key::sign_receipt,
};
use sha2::{Digest, Sha256};
use solana_sdk::{pubkey::Pubkey, signature::Signature, signer::keypair::Keypair};

/// A receipt with its worker's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedReceipt {
    pub receipt: JobReceipt,
    pub signature: Signature,
}

/// The receipt of GEMM `job_id` of `lease` on `device`.
pub fn gemm(
    worker: &Keypair,
    lease: &Pubkey,
    device: &Pubkey,
    job_id: [u8; 32],
    spec: &GemmSpec,
    outcome: &GemmOutcome,
) -> SignedReceipt {
    let receipt = JobReceipt {
        job_id,
        kind: JobKind::Gemm,
        dtype: spec.dtype.receipt_dtype(),
        m: spec.m,
        n: spec.n,
        k: spec.k,
        input_root: outcome.input_root,
        output_root: outcome.output_root,
        device_time_us: outcome.device_time_us,
    };
    sign(worker, lease, device, receipt)
}

/// The receipt of inference `job_id`: batch x outputs of the last layer
/// (m, n), the layer count as k; roots from `mlp`.
pub fn mlp(
    worker: &Keypair,
    lease: &Pubkey,
    device: &Pubkey,
    job_id: [u8; 32],
    spec: &MlpInferSpec,
    outcome: &MlpOutcome,
) -> SignedReceipt {
    let receipt = JobReceipt {
        job_id,
        kind: JobKind::Inference,
        dtype: Dtype::F32,
        m: spec.batch,
        n: spec.layers.last().map_or(0, |l| l.outputs),
        k: spec.layers.len() as u32,
        input_root: outcome.input_root,
        output_root: outcome.output_root,
        device_time_us: outcome.device_time_us,
    };
    sign(worker, lease, device, receipt)
}

/// The receipt of device check `job_id`: n x n products, `steps` of them
/// (as k); the input root is the sha256 of the seed, the output root the
/// Merkle root of the step roots.
pub fn device_check(
    worker: &Keypair,
    lease: &Pubkey,
    device: &Pubkey,
    job_id: [u8; 32],
    run: &DeviceCheckRun,
) -> SignedReceipt {
    let receipt = JobReceipt {
        job_id,
        kind: JobKind::DeviceCheck,
        dtype: Dtype::I32,
        m: run.spec.n,
        n: run.spec.n,
        k: run.spec.steps,
        input_root: Sha256::digest(run.spec.seed.to_le_bytes()).into(),
        output_root: MerkleTree::new(run.roots.clone()).root(),
        device_time_us: run.elapsed.as_micros().max(1) as u64,
    };
    sign(worker, lease, device, receipt)
}

/// The receipt of client kernel `job_id`: the program's receipt has no
/// kind of its own for it, so it is an `Inference` of zero layers (k = 0)
/// over the buffers (m = their count); the input root is the sha256 of the
/// spec's JSON, the output root the sha256 of the outputs' hex hashes in
/// order.
pub fn kernel(
    worker: &Keypair,
    lease: &Pubkey,
    device: &Pubkey,
    job_id: [u8; 32],
    spec: &CudaKernelSpec,
    output_hashes: &[String],
    device_time_us: u64,
) -> SignedReceipt {
    let (input_root, output_root) = spec.commitments(output_hashes);
    let receipt = JobReceipt {
        job_id,
        kind: JobKind::Inference,
        dtype: Dtype::F32,
        m: spec.buffers.len() as u32,
        n: output_hashes.len() as u32,
        k: 0,
        input_root,
        output_root,
        device_time_us: device_time_us.max(1),
    };
    sign(worker, lease, device, receipt)
}

fn sign(worker: &Keypair, lease: &Pubkey, device: &Pubkey, receipt: JobReceipt) -> SignedReceipt {
    SignedReceipt {
        receipt,
        signature: sign_receipt(worker, lease, device, &receipt),
    }
}
