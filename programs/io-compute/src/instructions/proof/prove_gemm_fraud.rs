use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, GemmFraudChecked},
    gemm,
    instructions::proof::settlement::*,
    merkle,
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ProveGemmFraudArgs {
    /// C[i][j] as the job's output root commits it.
    pub claimed: i64,
    /// Siblings from C[i][j]'s leaf up to the job's output root.
    pub proof: Vec<[u8; 32]>,
}

/// Step 3 of a GEMM fraud proof: shows the claimed C[i][j] under the job's
/// output root and recomputes it from the submitted row and column. A wrong
/// element upholds the dispute at once, with the prover as challenger (no
/// arbiter); a correct one changes nothing. Either way the challenge
/// account closes, its rent back to the prover.
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
    pub fn validate(&self, args: &ProveGemmFraudArgs) -> Result<()> {
        let challenge = &self.challenge;
        require!(
            !challenge.a_row.is_empty() && !challenge.b_col.is_empty(),
            IoComputeError::GemmOperandsMissing
        );
        require!(
            challenge.a_row.len() == challenge.b_col.len(),
            IoComputeError::InvalidGemmOperand
        );
        let leaf = gemm::c_leaf(challenge.i, challenge.j, args.claimed);
        require!(
            args.proof.len() <= MAX_MERKLE_PROOF_LEN
                && merkle::verify(&args.proof, &challenge.output_root, leaf),
            IoComputeError::InvalidMerkleProof
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: ProveGemmFraudArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let challenge = &accounts.challenge;
        let computed = gemm::dot(&challenge.a_row, &challenge.b_col);
        let fraud = computed != args.claimed;
        emit_event(GemmFraudChecked {
            proof: challenge.proof,
            prover: challenge.prover,
            i: challenge.i,
            j: challenge.j,
            claimed: args.claimed,
            computed,
            fraud,
        });
        if !fraud {
            return Ok(());
        }
        let settlement = &mut accounts.settlement;
        match settlement.proof.status {
            // Undisputed until now: the fraud proof is the dispute, unbonded.
            ProofStatus::Locked => {
                settlement.proof.status = ProofStatus::Disputed;
                settlement.proof.challenger = accounts.prover.key();
            }
            ProofStatus::Disputed => require_keys_eq!(
                settlement.proof.challenger,
                accounts.prover.key(),
                IoComputeError::ProofDisputedByOther
            ),
        }
        settlement.require_parties(true)?;
        settlement.uphold()
    }
}
