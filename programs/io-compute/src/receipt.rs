//! What a device's worker signs, defined once for workers, keepers, the sdk
//! and the program. Every message starts with a domain tag and the program
//! id, so a signature made for one purpose (or one deployment) cannot be
//! replayed as another.
//!
//! A worker signs one `JobReceipt` per job (the keeper checks those off
//! chain) and one `UsageAttestation` per proof period: the total device
//! time and the Merkle root of the period's receipts. `post_usage_proof`
//! verifies the attestation's signature on-chain, so every receipt under a
//! proof's root is one its worker vouched for; a keeper cannot make one up.

use crate::merkle::{leaf, Hash32};
use anchor_lang::prelude::*;

const RECEIPT_DOMAIN: &[u8] = b"io-compute:receipt:v2";
const ATTESTATION_DOMAIN: &[u8] = b"io-compute:usage-attestation:v2";

/// What a job computed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// C = A x B (see `gemm`).
    Gemm,
    /// A model forward pass; verified by the keeper only.
    Inference,
    /// A device check set by the keeper; verified by the keeper only.
    DeviceCheck,
}

/// The element type of a job's operands.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// i32 operands, i64 wrapping accumulation: exact on every machine, so
    /// a wrong element can be proven on-chain.
    I32,
    F32,
    F16,
    Bf16,
}

/// One job, as its worker signs it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobReceipt {
    pub job_id: [u8; 32],
    pub kind: JobKind,
    pub dtype: Dtype,
    /// C is m x n; the inner dimension is k (0 where it does not apply).
    pub m: u32,
    pub n: u32,
    pub k: u32,
    /// For GEMM jobs: the root of `gemm::input_tree` (chunks of A's rows,
    /// then chunks of B's columns).
    pub input_root: Hash32,
    /// For GEMM jobs: the root of the elements of C (`gemm::c_leaf`).
    pub output_root: Hash32,
    /// Device time the job took, in GPU-microseconds.
    pub device_time_us: u64,
}

impl JobReceipt {
    /// Only exact integer GEMMs can be re-checked on-chain; float results
    /// depend on summation order and are verified by the keeper.
    pub fn is_provable(&self) -> bool {
        let (m, n, k) = (self.m as u64, self.n as u64, self.k as u64);
        self.kind == JobKind::Gemm
            && self.dtype == Dtype::I32
            && m > 0
            && n > 0
            && (1..=crate::gemm::MAX_PROVABLE_K).contains(&self.k)
            && k * (m + n) <= crate::gemm::MAX_PROVABLE_INPUTS
    }
}

/// The bytes a worker signs for `receipt` of a job for `lease` on `device`.
pub fn receipt_message(lease: &Pubkey, device: &Pubkey, receipt: &JobReceipt) -> Vec<u8> {
    let mut message = Vec::with_capacity(RECEIPT_DOMAIN.len() + 96 + 128);
    message.extend_from_slice(RECEIPT_DOMAIN);
    message.extend_from_slice(crate::ID.as_ref());
    message.extend_from_slice(lease.as_ref());
    message.extend_from_slice(device.as_ref());
    receipt
        .serialize(&mut message)
        .expect("writing to a Vec cannot fail");
    message
}

/// The Merkle leaf of a receipt: its signed message, hashed.
pub fn receipt_leaf(lease: &Pubkey, device: &Pubkey, receipt: &JobReceipt) -> Hash32 {
    leaf(&receipt_message(lease, device, receipt), &[])
}

/// A worker's statement of one proof period of `device` serving `lease`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageAttestation {
    pub lease: Pubkey,
    pub device: Pubkey,
    pub seq: u32,
    pub period_start: i64,
    pub period_end: i64,
    /// GPU-microseconds used in the period (the sum over its receipts).
    pub device_time_us: u64,
    pub job_count: u32,
    /// Merkle root of the period's receipt leaves.
    pub receipts_root: Hash32,
}

