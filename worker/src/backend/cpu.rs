//! The CPU backend: faer's parallel GEMM kernels (AVX2/AVX-512/NEON as the
//! CPU has them). bf16 and f16 go through f32 (f32 accumulation, rounded
//! back to nearest even, as cuBLAS's COMPUTE_32F does); int8-valued integer
//! jobs go through one f64 GEMM, exact because every partial sum stays below
//! 2^53 (|sum| <= k * 2^14 <= 2^28 for any provable k).

use super::{Backend, BackendError, BackendKind, DeviceInfo, Dims};
use faer::{linalg::matmul::matmul, Accum, MatMut, MatRef, Par};
use half::{bf16, f16};
use io_compute_sdk::{
    job::{Matrix, Product},
    verify::{random_vectors, ErrorModel, FreivaldsFailure, Projections},
};

pub struct CpuBackend {
    info: DeviceInfo,
}

impl Default for CpuBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuBackend {
    pub fn new() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        Self {
            info: DeviceInfo {
                backend: BackendKind::Cpu,
                model: cpu_model(),
                count: 1,
                memory_bytes: meminfo("MemTotal:").unwrap_or(0),
                compute_units: threads,
                compute_capability: None,
                driver: None,
                isa: isa(),
            },
        }
    }
}

/// C = A B in T with faer, row-major in and out.
fn faer_gemm<T: faer::traits::ComplexField + Copy>(
    (m, k, n): Dims,
    a: &[T],
    b: &[T],
    zero: T,
    one: T,
) -> Vec<T> {
    let mut c = vec![zero; m * n];
    matmul(
        MatMut::from_row_major_slice_mut(&mut c, m, n),
        Accum::Replace,
        MatRef::from_row_major_slice(a, m, k),
        MatRef::from_row_major_slice(b, k, n),
        one,
        Par::rayon(0),
    );
    c
}

impl Backend for CpuBackend {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn free_memory(&self) -> u64 {
        meminfo("MemAvailable:").unwrap_or(self.info.memory_bytes)
    }

    fn gemm(
        &self,
        dims: Dims,
        a: &Matrix,
        b: &Matrix,
        _allow_tf32: bool,
    ) -> Result<Product, BackendError> {
        Ok(match (a, b) {
            (Matrix::F32(a), Matrix::F32(b)) => Product::F32(faer_gemm(dims, a, b, 0.0, 1.0)),
            (Matrix::Bf16(a), Matrix::Bf16(b)) => {
                let a: Vec<f32> = a.iter().map(|x| x.to_f32()).collect();
                let b: Vec<f32> = b.iter().map(|x| x.to_f32()).collect();
                let c = faer_gemm(dims, &a, &b, 0.0, 1.0);
                Product::Bf16(c.into_iter().map(bf16::from_f32).collect())
            }
            (Matrix::F16(a), Matrix::F16(b)) => {
                let a: Vec<f32> = a.iter().map(|x| x.to_f32()).collect();
                let b: Vec<f32> = b.iter().map(|x| x.to_f32()).collect();
                let c = faer_gemm(dims, &a, &b, 0.0, 1.0);
                Product::F16(c.into_iter().map(f16::from_f32).collect())
            }
            (Matrix::I32(a), Matrix::I32(b)) => {
                let a: Vec<f64> = a.iter().map(|&x| x as f64).collect();
                let b: Vec<f64> = b.iter().map(|&x| x as f64).collect();
                let c = faer_gemm(dims, &a, &b, 0.0, 1.0);
                Product::I64(c.into_iter().map(|x| x as i64).collect())
            }
            _ => return Err(BackendError::Unsupported("mixed operand dtypes", "cpu")),
        })
    }

    /// The projections in f64 straight from the operands' own dtype (no
    /// converted copies), rows split over the cores, then the shared bound
    /// check.
    fn freivalds(
        &self,
        (m, k, n): Dims,
        a: &Matrix,
        b: &Matrix,
        c: &Product,
        model: ErrorModel,
        rounds: u32,
        seed: u64,
    ) -> Result<Result<(), FreivaldsFailure>, BackendError> {
        let t = rounds as usize;
        let r = random_vectors(n, rounds, seed);
        let ones = vec![1.0; n];
        let br = project_matrix(b, (k, n), &r, t, false);
        let abs_b1 = project_matrix(b, (k, n), &ones, 1, true);
        let projections = Projections {
            y: project_matrix(a, (m, k), &br, t, false),
            z: project_product(c, (m, n), &r, t, false),
            abs_y: project_matrix(a, (m, k), &abs_b1, 1, true),
            abs_z: project_product(c, (m, n), &ones, 1, true),
        };
        Ok(projections.judge(model, k, n, rounds))
    }
}

/// Rows handed to one rayon task.
const ROWS_PER_TASK: usize = 64;

/// `verify::project` with the rows split over the cores: each task widens
/// its rows to f64 (|x| with `abs`) and multiplies them by `r` with faer.
fn par_project<T: Copy + Sync>(
    mat: &[T],
    (rows, cols): (usize, usize),
    r: &[f64],
    t: usize,
    abs: bool,
    as_f64: impl Fn(T) -> f64 + Sync,
) -> Vec<f64> {
    use rayon::prelude::*;
    let mut out = vec![0.0; rows * t];
    out.par_chunks_mut(ROWS_PER_TASK * t)
        .zip(mat.par_chunks(ROWS_PER_TASK * cols))
        .for_each(|(out, part)| {
            let wide: Vec<f64> = part
                .iter()
                .map(|&x| if abs { as_f64(x).abs() } else { as_f64(x) })
                .collect();
            let rows = part.len() / cols;
            matmul(
                MatMut::from_row_major_slice_mut(out, rows, t),
                Accum::Replace,
                MatRef::from_row_major_slice(&wide, rows, cols),
                MatRef::from_row_major_slice(r, cols, t),
                1.0,
                Par::Seq,
            );
        });
    out
}

fn project_matrix(mat: &Matrix, shape: (usize, usize), r: &[f64], t: usize, abs: bool) -> Vec<f64> {
    match mat {
        Matrix::F32(v) => par_project(v, shape, r, t, abs, |x| x as f64),
        Matrix::Bf16(v) => par_project(v, shape, r, t, abs, |x| x.to_f64()),
        Matrix::F16(v) => par_project(v, shape, r, t, abs, |x| x.to_f64()),
        Matrix::I32(v) => par_project(v, shape, r, t, abs, |x| x as f64),
    }
}

fn project_product(c: &Product, shape: (usize, usize), r: &[f64], t: usize, abs: bool) -> Vec<f64> {
    match c {
        Product::F32(v) => par_project(v, shape, r, t, abs, |x| x as f64),
        Product::Bf16(v) => par_project(v, shape, r, t, abs, |x| x.to_f64()),
        Product::F16(v) => par_project(v, shape, r, t, abs, |x| x.to_f64()),
        Product::I64(v) => par_project(v, shape, r, t, abs, |x| x as f64),
    }
}

/// A field of /proc/meminfo, in bytes.
fn meminfo(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|name| name.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

fn isa() -> Vec<String> {
    let mut found = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        for (name, present) in [
            ("avx2", std::arch::is_x86_feature_detected!("avx2")),
            ("fma", std::arch::is_x86_feature_detected!("fma")),
            ("avx512f", std::arch::is_x86_feature_detected!("avx512f")),
        ] {
            if present {
                found.push(name.to_string());
            }
        }
    }
    #[cfg(target_arch = "aarch64")]
    found.push("neon".to_string());
    found
}
