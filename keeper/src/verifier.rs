//! Checking a worker's result before it is billed. The receipt must be the
//! job's, signed by the device's worker key, and its roots must commit to
//! the inputs the job names and to the outputs uploaded. Then:
//!
//! - `gemm`: Freivalds with `ROUNDS` fresh random vectors: exact for
//!   integer jobs (a wrong element survives with probability 2^-ROUNDS),
//!   within the dtype's elementwise error bound for floats;
//! - `mlp_infer`: every layer on its own (its input rebuilt from the
//!   previous layer's committed output), by Freivalds;
//! - `device_check`: the answer's own row commitments (its timing is the
//!   scheduler's business);
//! - `cuda_kernel`: the client's own code, whose outputs cannot be
//!   recomputed here: the receipt must commit to the spec and to the
//!   outputs uploaded, each the size of its buffer; a kernel that declares
//!   itself deterministic (`cross_check`) is then run on a second device
//!   and its outputs compared (the board's business).
//!
//! A result that is wrong is a lie (the device is banned); one that cannot
//! be checked (a blob missing) only fails the attempt.

use io_compute::receipt::{JobKind, JobReceipt};
use io_compute_sdk::{
    inputs::{gemm_operands, mlp_operands},
    job::{
        commitments, CudaKernelSpec, GemmDtype, GemmSpec, Job, JobSpec, Matrix, MlpInferSpec,
        Product,
    },
    mlp,
    verify::{freivalds, ErrorModel},
    worker_key,
};
use solana_sdk::{pubkey::Pubkey, signature::Signature};

/// Looks a blob up by hash (the keeper's store, and the outputs a result
/// carried inline).
pub type Fetch<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

/// Freivalds rounds per check.
pub const ROUNDS: u32 = 20;

#[derive(Debug, PartialEq)]
pub enum Verdict {
    Valid,
    /// The result is wrong or not what was asked: the device lied.
    Wrong(String),
    /// It could not be checked (an output never uploaded): the attempt
    /// fails, nobody is blamed.
    Unchecked(String),
}

/// What the worker sent for `job`.
pub struct Submission<'a> {
    pub lease: Pubkey,
    pub device: Pubkey,
    pub worker: Pubkey,
    pub job_id: [u8; 32],
    pub receipt: &'a JobReceipt,
    pub signature: &'a Signature,
    pub outputs: &'a [String],
    pub layers: &'a [String],
}

pub fn verify(job: &Job, sent: &Submission, blobs: Fetch) -> Verdict {
    if sent.receipt.job_id != sent.job_id {
        return Verdict::Wrong("the receipt names another job".into());
    }
    if !worker_key::receipt_signed_by(
        &sent.worker,
        &sent.lease,
        &sent.device,
        sent.receipt,
        sent.signature,
    ) {
        return Verdict::Wrong("the receipt is not signed by the device's worker key".into());
    }
    if sent.receipt.device_time_us == 0 {
        return Verdict::Wrong("the receipt claims no device time".into());
    }
    match &job.spec {
        JobSpec::Gemm(spec) => gemm(spec, sent, blobs),
        JobSpec::MlpInfer(spec) => mlp_infer(spec, sent, blobs),
        JobSpec::DeviceCheck(_) => expect_kind(sent.receipt, JobKind::DeviceCheck),
        JobSpec::CudaKernel(spec) => kernel(spec, sent, blobs),
    }
}

fn kernel(spec: &CudaKernelSpec, sent: &Submission, blobs: Fetch) -> Verdict {
    let r = sent.receipt;
    let sizes = spec.output_sizes();
    // A kernel run has no receipt kind of its own: an inference of zero
    // layers over the buffers (see the worker's `receipt::kernel`).
    if r.kind != JobKind::Inference
        || r.k != 0
        || r.m as usize != spec.buffers.len()
        || r.n as usize != sizes.len()
        || sent.outputs.len() != sizes.len()
    {
        return Verdict::Wrong("the receipt's kind or shape is not the kernel's".into());
    }
    if spec.commitments(sent.outputs) != (r.input_root, r.output_root) {
        return Verdict::Wrong(
            "the receipt's roots do not commit to this kernel and its outputs".into(),
        );
    }
    for (i, (hash, size)) in sent.outputs.iter().zip(sizes).enumerate() {
        match blobs(hash) {
            None => return Verdict::Unchecked(format!("output {hash} was not uploaded")),
            Some(bytes) if bytes.len() as u64 != size => {
                return Verdict::Wrong(format!(
                    "output {i} is {} bytes, its buffer {size}",
                    bytes.len()
                ))
            }
            Some(_) => {}
        }
    }
    Verdict::Valid
}

