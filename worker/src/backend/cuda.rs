//! The CUDA backend (feature `cuda`): cudarc with the CUDA 13.0 libraries
//! loaded at run time, so the worker builds and starts without them and
//! `select` falls back to the CPU.
//!
//! - f32: cuBLAS SGEMM, TF32 off (the default math mode) unless the job
//!   allows it (`CUBLAS_TF32_TENSOR_OP_MATH` for that call);
//! - bf16, f16: cublasGemmEx with f32 accumulation (`CUBLAS_COMPUTE_32F`);
//! - int8-valued integer jobs: cublasGemmEx on int8 tensor cores with int32
//!   accumulation (`CUBLAS_COMPUTE_32I`), exact for k < 2^17;
//! - Freivalds on the device: one NVRTC kernel (row projections in f64),
//!   compiled once per (source, options, compute capability) and cached in
//!   memory and on disk.
//!
//! cuBLAS is column-major; a row-major C = A B is the column-major
//! C^T = B^T A^T, so every call passes B first.

use super::{Backend, BackendError, BackendKind, DeviceInfo, Dims};
use cudarc::{
    cublas::{result as blas_result, sys as blas_sys, CudaBlas, Gemm, GemmConfig},
    driver::{sys as driver_sys, CudaContext, CudaModule, CudaStream, LaunchConfig, PushKernelArg},
    nvrtc::{compile_ptx_with_opts, CompileOptions, Ptx},
};
use half::{bf16, f16};
use io_compute_sdk::{
    job::{Matrix, Product},
    verify::{random_vectors, ErrorModel, FreivaldsFailure, Projections},
};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Row projections for Freivalds: out = M R (or |M| R), in f64, one block
/// per row, up to 16 rounds at once.
const PROJECT_SRC: &str = r#"
#define MAX_ROUNDS 16
template <typename T>
__device__ void project(const T* m, int rows, int cols, const double* r, int t, int take_abs,
                        double* out) {
    extern __shared__ double sums[];
    int row = blockIdx.x;
    if (row >= rows) return;
    double acc[MAX_ROUNDS];
    for (int s = 0; s < t; s++) acc[s] = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        double x = (double)m[(size_t)row * cols + j];
        if (take_abs) x = fabs(x);
        for (int s = 0; s < t; s++) acc[s] += x * r[(size_t)j * t + s];
    }
    for (int s = 0; s < t; s++) sums[threadIdx.x * t + s] = acc[s];
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride) {
            for (int s = 0; s < t; s++) sums[threadIdx.x * t + s] += sums[(threadIdx.x + stride) * t + s];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        for (int s = 0; s < t; s++) out[(size_t)row * t + s] = sums[s];
    }
}
extern "C" __global__ void project_f32(const float* m, int rows, int cols, const double* r, int t,
                                       int take_abs, double* out) {
    project<float>(m, rows, cols, r, t, take_abs, out);
}
extern "C" __global__ void project_f64(const double* m, int rows, int cols, const double* r, int t,
                                       int take_abs, double* out) {
    project<double>(m, rows, cols, r, t, take_abs, out);
}
"#;

const PROJECT_THREADS: u32 = 128;
const PROJECT_MAX_ROUNDS: usize = 16;

pub struct CudaBackend {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    blas: CudaBlas,
    info: DeviceInfo,
    /// NVRTC's target, e.g. "sm_90".
    arch: &'static str,
    /// Compiled modules by (sha256 of source, options, compute capability).
    modules: Mutex<HashMap<String, Arc<CudaModule>>>,
}

fn cuda_err(e: impl std::fmt::Debug) -> BackendError {
    BackendError::Cuda(format!("{e:?}"))
}

impl CudaBackend {
    /// GPU `ordinal`, or why there is none usable.
    pub fn open(ordinal: usize) -> Result<Self, String> {
        // Without the driver library every cudarc call would panic.
        if !unsafe { driver_sys::is_culib_present() } {
            return Err("the CUDA driver library (libcuda.so) is not installed".into());
        }
        let count = CudaContext::device_count().map_err(|e| format!("no CUDA device: {e:?}"))?;
        if count < 1 {
            return Err("the CUDA driver sees no GPU".into());
        }
        let ctx = CudaContext::new(ordinal).map_err(|e| format!("GPU {ordinal}: {e:?}"))?;
        let stream = ctx.default_stream();
        let blas = CudaBlas::new(stream.clone()).map_err(|e| format!("cuBLAS: {e:?}"))?;
        let (major, minor) = ctx.compute_capability().map_err(|e| format!("{e:?}"))?;
        let sms = ctx
            .attribute(driver_sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)
            .map_err(|e| format!("{e:?}"))?;
        let mut version = 0;
        unsafe { driver_sys::cuDriverGetVersion(&mut version) };
        let info = DeviceInfo {
            backend: BackendKind::Cuda,
            model: ctx.name().map_err(|e| format!("{e:?}"))?,
            count: count as u32,
            memory_bytes: ctx.total_mem().map_err(|e| format!("{e:?}"))? as u64,
            compute_units: sms as u32,
            compute_capability: Some((major as u32, minor as u32)),
            driver: Some(format!("{}.{}", version / 1000, (version % 1000) / 10)),
            isa: Vec::new(),
        };
        // Leaked once per process: NVRTC's options take a static name.
        let arch = Box::leak(format!("sm_{major}{minor}").into_boxed_str());
        Ok(Self {
            ctx,
            stream,
            blas,
            info,
            arch,
            modules: Mutex::new(HashMap::new()),
        })
    }

