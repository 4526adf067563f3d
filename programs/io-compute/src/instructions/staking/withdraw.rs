use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, Withdrawn},
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(Accounts)]
pub struct Withdraw<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [PROVIDER_SEED, provider.authority.as_ref()], bump = provider.bump)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
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
        let now = Clock::get()?.unix_timestamp;
        let provider = &mut accounts.provider;
        let amount = provider.withdraw_shares(
            &mut accounts.tokenomics.stakers,
            accounts.position.shares,
            accounts.position.kind,
            now,
        )?;
        provider.invariant()?;
        VaultSigner::new(
            &accounts.config,
            &accounts.token_program,
            &accounts.vault_authority,
        )
        .pay(
            &accounts.stake_vault,
            &accounts.io_mint,
            &accounts.destination,
            amount,
        )?;
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
