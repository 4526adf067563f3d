use crate::{constants::*, error::IoComputeError, merkle, state::*};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmitGemmEvidenceArgs {
    pub evidence: GemmEvidence,
    /// Siblings from the evidence's leaf up to the job's input root (A and
    /// B chunks) or output root (C).
    pub proof: Vec<[u8; 32]>,
}

/// Step 2 of a GEMM fraud proof, one transaction per piece of evidence:
/// the claimed C[i][j] under the output root, and the chunks of row i of A
/// and column j of B under the input root, in chunk order. When both
/// chunks of a step are in, their product joins the partial sum.
#[derive(Accounts)]
pub struct SubmitGemmEvidence<'info> {
    pub prover: Signer<'info>,
    #[account(
        mut,
        seeds = [GEMM_CHALLENGE_SEED, challenge.proof.as_ref(), prover.key().as_ref()],
        bump = challenge.bump,
    )]
    pub challenge: Box<Account<'info, GemmChallenge>>,
}

impl SubmitGemmEvidence<'_> {
    pub fn validate(&self, args: &SubmitGemmEvidenceArgs) -> Result<()> {
        let challenge = &self.challenge;
        require!(
            Clock::get()?.unix_timestamp < challenge.expires_at,
            IoComputeError::GemmChallengeExpired
        );
        let (leaf, root) = challenge
            .leaf_of(&args.evidence)
            .ok_or(error!(IoComputeError::GemmChunkOutOfOrder))?;
        require!(
            args.proof.len() <= MAX_MERKLE_PROOF_LEN && merkle::verify(&args.proof, &root, leaf),
            IoComputeError::InvalidMerkleProof
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: SubmitGemmEvidenceArgs) -> Result<()> {
        ctx.accounts.challenge.add(args.evidence);
        Ok(())
    }
}
