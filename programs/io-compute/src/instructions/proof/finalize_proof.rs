use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProofFinalized},
    math::SafeMath,
    state::*,
    vault::VaultSigner,
};
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

/// Anyone settles a usage proof at or after its unlock time, unless it is
/// disputed: the provider is paid the amount due less its fee, the fees
/// (the client's on this amount and the provider's) are split between
/// treasury, stakers and burn, the device's reliability and the provider's
/// reputation rise, and the proof closes with its rent back to the keeper.
#[derive(Accounts)]
pub struct FinalizeProof<'info> {
    pub cranker: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [MARKET_SEED], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    #[account(mut, seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump)]
    pub lease: Box<Account<'info, Lease>>,
    #[account(mut)]
    pub device: Box<Account<'info, Device>>,
    #[account(mut)]
    pub provider: Box<Account<'info, Provider>>,
    #[account(
        mut, close = keeper_authority,
        seeds = [USAGE_PROOF_SEED, lease.key().as_ref(), device.key().as_ref(), &proof.seq.to_le_bytes()],
        bump = proof.bump,
        has_one = lease @ IoComputeError::LeaseAccountMismatch,
        has_one = device @ IoComputeError::LeaseAccountMismatch,
        has_one = provider @ IoComputeError::LeaseAccountMismatch,
        has_one = keeper_authority @ IoComputeError::LeaseAccountMismatch,
    )]
    pub proof: Box<Account<'info, UsageProof>>,
    /// CHECK: the keeper authority that posted the proof (has_one above).
    #[account(mut)]
    pub keeper_authority: UncheckedAccount<'info>,
    #[account(mut, seeds = [KEEPER_SEED, keeper_authority.key().as_ref()], bump = keeper.bump)]
    pub keeper: Box<Account<'info, Keeper>>,
    /// Any IOSD account of the provider's authority.
    #[account(
        mut,
        constraint = provider_destination.mint == config.iosd_mint @ IoComputeError::WrongMint,
        constraint = provider_destination.owner == provider.authority @ IoComputeError::WrongPayee,
    )]
    pub provider_destination: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.escrow_vault @ IoComputeError::WrongVault)]
    pub escrow_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.treasury_iosd_vault @ IoComputeError::WrongVault)]
    pub treasury_iosd_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.rewards_iosd_vault @ IoComputeError::WrongVault)]
    pub rewards_iosd_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.iosd_mint @ IoComputeError::WrongMint)]
    pub iosd_mint: Box<Account<'info, Mint>>,
    /// CHECK: PDA signer of the vaults.
    #[account(seeds = [VAULT_AUTHORITY_SEED], bump = config.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl FinalizeProof<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.proof.status != ProofStatus::Disputed,
            IoComputeError::ProofDisputed
        );
        require!(
            self.proof.open_challenges == 0,
            IoComputeError::ProofUnderChallenge
        );
        require!(
            Clock::get()?.unix_timestamp >= self.proof.unlock_at,
            IoComputeError::ProofLocked
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let proof = &accounts.proof;
        let (payout, fee) = provider_payout(
            proof.amount_due,
            proof.reserved,
            accounts.config.market_params.provider_fee_bps,
        )?;
        accounts.lease.settle(proof.reserved, payout, fee)?;
        accounts.lease.invariant()?;
        let market = &mut accounts.market;
        market.escrow_total = market.escrow_total.safe_sub(proof.reserved)?;
        market.total_paid_to_providers = market.total_paid_to_providers.safe_add(payout)?;
        market.total_fees = market.total_fees.safe_add(fee)?;
        accounts.device.close_proof()?;
        // Work earns reliability; an empty period does not (M6).
        if accounts.proof.device_time_us > 0 {
            accounts.device.reward_reliability();
        }
        let keeper = &mut accounts.keeper;
        keeper.open_proofs = keeper.open_proofs.safe_sub(1)?;
        let reputation = &mut accounts.provider.reputation;
        reputation.proofs_finalized = reputation.proofs_finalized.safe_add(1)?;

        let parts = accounts
            .tokenomics
            .plan_fee(&accounts.config.tokenomics_params.fee_split, fee)?;
        let vault = VaultSigner::new(
            &accounts.config,
            &accounts.token_program,
            &accounts.vault_authority,
        );
        let (escrow, iosd_mint) = (&accounts.escrow_vault, &accounts.iosd_mint);
        vault.pay(escrow, iosd_mint, &accounts.provider_destination, payout)?;
        vault.pay(
            escrow,
            iosd_mint,
            &accounts.treasury_iosd_vault,
            parts.treasury,
        )?;
        vault.pay(
            escrow,
            iosd_mint,
            &accounts.rewards_iosd_vault,
            parts.stakers,
        )?;
        vault.burn(iosd_mint, escrow, parts.burn)?;
        emit_event(ProofFinalized {
            proof: accounts.proof.key(),
            lease: accounts.lease.key(),
            device: accounts.device.key(),
            provider: accounts.provider.key(),
            payout,
            fee,
            fee_to_treasury: parts.treasury,
            fee_to_stakers: parts.stakers,
            fee_burned: parts.burn,
        });
        Ok(())
    }
}
