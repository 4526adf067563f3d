use crate::{
    constants::*,
    error::IoComputeError,
    merkle::{self, JobReceipt},
    pda_create,
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct OpenGemmChallengeArgs {
    /// A GEMM job's receipt under the proof's receipts root.
    pub receipt: JobReceipt,
    pub receipt_proof: Vec<[u8; 32]>,
    /// The element of C claimed wrong.
    pub i: u32,
    pub j: u32,
}

/// Step 1 of a GEMM fraud proof (anyone, while the proof is disputable):
/// shows that a job receipt is under the usage proof's receipts root and
/// records its input and output roots and the element (i, j) to check.
#[derive(Accounts)]
pub struct OpenGemmChallenge<'info> {
    #[account(mut)]
    pub prover: Signer<'info>,
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
        match proof.status {
            ProofStatus::Locked => require!(
                Clock::get()?.unix_timestamp < proof.unlock_at,
                IoComputeError::DisputeWindowClosed
            ),
            ProofStatus::Disputed => require_keys_eq!(
                proof.challenger,
                self.prover.key(),
                IoComputeError::ProofDisputedByOther
            ),
        }
        require!(
            args.receipt_proof.len() <= MAX_MERKLE_PROOF_LEN
                && merkle::verify(
                    &args.receipt_proof,
                    &proof.receipts_root,
                    merkle::receipt_leaf(&args.receipt),
                ),
            IoComputeError::InvalidMerkleProof
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: OpenGemmChallengeArgs) -> Result<()> {
        let accounts = &*ctx.accounts;
        let (proof, prover) = (accounts.proof.key(), accounts.prover.key());
        let bump = ctx.bumps.challenge;
        pda_create::create_program_account(
            &accounts.prover,
            &accounts.challenge,
            8 + GemmChallenge::INIT_SPACE,
            &[
                GEMM_CHALLENGE_SEED,
                proof.as_ref(),
                prover.as_ref(),
                &[bump],
            ],
            &GemmChallenge {
                proof,
                prover,
                input_root: args.receipt.input_hash,
                output_root: args.receipt.output_root,
                i: args.i,
                j: args.j,
                a_row: Vec::new(),
                b_col: Vec::new(),
                bump,
            },
        )
    }
}
