//! A job's inputs as anyone rebuilds them: generated from its seed, or
//! fetched as content-addressed blobs and checked against their hashes,
//! shapes and values. The worker runs on them and the keeper verifies
//! against them, through this one definition.

use crate::{
    api::hex,
    job::{
        draw, seeded_operands, GemmDtype, GemmInputs, GemmSpec, JobError, Matrix, MlpInferSpec,
        MlpInput,
    },
    mlp::Weights,
};
use rand::SeedableRng;
use sha2::{Digest, Sha256};

/// Why a job's inputs cannot be used.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    #[error(transparent)]
    Spec(#[from] JobError),
    #[error("blob {0} is not available")]
    MissingBlob(String),
    #[error("blob {expected} has sha256 {actual}: the input does not match its hash")]
    HashMismatch { expected: String, actual: String },
    #[error("blob {which} does not hold whole {dtype} elements")]
    BadBlob { which: char, dtype: &'static str },
}

/// Looks a blob up by its hex sha256.
pub type Fetch<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

/// The blob whose hex sha256 is `hash`, from `fetch`, checked against it:
/// every job input arrives through here.
pub fn fetch_blob(hash: &str, fetch: Fetch) -> Result<Vec<u8>, InputError> {
    let bytes = fetch(hash).ok_or_else(|| InputError::MissingBlob(hash.to_string()))?;
    let actual = hex(&Sha256::digest(&bytes));
    if actual != hash.to_ascii_lowercase() {
        return Err(InputError::HashMismatch {
            expected: hash.to_string(),
            actual,
        });
    }
    Ok(bytes)
}

/// A and B of `spec`: generated from its seed, or fetched and checked
/// against their hashes, shapes and values.
pub fn gemm_operands(spec: &GemmSpec, fetch: Fetch) -> Result<(Matrix, Matrix), InputError> {
    spec.validate()?;
    let blob = |which: char, hash: &str| -> Result<Matrix, InputError> {
        let bytes = fetch_blob(hash, fetch)?;
        Matrix::from_le_bytes(spec.dtype, &bytes).ok_or(InputError::BadBlob {
            which,
            dtype: spec.dtype.name(),
        })
    };
    let (a, b) = match &spec.inputs {
        GemmInputs::Seed { seed } => seeded_operands(spec, *seed),
        GemmInputs::Content { a, b } => (blob('A', a)?, blob('B', b)?),
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

/// The input X_0 and every layer's weights of `spec`, fetched and checked
/// (hashes, lengths, finite values); the hex hash of X_0 comes back too.
pub fn mlp_operands(
    spec: &MlpInferSpec,
    fetch: Fetch,
) -> Result<(Vec<f32>, String, Vec<Weights>), InputError> {
    spec.validate()?;
    let batch = spec.batch as usize;
    let inputs = spec.layers[0].inputs as usize;
    let (x0, x0_hash) = match &spec.input {
        MlpInput::Seed { seed } => {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(*seed);
            let Matrix::F32(x) = draw(&mut rng, GemmDtype::F32, batch * inputs) else {
                unreachable!("f32 draws are f32")
            };
            let bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
            (x, hex(&Sha256::digest(bytes)))
        }
        MlpInput::Content { hash } => {
            let bytes = fetch_blob(hash, fetch)?;
            match Matrix::from_le_bytes(GemmDtype::F32, &bytes) {
                Some(Matrix::F32(x)) if x.len() == batch * inputs => (x, hash.to_ascii_lowercase()),
                _ => {
                    return Err(JobError::WrongLength {
                        which: 'X',
                        got: bytes.len() / 4,
                        expected: batch * inputs,
                    }
                    .into())
                }
            }
        }
    };
    Matrix::F32(x0.clone()).check('X')?;
    let mut weights = Vec::with_capacity(spec.layers.len());
    for layer in &spec.layers {
        let bytes = fetch_blob(&layer.weights, fetch)?;
        let (inputs, outputs) = (layer.inputs as usize, layer.outputs as usize);
        let w = Weights::from_blob(&bytes, inputs, outputs).ok_or(JobError::WrongLength {
            which: 'W',
            got: bytes.len() / 4,
            expected: inputs * outputs + outputs,
        })?;
        Matrix::F32(w.augmented()).check('W')?;
        weights.push(w);
    }
    Ok((x0, x0_hash, weights))
}