    /// The module of `src`, compiled by NVRTC for this GPU once: from memory,
    /// from the disk cache, or compiled now and saved to both.
    fn module(&self, src: &str) -> Result<Arc<CudaModule>, BackendError> {
        let arch = self.arch;
        let options = format!("arch={arch}");
        let key = crate::gemm::hex(&Sha256::digest(format!("{src}\n{options}")));
        let mut modules = self.modules.lock().expect("module cache lock");
        if let Some(module) = modules.get(&key) {
            return Ok(module.clone());
        }
        let dir = std::env::var_os("XDG_CACHE_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache"))
            })
            .map(|d| d.join("io-worker").join("ptx"));
        let cached = dir.as_ref().map(|d| d.join(format!("{key}.ptx")));
        let ptx = match cached
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
        {
            Some(text) => Ptx::from_src(text),
            None => {
                let ptx = compile_ptx_with_opts(
                    src,
                    CompileOptions {
                        arch: Some(arch),
                        ..Default::default()
                    },
                )
                .map_err(|e| BackendError::Cuda(format!("kernel compile: {e:?}")))?;
                if let (Some(dir), Some(path)) = (&dir, &cached) {
                    // A cache that cannot be written only costs a recompile.
                    let _ = std::fs::create_dir_all(dir)
                        .and_then(|_| std::fs::write(path, ptx.to_src()));
                }
                ptx
            }
        };
        let module = self.ctx.load_module(ptx).map_err(cuda_err)?;
        modules.insert(key, module.clone());
        Ok(module)
    }

    fn sgemm(
        &self,
        (m, k, n): Dims,
        a: &[f32],
        b: &[f32],
        tf32: bool,
    ) -> Result<Vec<f32>, BackendError> {
        let a = self.stream.clone_htod(a).map_err(cuda_err)?;
        let b = self.stream.clone_htod(b).map_err(cuda_err)?;
        let mut c = self.stream.alloc_zeros::<f32>(m * n).map_err(cuda_err)?;
        let handle = *self.blas.handle();
        if tf32 {
            unsafe {
                blas_sys::cublasSetMathMode(
                    handle,
                    blas_sys::cublasMath_t::CUBLAS_TF32_TENSOR_OP_MATH,
                )
            };
        }
        let result = unsafe {
            self.blas
                .gemm(config(m, k, n, 1.0f32, 0.0f32), &b, &a, &mut c)
        };
        if tf32 {
            unsafe {
                blas_sys::cublasSetMathMode(handle, blas_sys::cublasMath_t::CUBLAS_DEFAULT_MATH)
            };
        }
        result.map_err(cuda_err)?;
        self.stream.clone_dtoh(&c).map_err(cuda_err)
    }

    fn half_gemm<T>(
        &self,
        (m, k, n): Dims,
        a: &[T],
        b: &[T],
        zero: T,
        one: T,
    ) -> Result<Vec<T>, BackendError>
    where
        T: cudarc::driver::DeviceRepr + cudarc::driver::ValidAsZeroBits + Copy,
        CudaBlas: Gemm<T>,
    {
        let a = self.stream.clone_htod(a).map_err(cuda_err)?;
        let b = self.stream.clone_htod(b).map_err(cuda_err)?;
        let mut c = self.stream.alloc_zeros::<T>(m * n).map_err(cuda_err)?;
        unsafe { self.blas.gemm(config(m, k, n, one, zero), &b, &a, &mut c) }.map_err(cuda_err)?;
        self.stream.clone_dtoh(&c).map_err(cuda_err)
    }

    /// int8 tensor cores, int32 accumulation.
    fn int8_gemm(&self, (m, k, n): Dims, a: &[i32], b: &[i32]) -> Result<Vec<i64>, BackendError> {
        use cudarc::driver::{DevicePtr, DevicePtrMut};
        let to_i8 = |v: &[i32]| v.iter().map(|&x| x as i8).collect::<Vec<i8>>();
        let a = self.stream.clone_htod(&to_i8(a)).map_err(cuda_err)?;
        let b = self.stream.clone_htod(&to_i8(b)).map_err(cuda_err)?;
        let mut c = self.stream.alloc_zeros::<i32>(m * n).map_err(cuda_err)?;
        let (alpha, beta) = (1i32, 0i32);
        {
            let (a_ptr, _a_sync) = a.device_ptr(&self.stream);
            let (b_ptr, _b_sync) = b.device_ptr(&self.stream);
            let (c_ptr, _c_sync) = c.device_ptr_mut(&self.stream);
            unsafe {
                blas_result::gemm_ex(
                    *self.blas.handle(),
                    blas_sys::cublasOperation_t::CUBLAS_OP_N,
                    blas_sys::cublasOperation_t::CUBLAS_OP_N,
                    n as i32,
                    m as i32,
                    k as i32,
                    (&alpha) as *const i32 as *const _,
                    b_ptr as *const _,
                    blas_sys::cudaDataType_t::CUDA_R_8I,
                    n as i32,
                    a_ptr as *const _,
                    blas_sys::cudaDataType_t::CUDA_R_8I,
                    k as i32,
                    (&beta) as *const i32 as *const _,
                    c_ptr as *mut _,
                    blas_sys::cudaDataType_t::CUDA_R_32I,
                    n as i32,
                    blas_sys::cublasComputeType_t::CUBLAS_COMPUTE_32I,
                    blas_sys::cublasGemmAlgo_t::CUBLAS_GEMM_DFALT,
                )
            }
            .map_err(cuda_err)?;
        }
        let c = self.stream.clone_dtoh(&c).map_err(cuda_err)?;
        Ok(c.into_iter().map(i64::from).collect())
    }

    /// M R (or |M| R with `take_abs`) for a rows x cols M on the device
    /// and an R of cols x t (t up to 16), as f64 rows x t.
    fn project<T: cudarc::driver::DeviceRepr>(
        &self,
        m: &cudarc::driver::CudaSlice<T>,
        kernel: &str,
        (rows, cols): (usize, usize),
        r: &[f64],
        t: usize,
        take_abs: bool,
    ) -> Result<Vec<f64>, BackendError> {
        let module = self.module(PROJECT_SRC)?;
        let function = module.load_function(kernel).map_err(cuda_err)?;
        let r = self.stream.clone_htod(r).map_err(cuda_err)?;
        let mut out = self.stream.alloc_zeros::<f64>(rows * t).map_err(cuda_err)?;
        let (rows_i, cols_i, t_i, abs_i) = (rows as i32, cols as i32, t as i32, take_abs as i32);
        let cfg = LaunchConfig {
            grid_dim: (rows as u32, 1, 1),
            block_dim: (PROJECT_THREADS, 1, 1),
            shared_mem_bytes: PROJECT_THREADS * t as u32 * 8,
        };
        let mut launch = self.stream.launch_builder(&function);
        launch
            .arg(m)
            .arg(&rows_i)
            .arg(&cols_i)
            .arg(&r)
            .arg(&t_i)
            .arg(&abs_i)
            .arg(&mut out);
        unsafe { launch.launch(cfg) }.map_err(cuda_err)?;
        self.stream.clone_dtoh(&out).map_err(cuda_err)
    }
}

