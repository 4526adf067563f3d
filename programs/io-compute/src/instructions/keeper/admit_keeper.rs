use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, KeeperAdmitted},
    pda_create,
    state::*,
    vault,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AdmitKeeperArgs {
    /// IO base units the keeper posts as its bond.
    pub bond: u64,
    /// Where the keeper's API is (http(s) URL).
    pub endpoint: String,
}

/// The keeper admin admits a keeper, which signs too, names its API
/// endpoint and posts its IO bond into the bond vault.
#[derive(Accounts)]
pub struct AdmitKeeper<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED], bump = config.bump,
        constraint = config.keeper_admin == authority.key() @ IoComputeError::NotKeeperAdmin,
    )]
    pub config: Box<Account<'info, Config>>,
    /// The keeper's wallet: pays the record's rent and the bond.
    #[account(mut)]
    pub keeper_authority: Signer<'info>,
    /// CHECK: created as `Keeper` by the handler.
    #[account(mut, seeds = [KEEPER_SEED, keeper_authority.key().as_ref()], bump)]
    pub keeper: UncheckedAccount<'info>,
    #[account(mut, constraint = bond_source.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub bond_source: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.bond_vault @ IoComputeError::WrongVault)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl AdmitKeeper<'_> {
    pub fn validate(&self, args: &AdmitKeeperArgs) -> Result<()> {
        validate_endpoint(&args.endpoint)?;
        require!(
            args.bond >= self.config.staking.min_keeper_bond,
            IoComputeError::KeeperBondTooSmall
        );
        require!(
            self.bond_source.amount >= args.bond,
            IoComputeError::InsufficientBalance
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: AdmitKeeperArgs) -> Result<()> {
        let accounts = &*ctx.accounts;
        let authority = accounts.keeper_authority.key();
        let bump = ctx.bumps.keeper;
        pda_create::create_program_account(
            &accounts.keeper_authority,
            &accounts.keeper,
            8 + Keeper::INIT_SPACE,
            &[KEEPER_SEED, authority.as_ref(), &[bump]],
            &Keeper {
                authority,
                endpoint: args.endpoint.clone(),
                bond: args.bond,
                admitted_at: Clock::get()?.unix_timestamp,
                open_proofs: 0,
                roots_locked_until: 0,
                bump,
            },
        )?;
        vault::transfer_into_vault(
            &accounts.token_program,
            &accounts.bond_source,
            &accounts.io_mint,
            &accounts.bond_vault,
            &accounts.keeper_authority,
            args.bond,
        )?;
        emit_event(KeeperAdmitted {
            keeper: accounts.keeper.key(),
            authority,
            bond: args.bond,
            endpoint: args.endpoint,
        });
        Ok(())
    }
}
