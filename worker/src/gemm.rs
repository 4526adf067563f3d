//! Running a GEMM job: operands from a seed or from content-addressed blobs,
//! checked before any allocation on the device; the product, timed; the
//! worker's own Freivalds check before it signs anything it could be
//! slashed for; and the receipt's commitments.

use crate::backend::{gemm_bytes, Backend, BackendError};
use io_compute_sdk::{
    inputs::InputError,
    job::{commitments, GemmSpec, JobError, Matrix, Product},
    verify::{ErrorModel, FreivaldsFailure},
};
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
    #[error(transparent)]
    Input(#[from] InputError),
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

pub use io_compute_sdk::{
    api::hex,
    inputs::{fetch_blob, gemm_operands as operands},
};

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
