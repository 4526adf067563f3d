//! Job specifications, versioned, as clients submit them, the keeper
//! dispatches them and workers run them; and the operands every party
//! rebuilds the same way from a seed.
//!
//! Seeded inputs (`GemmInputs::Seed`): `ChaCha8Rng::seed_from_u64(seed)`
//! draws all of A (m x k, row-major), then all of B (k x n, row-major):
//! - `f32`: `2 * u - 1` with `u = rng.random::<f32>()`, so in [-1, 1);
//! - `bf16`, `f16`: that f32 value rounded to the nearest (ties to even);
//! - `i32`: `rng.random_range(-128..=127)`: integer jobs are int8-valued,
//!   which keeps every partial sum exact in f64 on a CPU and in int32 on
//!   integer tensor cores, for any k the program can prove (16,384).

use half::{bf16, f16};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The spec version this sdk writes and understands.
pub const JOB_SPEC_VERSION: u16 = 1;
/// Integer GEMM entries lie in this range (int8).
pub const INT_ENTRY_RANGE: std::ops::RangeInclusive<i32> = -128..=127;
/// Largest dimension a GEMM job may have.
pub const MAX_GEMM_DIM: u32 = 65_536;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum GemmDtype {
    /// f32 in and out, f32 accumulation.
    F32,
    /// bf16 in and out, f32 accumulation.
    Bf16,
    /// f16 in and out, f32 accumulation.
    F16,
    /// int8-valued i32 in, exact i64 out: provable on-chain.
    I32,
}

impl GemmDtype {
    pub const ALL: [GemmDtype; 4] = [Self::F32, Self::Bf16, Self::F16, Self::I32];

    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::Bf16 => "bf16",
            Self::F16 => "f16",
            Self::I32 => "i32",
        }
    }

    /// Bytes of one input element.
    pub fn input_bytes(self) -> u64 {
        match self {
            Self::F32 | Self::I32 => 4,
            Self::Bf16 | Self::F16 => 2,
        }
    }

    /// Bytes of one output element.
    pub fn output_bytes(self) -> u64 {
        match self {
            Self::F32 => 4,
            Self::Bf16 | Self::F16 => 2,
            Self::I32 => 8,
        }
    }

    /// The receipt's dtype.
    pub fn receipt_dtype(self) -> io_compute::receipt::Dtype {
        use io_compute::receipt::Dtype;
        match self {
            Self::F32 => Dtype::F32,
            Self::Bf16 => Dtype::Bf16,
            Self::F16 => Dtype::F16,
            Self::I32 => Dtype::I32,
        }
    }
}

impl std::str::FromStr for GemmDtype {
    type Err = JobError;

    fn from_str(s: &str) -> Result<Self, JobError> {
        Self::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| JobError::UnknownDtype(s.to_string()))
    }
}

/// Where a GEMM's A and B come from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum GemmInputs {
    /// Generated from `seed` (see the module docs).
    Seed { seed: u64 },
    /// Uploaded blobs, by the hex sha256 of their bytes (little-endian
    /// elements, row-major).
    Content { a: String, b: String },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GemmSpec {
    pub m: u32,
    pub n: u32,
    pub k: u32,
    pub dtype: GemmDtype,
    /// f32 only: the worker may round inputs to TF32 on tensor cores.
    #[serde(default)]
    pub allow_tf32: bool,
    pub inputs: GemmInputs,
}

/// The sequential seeded challenge a device answers before a deadline
/// (`device_check` module).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceCheckSpec {
    pub seed: u64,
    /// X and B are n x n.
    pub n: u32,
    /// Products in the chain.
    pub steps: u32,
    /// Time the worker has, from receiving the check to answering.
    pub deadline_ms: u64,
}

/// Between two layers of an MLP. Both are exact, so the keeper recomputes a
/// layer's input from the worker's previous output bit for bit.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Relu,
    Identity,
}

/// One dense layer: `weights` is the hex sha256 of a blob holding W
/// (inputs x outputs, row-major) then the bias (outputs), f32 little-endian.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MlpLayer {
    pub weights: String,
    pub inputs: u32,
    pub outputs: u32,
}

