//! Checking a GEMM result without redoing it: Freivalds' test with the
//! floating-point error bound of the job's dtype, shared by the keeper
//! (which verifies) and the worker (which checks itself before signing).
//!
//! The bound is Higham's inner-product bound, per element and for any
//! summation order (split-K and tensor-core trees included):
//! |C^ - AB| <= u_out |C^| + (gamma_k(u_acc) + 2 u_in) |A||B|, with
//! gamma_k(u) = k u / (1 - k u). Freivalds compares A(Br) with C^r for
//! random r in {0,1}^n, in f64, against that bound applied to r: a wrong
//! element larger than the bound survives a round with probability at most
//! 1/2. Integer jobs have a zero bound: their check is exact (int8-valued
//! inputs keep every sum below 2^53).

use crate::job::{GemmDtype, Matrix, Product};
use rand::{Rng, SeedableRng};

/// Unit roundoffs of a dtype path (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErrorModel {
    /// Rounding of each input before the products (TF32).
    pub u_in: f64,
    /// Rounding of the accumulation.
    pub u_acc: f64,
    /// Rounding of the stored output.
    pub u_out: f64,
}

/// Headroom over the worst-case bound: an honest result never fails, and a
/// wrong element needs to be only this many times the bound to be caught.
pub const SAFETY_FACTOR: f64 = 4.0;

impl ErrorModel {
    pub fn of(dtype: GemmDtype, allow_tf32: bool) -> Self {
        let p = |bits: i32| 2f64.powi(-bits);
        match dtype {
            GemmDtype::F32 => Self {
                u_in: if allow_tf32 { p(11) } else { 0.0 },
                u_acc: p(24),
                u_out: 0.0,
            },
            // Accumulation is f32; allow truncation instead of rounding.
            GemmDtype::Bf16 => Self {
                u_in: 0.0,
                u_acc: p(23),
                u_out: p(8),
            },
            GemmDtype::F16 => Self {
                u_in: 0.0,
                u_acc: p(23),
                u_out: p(11),
            },
            GemmDtype::I32 => Self {
                u_in: 0.0,
                u_acc: 0.0,
                u_out: 0.0,
            },
        }
    }

    /// Integer arithmetic: the check is equality.
    pub fn is_exact(&self) -> bool {
        self.u_in == 0.0 && self.u_acc == 0.0 && self.u_out == 0.0
    }

    /// The factor of |A||B| in the bound for inner products of length k.
    pub fn product_factor(&self, k: usize) -> f64 {
        gamma(k, self.u_acc) + 2.0 * self.u_in
    }

    /// The bound on |c - exact| for one element: `c` as stored, `abs_ab`
    /// the element of |A||B|.
    pub fn element_bound(&self, k: usize, c: f64, abs_ab: f64) -> f64 {
        self.u_out * c.abs() + self.product_factor(k) * abs_ab
    }
}

/// gamma_k(u) = k u / (1 - k u): the error of k roundings.
pub fn gamma(k: usize, u: f64) -> f64 {
    let ku = k as f64 * u;
    ku / (1.0 - ku)
}

/// Where Freivalds found C wrong.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FreivaldsFailure {
    pub round: u32,
    pub row: usize,
    /// |A(Br) - C^r| in that row.
    pub difference: f64,
    /// What the dtype's error allows there.
    pub bound: f64,
}

impl std::fmt::Display for FreivaldsFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Freivalds round {}: row {} of C is off by {:e}, more than the dtype allows ({:e})",
            self.round, self.row, self.difference, self.bound
        )
    }
}

/// The random vectors of a Freivalds test: r in {0,1}^n for each of
/// `rounds`, as an n x rounds row-major matrix, drawn from `seed`.
pub fn random_vectors(n: usize, rounds: u32, seed: u64) -> Vec<f64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n * rounds as usize)
        .map(|_| rng.random_range(0..2) as f64)
        .collect()
}

/// What a Freivalds test compares, per row of C: A(Br) and C^r for each
/// round (m x rounds, row-major), and the bound's scale for the row,
/// |A|(|B|1) and |C^|1 (m each). With r in {0,1}^n, |A||B|r <= |A||B|1 and
/// |C^|r <= |C^|1, so one all-ones vector bounds every round: the bound
/// is at most the row's whole |A||B| instead of its part under r, and the
/// check costs rounds + 1 products instead of 2 rounds.
pub struct Projections {
    pub y: Vec<f64>,
    pub z: Vec<f64>,
    pub abs_y: Vec<f64>,
    pub abs_z: Vec<f64>,
}

/// Rows of `mat` (rows x cols, row-major, any element type as f64) times
/// `r` (cols x t, row-major): rows x t. With `abs`, |mat| instead.
pub fn project<T: Copy>(
    mat: &[T],
    (rows, cols): (usize, usize),
    r: &[f64],
    t: usize,
    abs: bool,
    as_f64: impl Fn(T) -> f64,
) -> Vec<f64> {
    let mut out = vec![0.0; rows * t];
    for (row, acc) in mat.chunks(cols.max(1)).zip(out.chunks_mut(t.max(1))) {
        for (&x, r_row) in row.iter().zip(r.chunks(t.max(1))) {
            let x = if abs { as_f64(x).abs() } else { as_f64(x) };
            for (a, &rv) in acc.iter_mut().zip(r_row) {
                *a += x * rv;
            }
        }
    }
    out
}

