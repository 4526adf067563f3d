//! Answering a device check (`io_compute_sdk::device_check`): the chain of
//! seeded integer products on the backend, one row root per step, kept so
//! that the keeper's spot checks can be opened afterwards.

use crate::{backend::Backend, gemm::JobFailure};
use io_compute_sdk::{
    device_check::{seeded_start, squash, state_tree, Opening},
    job::{DeviceCheckSpec, Matrix, Product},
    merkle::MerkleTree,
};
use std::time::{Duration, Instant};

/// A check answered: its roots, how long it took, and every state (to open
/// rows later).
pub struct DeviceCheckRun {
    pub spec: DeviceCheckSpec,
    pub roots: Vec<[u8; 32]>,
    pub elapsed: Duration,
    /// X_0, X_1, ..., X_steps.
    states: Vec<Vec<i8>>,
    trees: Vec<MerkleTree>,
}

impl DeviceCheckRun {
    /// The answer came within the spec's deadline.
    pub fn in_time(&self) -> bool {
        self.elapsed <= Duration::from_millis(self.spec.deadline_ms)
    }

    /// Opens row `row` of step `step` for the keeper's spot check.
    pub fn open(&self, step: u32, row: u32) -> Option<Opening> {
        let n = self.spec.n as usize;
        let (t, i) = (step as usize, row as usize);
        if t >= self.roots.len() || i >= n {
            return None;
        }
        Some(Opening {
            step,
            row,
            before: self.states[t][i * n..(i + 1) * n].to_vec(),
            before_proof: if t == 0 {
                Vec::new()
            } else {
                self.trees[t - 1].proof(i)
            },
            after: self.states[t + 1][i * n..(i + 1) * n].to_vec(),
            after_proof: self.trees[t].proof(i),
        })
    }
}

/// Runs `spec` on `backend`: every product exact (int8-valued operands),
/// squashed to bytes, its rows committed.
pub fn run(backend: &dyn Backend, spec: DeviceCheckSpec) -> Result<DeviceCheckRun, JobFailure> {
    io_compute_sdk::job::Job::new(io_compute_sdk::job::JobSpec::DeviceCheck(spec)).validate()?;
    let n = spec.n as usize;
    let started = Instant::now();
    let (x0, b) = seeded_start(spec.seed, n);
    let b = Matrix::I32(b.iter().map(|&x| x as i32).collect());
    let mut states = vec![x0];
    let mut trees = Vec::with_capacity(spec.steps as usize);
    for step in 0..spec.steps {
        let x = Matrix::I32(states[step as usize].iter().map(|&x| x as i32).collect());
        let next: Vec<i8> = match backend.gemm((n, n, n), &x, &b, false)? {
            Product::I64(p) => p.into_iter().map(squash).collect(),
            _ => unreachable!("integer GEMMs give i64"),
        };
        trees.push(state_tree(step, &next, n));
        states.push(next);
    }
    let roots = trees.iter().map(|t| t.root()).collect();
    Ok(DeviceCheckRun {
        spec,
        roots,
        elapsed: started.elapsed(),
        states,
        trees,
    })
}
