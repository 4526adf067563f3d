//! Token movements out of the protocol vaults, all signed by the vault
//! authority PDA.

use crate::{
    math::SafeMath,
    state::{Config, FeeParts, Tokenomics, REWARD_IOSD},
};
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount, TransferChecked};

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

/// Splits an IOSD `fee` held in the escrow vault by the configured fee split:
/// the treasury part to the IOSD treasury, the stakers' part to the IOSD
/// rewards vault (credited to the stakers' index; to the treasury while
/// nobody stakes), and the burn part burned.
#[allow(clippy::too_many_arguments)]
pub fn route_fee<'info>(
    config: &Config,
    tokenomics: &mut Tokenomics,
    token_program: &Program<'info, Token>,
    vault_authority: &UncheckedAccount<'info>,
    escrow_vault: &Account<'info, TokenAccount>,
    treasury_iosd_vault: &Account<'info, TokenAccount>,
    rewards_iosd_vault: &Account<'info, TokenAccount>,
    iosd_mint: &Account<'info, Mint>,
    fee: u64,
) -> Result<FeeParts> {
    let mut parts = config.tokenomics.fee_split.split(fee)?;
    if !tokenomics.stakers.fund(REWARD_IOSD, parts.stakers)? {
        parts.treasury = parts.treasury.safe_add(parts.stakers)?;
        parts.stakers = 0;
    }
    let pay = |to: &Account<'info, TokenAccount>, amount: u64| -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        transfer_from_vault(
            config,
            token_program,
            vault_authority,
            escrow_vault,
            iosd_mint,
            to,
            amount,
        )
    };
    pay(treasury_iosd_vault, parts.treasury)?;
    pay(rewards_iosd_vault, parts.stakers)?;
    if parts.burn > 0 {
        let seeds = config.vault_authority_seeds();
        token::burn(
            CpiContext::new_with_signer(
                token_program.key(),
                Burn {
                    mint: iosd_mint.to_account_info(),
                    from: escrow_vault.to_account_info(),
                    authority: vault_authority.to_account_info(),
                },
                &[&seeds],
            ),
            parts.burn,
        )?;
        tokenomics.total_fees_burned = tokenomics.total_fees_burned.safe_add(parts.burn)?;
    }
    Ok(parts)
}
