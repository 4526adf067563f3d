use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProofDisputed},
    state::*,
    vault,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct DisputeProofArgs {
    /// IO bond, at least `min_dispute_bond`.
    pub bond: u64,
}

/// Freezes a Locked usage proof strictly before its unlock time until the
/// arbiter resolves the dispute. Anyone, the lease's client included,
/// posts an IO bond, lost to the provider if the dispute is rejected; a
/// rejected proof is never disputed again (M5).
#[derive(Accounts)]
pub struct DisputeProof<'info> {
    pub challenger: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump)]
    pub lease: Box<Account<'info, Lease>>,
    #[account(
        mut,
        seeds = [USAGE_PROOF_SEED, lease.key().as_ref(), proof.device.as_ref(), &proof.seq.to_le_bytes()],
        bump = proof.bump,
        has_one = lease @ IoComputeError::LeaseAccountMismatch,
    )]
    pub proof: Box<Account<'info, UsageProof>>,
    /// The challenger's IO account paying the bond.
    #[account(mut, constraint = bond_source.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub bond_source: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.bond_vault @ IoComputeError::WrongVault)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

impl DisputeProof<'_> {
    pub fn validate(&self, args: &DisputeProofArgs) -> Result<()> {
        require!(
            self.proof.status == ProofStatus::Locked,
            IoComputeError::ProofAlreadyDisputed
        );
        require!(
            Clock::get()?.unix_timestamp < self.proof.unlock_at,
            IoComputeError::DisputeWindowClosed
        );
        require!(
            args.bond >= self.config.market_params.min_dispute_bond,
            IoComputeError::DisputeBondTooSmall
        );
        require!(
            self.bond_source.amount >= args.bond,
            IoComputeError::InsufficientBalance
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: DisputeProofArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        vault::transfer_into_vault(
            &accounts.token_program,
            &accounts.bond_source,
            &accounts.io_mint,
            &accounts.bond_vault,
            &accounts.challenger,
            args.bond,
        )?;
        let proof = &mut accounts.proof;
        proof.status = ProofStatus::Disputed;
        proof.challenger = accounts.challenger.key();
        proof.bond = args.bond;
        emit_event(ProofDisputed {
            proof: proof.key(),
            lease: proof.lease,
            challenger: proof.challenger,
            bond: args.bond,
        });
        Ok(())
    }
}
