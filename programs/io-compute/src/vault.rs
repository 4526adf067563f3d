//! Token movements into and out of the protocol vaults. Policy (who gets
//! what) lives in `state`; this module only moves tokens.

use crate::state::Config;
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, MintTo, Token, TokenAccount, TransferChecked};

/// Moves `amount` of `mint` from a user's account into a protocol vault,
/// signed by the user.
pub fn transfer_into_vault<'info>(
    token_program: &Program<'info, Token>,
    from: &Account<'info, TokenAccount>,
    mint: &Account<'info, Mint>,
    vault: &Account<'info, TokenAccount>,
    owner: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    token::transfer_checked(
        CpiContext::new(
            token_program.key(),
            TransferChecked {
                from: from.to_account_info(),
                mint: mint.to_account_info(),
                to: vault.to_account_info(),
                authority: owner.to_account_info(),
            },
        ),
        amount,
        mint.decimals,
    )
}

/// The vault authority PDA as a signer: built once per handler, it pays out
/// of and burns from any protocol vault and mints IO and IOSD. Zero amounts
/// move nothing (no CPI).
pub struct VaultSigner<'a, 'info> {
    token_program: &'a Program<'info, Token>,
    authority: &'a UncheckedAccount<'info>,
    seeds: [&'a [u8]; 2],
}

impl<'a, 'info> VaultSigner<'a, 'info> {
    pub fn new(
        config: &'a Config,
        token_program: &'a Program<'info, Token>,
        authority: &'a UncheckedAccount<'info>,
    ) -> Self {
        Self {
            token_program,
            authority,
            seeds: config.vault_authority_seeds(),
        }
    }

    /// Moves `amount` of `mint` from the vault `from` to `to`.
    pub fn pay(
        &self,
        from: &Account<'info, TokenAccount>,
        mint: &Account<'info, Mint>,
        to: &Account<'info, TokenAccount>,
        amount: u64,
    ) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        token::transfer_checked(
            CpiContext::new_with_signer(
                self.token_program.key(),
                TransferChecked {
                    from: from.to_account_info(),
                    mint: mint.to_account_info(),
                    to: to.to_account_info(),
                    authority: self.authority.to_account_info(),
                },
                &[&self.seeds],
            ),
            amount,
            mint.decimals,
        )
    }

    /// Burns `amount` of `mint` held in the vault `from`.
    pub fn burn(
        &self,
        mint: &Account<'info, Mint>,
        from: &Account<'info, TokenAccount>,
        amount: u64,
    ) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        token::burn(
            CpiContext::new_with_signer(
                self.token_program.key(),
                Burn {
                    mint: mint.to_account_info(),
                    from: from.to_account_info(),
                    authority: self.authority.to_account_info(),
                },
                &[&self.seeds],
            ),
            amount,
        )
    }

    /// Mints `amount` of `mint` (whose authority is the vault authority) to
    /// `to`.
    pub fn mint_to(
        &self,
        mint: &Account<'info, Mint>,
        to: &Account<'info, TokenAccount>,
        amount: u64,
    ) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        token::mint_to(
            CpiContext::new_with_signer(
                self.token_program.key(),
                MintTo {
                    mint: mint.to_account_info(),
                    to: to.to_account_info(),
                    authority: self.authority.to_account_info(),
                },
                &[&self.seeds],
            ),
            amount,
        )
    }
}