impl UsageAttestation {
    /// The bytes the worker signs.
    pub fn message(&self) -> Vec<u8> {
        let mut message = Vec::with_capacity(ATTESTATION_DOMAIN.len() + 32 + 160);
        message.extend_from_slice(ATTESTATION_DOMAIN);
        message.extend_from_slice(crate::ID.as_ref());
        self.serialize(&mut message)
            .expect("writing to a Vec cannot fail");
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt() -> JobReceipt {
        JobReceipt {
            job_id: [7; 32],
            kind: JobKind::Gemm,
            dtype: Dtype::I32,
            m: 4,
            n: 4,
            k: 4,
            input_root: [1; 32],
            output_root: [2; 32],
            device_time_us: 200,
        }
    }

    #[test]
    fn every_field_and_binding_changes_the_leaf() {
        let (lease, device) = (Pubkey::new_unique(), Pubkey::new_unique());
        let base = receipt_leaf(&lease, &device, &receipt());
        let variants = [
            JobReceipt {
                job_id: [8; 32],
                ..receipt()
            },
            JobReceipt {
                kind: JobKind::Inference,
                ..receipt()
            },
            JobReceipt {
                dtype: Dtype::F32,
                ..receipt()
            },
            JobReceipt { m: 5, ..receipt() },
            JobReceipt { n: 5, ..receipt() },
            JobReceipt { k: 5, ..receipt() },
            JobReceipt {
                input_root: [3; 32],
                ..receipt()
            },
            JobReceipt {
                output_root: [3; 32],
                ..receipt()
            },
            JobReceipt {
                device_time_us: 201,
                ..receipt()
            },
        ];
        for variant in variants {
            assert_ne!(receipt_leaf(&lease, &device, &variant), base, "{variant:?}");
        }
        assert_ne!(receipt_leaf(&device, &lease, &receipt()), base);
        assert_ne!(
            receipt_leaf(&lease, &Pubkey::new_unique(), &receipt()),
            base
        );
    }

    #[test]
    fn only_integer_gemm_within_bounds_is_provable() {
        assert!(receipt().is_provable());
        assert!(!JobReceipt {
            dtype: Dtype::F32,
            ..receipt()
        }
        .is_provable());
        assert!(!JobReceipt {
            dtype: Dtype::Bf16,
            ..receipt()
        }
        .is_provable());
        assert!(!JobReceipt {
            kind: JobKind::Inference,
            ..receipt()
        }
        .is_provable());
        assert!(!JobReceipt { k: 0, ..receipt() }.is_provable());
        let largest = crate::gemm::MAX_PROVABLE_K;
        assert!(JobReceipt {
            k: largest,
            ..receipt()
        }
        .is_provable());
        assert!(!JobReceipt {
            k: largest + 1,
            ..receipt()
        }
        .is_provable());
        // Up to 2^29 input values: 16,384^3 fits, 32,768 x 16,384 x 32,768
        // does not.
        let shape = |m, k, n| JobReceipt {
            m,
            n,
            k,
            ..receipt()
        };
        assert!(shape(16_384, 16_384, 16_384).is_provable());
        assert!(!shape(32_768, 16_384, 32_768).is_provable());
    }

    #[test]
    fn receipts_and_attestations_never_share_a_message() {
        let (lease, device) = (Pubkey::new_unique(), Pubkey::new_unique());
        let attestation = UsageAttestation {
            lease,
            device,
            seq: 0,
            period_start: 0,
            period_end: 1,
            device_time_us: 1,
            job_count: 1,
            receipts_root: receipt_leaf(&lease, &device, &receipt()),
        };
        let message = attestation.message();
        assert!(message.starts_with(ATTESTATION_DOMAIN));
        assert!(!message.starts_with(RECEIPT_DOMAIN));
        assert!(receipt_message(&lease, &device, &receipt()).starts_with(RECEIPT_DOMAIN));
    }
}
