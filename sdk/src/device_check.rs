//! The device check: a sequential seeded challenge only a device at its
//! claimed speed can answer before the deadline, and a cheap spot check of
//! the answer.
//!
//! From the seed, `ChaCha8Rng::seed_from_u64(seed)` draws X_0 then B (both
//! n x n, int8-valued, row-major, as `job::draw` draws i32 operands). Each
//! step is X_{t+1} = q(X_t B), where q keeps the low 8 bits of each exact
//! element as a signed byte: integer arithmetic, so every device gets the
//! same bits and the check is exact, and each step needs the one before,
//! so the work cannot be spread over other devices ahead of time. The
//! answer is one Merkle root per step over the rows of X_{t+1}. The keeper
//! then opens random rows: X_t[i] and X_{t+1}[i] with their proofs, and
//! recomputes q(X_t[i] B) from the seed in O(n^2).

use crate::{
    job::{draw, GemmDtype, Matrix},
    merkle::MerkleTree,
};
use io_compute::merkle::{verify, Hash32};
use rand::SeedableRng;
use sha2::{Digest, Sha256};

/// q: the low 8 bits of an exact element, as a signed byte.
pub fn squash(value: i64) -> i8 {
    value as u8 as i8
}

/// X_0 and B of a check.
pub fn seeded_start(seed: u64, n: usize) -> (Vec<i8>, Vec<i8>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut int8 = |len| match draw(&mut rng, GemmDtype::I32, len) {
        Matrix::I32(v) => v.into_iter().map(|x| x as i8).collect::<Vec<i8>>(),
        _ => unreachable!("i32 draws are i32"),
    };
    let x0 = int8(n * n);
    let b = int8(n * n);
    (x0, b)
}

/// Row i of X_{t+1} from row i of X_t.
pub fn next_row(row: &[i8], b: &[i8], n: usize) -> Vec<i8> {
    (0..n)
        .map(|j| {
            let dot: i64 = (0..n).map(|l| row[l] as i64 * b[l * n + j] as i64).sum();
            squash(dot)
        })
        .collect()
}

/// The leaf of row i of the state after step t.
pub fn row_leaf(step: u32, i: u32, row: &[i8]) -> Hash32 {
    let mut h = Sha256::new();
    h.update(b"io-compute/device-check/v1");
    h.update(step.to_le_bytes());
    h.update(i.to_le_bytes());
    h.update(row.iter().map(|&x| x as u8).collect::<Vec<u8>>());
    h.finalize().into()
}

/// The tree over the rows of the state after `step`.
pub fn state_tree(step: u32, state: &[i8], n: usize) -> MerkleTree {
    MerkleTree::new(
        state
            .chunks(n)
            .enumerate()
            .map(|(i, row)| row_leaf(step, i as u32, row))
            .collect(),
    )
}

/// A worker's answer to the keeper's spot check of row `row` at `step`:
/// row i before the step (with its proof under the previous step's root;
/// none for step 0, whose X_0 comes from the seed) and after it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Opening {
    pub step: u32,
    pub row: u32,
    pub before: Vec<i8>,
    pub before_proof: Vec<Hash32>,
    pub after: Vec<i8>,
    pub after_proof: Vec<Hash32>,
}

/// True when `opening` is consistent with `roots` (one per step) and the
/// seed's B: both rows are under their roots, and the step was computed.
pub fn verify_opening(seed: u64, n: usize, roots: &[Hash32], opening: &Opening) -> bool {
    let (x0, b) = seeded_start(seed, n);
    let (step, row) = (opening.step as usize, opening.row as usize);
    if step >= roots.len() || row >= n || opening.before.len() != n || opening.after.len() != n {
        return false;
    }
    let before_ok = if step == 0 {
        opening.before == x0[row * n..(row + 1) * n]
    } else {
        verify(
            &opening.before_proof,
            &roots[step - 1],
            row_leaf(opening.step - 1, opening.row, &opening.before),
        )
    };
    before_ok
        && verify(
            &opening.after_proof,
            &roots[step],
            row_leaf(opening.step, opening.row, &opening.after),
        )
        && next_row(&opening.before, &b, n) == opening.after
}

/// The deadline of a check of `steps` products of n x n on a device whose
/// model's reference rate is `reference_tflops` (calibrated on honest
/// hardware): the work at `efficiency` of that rate, plus `fixed_ms` for
/// set-up, hashing and the round trip.
pub fn deadline_ms(
    n: u32,
    steps: u32,
    reference_tflops: f64,
    efficiency: f64,
    fixed_ms: u64,
) -> u64 {
    let flops = 2.0 * (n as f64).powi(3) * steps as f64;
    let seconds = flops / (efficiency * reference_tflops * 1e12);
    (seconds * 1e3).ceil() as u64 + fixed_ms
}
