use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, EpochAdvanced},
    math::SafeMath,
    pda_create,
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

/// Permissionless crank: once the current epoch has run its length, mints
/// its IO emission into the rewards vault (crediting the stakers' index and
/// the device pool) and opens the next epoch. Epochs stay on the schedule
/// (the next starts when the current ends, not when the crank runs), so a
/// late crank catches up one epoch per call, and each epoch closes exactly
/// once.
#[derive(Accounts)]
pub struct AdvanceEpoch<'info> {
    /// Pays the rent of the new `Epoch` record.
    #[account(mut)]
    pub cranker: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(
        mut, seeds = [EPOCH_SEED, &tokenomics.current_epoch.to_le_bytes()], bump = current.bump,
    )]
    pub current: Box<Account<'info, Epoch>>,
    /// CHECK: created as the next `Epoch` by the handler.
    #[account(mut, seeds = [EPOCH_SEED, &(tokenomics.current_epoch + 1).to_le_bytes()], bump)]
    pub next: UncheckedAccount<'info>,
    #[account(mut, address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(mut, address = config.rewards_vault @ IoComputeError::WrongVault)]
    pub rewards_vault: Box<Account<'info, TokenAccount>>,
    /// CHECK: PDA mint authority of IO.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl AdvanceEpoch<'_> {
    pub fn validate(&self) -> Result<()> {
        let end = self
            .current
            .end(self.config.tokenomics_params.epoch_length_secs)?;
        require!(
            Clock::get()?.unix_timestamp >= end,
            IoComputeError::EpochNotEnded
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let config = &accounts.config;
        let emission = accounts.tokenomics.close_epoch(
            &mut accounts.current,
            &config.tokenomics_params,
            accounts.io_mint.supply,
            config.io_max_supply,
            now,
        )?;
        VaultSigner::new(config, &accounts.token_program, &accounts.vault_authority).mint_to(
            &accounts.io_mint,
            &accounts.rewards_vault,
            emission.emitted,
        )?;

        let number = accounts.tokenomics.current_epoch.safe_add(1)?;
        let start = accounts
            .current
            .end(config.tokenomics_params.epoch_length_secs)?;
        let bump = ctx.bumps.next;
        pda_create::create_program_account(
            &accounts.cranker,
            &accounts.next,
            8 + Epoch::INIT_SPACE,
            &[EPOCH_SEED, &number.to_le_bytes(), &[bump]],
            &Epoch::open(number, start, bump),
        )?;
        accounts.tokenomics.current_epoch = number;
        emit_event(EpochAdvanced {
            epoch: number,
            start,
            previous_io_burned: accounts.current.io_burned,
            previous_iosd_minted: accounts.current.iosd_minted,
            emission,
            reward_index: accounts.current.reward_index,
        });
        Ok(())
    }
}
