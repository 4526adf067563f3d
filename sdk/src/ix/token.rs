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

/// `from` sends `amount` IO base units from its IO account to `to`'s,
/// which is created first if missing (`from` pays its rent).
pub fn send_io(from: Pubkey, to: Pubkey, amount: u64) -> [Instruction; 2] {
    [
        create_associated_token_account(from, to, pda::io_mint()),
        transfer_io(
            pda::associated_token(&from, &pda::io_mint()),
            pda::associated_token(&to, &pda::io_mint()),
            from,
            amount,
        ),
    ]
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
