use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, KeeperBondToppedUp},
    math::SafeMath,
    state::*,
    vault,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct TopUpKeeperBondArgs {
    pub amount: u64,
}

/// A keeper adds IO to its bond, for example to get back above the minimum
/// after a slash.
#[derive(Accounts)]
pub struct TopUpKeeperBond<'info> {
    pub keeper_authority: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        mut, seeds = [KEEPER_SEED, keeper_authority.key().as_ref()], bump = keeper.bump,
        constraint = keeper.authority == keeper_authority.key() @ IoComputeError::NotAdmittedKeeper,
    )]
    pub keeper: Box<Account<'info, Keeper>>,
    #[account(mut, constraint = bond_source.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub bond_source: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.bond_vault @ IoComputeError::WrongVault)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

impl TopUpKeeperBond<'_> {
    pub fn validate(&self, args: &TopUpKeeperBondArgs) -> Result<()> {
        require!(args.amount > 0, IoComputeError::ZeroAmount);
        require!(
            self.bond_source.amount >= args.amount,
            IoComputeError::InsufficientBalance
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: TopUpKeeperBondArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        vault::transfer_into_vault(
            &accounts.token_program,
            &accounts.bond_source,
            &accounts.io_mint,
            &accounts.bond_vault,
            &accounts.keeper_authority,
            args.amount,
        )?;
        let keeper = &mut accounts.keeper;
        keeper.bond = keeper.bond.safe_add(args.amount)?;
        emit_event(KeeperBondToppedUp {
            keeper: keeper.key(),
            amount: args.amount,
            bond: keeper.bond,
        });
        Ok(())
    }
}
