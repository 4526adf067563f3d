use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, KeeperRemoved},
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

/// The keeper admin removes a keeper, or the keeper leaves on its own,
/// once every proof it posted has settled (so its bond stays slashable
/// until then): the bond goes back to an IO account of the keeper's wallet
/// and the record's rent to the wallet. Its leases can then be taken over
/// by another keeper.
#[derive(Accounts)]
pub struct RemoveKeeper<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED], bump = config.bump,
        constraint = config.keeper_admin == authority.key()
            || keeper.authority == authority.key() @ IoComputeError::NotKeeperAdmin,
    )]
    pub config: Box<Account<'info, Config>>,
    #[account(
        mut, close = keeper_authority,
        seeds = [KEEPER_SEED, keeper.authority.as_ref()], bump = keeper.bump,
        constraint = keeper.open_proofs == 0 @ IoComputeError::KeeperHasOpenProofs,
    )]
    pub keeper: Box<Account<'info, Keeper>>,
    /// CHECK: the keeper's wallet, checked against the record.
    #[account(mut, address = keeper.authority @ IoComputeError::WrongRewardDestination)]
    pub keeper_authority: UncheckedAccount<'info>,
    #[account(
        mut,
        constraint = bond_destination.mint == config.io_mint @ IoComputeError::WrongMint,
        constraint = bond_destination.owner == keeper.authority @ IoComputeError::WrongRewardDestination,
    )]
    pub bond_destination: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.bond_vault @ IoComputeError::WrongVault)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl RemoveKeeper<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            Clock::get()?.unix_timestamp >= self.keeper.roots_locked_until,
            IoComputeError::KeeperHasOpenProofs
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &*ctx.accounts;
        let bond = accounts.keeper.bond;
        VaultSigner::new(
            &accounts.config,
            &accounts.token_program,
            &accounts.vault_authority,
        )
        .pay(
            &accounts.bond_vault,
            &accounts.io_mint,
            &accounts.bond_destination,
            bond,
        )?;
        emit_event(KeeperRemoved {
            keeper: accounts.keeper.key(),
            authority: accounts.keeper.authority,
            bond_returned: bond,
        });
        Ok(())
    }
}
