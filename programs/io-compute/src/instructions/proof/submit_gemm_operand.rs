use crate::{constants::*, error::IoComputeError, gemm, merkle, state::*};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmitGemmOperandArgs {
    pub operand: GemmOperand,
    pub values: Vec<i32>,
    /// Siblings from the operand's leaf up to the job's input root.
    pub proof: Vec<[u8; 32]>,
}

/// Step 2 of a GEMM fraud proof, once per operand: row i of A or column j
/// of B, proven under the job's input root.
#[derive(Accounts)]
pub struct SubmitGemmOperand<'info> {
    pub prover: Signer<'info>,
    #[account(
        mut,
        seeds = [GEMM_CHALLENGE_SEED, challenge.proof.as_ref(), prover.key().as_ref()],
        bump = challenge.bump,
    )]
    pub challenge: Box<Account<'info, GemmChallenge>>,
}

impl SubmitGemmOperand<'_> {
    pub fn validate(&self, args: &SubmitGemmOperandArgs) -> Result<()> {
        require!(
            !args.values.is_empty() && args.values.len() <= gemm::MAX_FRAUD_K,
            IoComputeError::InvalidGemmOperand
        );
        let challenge = &self.challenge;
        let leaf = match args.operand {
            GemmOperand::ARow => gemm::a_row_leaf(challenge.i, &args.values),
            GemmOperand::BCol => gemm::b_col_leaf(challenge.j, &args.values),
        };
        require!(
            args.proof.len() <= MAX_MERKLE_PROOF_LEN
                && merkle::verify(&args.proof, &challenge.input_root, leaf),
            IoComputeError::InvalidMerkleProof
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: SubmitGemmOperandArgs) -> Result<()> {
        let challenge = &mut ctx.accounts.challenge;
        match args.operand {
            GemmOperand::ARow => challenge.a_row = args.values,
            GemmOperand::BCol => challenge.b_col = args.values,
        }
        Ok(())
    }
}
