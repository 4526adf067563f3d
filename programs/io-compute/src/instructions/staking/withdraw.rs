use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, Withdrawn},
    state::*,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

#[derive(Accounts)]
pub struct Withdraw<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [PROVIDER_SEED, provider.authority.as_ref()], bump = provider.bump)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(
        mut, close = owner,
        seeds = [STAKE_SEED, owner.key().as_ref(), provider.key().as_ref(), &position.nonce.to_le_bytes()],
        bump = position.bump,
        has_one = owner @ IoComputeError::NotPositionOwner,
        has_one = provider @ IoComputeError::PositionProviderMismatch,
    )]
    pub position: Box<Account<'info, StakePosition>>,
    /// Any IO token account the owner chooses.
    #[account(mut, constraint = destination.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.stake_vault @ IoComputeError::WrongVault)]
    pub stake_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Withdraw<'_> {
    pub fn validate(&self) -> Result<()> {
        self.position
            .require_withdrawable(Clock::get()?.unix_timestamp)
    }

    /// Pays the position's share of the pool (less any slashes) and closes it.
    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let amount = accounts.provider.stake.withdraw(accounts.position.shares)?;
        if amount > 0 {
            let seeds = accounts.config.vault_authority_seeds();
            token::transfer_checked(
                CpiContext::new_with_signer(
                    accounts.token_program.key(),
                    TransferChecked {
                        from: accounts.stake_vault.to_account_info(),
                        mint: accounts.io_mint.to_account_info(),
                        to: accounts.destination.to_account_info(),
                        authority: accounts.vault_authority.to_account_info(),
                    },
                    &[&seeds],
                ),
                amount,
                IO_DECIMALS,
            )?;
        }
        emit_event(Withdrawn {
            position: accounts.position.key(),
            owner: accounts.owner.key(),
            provider: accounts.provider.key(),
            destination: accounts.destination.key(),
            amount,
        });
        Ok(())
    }
}