/// A forward pass of a dense f32 network over a batch: Z_l = X_l W_l + b_l,
/// X_{l+1} = activation(Z_l), the output is the last Z. Every Z_l is
/// committed (`mlp::layer_commitment`) and returned, so the keeper checks
/// each layer on its own (Freivalds on X_l W_l) instead of rerunning the
/// model.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MlpInferSpec {
    pub layers: Vec<MlpLayer>,
    pub activation: Activation,
    pub batch: u32,
    /// X_0 (batch x inputs of the first layer): from a seed as f32 GEMM
    /// operands are, or an uploaded blob by its hex sha256.
    pub input: MlpInput,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum MlpInput {
    Seed { seed: u64 },
    Content { hash: String },
}

/// A buffer a `cuda_kernel` job passes to its kernel, in order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct KernelBuffer {
    /// Bytes.
    pub bytes: u64,
    /// Its initial contents: zeros, or an uploaded blob by hex sha256 (of
    /// exactly `bytes` bytes).
    #[serde(default)]
    pub input: Option<String>,
    /// Whether its contents come back as a job output.
    #[serde(default)]
    pub output: bool,
}

/// A CUDA C kernel of the client's own, compiled with NVRTC and launched
/// once in a child process, so a kernel that faults or hangs cannot take
/// the worker with it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CudaKernelSpec {
    pub source: String,
    /// The `extern "C" __global__` function to launch.
    pub entry: String,
    pub grid: [u32; 3],
    pub block: [u32; 3],
    /// Pointer arguments, in order (the kernel takes nothing else).
    pub buffers: Vec<KernelBuffer>,
    /// The kernel (compile and launch included) is killed after this.
    pub timeout_ms: u64,
    /// The kernel is deterministic: run it on a second device of the lease
    /// (a third if the two disagree) and accept its outputs only when two
    /// devices return them byte for byte; a device outvoted is banned.
    /// The keeper cannot check a kernel's outputs any other way.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cross_check: bool,
}

/// Bounds of a `cuda_kernel` job.
pub const MAX_KERNEL_SOURCE: usize = 256 * 1024;
pub const MAX_KERNEL_BUFFERS: usize = 16;
pub const MAX_KERNEL_TIMEOUT_MS: u64 = 600_000;

impl CudaKernelSpec {
    /// A run's receipt roots: the input root is the sha256 of the spec's
    /// JSON, the output root the sha256 of the outputs' hex hashes in
    /// buffer order.
    pub fn commitments(&self, output_hashes: &[String]) -> ([u8; 32], [u8; 32]) {
        use sha2::{Digest, Sha256};
        let mut outputs = Sha256::new();
        outputs.update(b"io-compute/kernel-outputs/v1");
        for hash in output_hashes {
            outputs.update(hash.as_bytes());
        }
        (
            Sha256::digest(serde_json::to_vec(self).expect("specs serialize")).into(),
            outputs.finalize().into(),
        )
    }

    /// The sizes of the buffers that come back as outputs, in order.
    pub fn output_sizes(&self) -> Vec<u64> {
        self.buffers
            .iter()
            .filter(|b| b.output)
            .map(|b| b.bytes)
            .collect()
    }

