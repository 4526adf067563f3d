//! GEMM jobs over an exact dtype, defined once for workers, keepers and the
//! fraud proof: A is m x k and B is k x n of i32, C = A x B of i64 computed
//! with wrapping two's-complement arithmetic, so every machine gets the same
//! bits. A job's input root is the Merkle root of A's rows then B's columns;
//! its output root is the Merkle root of C's elements in row-major order.

use crate::merkle::{leaf, Hash32};

/// Longest dot product the program recomputes (a row of A or a column of B
/// must fit one transaction).
pub const MAX_FRAUD_K: usize = 128;

fn bytes(values: &[i32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn a_row_leaf(i: u32, row: &[i32]) -> Hash32 {
    leaf(
        b"io-compute:gemm-a-row",
        &[
            &i.to_le_bytes(),
            &(row.len() as u32).to_le_bytes(),
            &bytes(row),
        ],
    )
}

pub fn b_col_leaf(j: u32, col: &[i32]) -> Hash32 {
    leaf(
        b"io-compute:gemm-b-col",
        &[
            &j.to_le_bytes(),
            &(col.len() as u32).to_le_bytes(),
            &bytes(col),
        ],
    )
}

pub fn c_leaf(i: u32, j: u32, value: i64) -> Hash32 {
    leaf(
        b"io-compute:gemm-c",
        &[&i.to_le_bytes(), &j.to_le_bytes(), &value.to_le_bytes()],
    )
}

/// One element of C: the wrapping dot product of a row and a column.
pub fn dot(row: &[i32], col: &[i32]) -> i64 {
    row.iter().zip(col).fold(0i64, |sum, (a, b)| {
        sum.wrapping_add((*a as i64).wrapping_mul(*b as i64))
    })
}
