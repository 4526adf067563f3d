use crate::{constants::*, error::IoComputeError, math::SafeMath, state::*, vault::VaultSigner};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

/// The accounts that refund a lease's unreserved escrow to its client,
/// shared by `cancel_lease` and `close_lease`.
#[derive(Accounts)]
pub struct LeaseRefund<'info> {
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    /// Any IOSD account of the lease's client.
    #[account(mut, constraint = client_destination.mint == config.iosd_mint @ IoComputeError::WrongMint)]
    pub client_destination: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.escrow_vault @ IoComputeError::WrongVault)]
    pub escrow_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.iosd_mint @ IoComputeError::WrongMint)]
    pub iosd_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl LeaseRefund<'_> {
    /// Pays `lease`'s unreserved escrow to its client; returns the amount.
    pub fn refund(&mut self, lease: &mut Lease) -> Result<u64> {
        require_keys_eq!(
            self.client_destination.owner,
            lease.client,
            IoComputeError::WrongPayee
        );
        let refund = lease.take_refund()?;
        lease.invariant()?;
        self.market.escrow_total = self.market.escrow_total.safe_sub(refund)?;
        self.market.total_refunded = self.market.total_refunded.safe_add(refund)?;
        VaultSigner::new(&self.config, &self.token_program, &self.vault_authority).pay(
            &self.escrow_vault,
            &self.iosd_mint,
            &self.client_destination,
            refund,
        )?;
        Ok(refund)
    }
}
