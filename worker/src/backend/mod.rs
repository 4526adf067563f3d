//! The compute backends behind one trait: the CPU (faer, always built) and
//! CUDA (cudarc, behind the `cuda` feature, loaded at run time). `select`
//! picks CUDA when the feature is built and a GPU with its libraries is
//! present, and falls back to the CPU with one log line otherwise.

pub mod cpu;
#[cfg(feature = "cuda")]
pub mod cuda;

use io_compute_sdk::{
    job::{GemmDtype, Matrix, Product},
    verify::{ErrorModel, FreivaldsFailure},
};
use serde::Serialize;

/// m, k, n: A is m x k, B is k x n, C is m x n.
pub type Dims = (usize, usize, usize);

#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Cpu,
    Cuda,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        }
    }
}

/// What `io-worker detect` reports and `register` puts on-chain.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    pub backend: BackendKind,
    /// GPU model name as the driver reports it, or the CPU's.
    pub model: String,
    /// GPUs of this model (1 for the CPU backend).
    pub count: u32,
    /// Device memory (or system memory for the CPU), bytes.
    pub memory_bytes: u64,
    /// Streaming multiprocessors, or CPU threads.
    pub compute_units: u32,
    /// (major, minor) of a GPU.
    pub compute_capability: Option<(u32, u32)>,
    /// CUDA driver version of a GPU, e.g. "13.0".
    pub driver: Option<String>,
    /// The CPU's vector extensions used (avx2, fma, avx512f, neon).
    pub isa: Vec<String>,
}

#[derive(thiserror::Error, Debug)]
pub enum BackendError {
    #[error("the job needs {needed} bytes of device memory and {available} are free")]
    OutOfMemory { needed: u64, available: u64 },
    #[error("{0} is not supported by the {1} backend")]
    Unsupported(&'static str, &'static str),
    #[error("CUDA: {0}")]
    Cuda(String),
}

/// One compute device (or the CPU).
pub trait Backend: Send + Sync {
    fn info(&self) -> &DeviceInfo;

    /// Memory free for a job's buffers now, bytes.
    fn free_memory(&self) -> u64;

    /// C = A B for `dims`, in the operands' dtype: f32 (TF32 allowed only
    /// when `allow_tf32`), bf16 and f16 with f32 accumulation, int8-valued
    /// i32 exactly. Shapes and values are checked by the caller.
    fn gemm(
        &self,
        dims: Dims,
        a: &Matrix,
        b: &Matrix,
        allow_tf32: bool,
    ) -> Result<Product, BackendError>;

    /// Freivalds' check of `c` on this device (what a worker runs on its own
    /// result before signing it, and what a second device runs for the
    /// keeper): `Ok(Err(..))` is a wrong C.
    #[allow(clippy::too_many_arguments)]
    fn freivalds(
        &self,
        dims: Dims,
        a: &Matrix,
        b: &Matrix,
        c: &Product,
        model: ErrorModel,
        rounds: u32,
        seed: u64,
    ) -> Result<Result<(), FreivaldsFailure>, BackendError> {
        Ok(io_compute_sdk::verify::freivalds(
            dims, a, b, c, model, rounds, seed,
        ))
    }
}

/// Which backend the operator asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preference {
    /// CUDA when built with it and a GPU is present, else the CPU.
    Auto,
    Gpu,
    Cpu,
}

/// The backend to run on. `Gpu` fails when no usable GPU is found; `Auto`
/// falls back to the CPU with one log line saying why.
pub fn select(preference: Preference) -> anyhow::Result<Box<dyn Backend>> {
    if preference == Preference::Cpu {
        return Ok(Box::new(cpu::CpuBackend::new()));
    }
    match gpu() {
        Ok(gpu) => Ok(gpu),
        Err(why) if preference == Preference::Auto => {
            tracing::info!("no GPU backend ({why}); running on the CPU");
            Ok(Box::new(cpu::CpuBackend::new()))
        }
        Err(why) => Err(anyhow::anyhow!("no GPU backend: {why}")),
    }
}

#[cfg(feature = "cuda")]
fn gpu() -> Result<Box<dyn Backend>, String> {
    cuda::CudaBackend::open(0).map(|b| Box::new(b) as Box<dyn Backend>)
}

#[cfg(not(feature = "cuda"))]
fn gpu() -> Result<Box<dyn Backend>, String> {
    Err("this io-worker was built without the `cuda` feature (build it with `cargo build --release -p io-worker --features cuda` on a machine with CUDA 13)".to_string())
}

/// Bytes a GEMM of `dtype` at `dims` holds on the device: A, B and C.
pub fn gemm_bytes(dtype: GemmDtype, (m, k, n): Dims) -> u64 {
    ((m * k + k * n) as u64) * dtype.input_bytes() + (m * n) as u64 * dtype.output_bytes()
}
