use crate::{
    constants::*,
    error::IoComputeError,
    math::SafeMath,
    merkle, pda_create,
    receipt::{self, JobReceipt},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct OpenGemmChallengeArgs {
    /// An integer GEMM job's receipt under the proof's receipts root.
    pub receipt: JobReceipt,
    pub receipt_proof: Vec<[u8; 32]>,
    /// The element of C claimed wrong.
    pub i: u32,
    pub j: u32,
}

/// Step 1 of a GEMM fraud proof (anyone, while the proof is disputable or
/// disputed): shows that an integer GEMM receipt is under the usage proof's
/// worker-signed receipts root and records its roots, k and the element
/// (i, j) to check. The proof cannot be finalized while the challenge is
/// open (at most `GEMM_CHALLENGE_SECS`).
#[derive(Accounts)]
pub struct OpenGemmChallenge<'info> {
    #[account(mut)]
    pub prover: Signer<'info>,
    #[account(mut)]
    pub proof: Box<Account<'info, UsageProof>>,
    /// CHECK: created as `GemmChallenge` by the handler.
    #[account(
        mut,
        seeds = [GEMM_CHALLENGE_SEED, proof.key().as_ref(), prover.key().as_ref()],
        bump,
    )]
    pub challenge: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl OpenGemmChallenge<'_> {
    pub fn validate(&self, args: &OpenGemmChallengeArgs) -> Result<()> {
        let proof = &self.proof;
        if proof.status != ProofStatus::Disputed {
            require!(
                Clock::get()?.unix_timestamp < proof.unlock_at,
                IoComputeError::DisputeWindowClosed
            );
        }
        let job = &args.receipt;
        require!(job.is_provable(), IoComputeError::JobNotProvable);
        require!(
            args.i < job.m && args.j < job.n,
            IoComputeError::GemmElementOutOfRange
        );
        require!(
            args.receipt_proof.len() <= MAX_MERKLE_PROOF_LEN
                && merkle::verify(
                    &args.receipt_proof,
                    &proof.receipts_root,
                    receipt::receipt_leaf(&proof.lease, &proof.device, job),
                ),
            IoComputeError::InvalidMerkleProof
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: OpenGemmChallengeArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let proof = &mut accounts.proof;
        proof.open_challenges = proof.open_challenges.safe_add(1)?;
        let (proof_key, prover) = (proof.key(), accounts.prover.key());
        let bump = ctx.bumps.challenge;
        let expires_at = Clock::get()?.unix_timestamp.safe_add(GEMM_CHALLENGE_SECS)?;
        pda_create::create_program_account(
            &accounts.prover,
            &accounts.challenge,
            8 + GemmChallenge::INIT_SPACE,
            &[
                GEMM_CHALLENGE_SEED,
                proof_key.as_ref(),
                prover.as_ref(),
                &[bump],
            ],
            &GemmChallenge {
                proof: proof_key,
                prover,
                input_root: args.receipt.input_root,
                output_root: args.receipt.output_root,
                k: args.receipt.k,
                i: args.i,
                j: args.j,
                next_chunk: 0,
                partial_sum: 0,
                a_chunk: Vec::new(),
                b_chunk: Vec::new(),
                claimed: None,
                expires_at,
                bump,
            },
        )
    }
}
