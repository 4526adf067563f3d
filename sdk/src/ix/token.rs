//! SPL token instructions the flows above need.

use super::*;

/// The owner's associated token account for `mint`, created if missing
/// (idempotent).
pub fn create_associated_token_account(payer: Pubkey, owner: Pubkey, mint: Pubkey) -> Instruction {
    spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
        &payer,
        &owner,
        &mint,
        &TOKEN_PROGRAM,
    )
}

/// An SPL `transfer_checked` of `amount` IO base units.
pub fn transfer_io(from: Pubkey, to: Pubkey, owner: Pubkey, amount: u64) -> Instruction {
    spl_token_interface::instruction::transfer_checked(
        &TOKEN_PROGRAM,
        &from,
        &pda::io_mint(),
        &to,
        &owner,
        &[],
        amount,
        io_compute::constants::IO_DECIMALS,
    )
    .expect("valid transfer")
}
