//! Creation of program-derived accounts that cannot be blocked by pre-funding.
//!
//! Every PDA here has a predictable address, so anyone can send it lamports
//! before its owner creates it. `SystemProgram::CreateAccount` refuses an
//! address that holds lamports, and Anchor 1.2's `init` falls back to
//! `CreateAccountAllowPrefund`, which runtimes before that SIMD (agave 3.1)
//! do not know: one lamport would block a provider's registration, a stake
//! position or `initialize` itself forever. This module tops up, allocates
//! and assigns instead, which every runtime supports.

use crate::error::IoComputeError;
use anchor_lang::{
    prelude::*,
    system_program::{self, Allocate, Assign, CreateAccount, Transfer},
};
use anchor_spl::token::{self, InitializeAccount3, InitializeMint2, Mint, TokenAccount};

/// Creates `account` at its PDA (`seeds` include the bump) with `space` bytes
/// owned by `owner`, paid by `payer`. Pre-funded lamports are kept and only
/// the shortfall to rent exemption is paid.
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    seeds: &[&[u8]],
) -> Result<()> {
    require!(
        *account.owner == system_program::ID && account.data_is_empty(),
        IoComputeError::AccountAlreadyExists
    );
    let rent = Rent::get()?.minimum_balance(space);
    let current = account.lamports();
    let signer = &[seeds];
    if current == 0 {
        return system_program::create_account(
            CpiContext::new_with_signer(
                system_program::ID,
                CreateAccount {
                    from: payer.clone(),
                    to: account.clone(),
                },
                signer,
            ),
            rent,
            space as u64,
            owner,
        );
    }
    if rent > current {
        system_program::transfer(
            CpiContext::new(
                system_program::ID,
                Transfer {
                    from: payer.clone(),
                    to: account.clone(),
                },
            ),
            rent - current,
        )?;
    }
    system_program::allocate(
        CpiContext::new_with_signer(
            system_program::ID,
            Allocate {
                account_to_allocate: account.clone(),
            },
            signer,
        ),
        space as u64,
    )?;
    system_program::assign(
        CpiContext::new_with_signer(
            system_program::ID,
            Assign {
                account_to_assign: account.clone(),
            },
            signer,
        ),
        owner,
    )
}

/// Creates a program account at its PDA and writes `value` (discriminator
/// included) into it.
pub fn create_program_account<'info, T: AccountSerialize>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    space: usize,
    seeds: &[&[u8]],
    value: &T,
) -> Result<()> {
    create_pda_account(payer, account, space, &crate::ID, seeds)?;
    let mut data = account.try_borrow_mut_data()?;
    value.try_serialize(&mut &mut data[..])
}

/// Creates an SPL Token mint at its PDA.
pub fn create_mint<'info>(
    payer: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    seeds: &[&[u8]],
    decimals: u8,
    authority: &Pubkey,
    freeze_authority: Option<&Pubkey>,
) -> Result<()> {
    create_pda_account(payer, mint, Mint::LEN, &token::ID, seeds)?;
    token::initialize_mint2(
        CpiContext::new(token::ID, InitializeMint2 { mint: mint.clone() }),
        decimals,
        authority,
        freeze_authority,
    )
}

/// Creates an SPL Token account at its PDA, owned by `authority`.
pub fn create_token_account<'info>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    seeds: &[&[u8]],
    mint: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
) -> Result<()> {
    create_pda_account(payer, account, TokenAccount::LEN, &token::ID, seeds)?;
    token::initialize_account3(CpiContext::new(
        token::ID,
        InitializeAccount3 {
            account: account.clone(),
            mint: mint.clone(),
            authority: authority.clone(),
        },
    ))
}
