use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProofFinalized},
    math::{mul_div_ceil, to_u64, SafeMath},
    state::*,
    vault,
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
        mut, close = keeper,
        seeds = [USAGE_PROOF_SEED, lease.key().as_ref(), device.key().as_ref(), &proof.seq.to_le_bytes()],
        bump = proof.bump,
        has_one = lease @ IoComputeError::LeaseAccountMismatch,
        has_one = device @ IoComputeError::LeaseAccountMismatch,
        has_one = provider @ IoComputeError::LeaseAccountMismatch,
        has_one = keeper @ IoComputeError::LeaseAccountMismatch,
    )]
    pub proof: Box<Account<'info, UsageProof>>,
    /// CHECK: the keeper authority that posted the proof (has_one above).
    #[account(mut)]
    pub keeper: UncheckedAccount<'info>,
    #[account(mut, seeds = [KEEPER_SEED, keeper.key().as_ref()], bump = keeper_record.bump)]
    pub keeper_record: Box<Account<'info, Keeper>>,
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
            Clock::get()?.unix_timestamp >= self.proof.unlock_at,
            IoComputeError::ProofLocked
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let proof = &accounts.proof;
        let provider_fee = to_u64(mul_div_ceil(
            proof.amount_due as u128,
            accounts.config.market.provider_fee_bps as u128,
            BPS_DENOMINATOR as u128,
        )?)?;
        let payout = proof.amount_due.safe_sub(provider_fee)?;
        let fee = proof.reserved.safe_sub(payout)?;
        accounts.lease.settle(proof.reserved, payout, fee)?;
        let market = &mut accounts.market;
        market.escrow_total = market.escrow_total.safe_sub(proof.reserved)?;
        market.total_paid_to_providers = market.total_paid_to_providers.safe_add(payout)?;
        market.total_fees = market.total_fees.safe_add(fee)?;
        accounts.device.reward_reliability();
        let keeper = &mut accounts.keeper_record;
        keeper.open_proofs = keeper.open_proofs.safe_sub(1)?;
        let reputation = &mut accounts.provider.reputation;
        reputation.proofs_finalized = reputation.proofs_finalized.safe_add(1)?;

        if payout > 0 {
            vault::transfer_from_vault(
                &accounts.config,
                &accounts.token_program,
                &accounts.vault_authority,
                &accounts.escrow_vault,
                &accounts.iosd_mint,
                &accounts.provider_destination,
                payout,
            )?;
        }
        let parts = vault::route_fee(
            &accounts.config,
            &mut accounts.tokenomics,
            &accounts.token_program,
            &accounts.vault_authority,
            &accounts.escrow_vault,
            &accounts.treasury_iosd_vault,
            &accounts.rewards_iosd_vault,
            &accounts.iosd_mint,
            fee,
        )?;
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
