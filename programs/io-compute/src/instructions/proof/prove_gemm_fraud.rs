use crate::{
    constants::GEMM_CHALLENGE_SEED,
    error::IoComputeError,
    events::{emit_event, GemmFraudChecked},
    instructions::proof::settlement::*,
    math::SafeMath,
    state::*,
};
use anchor_lang::prelude::*;

/// Step 3 of a GEMM fraud proof, before the challenge expires: compares the
/// summed dot product with the claimed C[i][j]. A wrong element upholds at
/// once with the prover as challenger (no arbiter): the receipt is under a
/// root the device's worker signed, so its provider answers for it; open
/// disputes of the proof get their bonds back through `withdraw_dispute`.
/// A correct element changes nothing but unfreezes the proof. Either
/// way the challenge closes, its rent back to the prover.
#[derive(Accounts)]
pub struct ProveGemmFraud<'info> {
    #[account(mut)]
    pub prover: Signer<'info>,
    #[account(
        mut, close = prover,
        seeds = [GEMM_CHALLENGE_SEED, challenge.proof.as_ref(), prover.key().as_ref()],
        bump = challenge.bump,
        constraint = challenge.proof == settlement.proof.key() @ IoComputeError::LeaseAccountMismatch,
    )]
    pub challenge: Box<Account<'info, GemmChallenge>>,
    pub settlement: ProofSettlement<'info>,
}

impl ProveGemmFraud<'_> {
    pub fn validate(&self) -> Result<()> {
        let challenge = &self.challenge;
        require!(
            Clock::get()?.unix_timestamp < challenge.expires_at,
            IoComputeError::GemmChallengeExpired
        );
        require!(
            challenge.is_complete() && challenge.claimed.is_some(),
            IoComputeError::GemmOperandsMissing
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let challenge = &accounts.challenge;
        let claimed = challenge.claimed.unwrap_or_default();
        let computed = challenge.partial_sum;
        let fraud = computed != claimed;
        emit_event(GemmFraudChecked {
            proof: challenge.proof,
            prover: challenge.prover,
            i: challenge.i,
            j: challenge.j,
            claimed,
            computed,
            fraud,
        });
        let settlement = &mut accounts.settlement;
        let proof = &mut settlement.proof;
        proof.open_challenges = proof.open_challenges.safe_sub(1)?;
        if !fraud {
            return Ok(());
        }
        settlement.require_parties(accounts.prover.key(), true)?;
        // The receipt is under a root the device's worker signed.
        settlement.uphold(Verdict::ProviderAtFault, 0)
    }
}
