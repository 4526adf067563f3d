//! Merkle trees the program verifies; the sdk builds them with these same
//! functions. Leaves and inner nodes hash with different prefixes, so no
//! leaf can pass for a node; pairs are hashed in sorted order, so a proof is
//! just the list of siblings.

use anchor_lang::prelude::*;
use solana_sha256_hasher::hashv;

const LEAF_PREFIX: &[u8] = &[0];
const NODE_PREFIX: &[u8] = &[1];
const DEVICE_REWARD_DOMAIN: &[u8] = b"io-compute:device-reward";

pub type Hash32 = [u8; 32];

/// The leaf for `amount` IO earned by `device` in `epoch`, paid to `owner`
/// (the provider's authority).
pub fn device_reward_leaf(epoch: u64, device: &Pubkey, owner: &Pubkey, amount: u64) -> Hash32 {
    hashv(&[
        LEAF_PREFIX,
        DEVICE_REWARD_DOMAIN,
        &epoch.to_le_bytes(),
        device.as_ref(),
        owner.as_ref(),
        &amount.to_le_bytes(),
    ])
    .to_bytes()
}

/// The parent of two nodes, independent of their order.
pub fn hash_pair(a: &Hash32, b: &Hash32) -> Hash32 {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    hashv(&[NODE_PREFIX, low, high]).to_bytes()
}

/// True when `proof` leads from `leaf` to `root`.
pub fn verify(proof: &[Hash32], root: &Hash32, leaf: Hash32) -> bool {
    proof
        .iter()
        .fold(leaf, |node, sibling| hash_pair(&node, sibling))
        == *root
}

/// Most parts a leaf hashes after its prefix and domain.
const MAX_LEAF_PARTS: usize = 4;

/// A leaf of `domain` over at most `MAX_LEAF_PARTS` `parts`, for trees
/// defined elsewhere (GEMM, receipts). No allocation: keepers and workers
/// hash hundreds of leaves a job.
pub(crate) fn leaf(domain: &[u8], parts: &[&[u8]]) -> Hash32 {
    let mut all: [&[u8]; MAX_LEAF_PARTS + 2] = [&[]; MAX_LEAF_PARTS + 2];
    all[0] = LEAF_PREFIX;
    all[1] = domain;
    all[2..2 + parts.len()].copy_from_slice(parts);
    hashv(&all[..2 + parts.len()]).to_bytes()
}
