//! Host-only entry for running the program natively inside a Solana bank
//! (solana-program-test's `processor!`, the localnet). Never built for SBF.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::entrypoint::ProgramResult;

/// `ProcessInstruction`-shaped entry. Anchor's generated `entry` wants one
/// lifetime for the program id, the accounts and the data; the runtime hands
/// them over with independent lifetimes.
pub fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    // SAFETY: only lifetimes change. Every reference handed in outlives this
    // call, and Anchor keeps none of them past its return, so treating them
    // all as living exactly as long as the call is sound.
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
    crate::entry(program_id, accounts, data)
}
