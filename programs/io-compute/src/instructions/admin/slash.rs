use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProviderSlashed},
    math::SafeMath,
    state::*,
    vault,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SlashArgs {
    /// IO base units to take from the provider's stake pool.
    pub amount: u64,
}

/// Takes IO from every position behind a provider, pro rata, and sends it to
/// the configured slash destination. Dispute resolution reuses
/// [`Slash::slash_provider`].
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
    #[account(mut, address = config.slash_destination @ IoComputeError::InvalidSlashDestination)]
    pub slash_destination: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl<'info> Slash<'info> {
    /// Records the slash on the provider and the config, then moves the IO.
    pub fn slash_provider(&mut self, amount: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        self.provider
            .apply_slash(&mut self.tokenomics.stakers, amount, now)?;
        self.config.total_slashed = self.config.total_slashed.safe_add(amount)?;
        vault::transfer_from_vault(
            &self.config,
            &self.token_program,
            &self.vault_authority,
            &self.stake_vault,
            &self.io_mint,
            &self.slash_destination,
            amount,
        )?;
        emit_event(ProviderSlashed {
            provider: self.provider.key(),
            amount,
            destination: self.slash_destination.key(),
            remaining_stake: self.provider.stake.amount,
        });
        Ok(())
    }

    pub fn handle(ctx: Context<Self>, args: SlashArgs) -> Result<()> {
        ctx.accounts.slash_provider(args.amount)
    }
}
