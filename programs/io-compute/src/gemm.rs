//! Integer GEMM jobs, defined once for workers, keepers and the fraud
//! proof: A is m x k and B is k x n of i32, C = A x B of i64 computed with
//! wrapping two's-complement arithmetic, so every machine gets the same
//! bits.
//!
//! A job's input root is the Merkle root of A's rows cut into chunks of
//! `CHUNK_K` values (row by row), then B's columns cut the same way; its
//! output root is the Merkle root of C's elements in row-major order. A
//! fraud proof replays one element of C one chunk at a time (one
//! transaction per operand chunk), so its size never depends on k.

use crate::merkle::{leaf, Hash32};

/// Values of a row or column per chunk: a chunk (256 bytes) and a Merkle
/// proof of up to 23 levels fit one transaction.
pub const CHUNK_K: u32 = 64;

/// Largest inner dimension of a provable GEMM (256 chunks).
pub const MAX_PROVABLE_K: u32 = 16_384;

/// Most input values (m x k + k x n) of a provable GEMM: its input tree has
/// at most 2^23 chunk leaves, so every chunk's proof fits a transaction.
pub const MAX_PROVABLE_INPUTS: u64 = (CHUNK_K as u64) << 23;

/// Number of chunks a row or column of length `k` is cut into.
pub fn chunk_count(k: u32) -> u32 {
    k.div_ceil(CHUNK_K)
}

/// Length of chunk `chunk` of a row or column of length `k` (0 past the
/// end).
pub fn chunk_len(k: u32, chunk: u32) -> u32 {
    k.saturating_sub(chunk.saturating_mul(CHUNK_K)).min(CHUNK_K)
}

fn bytes(values: &[i32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Chunk `chunk` of row `i` of A.
pub fn a_chunk_leaf(i: u32, chunk: u32, values: &[i32]) -> Hash32 {
    leaf(
        b"io-compute:gemm-a:v2",
        &[
            &i.to_le_bytes(),
            &chunk.to_le_bytes(),
            &(values.len() as u32).to_le_bytes(),
            &bytes(values),
        ],
    )
}

/// Chunk `chunk` of column `j` of B.
pub fn b_chunk_leaf(j: u32, chunk: u32, values: &[i32]) -> Hash32 {
    leaf(
        b"io-compute:gemm-b:v2",
        &[
            &j.to_le_bytes(),
            &chunk.to_le_bytes(),
            &(values.len() as u32).to_le_bytes(),
            &bytes(values),
        ],
    )
}

pub fn c_leaf(i: u32, j: u32, value: i64) -> Hash32 {
    leaf(
        b"io-compute:gemm-c",
        &[&i.to_le_bytes(), &j.to_le_bytes(), &value.to_le_bytes()],
    )
}

/// The wrapping dot product of a row and a column (or of two chunks).
pub fn dot(row: &[i32], col: &[i32]) -> i64 {
    row.iter().zip(col).fold(0i64, |sum, (a, b)| {
        sum.wrapping_add((*a as i64).wrapping_mul(*b as i64))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_k_exactly() {
        for k in [1, 127, 128, 129, 256, 8_192, 8_193, MAX_PROVABLE_K] {
            let count = chunk_count(k);
            let total: u32 = (0..count).map(|c| chunk_len(k, c)).sum();
            assert_eq!(total, k, "k = {k}");
            assert!((0..count).all(|c| chunk_len(k, c) > 0));
            assert_eq!(chunk_len(k, count), 0);
        }
        assert_eq!(chunk_count(MAX_PROVABLE_K), 256);
    }

    #[test]
    fn chunked_dot_equals_the_whole_dot() {
        let row: Vec<i32> = (0..300).map(|v| v * 7_919 - i32::MAX / 3).collect();
        let col: Vec<i32> = (0..300).map(|v| i32::MAX - v * 104_729).collect();
        let chunked = (0..chunk_count(300)).fold(0i64, |acc, c| {
            let range = (c * CHUNK_K) as usize..(c * CHUNK_K + chunk_len(300, c)) as usize;
            acc.wrapping_add(dot(&row[range.clone()], &col[range]))
        });
        assert_eq!(chunked, dot(&row, &col));
    }

    #[test]
    fn a_and_b_chunks_never_share_a_leaf() {
        assert_ne!(a_chunk_leaf(0, 0, &[1, 2]), b_chunk_leaf(0, 0, &[1, 2]));
        assert_ne!(a_chunk_leaf(0, 0, &[1, 2]), a_chunk_leaf(0, 1, &[1, 2]));
        assert_ne!(a_chunk_leaf(0, 0, &[1, 2]), a_chunk_leaf(1, 0, &[1, 2]));
    }
}
