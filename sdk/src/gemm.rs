//! GEMM jobs as workers run them and as the program's fraud proof checks
//! them (`io_compute::gemm`): the input and output Merkle trees, and the
//! evidence a challenger submits, one transaction per piece.

use crate::merkle::MerkleTree;
use io_compute::{
    gemm::{a_chunk_leaf, b_chunk_leaf, c_leaf, chunk_count, chunk_len, dot, CHUNK_K},
    receipt::{Dtype, JobKind, JobReceipt},
    state::GemmEvidence,
    SubmitGemmEvidenceArgs,
};

/// C = A x B with A m x k and B k x n, both row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GemmJob {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub a: Vec<i32>,
    pub b: Vec<i32>,
}

impl GemmJob {
    pub fn new(m: usize, k: usize, n: usize, a: Vec<i32>, b: Vec<i32>) -> Self {
        assert_eq!(a.len(), m * k, "A is m x k");
        assert_eq!(b.len(), k * n, "B is k x n");
        Self { m, k, n, a, b }
    }

    pub fn a_row(&self, i: usize) -> Vec<i32> {
        self.a[i * self.k..(i + 1) * self.k].to_vec()
    }

    pub fn b_col(&self, j: usize) -> Vec<i32> {
        (0..self.k).map(|l| self.b[l * self.n + j]).collect()
    }