fn expect_kind(receipt: &JobReceipt, kind: JobKind) -> Verdict {
    if receipt.kind == kind {
        Verdict::Valid
    } else {
        Verdict::Wrong(format!("the receipt is for a {:?} job", receipt.kind))
    }
}

fn gemm(spec: &GemmSpec, sent: &Submission, blobs: Fetch) -> Verdict {
    let r = sent.receipt;
    if r.kind != JobKind::Gemm
        || r.dtype != spec.dtype.receipt_dtype()
        || (r.m, r.n, r.k) != (spec.m, spec.n, spec.k)
    {
        return Verdict::Wrong("the receipt's kind, dtype or shape is not the job's".into());
    }
    let [output] = sent.outputs else {
        return Verdict::Wrong("a GEMM returns exactly one output, C".into());
    };
    let Some(bytes) = blobs(output) else {
        return Verdict::Unchecked(format!("output {output} was not uploaded"));
    };
    let (a, b) = match gemm_operands(spec, blobs) {
        Ok(inputs) => inputs,
        Err(why) => return Verdict::Unchecked(format!("the job's inputs: {why}")),
    };
    let (m, n, k) = (spec.m as usize, spec.n as usize, spec.k as usize);
    let c = match Product::from_le_bytes(spec.dtype, &bytes) {
        Some(c) if c.len() == m * n => c,
        _ => return Verdict::Wrong(format!("C is not {m} x {n} {} elements", spec.dtype.name())),
    };
    let (input_root, output_root) = commitments(spec, &a, &b, &c);
    if (input_root, output_root) != (r.input_root, r.output_root) {
        return Verdict::Wrong("the receipt's roots do not commit to these inputs and C".into());
    }
    match freivalds(
        (m, k, n),
        &a,
        &b,
        &c,
        ErrorModel::of(spec.dtype, spec.allow_tf32),
        ROUNDS,
        rand::random(),
    ) {
        Ok(()) => Verdict::Valid,
        Err(failure) => Verdict::Wrong(format!("C is not A x B: {failure}")),
    }
}

fn mlp_infer(spec: &MlpInferSpec, sent: &Submission, blobs: Fetch) -> Verdict {
    let r = sent.receipt;
    if r.kind != JobKind::Inference || r.m != spec.batch || r.k != spec.layers.len() as u32 {
        return Verdict::Wrong("the receipt's kind or shape is not the job's".into());
    }
    if sent.layers.len() != spec.layers.len() || sent.outputs.last() != sent.layers.last() {
        return Verdict::Wrong(
            "an MLP returns every layer's output, the last as its output".into(),
        );
    }
    let (x0, x0_hash, weights) = match mlp_operands(spec, blobs) {
        Ok(inputs) => inputs,
        Err(why) => return Verdict::Unchecked(format!("the job's inputs: {why}")),
    };
    let weight_hashes: Vec<&str> = spec.layers.iter().map(|l| l.weights.as_str()).collect();
    if mlp::input_root(&x0_hash, &weight_hashes) != r.input_root {
        return Verdict::Wrong("the receipt's input root is not the job's inputs".into());
    }
    let batch = spec.batch as usize;
    let mut x = x0;
    let mut commitments = Vec::with_capacity(weights.len());
    for (l, (w, hash)) in weights.iter().zip(sent.layers).enumerate() {
        let Some(bytes) = blobs(hash) else {
            return Verdict::Unchecked(format!("layer {l}'s output {hash} was not uploaded"));
        };
        let z = match Matrix::from_le_bytes(GemmDtype::F32, &bytes) {
            Some(Matrix::F32(z)) if z.len() == batch * w.outputs => z,
            _ => {
                return Verdict::Wrong(format!(
                    "layer {l}'s output is not {batch} x {} f32",
                    w.outputs
                ))
            }
        };
        if let Err(failure) = mlp::check_layer(&x, batch, w, &z, ROUNDS, rand::random()) {
            return Verdict::Wrong(format!("layer {l} is not X W + b: {failure}"));
        }
        commitments.push(mlp::layer_commitment(l as u32, &z));
        x = mlp::activate(spec.activation, &z);
    }
    if mlp::output_root(&commitments) != r.output_root {
        return Verdict::Wrong("the receipt's output root does not commit to the layers".into());
    }
    Verdict::Valid
}
