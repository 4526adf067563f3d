use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, LeaseToppedUp},
    math::SafeMath,
    state::*,
    vault,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct TopUpLeaseArgs {
    /// IOSD base units added to the lease's escrow.
    pub amount: u64,
}

/// The client adds IOSD to an Open or Active lease's escrow.
#[derive(Accounts)]
pub struct TopUpLease<'info> {
    pub client: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut, seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump,
        has_one = client @ IoComputeError::NotLeaseClient,
        constraint = lease.status != LeaseStatus::Closed @ IoComputeError::LeaseClosed,
    )]
    pub lease: Box<Account<'info, Lease>>,
    #[account(mut, constraint = source.mint == config.iosd_mint @ IoComputeError::WrongMint)]
    pub source: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.escrow_vault @ IoComputeError::WrongVault)]
    pub escrow_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.iosd_mint @ IoComputeError::WrongMint)]
    pub iosd_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

impl TopUpLease<'_> {
    pub fn validate(&self, args: &TopUpLeaseArgs) -> Result<()> {
        require!(args.amount > 0, IoComputeError::ZeroAmount);
        require!(
            self.source.amount >= args.amount,
            IoComputeError::InsufficientBalance
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: TopUpLeaseArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        accounts.lease.deposit(args.amount)?;
        accounts.lease.invariant()?;
        accounts.market.escrow_total = accounts.market.escrow_total.safe_add(args.amount)?;
        vault::transfer_into_vault(
            &accounts.token_program,
            &accounts.source,
            &accounts.iosd_mint,
            &accounts.escrow_vault,
            &accounts.client,
            args.amount,
        )?;
        emit_event(LeaseToppedUp {
            lease: accounts.lease.key(),
            amount: args.amount,
            escrow: accounts.lease.escrow,
        });
        Ok(())
    }
}
