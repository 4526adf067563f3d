//! Running an `mlp_infer` job: each layer as one f32 GEMM on the backend
//! (X with a ones column times W with the bias row, so the bias is inside
//! the product the keeper checks), the activation between layers, and one
//! commitment per layer's output.

use crate::{
    backend::{gemm_bytes, Backend, BackendError},
    gemm::{fetch_blob, hex, JobFailure},
};
use io_compute_sdk::{
    job::{draw, GemmDtype, JobError, Matrix, MlpInferSpec, MlpInput, Product},
    mlp::{activate, augment_input, input_root, layer_commitment, output_root, Weights},
};
use rand::SeedableRng;
use sha2::{Digest, Sha256};
use std::time::Instant;

/// A finished forward pass.
#[derive(Debug)]
pub struct MlpOutcome {
    /// Z of every layer (batch x outputs each); the last is the model's
    /// output.
    pub layers: Vec<Vec<f32>>,
    pub commitments: Vec<[u8; 32]>,
    pub device_time_us: u64,
    pub input_root: [u8; 32],
    pub output_root: [u8; 32],
}

/// The input X_0 and every layer's weights of `spec`, fetched and checked
/// (hashes, lengths, finite values); the hex hash of X_0 comes back too.
pub fn operands(
    spec: &MlpInferSpec,
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<(Vec<f32>, String, Vec<Weights>), JobFailure> {
    spec.validate()?;
    let batch = spec.batch as usize;
    let inputs = spec.layers[0].inputs as usize;
    let checked = |hash: &str| fetch_blob(hash, fetch);
    let (x0, x0_hash) = match &spec.input {
        MlpInput::Seed { seed } => {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(*seed);
            let x = match draw(&mut rng, GemmDtype::F32, batch * inputs) {
                Matrix::F32(v) => v,
                _ => unreachable!("f32 draws are f32"),
            };
            let bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
            (x, hex(&Sha256::digest(bytes)))
        }
        MlpInput::Content { hash } => {
            let bytes = checked(hash)?;
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
        let bytes = checked(&layer.weights)?;
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

/// Runs the forward pass of `spec` on `backend`.
pub fn run(
    backend: &dyn Backend,
    spec: &MlpInferSpec,
    x0: &[f32],
    x0_hash: &str,
    weights: &[Weights],
) -> Result<MlpOutcome, JobFailure> {
    let batch = spec.batch as usize;
    let needed = weights
        .iter()
        .map(|w| gemm_bytes(GemmDtype::F32, (batch, w.inputs + 1, w.outputs)))
        .max()
        .unwrap_or(0);
    let available = backend.free_memory();
    if needed > available {
        return Err(BackendError::OutOfMemory { needed, available }.into());
    }
    let started = Instant::now();
    let mut x = x0.to_vec();
    let mut layers = Vec::with_capacity(weights.len());
    for (l, w) in weights.iter().enumerate() {
        let product = backend.gemm(
            (batch, w.inputs + 1, w.outputs),
            &Matrix::F32(augment_input(&x, batch, w.inputs)),
            &Matrix::F32(w.augmented()),
            false,
        )?;
        let Product::F32(z) = product else {
            unreachable!("f32 GEMMs give f32")
        };
        if let Some(index) = z.iter().position(|v| !v.is_finite()) {
            return Err(JobFailure::NonFiniteOutput { layer: l, index });
        }
        x = activate(spec.activation, &z);
        layers.push(z);
    }
    let device_time_us = started.elapsed().as_micros().max(1) as u64;
    let commitments: Vec<[u8; 32]> = layers
        .iter()
        .enumerate()
        .map(|(l, z)| layer_commitment(l as u32, z))
        .collect();
    let weight_hashes: Vec<&str> = spec.layers.iter().map(|l| l.weights.as_str()).collect();
    Ok(MlpOutcome {
        output_root: output_root(&commitments),
        input_root: input_root(x0_hash, &weight_hashes),
        layers,
        commitments,
        device_time_us,
    })
}
