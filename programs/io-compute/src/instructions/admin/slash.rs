use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProviderSlashed},
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SlashArgs {
    /// IO base units to take from the provider's stake pool.
    pub amount: u64,
}

/// The config authority takes IO from every position behind a provider, pro
/// rata, into the IO treasury. Upheld disputes slash through the same
/// `state::slash_provider`.
#[derive(Accounts)]
pub struct Slash<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ IoComputeError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [PROVIDER_SEED, provider.authority.as_ref()], bump = provider.bump)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(mut, address = config.stake_vault @ IoComputeError::WrongVault)]
    pub stake_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.treasury_io_vault @ IoComputeError::WrongVault)]
    pub treasury_io_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Slash<'_> {
    pub fn handle(ctx: Context<Self>, args: SlashArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        slash_provider(
            &mut accounts.config,
            &mut accounts.tokenomics.stakers,
            &mut accounts.provider,
            args.amount,
            Clock::get()?.unix_timestamp,
        )?;
        accounts.provider.invariant()?;
        VaultSigner::new(
            &accounts.config,
            &accounts.token_program,
            &accounts.vault_authority,
        )
        .pay(
            &accounts.stake_vault,
            &accounts.io_mint,
            &accounts.treasury_io_vault,
            args.amount,
        )?;
        emit_event(ProviderSlashed {
            provider: accounts.provider.key(),
            amount: args.amount,
            destination: accounts.treasury_io_vault.key(),
            remaining_stake: accounts.provider.stake.amount()?,
        });
        Ok(())
    }
}
