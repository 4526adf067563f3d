//! Token movements out of the protocol vaults, all signed by the vault
//! authority PDA.

use crate::state::Config;
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

/// Moves `amount` of `mint` from a protocol vault to `to`.
pub fn transfer_from_vault<'info>(
    config: &Config,
    token_program: &Program<'info, Token>,
    vault_authority: &UncheckedAccount<'info>,
    from: &Account<'info, TokenAccount>,
    mint: &Account<'info, Mint>,
    to: &Account<'info, TokenAccount>,
    amount: u64,
) -> Result<()> {
    let seeds = config.vault_authority_seeds();
    token::transfer_checked(
        CpiContext::new_with_signer(
            token_program.key(),
            TransferChecked {
                from: from.to_account_info(),
                mint: mint.to_account_info(),
                to: to.to_account_info(),
                authority: vault_authority.to_account_info(),
            },
            &[&seeds],
        ),
        amount,
        mint.decimals,
    )
}
