//! Builds the Merkle trees the program verifies, with the program's own
//! hashing (`io_compute::merkle`), so a proof made here always verifies
//! on-chain.

use anchor_lang::prelude::Pubkey;
use io_compute::{
    merkle::{device_reward_leaf, hash_pair, Hash32},
    receipt::{receipt_leaf, JobReceipt},
};

/// A Merkle tree over leaf hashes. An odd node at the end of a level moves
/// up unchanged, so no leaf is ever paired with itself.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    /// levels[0] are the leaves, the last level is the root.
    levels: Vec<Vec<Hash32>>,
}

impl MerkleTree {
    /// Panics on an empty leaf list: there is no root to post.
    pub fn new(leaves: Vec<Hash32>) -> Self {
        assert!(!leaves.is_empty(), "a Merkle tree needs at least one leaf");
        let mut levels = vec![leaves];
        while levels.last().is_some_and(|level| level.len() > 1) {
            let level = levels.last().expect("non-empty");
            let next = level
                .chunks(2)
                .map(|pair| match pair {
                    [a, b] => hash_pair(a, b),
                    [single] => *single,
                    _ => unreachable!("chunks of two"),
                })
                .collect();
            levels.push(next);
        }
        Self { levels }
    }

    pub fn root(&self) -> Hash32 {
        self.levels.last().expect("non-empty")[0]
    }

    /// Siblings from leaf `index` up to the root.
    pub fn proof(&self, mut index: usize) -> Vec<Hash32> {
        let mut proof = Vec::new();
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = index ^ 1;
            if sibling < level.len() {
                proof.push(level[sibling]);
            }
            index /= 2;
        }
        proof
    }
}

/// The tree of a period's job receipts for `lease` on `device`; its root
/// is a usage proof's `receipts_root`.
pub fn receipts_tree(lease: &Pubkey, device: &Pubkey, receipts: &[JobReceipt]) -> MerkleTree {
    MerkleTree::new(
        receipts
            .iter()
            .map(|receipt| receipt_leaf(lease, device, receipt))
            .collect(),
    )
}

/// One device's reward in an epoch, paid to `owner` (the provider's
/// authority).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceReward {
    pub device: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
}

/// The device-reward tree of one epoch, its root and total for
/// `post_device_rewards`, and proofs for `claim_device_reward`.
pub struct DeviceRewardTree {
    pub epoch: u64,
    pub rewards: Vec<DeviceReward>,
    pub tree: MerkleTree,
}

impl DeviceRewardTree {
    pub fn new(epoch: u64, rewards: Vec<DeviceReward>) -> Self {
        let leaves = rewards
            .iter()
            .map(|r| device_reward_leaf(epoch, &r.device, &r.owner, r.amount))
            .collect();
        Self {
            epoch,
            rewards,
            tree: MerkleTree::new(leaves),
        }
    }

    pub fn total(&self) -> u64 {
        self.rewards.iter().map(|r| r.amount).sum()
    }

    pub fn root(&self) -> Hash32 {
        self.tree.root()
    }

    pub fn proof(&self, index: usize) -> Vec<Hash32> {
        self.tree.proof(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use io_compute::merkle::verify;

    #[test]
    fn every_leaf_proves_and_nothing_else_does() {
        for n in 1..=9 {
            let rewards: Vec<_> = (0..n)
                .map(|i| DeviceReward {
                    device: Pubkey::new_unique(),
                    owner: Pubkey::new_unique(),
                    amount: 100 + i as u64,
                })
                .collect();
            let tree = DeviceRewardTree::new(3, rewards.clone());
            for (i, r) in rewards.iter().enumerate() {
                let leaf = device_reward_leaf(3, &r.device, &r.owner, r.amount);
                let proof = tree.proof(i);
                assert!(verify(&proof, &tree.root(), leaf), "leaf {i} of {n}");
                let inflated = device_reward_leaf(3, &r.device, &r.owner, r.amount + 1);
                assert!(!verify(&proof, &tree.root(), inflated));
                let other_epoch = device_reward_leaf(4, &r.device, &r.owner, r.amount);
                assert!(!verify(&proof, &tree.root(), other_epoch));
            }
        }
    }
}
