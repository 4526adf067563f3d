//! `mlp_infer` jobs as worker and keeper both see them: weight blobs, the
//! layer commitments that make up a receipt's output root, and the
//! keeper's check of one layer (Freivalds on X_l W_l + b_l with the f32
//! bound), so a wrong layer is found without rerunning the model.

use crate::{
    job::{GemmDtype, Matrix, Product},
    merkle::MerkleTree,
    verify::{freivalds, ErrorModel, FreivaldsFailure},
};
use sha2::{Digest, Sha256};

/// One layer's weights and bias.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    pub inputs: usize,
    pub outputs: usize,
    /// inputs x outputs, row-major.
    pub w: Vec<f32>,
    pub bias: Vec<f32>,
}

impl Weights {
    /// Decodes a weight blob (W then the bias, f32 little-endian), or None
    /// when its length does not fit the layer.
    pub fn from_blob(bytes: &[u8], inputs: usize, outputs: usize) -> Option<Self> {
        if bytes.len() != (inputs * outputs + outputs) * 4 {
            return None;
        }
        let values: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        Some(Self {
            inputs,
            outputs,
            w: values[..inputs * outputs].to_vec(),
            bias: values[inputs * outputs..].to_vec(),
        })
    }

    /// The blob `from_blob` reads.
    pub fn to_blob(&self) -> Vec<u8> {
        self.w
            .iter()
            .chain(&self.bias)
            .flat_map(|x| x.to_le_bytes())
            .collect()
    }

    /// W with the bias as one more row: X' = [X | 1] times it is X W + b,
    /// which is how the keeper checks a layer with one Freivalds test.
    pub fn augmented(&self) -> Vec<f32> {
        let mut out = self.w.clone();
        out.extend_from_slice(&self.bias);
        out
    }
}

/// X with a column of ones appended (batch x (inputs + 1)).
pub fn augment_input(x: &[f32], batch: usize, inputs: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(batch * (inputs + 1));
    for row in x.chunks(inputs.max(1)).take(batch) {
        out.extend_from_slice(row);
        out.push(1.0);
    }
    out
}

/// The activation between layers, applied elementwise.
pub fn activate(activation: crate::job::Activation, z: &[f32]) -> Vec<f32> {
    match activation {
        crate::job::Activation::Relu => z.iter().map(|&v| v.max(0.0)).collect(),
        crate::job::Activation::Identity => z.to_vec(),
    }
}

/// The commitment to layer `layer`'s output Z (batch x outputs).
pub fn layer_commitment(layer: u32, z: &[f32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"io-compute/mlp-layer/v1");
    h.update(layer.to_le_bytes());
    h.update(z.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>());
    h.finalize().into()
}

/// The receipt's output root: the Merkle root of the layer commitments.
pub fn output_root(commitments: &[[u8; 32]]) -> [u8; 32] {
    MerkleTree::new(commitments.to_vec()).root()
}

/// The receipt's input root: sha256 of the input's and every weight blob's
/// hash, in order.
pub fn input_root(input_hash: &str, weight_hashes: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"io-compute/mlp-inputs/v1");
    h.update(input_hash.as_bytes());
    for w in weight_hashes {
        h.update(w.as_bytes());
    }
    h.finalize().into()
}

/// The keeper's check of one layer: `z` (batch x outputs) is X W + b for
/// the layer's input `x` (batch x inputs) within f32's bound, by Freivalds
/// with `rounds` vectors from `seed`.
pub fn check_layer(
    x: &[f32],
    batch: usize,
    weights: &Weights,
    z: &[f32],
    rounds: u32,
    seed: u64,
) -> Result<(), FreivaldsFailure> {
    let k = weights.inputs + 1;
    freivalds(
        (batch, k, weights.outputs),
        &Matrix::F32(augment_input(x, batch, weights.inputs)),
        &Matrix::F32(weights.augmented()),
        &Product::F32(z.to_vec()),
        ErrorModel::of(GemmDtype::F32, false),
        rounds,
        seed,
    )
}