impl CudaBackend {
    /// The child side of a `cuda_kernel` job (`io-worker kernel-child`):
    /// compiles the client's source (cached like the worker's own kernels),
    /// launches its entry once with the buffers in order, and returns the
    /// output buffers.
    pub fn run_kernel(
        &self,
        input: &crate::kernel::ChildInput,
    ) -> Result<crate::kernel::ChildOutput, BackendError> {
        use base64::{engine::general_purpose::STANDARD, Engine};
        let spec = &input.spec;
        let module = self.module(&spec.source)?;
        let function = module
            .load_function(&spec.entry)
            .map_err(|e| BackendError::Cuda(format!("no kernel named {:?}: {e:?}", spec.entry)))?;
        let mut slices = Vec::with_capacity(spec.buffers.len());
        for (buffer, contents) in spec.buffers.iter().zip(&input.buffers) {
            slices.push(match contents {
                Some(text) => {
                    let bytes = STANDARD.decode(text).map_err(cuda_err)?;
                    self.stream.clone_htod(&bytes).map_err(cuda_err)?
                }
                None => self
                    .stream
                    .alloc_zeros::<u8>(buffer.bytes as usize)
                    .map_err(cuda_err)?,
            });
        }
        let cfg = LaunchConfig {
            grid_dim: (spec.grid[0], spec.grid[1], spec.grid[2]),
            block_dim: (spec.block[0], spec.block[1], spec.block[2]),
            shared_mem_bytes: 0,
        };
        let started = std::time::Instant::now();
        let mut launch = self.stream.launch_builder(&function);
        for slice in &slices {
            launch.arg(slice);
        }
        unsafe { launch.launch(cfg) }.map_err(cuda_err)?;
        self.stream.synchronize().map_err(cuda_err)?;
        let device_time_us = started.elapsed().as_micros().max(1) as u64;
        let mut outputs = Vec::new();
        for (buffer, slice) in spec.buffers.iter().zip(&slices) {
            if buffer.output {
                outputs.push(STANDARD.encode(self.stream.clone_dtoh(slice).map_err(cuda_err)?));
            }
        }
        Ok(crate::kernel::ChildOutput {
            outputs,
            device_time_us,
        })
    }
}