impl Projections {
    /// Computes them with plain loops; a backend may compute them faster
    /// and call `judge` itself.
    pub fn compute(
        (m, k, n): (usize, usize, usize),
        a: &[f64],
        b: &[f64],
        c: &[f64],
        r: &[f64],
    ) -> Self {
        let rounds = r.len() / n.max(1);
        let ones = vec![1.0; n];
        let id = |x: f64| x;
        let br = project(b, (k, n), r, rounds, false, id);
        let abs_b1 = project(b, (k, n), &ones, 1, true, id);
        Self {
            y: project(a, (m, k), &br, rounds, false, id),
            z: project(c, (m, n), r, rounds, false, id),
            abs_y: project(a, (m, k), &abs_b1, 1, true, id),
            abs_z: project(c, (m, n), &ones, 1, true, id),
        }
    }

    /// Compares A(Br) with C^r row by row against `model`'s bound for
    /// inner products of length k (and n terms in C^r).
    pub fn judge(
        &self,
        model: ErrorModel,
        k: usize,
        n: usize,
        rounds: u32,
    ) -> Result<(), FreivaldsFailure> {
        let rounds = rounds as usize;
        // f64's own error in these sums, so that an exact float product
        // never fails; integer sums are exact in f64 (below 2^53).
        let f64_factor = if model.is_exact() {
            0.0
        } else {
            gamma(k + n, f64::EPSILON / 2.0)
        };
        let factor = model.product_factor(k);
        for (e, (&y, &z)) in self.y.iter().zip(&self.z).enumerate() {
            let row = e / rounds;
            let (abs_y, abs_z) = (self.abs_y[row], self.abs_z[row]);
            let bound = SAFETY_FACTOR * (model.u_out * abs_z + factor * abs_y)
                + f64_factor * (abs_y + abs_z);
            let difference = (y - z).abs();
            // NaN in C is never within a bound.
            if difference.is_nan() || difference > bound {
                return Err(FreivaldsFailure {
                    round: (e % rounds) as u32,
                    row,
                    difference,
                    bound,
                });
            }
        }
        Ok(())
    }
}

/// Freivalds' test of C = A B (A m x k, B k x n, row-major) with `rounds`
/// random vectors drawn from `seed`, in f64, against `model`'s bound.
pub fn freivalds(
    dims: (usize, usize, usize),
    a: &Matrix,
    b: &Matrix,
    c: &Product,
    model: ErrorModel,
    rounds: u32,
    seed: u64,
) -> Result<(), FreivaldsFailure> {
    let (m, k, n) = dims;
    assert_eq!((a.len(), b.len(), c.len()), (m * k, k * n, m * n), "shapes");
    let r = random_vectors(n, rounds, seed);
    Projections::compute(dims, &a.to_f64(), &b.to_f64(), &c.to_f64(), &r).judge(model, k, n, rounds)
}

/// The exact product in f64 and |A||B| (for tests and spot checks: O(mnk)).
pub fn reference_f64(
    (m, k, n): (usize, usize, usize),
    a: &Matrix,
    b: &Matrix,
) -> (Vec<f64>, Vec<f64>) {
    let (a, b) = (a.to_f64(), b.to_f64());
    let mut exact = vec![0.0; m * n];
    let mut abs = vec![0.0; m * n];
    for i in 0..m {
        for l in 0..k {
            let x = a[i * k + l];
            for j in 0..n {
                exact[i * n + j] += x * b[l * n + j];
                abs[i * n + j] += x.abs() * b[l * n + j].abs();
            }
        }
    }
    (exact, abs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{seeded_operands, GemmInputs, GemmSpec};

    #[test]
    fn integer_products_are_checked_exactly() {
        let spec = GemmSpec {
            m: 9,
            n: 7,
            k: 300,
            dtype: GemmDtype::I32,
            allow_tf32: false,
            inputs: GemmInputs::Seed { seed: 1 },
        };
        let (a, b) = seeded_operands(&spec, 1);
        let (exact, _) = reference_f64((9, 300, 7), &a, &b);
        let c: Vec<i64> = exact.iter().map(|&x| x as i64).collect();
        let model = ErrorModel::of(GemmDtype::I32, false);
        let dims = (9, 300, 7);
        assert_eq!(
            freivalds(dims, &a, &b, &Product::I64(c.clone()), model, 20, 3),
            Ok(())
        );
        let mut wrong = c;
        wrong[40] += 1;
        let failure = freivalds(dims, &a, &b, &Product::I64(wrong), model, 20, 3).unwrap_err();
        assert_eq!(
            (failure.row, failure.difference, failure.bound),
            (5, 1.0, 0.0)
        );
    }
}
