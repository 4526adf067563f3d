//! GEMM jobs as workers run them and as the program's fraud proof checks
//! them (`io_compute::gemm`): the input and output Merkle trees, and the
//! proofs a challenger submits.

use crate::merkle::MerkleTree;
use io_compute::gemm::{a_row_leaf, b_col_leaf, c_leaf, dot};

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

    /// Leaves: A's rows, then B's columns. Its root is the receipt's
    /// `input_hash`.
    pub fn input_tree(&self) -> MerkleTree {
        let rows = (0..self.m).map(|i| a_row_leaf(i as u32, &self.a_row(i)));
        let cols = (0..self.n).map(|j| b_col_leaf(j as u32, &self.b_col(j)));
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

    /// Index of row i of A in `input_tree`.
    pub fn a_row_index(&self, i: usize) -> usize {
        i
    }

    /// Index of column j of B in `input_tree`.
    pub fn b_col_index(&self, j: usize) -> usize {
        self.m + j
    }

    /// Index of C[i][j] in `output_tree`.
    pub fn c_index(&self, i: usize, j: usize) -> usize {
        i * self.n + j
    }
}

/// Freivalds' check that `c` is A x B in O(rounds x (mk + kn + mn)) instead
/// of O(mkn): for random 0/1 vectors r, A(Br) must equal Cr. A wrong C
/// passes one round with probability at most 1/2 (this holds in the ring of
/// wrapping i64 arithmetic too: one nonzero entry of AB - C already decides
/// the row), so 32 rounds leave under 1 in 4 billion. Seeded, so a check can
/// be replayed.
pub fn freivalds(job: &GemmJob, c: &[i64], rounds: u32, seed: u64) -> bool {
    use rand::{Rng, SeedableRng};
    if c.len() != job.m * job.n {
        return false;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..rounds).all(|_| {
        let r: Vec<i64> = (0..job.n).map(|_| rng.random_range(0..2)).collect();
        let br: Vec<i64> = (0..job.k)
            .map(|l| {
                (0..job.n).fold(0i64, |sum, j| {
                    sum.wrapping_add((job.b[l * job.n + j] as i64).wrapping_mul(r[j]))
                })
            })
            .collect();
        (0..job.m).all(|i| {
            let abr = (0..job.k).fold(0i64, |sum, l| {
                sum.wrapping_add((job.a[i * job.k + l] as i64).wrapping_mul(br[l]))
            });
            let cr = (0..job.n).fold(0i64, |sum, j| {
                sum.wrapping_add(c[i * job.n + j].wrapping_mul(r[j]))
            });
            abr == cr
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use io_compute::merkle::verify;

    #[test]
    fn freivalds_accepts_the_product_and_catches_one_wrong_element() {
        let a = (0..16 * 32).map(|x| (x * 7919) % 2001 - 1000).collect();
        let b = (0..32 * 8).map(|x| (x * 104_729) % 3001 - 1500).collect();
        let job = GemmJob::new(16, 32, 8, a, b);
        let c = job.multiply();
        assert!(freivalds(&job, &c, 32, 1));
        for seed in 0..20 {
            let mut wrong = c.clone();
            let index = (seed as usize * 37) % wrong.len();
            wrong[index] += 1;
            assert!(!freivalds(&job, &wrong, 32, seed), "seed {seed}");
        }
        assert!(!freivalds(&job, &c[1..], 32, 1), "wrong shape");
    }

    #[test]
    fn product_and_proofs_match_the_program() {
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
        let input = job.input_tree();
        let output = job.output_tree(&c);
        for i in 0..2 {
            let leaf = a_row_leaf(i as u32, &job.a_row(i));
            assert!(verify(
                &input.proof(job.a_row_index(i)),
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
        let col = b_col_leaf(1, &job.b_col(1));
        assert!(verify(&input.proof(job.b_col_index(1)), &input.root(), col));
        // A column passed off as a row does not verify.
        let swapped = a_row_leaf(1, &job.b_col(1));
        assert!(!verify(
            &input.proof(job.b_col_index(1)),
            &input.root(),
            swapped
        ));
    }
}
