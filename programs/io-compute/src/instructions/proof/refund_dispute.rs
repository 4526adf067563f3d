use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, DisputeRefunded},
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

/// Closes a dispute whose proof was voided another way (another dispute
/// upheld by the arbiter, or a GEMM fraud proof): the challenger was right,
/// so its bond and the dispute's rent go back to it. Anyone may call; a
/// dispute of a proof that still stands waits for the arbiter's verdict.
#[derive(Accounts)]
pub struct RefundDispute<'info> {
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        mut, close = challenger,
        seeds = [DISPUTE_SEED, dispute.proof.as_ref(), dispute.challenger.as_ref()],
        bump = dispute.bump,
    )]
    pub dispute: Box<Account<'info, Dispute>>,
    /// CHECK: the dispute's proof (address checked); it must be gone.
    #[account(address = dispute.proof @ IoComputeError::LeaseAccountMismatch)]
    pub proof: UncheckedAccount<'info>,
    /// CHECK: the dispute's challenger (address checked); gets the rent.
    #[account(mut, address = dispute.challenger @ IoComputeError::WrongPayee)]
    pub challenger: UncheckedAccount<'info>,
    /// The challenger's IO account; the bond goes back there.
    #[account(
        mut,
        constraint = challenger_io.owner == dispute.challenger @ IoComputeError::WrongPayee,
        constraint = challenger_io.mint == config.io_mint @ IoComputeError::WrongMint,
    )]
    pub challenger_io: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.bond_vault @ IoComputeError::WrongVault)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl RefundDispute<'_> {
    pub fn validate(&self) -> Result<()> {
        // A proof is only closed by finalizing or voiding it, and it cannot
        // be finalized while a dispute is open: gone means voided. Its
        // address never comes back (each period has a new seq).
        require!(
            *self.proof.owner != crate::ID,
            IoComputeError::DisputedProofStillOpen
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &*ctx.accounts;
        let dispute = &accounts.dispute;
        VaultSigner::new(
            &accounts.config,
            &accounts.token_program,
            &accounts.vault_authority,
        )
        .pay(
            &accounts.bond_vault,
            &accounts.io_mint,
            &accounts.challenger_io,
            dispute.bond,
        )?;
        emit_event(DisputeRefunded {
            dispute: dispute.key(),
            proof: dispute.proof,
            challenger: dispute.challenger,
            bond: dispute.bond,
        });
        Ok(())
    }
}
