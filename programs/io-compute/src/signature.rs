//! Checks that a transaction carries an Ed25519 signature by a given key
//! over given bytes. The runtime's Ed25519 program verifies signatures in
//! the instruction just before ours (a bad one fails the whole
//! transaction); here we read that instruction back through the
//! instructions sysvar and check that it verified exactly our key and our
//! message, with every offset pointing into its own data.

use crate::error::IoComputeError;
use anchor_lang::prelude::*;
use solana_ed25519_program::{
    Ed25519SignatureOffsets, DATA_START, PUBKEY_SERIALIZED_SIZE, SIGNATURE_OFFSETS_START,
};
use solana_instructions_sysvar::{load_current_index_checked, load_instruction_at_checked};

/// "This instruction" in the Ed25519 program's offsets.
const SAME_INSTRUCTION: u16 = u16::MAX;

/// Requires the instruction before the current one to be an Ed25519
/// verification of one signature by `signer` over exactly `message`.
pub fn require_signed(instructions: &AccountInfo, signer: &Pubkey, message: &[u8]) -> Result<()> {
    let current = load_current_index_checked(instructions)?;
    let previous = current
        .checked_sub(1)
        .ok_or(error!(IoComputeError::WorkerSignatureMissing))?;
    let verify = load_instruction_at_checked(previous as usize, instructions)?;
    require_keys_eq!(
        verify.program_id,
        solana_sdk_ids::ed25519_program::ID,
        IoComputeError::WorkerSignatureMissing
    );
    require!(
        signed_by(&verify.data, signer, message),
        IoComputeError::WorkerSignatureMismatch
    );
    Ok(())
}

/// True when `data` (an Ed25519 program instruction) verifies one
/// signature, by `signer`, over `message`, all stored in `data` itself.
fn signed_by(data: &[u8], signer: &Pubkey, message: &[u8]) -> bool {
    if data.len() < DATA_START || data[0] != 1 {
        return false;
    }
    let offsets: Ed25519SignatureOffsets =
        bytemuck::pod_read_unaligned(&data[SIGNATURE_OFFSETS_START..DATA_START]);
    let own_data = [
        offsets.signature_instruction_index,
        offsets.public_key_instruction_index,
        offsets.message_instruction_index,
    ]
    .iter()
    .all(|index| *index == SAME_INSTRUCTION);
    let slice = |offset: u16, len: usize| data.get(offset as usize..offset as usize + len);
    own_data
        && slice(offsets.public_key_offset, PUBKEY_SERIALIZED_SIZE) == Some(signer.as_ref())
        && offsets.message_data_size as usize == message.len()
        && slice(offsets.message_data_offset, message.len()) == Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instruction_data(signer: &Pubkey, message: &[u8]) -> Vec<u8> {
        solana_ed25519_program::new_ed25519_instruction_with_signature(
            message,
            &[9; 64],
            &signer.to_bytes(),
        )
        .data
    }

    #[test]
    fn accepts_only_the_exact_key_and_message() {
        let signer = Pubkey::new_unique();
        let data = instruction_data(&signer, b"period");
        assert!(signed_by(&data, &signer, b"period"));
        assert!(!signed_by(&data, &Pubkey::new_unique(), b"period"));
        assert!(!signed_by(&data, &signer, b"perioD"));
        assert!(!signed_by(&data, &signer, b"perio"));
        assert!(!signed_by(&data, &signer, b"period+"));
        assert!(!signed_by(&data[..DATA_START - 1], &signer, b"period"));
    }

    #[test]
    fn refuses_offsets_into_other_instructions_and_several_signatures() {
        let signer = Pubkey::new_unique();
        let data = instruction_data(&signer, b"period");
        for field in 0..3 {
            // signature, public key and message instruction indexes
            let at = SIGNATURE_OFFSETS_START + [2, 6, 12][field];
            let mut elsewhere = data.clone();
            elsewhere[at..at + 2].copy_from_slice(&0u16.to_le_bytes());
            assert!(!signed_by(&elsewhere, &signer, b"period"), "field {field}");
        }
        let mut two = data.clone();
        two[0] = 2;
        assert!(!signed_by(&two, &signer, b"period"));
    }
}