/// Row-major C (m x n) = A (m x k) B (k x n) as column-major C^T = B^T A^T.
fn config<T>(m: usize, k: usize, n: usize, alpha: T, beta: T) -> GemmConfig<T> {
    GemmConfig {
        transa: blas_sys::cublasOperation_t::CUBLAS_OP_N,
        transb: blas_sys::cublasOperation_t::CUBLAS_OP_N,
        m: n as i32,
        n: m as i32,
        k: k as i32,
        alpha,
        lda: n as i32,
        ldb: k as i32,
        beta,
        ldc: n as i32,
    }
}

/// Inputs as f32 for the projection kernel (exact for every input dtype).
fn as_f32(matrix: &Matrix) -> Vec<f32> {
    match matrix {
        Matrix::F32(v) => v.clone(),
        Matrix::Bf16(v) => v.iter().map(|x| x.to_f32()).collect(),
        Matrix::F16(v) => v.iter().map(|x| x.to_f32()).collect(),
        Matrix::I32(v) => v.iter().map(|&x| x as f32).collect(),
    }
}

impl Backend for CudaBackend {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn free_memory(&self) -> u64 {
        self.ctx
            .mem_get_info()
            .map(|(free, _)| free as u64)
            .unwrap_or(0)
    }

    fn gemm(
        &self,
        dims: Dims,
        a: &Matrix,
        b: &Matrix,
        allow_tf32: bool,
    ) -> Result<Product, BackendError> {
        Ok(match (a, b) {
            (Matrix::F32(a), Matrix::F32(b)) => Product::F32(self.sgemm(dims, a, b, allow_tf32)?),
            (Matrix::Bf16(a), Matrix::Bf16(b)) => {
                Product::Bf16(self.half_gemm(dims, a, b, bf16::ZERO, bf16::ONE)?)
            }
            (Matrix::F16(a), Matrix::F16(b)) => {
                Product::F16(self.half_gemm(dims, a, b, f16::ZERO, f16::ONE)?)
            }
            (Matrix::I32(a), Matrix::I32(b)) => Product::I64(self.int8_gemm(dims, a, b)?),
            _ => return Err(BackendError::Unsupported("mixed operand dtypes", "cuda")),
        })
    }

    /// The projections on the GPU (A, B and C read once per 16 rounds and
    /// once more for the bound), the bound check on the host.
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
        let r_all = random_vectors(n, rounds, seed);
        let t_all = rounds as usize;
        let a_dev = self.stream.clone_htod(&as_f32(a)).map_err(cuda_err)?;
        let b_dev = self.stream.clone_htod(&as_f32(b)).map_err(cuda_err)?;
        let c_dev = self.stream.clone_htod(&c.to_f64()).map_err(cuda_err)?;
        let ones = vec![1.0; n];
        let abs_b1 = self.project(&b_dev, "project_f32", (k, n), &ones, 1, true)?;
        let abs_y = self.project(&a_dev, "project_f32", (m, k), &abs_b1, 1, true)?;
        let abs_z = self.project(&c_dev, "project_f64", (m, n), &ones, 1, true)?;
        for first in (0..t_all).step_by(PROJECT_MAX_ROUNDS) {
            let t = PROJECT_MAX_ROUNDS.min(t_all - first);
            let r: Vec<f64> = (0..n)
                .flat_map(|j| r_all[j * t_all + first..j * t_all + first + t].to_vec())
                .collect();
            let br = self.project(&b_dev, "project_f32", (k, n), &r, t, false)?;
            let projections = Projections {
                y: self.project(&a_dev, "project_f32", (m, k), &br, t, false)?,
                z: self.project(&c_dev, "project_f64", (m, n), &r, t, false)?,
                abs_y: abs_y.clone(),
                abs_z: abs_z.clone(),
            };
            if let Err(mut failure) = projections.judge(model, k, n, t as u32) {
                failure.round += first as u32;
                return Ok(Err(failure));
            }
        }
        Ok(Ok(()))
    }
}