    pub fn validate(&self) -> Result<(), JobError> {
        let entry_ok = !self.entry.is_empty()
            && self.entry.len() <= 128
            && self
                .entry
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let ok = entry_ok
            && !self.source.is_empty()
            && self.source.len() <= MAX_KERNEL_SOURCE
            && self.grid.iter().chain(&self.block).all(|&d| d >= 1)
            && self.block.iter().product::<u32>() <= 1024
            && !self.buffers.is_empty()
            && self.buffers.len() <= MAX_KERNEL_BUFFERS
            && self.buffers.iter().all(|b| b.bytes >= 1)
            && (1..=MAX_KERNEL_TIMEOUT_MS).contains(&self.timeout_ms);
        if !ok {
            return Err(JobError::BadKernel);
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JobSpec {
    Gemm(GemmSpec),
    DeviceCheck(DeviceCheckSpec),
    MlpInfer(MlpInferSpec),
    CudaKernel(CudaKernelSpec),
}

impl JobSpec {
    /// The blobs the job reads, by lower-case hex sha256.
    pub fn input_hashes(&self) -> Vec<String> {
        let lower = |h: &String| h.to_ascii_lowercase();
        match self {
            Self::Gemm(g) => match &g.inputs {
                GemmInputs::Content { a, b } => vec![lower(a), lower(b)],
                GemmInputs::Seed { .. } => Vec::new(),
            },
            Self::MlpInfer(m) => {
                let mut hashes: Vec<String> = m.layers.iter().map(|l| lower(&l.weights)).collect();
                if let MlpInput::Content { hash } = &m.input {
                    hashes.push(lower(hash));
                }
                hashes
            }
            Self::CudaKernel(k) => k
                .buffers
                .iter()
                .filter_map(|b| b.input.as_ref().map(lower))
                .collect(),
            Self::DeviceCheck(_) => Vec::new(),
        }
    }
}

/// A job as it travels between client, keeper and worker.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub version: u16,
    pub spec: JobSpec,
}

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    #[error("job spec version {0} is not supported (this worker understands version {JOB_SPEC_VERSION})")]
    UnknownVersion(u16),
    #[error("unknown dtype {0:?}: use f32, bf16, f16 or i32")]
    UnknownDtype(String),
    #[error("GEMM dimensions must be 1..={MAX_GEMM_DIM}, got m={m} n={n} k={k}")]
    BadShape { m: u32, n: u32, k: u32 },
    #[error("allow_tf32 applies to f32 jobs only")]
    Tf32NotF32,
    #[error("integer GEMM entries must lie in [-128, 127]; {which}[{index}] is {value}")]
    IntegerOutOfRange {
        which: char,
        index: usize,
        value: i32,
    },
    #[error("{which} has {got} elements, the shape needs {expected}")]
    WrongLength {
        which: char,
        got: usize,
        expected: usize,
    },
    #[error("{which} holds NaN or infinity at {index}")]
    NotFinite { which: char, index: usize },
    #[error("device check needs n in 16..=16384 and steps in 1..=100000, got n={n} steps={steps}")]
    BadDeviceCheck { n: u32, steps: u32 },
    #[error("a CUDA kernel job needs an entry name of letters, digits and _, a source of at most 256 KiB, grid and block dimensions of at least 1 with at most 1024 threads a block, 1 to 16 buffers of at least one byte, and a timeout of 1 ms to 10 minutes")]
    BadKernel,
    #[error("an MLP needs 1..=64 layers, a batch of 1..=65536 and every layer's inputs equal to the previous layer's outputs (layer {layer})")]
    BadMlp { layer: usize },
}

impl Job {
    pub fn new(spec: JobSpec) -> Self {
        Self {
            version: JOB_SPEC_VERSION,
            spec,
        }
    }

    /// Whether its outputs are accepted only when two devices agree on them.
    pub fn cross_checked(&self) -> bool {
        matches!(&self.spec, JobSpec::CudaKernel(kernel) if kernel.cross_check)
    }

    /// The version is known and the spec's numbers are in range.
    pub fn validate(&self) -> Result<(), JobError> {
        if self.version != JOB_SPEC_VERSION {
            return Err(JobError::UnknownVersion(self.version));
        }
        match &self.spec {
            JobSpec::Gemm(spec) => spec.validate(),
            JobSpec::MlpInfer(spec) => spec.validate(),
            JobSpec::CudaKernel(spec) => spec.validate(),
            JobSpec::DeviceCheck(spec) => {
                if !(16..=16_384).contains(&spec.n) || !(1..=100_000).contains(&spec.steps) {
                    return Err(JobError::BadDeviceCheck {
                        n: spec.n,
                        steps: spec.steps,
                    });
                }
                Ok(())
            }
        }
    }
}

/// Most layers an MLP job may have.
pub const MAX_MLP_LAYERS: usize = 64;

impl MlpInferSpec {
    pub fn validate(&self) -> Result<(), JobError> {
        if self.layers.is_empty() || self.layers.len() > MAX_MLP_LAYERS {
            return Err(JobError::BadMlp { layer: 0 });
        }
        if !(1..=MAX_GEMM_DIM).contains(&self.batch) {
            return Err(JobError::BadMlp { layer: 0 });
        }
        let dims = 1..=MAX_GEMM_DIM;
        for (l, layer) in self.layers.iter().enumerate() {
            let chained = l == 0 || self.layers[l - 1].outputs == layer.inputs;
            if !(chained && dims.contains(&layer.inputs) && dims.contains(&layer.outputs)) {
                return Err(JobError::BadMlp { layer: l });
            }
        }
        Ok(())
    }
}

impl GemmSpec {
    pub fn validate(&self) -> Result<(), JobError> {
        let dims = 1..=MAX_GEMM_DIM;
        if !(dims.contains(&self.m) && dims.contains(&self.n) && dims.contains(&self.k)) {
            return Err(JobError::BadShape {
                m: self.m,
                n: self.n,
                k: self.k,
            });
        }
        if self.allow_tf32 && self.dtype != GemmDtype::F32 {
            return Err(JobError::Tf32NotF32);
        }
        Ok(())
    }

