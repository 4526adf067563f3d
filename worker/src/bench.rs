//! `io-worker bench`: GEMM throughput per backend and dtype on seeded
//! square operands, with the time of the Freivalds check that verifies each
//! product (16 rounds, the keeper's default).

use crate::backend::{gemm_bytes, Backend, BackendKind};
use io_compute_sdk::{
    job::{seeded_operands, GemmDtype, GemmInputs, GemmSpec},
    verify::ErrorModel,
};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Rounds of the timed Freivalds check.
pub const FREIVALDS_ROUNDS: u32 = 16;

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct BenchRow {
    pub backend: &'static str,
    pub dtype: &'static str,
    pub n: usize,
    pub gflops: f64,
    pub freivalds_ms: f64,
}

/// The sizes benchmarked by default: 1024 and 2048, and 4096 and 8192 on a
/// GPU.
pub fn default_sizes(kind: BackendKind) -> Vec<usize> {
    match kind {
        BackendKind::Cpu => vec![1024, 2048],
        BackendKind::Cuda => vec![1024, 2048, 4096, 8192],
    }
}

/// The best of several runs of `f` (at least two, until a second has
/// passed or ten have run).
fn best_time(mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut best = Duration::MAX;
    for run in 0..10 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
        if run >= 1 && started.elapsed() > Duration::from_secs(1) {
            break;
        }
    }
    best
}

/// One row per (dtype, n) that fits the device's free memory, after a
/// warm-up run of each.
pub fn run(
    backend: &dyn Backend,
    dtypes: &[GemmDtype],
    sizes: &[usize],
) -> anyhow::Result<Vec<BenchRow>> {
    let mut rows = Vec::new();
    for &dtype in dtypes {
        for &n in sizes {
            let dims = (n, n, n);
            if gemm_bytes(dtype, dims) > backend.free_memory() {
                tracing::warn!(
                    "skipping {} n={n}: it does not fit the free memory",
                    dtype.name()
                );
                continue;
            }
            let spec = GemmSpec {
                m: n as u32,
                n: n as u32,
                k: n as u32,
                dtype,
                allow_tf32: false,
                inputs: GemmInputs::Seed { seed: n as u64 },
            };
            let (a, b) = seeded_operands(&spec, n as u64);
            let c = backend.gemm(dims, &a, &b, false)?;
            let gemm = best_time(|| {
                backend
                    .gemm(dims, &a, &b, false)
                    .expect("the warm-up run passed");
            });
            let model = ErrorModel::of(dtype, false);
            let mut verdict = Ok(());
            let check = best_time(|| {
                verdict = backend
                    .freivalds(dims, &a, &b, &c, model, FREIVALDS_ROUNDS, 7)
                    .expect("the check runs");
            });
            if let Err(failure) = verdict {
                anyhow::bail!(
                    "{} n={n}: the backend's own product failed Freivalds: {failure}",
                    dtype.name()
                );
            }
            rows.push(BenchRow {
                backend: backend.info().backend.name(),
                dtype: dtype.name(),
                n,
                gflops: spec.flops() / gemm.as_secs_f64() / 1e9,
                freivalds_ms: check.as_secs_f64() * 1e3,
            });
        }
    }
    Ok(rows)
}
