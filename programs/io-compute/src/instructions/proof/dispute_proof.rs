use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProofDisputed},
    pda_create,
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

/// Freezes a usage proof strictly before its unlock time until the arbiter
/// has resolved every dispute on it. Anyone, the lease's client included,
/// opens a `Dispute` holding an IO bond, lost to the provider if rejected;
/// several challengers may dispute the same proof (up to
/// `MAX_OPEN_DISPUTES`), each once, so a sham dispute cannot crowd out a
/// real one; once every dispute was rejected the proof is Cleared and never
/// disputed again (M5).
#[derive(Accounts)]
pub struct DisputeProof<'info> {
    #[account(mut)]
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
    /// CHECK: created as `Dispute` by the handler.
    #[account(
        mut,
        seeds = [DISPUTE_SEED, proof.key().as_ref(), challenger.key().as_ref()],
        bump,
    )]
    pub dispute: UncheckedAccount<'info>,
    /// The challenger's IO account paying the bond.
    #[account(mut, constraint = bond_source.mint == config.io_mint @ IoComputeError::WrongMint)]
    pub bond_source: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.bond_vault @ IoComputeError::WrongVault)]
    pub bond_vault: Box<Account<'info, TokenAccount>>,
    #[account(address = config.io_mint @ IoComputeError::WrongMint)]
    pub io_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl DisputeProof<'_> {
    pub fn validate(&self, args: &DisputeProofArgs) -> Result<()> {
        self.proof
            .require_disputable(Clock::get()?.unix_timestamp)?;
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
        let now = Clock::get()?.unix_timestamp;
        accounts.proof.open_dispute(now)?;
        vault::transfer_into_vault(
            &accounts.token_program,
            &accounts.bond_source,
            &accounts.io_mint,
            &accounts.bond_vault,
            &accounts.challenger,
            args.bond,
        )?;
        let (proof, challenger) = (accounts.proof.key(), accounts.challenger.key());
        let bump = ctx.bumps.dispute;
        pda_create::create_program_account(
            &accounts.challenger,
            &accounts.dispute,
            8 + Dispute::INIT_SPACE,
            &[DISPUTE_SEED, proof.as_ref(), challenger.as_ref(), &[bump]],
            &Dispute {
                proof,
                challenger,
                bond: args.bond,
                opened_at: now,
                bump,
            },
        )?;
        emit_event(ProofDisputed {
            proof,
            lease: accounts.proof.lease,
            dispute: accounts.dispute.key(),
            challenger,
            bond: args.bond,
            open_disputes: accounts.proof.open_disputes,
        });
        Ok(())
    }
}