    /// Elements of A, B and C.
    pub fn sizes(&self) -> (usize, usize, usize) {
        let (m, n, k) = (self.m as usize, self.n as usize, self.k as usize);
        (m * k, k * n, m * n)
    }

    /// Bytes of A, B and C together.
    pub fn bytes(&self) -> u64 {
        let (a, b, c) = self.sizes();
        (a + b) as u64 * self.dtype.input_bytes() + c as u64 * self.dtype.output_bytes()
    }

    /// Floating-point operations (2mnk).
    pub fn flops(&self) -> f64 {
        2.0 * self.m as f64 * self.n as f64 * self.k as f64
    }
}

/// A matrix's elements, row-major, in the job's input dtype.
#[derive(Clone, Debug, PartialEq)]
pub enum Matrix {
    F32(Vec<f32>),
    Bf16(Vec<bf16>),
    F16(Vec<f16>),
    I32(Vec<i32>),
}

impl Matrix {
    pub fn len(&self) -> usize {
        match self {
            Self::F32(v) => v.len(),
            Self::Bf16(v) => v.len(),
            Self::F16(v) => v.len(),
            Self::I32(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every element as f64 (exact for every dtype).
    pub fn to_f64(&self) -> Vec<f64> {
        match self {
            Self::F32(v) => v.iter().map(|&x| x as f64).collect(),
            Self::Bf16(v) => v.iter().map(|x| x.to_f64()).collect(),
            Self::F16(v) => v.iter().map(|x| x.to_f64()).collect(),
            Self::I32(v) => v.iter().map(|&x| x as f64).collect(),
        }
    }

    /// Little-endian bytes, as uploaded and hashed (`from_le_bytes` reads
    /// them back).
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Self::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Self::Bf16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Self::F16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Self::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }

    /// Decodes little-endian `bytes` as `dtype` elements.
    pub fn from_le_bytes(dtype: GemmDtype, bytes: &[u8]) -> Option<Self> {
        if !bytes.len().is_multiple_of(dtype.input_bytes() as usize) {
            return None;
        }
        Some(match dtype {
            GemmDtype::F32 => Self::F32(le_words(bytes, f32::from_le_bytes)),
            GemmDtype::I32 => Self::I32(le_words(bytes, i32::from_le_bytes)),
            GemmDtype::Bf16 => Self::Bf16(le_words(bytes, bf16::from_le_bytes)),
            GemmDtype::F16 => Self::F16(le_words(bytes, f16::from_le_bytes)),
        })
    }

    /// Checks what a backend relies on: NaN and infinity are refused, and
    /// integer entries are int8-valued.
    pub fn check(&self, which: char) -> Result<(), JobError> {
        let not_finite = |index| JobError::NotFinite { which, index };
        match self {
            Self::F32(v) => match v.iter().position(|x| !x.is_finite()) {
                Some(index) => Err(not_finite(index)),
                None => Ok(()),
            },
            Self::Bf16(v) => match v.iter().position(|x| !x.is_finite()) {
                Some(index) => Err(not_finite(index)),
                None => Ok(()),
            },
            Self::F16(v) => match v.iter().position(|x| !x.is_finite()) {
                Some(index) => Err(not_finite(index)),
                None => Ok(()),
            },
            Self::I32(v) => match v.iter().position(|x| !INT_ENTRY_RANGE.contains(x)) {
                Some(index) => Err(JobError::IntegerOutOfRange {
                    which,
                    index,
                    value: v[index],
                }),
                None => Ok(()),
            },
        }
    }
}

/// A job's C, row-major, in its output dtype.
#[derive(Clone, Debug, PartialEq)]
pub enum Product {
    F32(Vec<f32>),
    Bf16(Vec<bf16>),
    F16(Vec<f16>),
    /// Exact, as the program's fraud proof computes it.
    I64(Vec<i64>),
}

impl Product {
    pub fn len(&self) -> usize {
        match self {
            Self::F32(v) => v.len(),
            Self::Bf16(v) => v.len(),
            Self::F16(v) => v.len(),
            Self::I64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn to_f64(&self) -> Vec<f64> {
        match self {
            Self::F32(v) => v.iter().map(|&x| x as f64).collect(),
            Self::Bf16(v) => v.iter().map(|x| x.to_f64()).collect(),
            Self::F16(v) => v.iter().map(|x| x.to_f64()).collect(),
            Self::I64(v) => v.iter().map(|&x| x as f64).collect(),
        }
    }

    /// Decodes a product of `dtype` from its little-endian bytes (i64
    /// elements for integer jobs), None when they are not whole elements.
    pub fn from_le_bytes(dtype: GemmDtype, bytes: &[u8]) -> Option<Self> {
        if !bytes.len().is_multiple_of(dtype.output_bytes() as usize) {
            return None;
        }
        Some(match dtype {
            GemmDtype::F32 => Self::F32(le_words(bytes, f32::from_le_bytes)),
            GemmDtype::I32 => Self::I64(le_words(bytes, i64::from_le_bytes)),
            GemmDtype::Bf16 => Self::Bf16(le_words(bytes, bf16::from_le_bytes)),
            GemmDtype::F16 => Self::F16(le_words(bytes, f16::from_le_bytes)),
        })
    }

    /// Little-endian bytes, as uploaded and hashed.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Self::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Self::Bf16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Self::F16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Self::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
}

/// The receipt's input and output roots of a GEMM. Integer jobs use the
/// program's trees (`gemm::GemmJob`: chunks of A's rows and B's columns;
/// one leaf per element of C), so a wrong element can be proven on-chain.
/// Float jobs, verified by the keeper only, commit to their bytes:
/// sha256("io-compute/gemm-inputs/v1" | dtype | m | n | k | A | B) and
/// sha256("io-compute/gemm-output/v1" | C), little-endian throughout.
pub fn commitments(spec: &GemmSpec, a: &Matrix, b: &Matrix, c: &Product) -> ([u8; 32], [u8; 32]) {
    use sha2::{Digest, Sha256};
    if let (Matrix::I32(a), Matrix::I32(b), Product::I64(c)) = (a, b, c) {
        let job = crate::gemm::GemmJob::new(
            spec.m as usize,
            spec.k as usize,
            spec.n as usize,
            a.clone(),
            b.clone(),
        );
        return (job.input_tree().root(), job.output_tree(c).root());
    }
    let mut inputs = Sha256::new();
    inputs.update(b"io-compute/gemm-inputs/v1");
    inputs.update(spec.dtype.name().as_bytes());
    for d in [spec.m, spec.n, spec.k] {
        inputs.update(d.to_le_bytes());
    }
    inputs.update(a.to_le_bytes());
    inputs.update(b.to_le_bytes());
    let mut output = Sha256::new();
    output.update(b"io-compute/gemm-output/v1");
    output.update(c.to_le_bytes());
    (inputs.finalize().into(), output.finalize().into())
}

/// `len` values of `dtype` drawn from `rng` as the module docs say.
pub fn draw(rng: &mut ChaCha8Rng, dtype: GemmDtype, len: usize) -> Matrix {
    fn unit(rng: &mut ChaCha8Rng) -> f32 {
        2.0 * rng.random::<f32>() - 1.0
    }
    match dtype {
        GemmDtype::F32 => Matrix::F32((0..len).map(|_| unit(rng)).collect()),
        GemmDtype::Bf16 => Matrix::Bf16((0..len).map(|_| bf16::from_f32(unit(rng))).collect()),
        GemmDtype::F16 => Matrix::F16((0..len).map(|_| f16::from_f32(unit(rng))).collect()),
        GemmDtype::I32 => Matrix::I32(
            (0..len)
                .map(|_| rng.random_range(INT_ENTRY_RANGE))
                .collect(),
        ),
    }
}

/// A and B of a seeded GEMM.
pub fn seeded_operands(spec: &GemmSpec, seed: u64) -> (Matrix, Matrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (a_len, b_len, _) = spec.sizes();
    let a = draw(&mut rng, spec.dtype, a_len);
    let b = draw(&mut rng, spec.dtype, b_len);
    (a, b)
}

/// `bytes` (whole elements of `N` bytes) as elements decoded by `decode`.
fn le_words<T, const N: usize>(bytes: &[u8], decode: fn([u8; N]) -> T) -> Vec<T> {
    bytes
        .chunks_exact(N)
        .map(|w| decode(w.try_into().expect("chunks of N bytes")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dtype: GemmDtype) -> GemmSpec {
        GemmSpec {
            m: 3,
            n: 5,
            k: 4,
            dtype,
            allow_tf32: false,
            inputs: GemmInputs::Seed { seed: 9 },
        }
    }

    #[test]
    fn seeded_operands_are_reproducible_and_in_range() {
        for dtype in GemmDtype::ALL {
            let (a, b) = seeded_operands(&spec(dtype), 9);
            assert_eq!((a.len(), b.len()), (12, 20));
            assert_eq!(seeded_operands(&spec(dtype), 9), (a.clone(), b.clone()));
            assert_ne!(seeded_operands(&spec(dtype), 10).0, a);
            a.check('A').unwrap();
            for x in a.to_f64().into_iter().chain(b.to_f64()) {
                assert!(
                    (-128.0..=127.0).contains(&x) && (dtype == GemmDtype::I32 || x.abs() <= 1.0)
                );
            }
        }
    }

    #[test]
    fn specs_round_trip_as_json_and_bad_ones_are_named() {
        let job = Job::new(JobSpec::Gemm(spec(GemmDtype::Bf16)));
        let json = serde_json::to_string(&job).unwrap();
        assert_eq!(
            json,
            r#"{"version":1,"spec":{"type":"gemm","m":3,"n":5,"k":4,"dtype":"bf16","allow_tf32":false,"inputs":{"from":"seed","seed":9}}}"#
        );
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), job);
        let mlp = Job::new(JobSpec::MlpInfer(MlpInferSpec {
            layers: vec![MlpLayer {
                weights: "ab".repeat(32),
                inputs: 4,
                outputs: 2,
            }],
            activation: Activation::Relu,
            batch: 8,
            input: MlpInput::Content {
                hash: "cd".repeat(32),
            },
        }));
        let json = serde_json::to_string(&mlp).unwrap();
        assert!(json
            .starts_with(r#"{"version":1,"spec":{"type":"mlp_infer","layers":[{"weights":"abab"#));
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), mlp);
        assert_eq!(mlp.validate(), Ok(()));
        let mut future = job.clone();
        future.version = 2;
        assert_eq!(future.validate(), Err(JobError::UnknownVersion(2)));
        let mut tf32 = spec(GemmDtype::Bf16);
        tf32.allow_tf32 = true;
        assert_eq!(tf32.validate(), Err(JobError::Tf32NotF32));
        let mut empty = spec(GemmDtype::F32);
        empty.k = 0;
        assert!(matches!(empty.validate(), Err(JobError::BadShape { .. })));
        assert_eq!(
            Matrix::I32(vec![1, 200]).check('B'),
            Err(JobError::IntegerOutOfRange {
                which: 'B',
                index: 1,
                value: 200
            })
        );
        assert_eq!(
            Matrix::F32(vec![0.0, f32::NAN]).check('A'),
            Err(JobError::NotFinite {
                which: 'A',
                index: 1
            })
        );
    }
}
