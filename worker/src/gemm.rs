//! Running a GEMM job: operands from a seed or from content-addressed blobs,
//! checked before any allocation on the device; the product, timed; the
//! worker's own Freivalds check before it signs anything it could be
//! slashed for; and the receipt's commitments.

use crate::backend::{gemm_bytes, Backend, BackendError};
use io_compute_sdk::{
    job::{commitments, seeded_operands, GemmInputs, GemmSpec, JobError, Matrix, Product},
    verify::{ErrorModel, FreivaldsFailure},
};
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Rounds of the worker's own check (a wrong element survives with
/// probability 2^-8: it guards against silent corruption, the keeper's
/// check is the one that counts).
const SELF_CHECK_ROUNDS: u32 = 8;

/// Why a job failed; every one comes back to the keeper as the job's error
/// with this text, and none stops the worker.
#[derive(thiserror::Error, Debug)]
pub enum JobFailure {
    #[error(transparent)]
    Spec(#[from] JobError),
    #[error("blob {0} is not available")]
    MissingBlob(String),
    #[error("blob {expected} has sha256 {actual}: the input does not match its hash")]
    InputHashMismatch { expected: String, actual: String },
    #[error("blob {which} does not hold whole {dtype} elements")]
    BadBlob { which: char, dtype: &'static str },
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("kernel buffer {index} is {expected} bytes; its blob has {got}")]
    BufferSize {
        index: usize,
        got: u64,
        expected: u64,
    },
    #[error("cuda_kernel jobs need a GPU; this worker runs on the CPU")]
    NeedsGpu,
    #[error(transparent)]
    Kernel(crate::kernel::ChildFailure),
    #[error("layer {layer}'s output overflowed to infinity or NaN at element {index}")]
    NonFiniteOutput { layer: usize, index: usize },
    #[error("the result failed the worker's own check ({0}); it was not signed")]
    SelfCheck(FreivaldsFailure),
}

/// A finished GEMM: its product, device time and receipt commitments.
#[derive(Debug)]
pub struct GemmOutcome {
    pub product: Product,
    pub device_time_us: u64,
    pub input_root: [u8; 32],
    pub output_root: [u8; 32],
}

/// A and B of `spec`: generated from its seed, or fetched by `fetch` (hex
/// sha256 -> bytes) and checked against their hashes, shapes and values.
pub fn operands(
    spec: &GemmSpec,
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<(Matrix, Matrix), JobFailure> {
    spec.validate()?;
    let (a, b) = match &spec.inputs {
        GemmInputs::Seed { seed } => seeded_operands(spec, *seed),
        GemmInputs::Content { a, b } => (blob(spec, 'A', a, fetch)?, blob(spec, 'B', b, fetch)?),
    };
    let (a_len, b_len, _) = spec.sizes();
    for (which, matrix, expected) in [('A', &a, a_len), ('B', &b, b_len)] {
        if matrix.len() != expected {
            return Err(JobError::WrongLength {
                which,
                got: matrix.len(),
                expected,
            }
            .into());
        }
        matrix.check(which)?;
    }
    Ok((a, b))
}

/// The blob whose hex sha256 is `hash`, from `fetch`, checked against it:
/// every job input arrives through here.
pub fn fetch_blob(
    hash: &str,
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, JobFailure> {
    let bytes = fetch(hash).ok_or_else(|| JobFailure::MissingBlob(hash.to_string()))?;
    let actual = hex(&Sha256::digest(&bytes));
    if actual != hash.to_ascii_lowercase() {
        return Err(JobFailure::InputHashMismatch {
            expected: hash.to_string(),
            actual,
        });
    }
    Ok(bytes)
}

fn blob(
    spec: &GemmSpec,
    which: char,
    hash: &str,
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<Matrix, JobFailure> {
    let bytes = fetch_blob(hash, fetch)?;
    Matrix::from_le_bytes(spec.dtype, &bytes).ok_or(JobFailure::BadBlob {
        which,
        dtype: spec.dtype.name(),
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `spec` on `backend` with operands from `operands`.
pub fn run(
    backend: &dyn Backend,
    spec: &GemmSpec,
    a: &Matrix,
    b: &Matrix,
) -> Result<GemmOutcome, JobFailure> {
    let dims = (spec.m as usize, spec.k as usize, spec.n as usize);
    let needed = gemm_bytes(spec.dtype, dims);
    let available = backend.free_memory();
    if needed > available {
        return Err(BackendError::OutOfMemory { needed, available }.into());
    }
    let started = Instant::now();
    let product = backend.gemm(dims, a, b, spec.allow_tf32)?;
    let device_time_us = started.elapsed().as_micros().max(1) as u64;
    let model = ErrorModel::of(spec.dtype, spec.allow_tf32);
    backend
        .freivalds(
            dims,
            a,
            b,
            &product,
            model,
            SELF_CHECK_ROUNDS,
            rand::random(),
        )?
        .map_err(JobFailure::SelfCheck)?;
    let (input_root, output_root) = commitments(spec, a, b, &product);
    Ok(GemmOutcome {
        product,
        device_time_us,
        input_root,
        output_root,
    })
}
