//! A device worker's signatures: what it signs (`io_compute::receipt`), how
//! anyone checks a signature off-chain, and the Ed25519 program instruction
//! that has the runtime check one on-chain before `post_usage_proof`.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use io_compute::receipt::{receipt_message, JobReceipt, UsageAttestation};
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;

/// The worker's signature over a job receipt of `lease` on `device`.
pub fn sign_receipt(
    worker: &Keypair,
    lease: &Pubkey,
    device: &Pubkey,
    receipt: &JobReceipt,
) -> Signature {
    worker.sign_message(&receipt_message(lease, device, receipt))
}

/// The worker's signature over a period's usage attestation.
pub fn sign_attestation(worker: &Keypair, attestation: &UsageAttestation) -> Signature {
    worker.sign_message(&attestation.message())
}

/// True when `signature` is `worker`'s over the receipt.
pub fn receipt_signed_by(
    worker: &Pubkey,
    lease: &Pubkey,
    device: &Pubkey,
    receipt: &JobReceipt,
    signature: &Signature,
) -> bool {
    signature.verify(worker.as_ref(), &receipt_message(lease, device, receipt))
}

/// True when `signature` is `worker`'s over the attestation.
pub fn attestation_signed_by(
    worker: &Pubkey,
    attestation: &UsageAttestation,
    signature: &Signature,
) -> bool {
    signature.verify(worker.as_ref(), &attestation.message())
}

/// The Ed25519 program instruction that verifies `signature` by `worker`
/// over `message`; it goes right before the instruction that relies on it.
pub fn ed25519_verify(worker: &Pubkey, message: &[u8], signature: &Signature) -> Instruction {
    solana_ed25519_program::new_ed25519_instruction_with_signature(
        message,
        signature.as_array(),
        &worker.to_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use io_compute::receipt::{Dtype, JobKind};

    #[test]
    fn signatures_verify_for_their_own_message_only() {
        let worker = Keypair::new();
        let (lease, device) = (Pubkey::new_unique(), Pubkey::new_unique());
        let receipt = JobReceipt {
            job_id: [1; 32],
            kind: JobKind::Gemm,
            dtype: Dtype::I32,
            m: 2,
            n: 2,
            k: 2,
            input_root: [2; 32],
            output_root: [3; 32],
            device_time_us: 200,
        };
        let signature = sign_receipt(&worker, &lease, &device, &receipt);
        assert!(receipt_signed_by(
            &worker.pubkey(),
            &lease,
            &device,
            &receipt,
            &signature
        ));
        assert!(!receipt_signed_by(
            &worker.pubkey(),
            &device,
            &lease,
            &receipt,
            &signature
        ));
        let longer = JobReceipt {
            device_time_us: 201,
            ..receipt
        };
        assert!(!receipt_signed_by(
            &worker.pubkey(),
            &lease,
            &device,
            &longer,
            &signature
        ));
        let other = Keypair::new();
        assert!(!receipt_signed_by(
            &other.pubkey(),
            &lease,
            &device,
            &receipt,
            &signature
        ));
    }
}
