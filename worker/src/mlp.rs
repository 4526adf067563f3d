//! Running an `mlp_infer` job: each layer as one f32 GEMM on the backend
//! (X with a ones column times W with the bias row, so the bias is inside
//! the product the keeper checks), the activation between layers, and one
//! commitment per layer's output.

use crate::{
    backend::{gemm_bytes, Backend, BackendError},
    gemm::JobFailure,
};
use io_compute_sdk::{
    job::{GemmDtype, Matrix, MlpInferSpec, Product},
    mlp::{activate, augment_input, input_root, layer_commitment, output_root, Weights},
};
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

pub use io_compute_sdk::inputs::mlp_operands as operands;

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