    /// C, row-major, with the exact (wrapping i64) arithmetic of the program.
    pub fn multiply(&self) -> Vec<i64> {
        let cols: Vec<Vec<i32>> = (0..self.n).map(|j| self.b_col(j)).collect();
        (0..self.m)
            .flat_map(|i| {
                let row = self.a_row(i);
                cols.iter()
                    .map(move |col| dot(&row, col))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn chunks(&self) -> usize {
        chunk_count(self.k as u32) as usize
    }

    /// Chunk `chunk` of `values` (a row or column of length k).
    fn chunk_of(values: &[i32], chunk: usize) -> &[i32] {
        let start = chunk * CHUNK_K as usize;
        &values[start..start + chunk_len(values.len() as u32, chunk as u32) as usize]
    }

    /// Leaves: the chunks of A's rows (row by row), then the chunks of B's
    /// columns. Its root is the receipt's `input_root`.
    pub fn input_tree(&self) -> MerkleTree {
        let chunks = self.chunks();
        let rows = (0..self.m).flat_map(|i| {
            let row = self.a_row(i);
            (0..chunks)
                .map(|c| a_chunk_leaf(i as u32, c as u32, Self::chunk_of(&row, c)))
                .collect::<Vec<_>>()
        });
        let cols = (0..self.n).flat_map(|j| {
            let col = self.b_col(j);
            (0..chunks)
                .map(|c| b_chunk_leaf(j as u32, c as u32, Self::chunk_of(&col, c)))
                .collect::<Vec<_>>()
        });
        MerkleTree::new(rows.chain(cols).collect())
    }

    /// The tree of `c` (m x n, row-major); its root is the receipt's
    /// `output_root`.
    pub fn output_tree(&self, c: &[i64]) -> MerkleTree {
        assert_eq!(c.len(), self.m * self.n, "C is m x n");
        let leaves = c
            .iter()
            .enumerate()
            .map(|(e, v)| c_leaf((e / self.n) as u32, (e % self.n) as u32, *v))
            .collect();
        MerkleTree::new(leaves)
    }

    /// Index of chunk `chunk` of row i of A in `input_tree`.
    pub fn a_chunk_index(&self, i: usize, chunk: usize) -> usize {
        i * self.chunks() + chunk
    }

    /// Index of chunk `chunk` of column j of B in `input_tree`.
    pub fn b_chunk_index(&self, j: usize, chunk: usize) -> usize {
        (self.m + j) * self.chunks() + chunk
    }

    /// Index of C[i][j] in `output_tree`.
    pub fn c_index(&self, i: usize, j: usize) -> usize {
        i * self.n + j
    }

    /// The receipt of this job with result `c`, as its worker signs it.
    pub fn receipt(&self, job_id: [u8; 32], c: &[i64], device_time_us: u64) -> JobReceipt {
        JobReceipt {
            job_id,
            kind: JobKind::Gemm,
            dtype: Dtype::I32,
            m: self.m as u32,
            n: self.n as u32,
            k: self.k as u32,
            input_root: self.input_tree().root(),
            output_root: self.output_tree(c).root(),
            device_time_us,
        }
    }

    /// Every `submit_gemm_evidence` a challenger of C[i][j] (as `c` has
    /// it) sends, in order: the claimed element, then per chunk the row
    /// chunk of A and the column chunk of B.
    pub fn fraud_evidence(&self, c: &[i64], i: usize, j: usize) -> Vec<SubmitGemmEvidenceArgs> {
        let (input, output) = (self.input_tree(), self.output_tree(c));
        let (row, col) = (self.a_row(i), self.b_col(j));
        let mut steps = vec![SubmitGemmEvidenceArgs {
            evidence: GemmEvidence::C {
                value: c[self.c_index(i, j)],
            },
            proof: output.proof(self.c_index(i, j)),
        }];
        for chunk in 0..self.chunks() {
            steps.push(SubmitGemmEvidenceArgs {
                evidence: GemmEvidence::ARow {
                    chunk: chunk as u32,
                    values: Self::chunk_of(&row, chunk).to_vec(),
                },
                proof: input.proof(self.a_chunk_index(i, chunk)),
            });
            steps.push(SubmitGemmEvidenceArgs {
                evidence: GemmEvidence::BCol {
                    chunk: chunk as u32,
                    values: Self::chunk_of(&col, chunk).to_vec(),
                },
                proof: input.proof(self.b_chunk_index(j, chunk)),
            });
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use io_compute::merkle::verify;

    #[test]
    fn product_and_chunk_proofs_match_the_program() {
        let job = GemmJob::new(
            2,
            3,
            2,
            vec![1, 2, 3, -4, 5, i32::MAX],
            vec![7, 8, 9, 10, 11, -12],
        );
        let c = job.multiply();
        assert_eq!(c[0], 7 + 18 + 33);
        assert_eq!(c[3], -32 + 50 - 12 * i32::MAX as i64);
        let (input, output) = (job.input_tree(), job.output_tree(&c));
        for i in 0..2 {
            let leaf = a_chunk_leaf(i as u32, 0, &job.a_row(i));
            assert!(verify(
                &input.proof(job.a_chunk_index(i, 0)),
                &input.root(),
                leaf
            ));
            for j in 0..2 {
                let leaf = c_leaf(i as u32, j as u32, c[job.c_index(i, j)]);
                assert!(verify(
                    &output.proof(job.c_index(i, j)),
                    &output.root(),
                    leaf
                ));
            }
        }
        let col = b_chunk_leaf(1, 0, &job.b_col(1));
        assert!(verify(
            &input.proof(job.b_chunk_index(1, 0)),
            &input.root(),
            col
        ));
        // A column passed off as a row does not verify.
        let swapped = a_chunk_leaf(1, 0, &job.b_col(1));
        assert!(!verify(
            &input.proof(job.b_chunk_index(1, 0)),
            &input.root(),
            swapped
        ));
    }

    #[test]
    fn evidence_for_a_long_k_replays_the_element_chunk_by_chunk() {
        let (m, k, n) = (3, 200, 2);
        let a = (0..m * k)
            .map(|x| (x as i32 * 7_919) % 20_001 - 10_000)
            .collect();
        let b = (0..k * n)
            .map(|x| (x as i32 * 104_729) % 30_001 - 15_000)
            .collect();
        let job = GemmJob::new(m, k, n, a, b);
        let c = job.multiply();
        let steps = job.fraud_evidence(&c, 2, 1);
        assert_eq!(steps.len(), 1 + 2 * 4, "C, then A and B for 4 chunks of 64");
        let mut challenge = io_compute::state::GemmChallenge {
            proof: Default::default(),
            prover: Default::default(),
            input_root: job.input_tree().root(),
            output_root: job.output_tree(&c).root(),
            k: k as u32,
            i: 2,
            j: 1,
            next_chunk: 0,
            partial_sum: 0,
            a_chunk: vec![],
            b_chunk: vec![],
            claimed: None,
            expires_at: 0,
            bump: 0,
        };
        for step in steps {
            let (leaf, root) = challenge.leaf_of(&step.evidence).expect("in order");
            assert!(verify(&step.proof, &root, leaf));
            challenge.add(step.evidence);
        }
        assert!(challenge.is_complete());
        assert_eq!(challenge.claimed, Some(c[job.c_index(2, 1)]));
        assert_eq!(challenge.partial_sum, c[job.c_index(2, 1)]);
    }
}
