use crate::{constants::*, error::IoComputeError, math::SafeMath, state::*};
use anchor_lang::prelude::*;

/// Ends a GEMM challenge without a verdict and unfreezes its usage proof:
/// its prover may at any time; anyone may once it expired or once its
/// proof was settled another way. The rent goes back to the prover.
#[derive(Accounts)]
pub struct AbandonGemmChallenge<'info> {
    pub caller: Signer<'info>,
    #[account(
        mut, close = prover,
        seeds = [GEMM_CHALLENGE_SEED, challenge.proof.as_ref(), challenge.prover.as_ref()],
        bump = challenge.bump,
    )]
    pub challenge: Box<Account<'info, GemmChallenge>>,
    /// CHECK: the challenge's prover (address checked); gets the rent.
    #[account(mut, address = challenge.prover @ IoComputeError::WrongPayee)]
    pub prover: UncheckedAccount<'info>,
    /// CHECK: the challenged proof's address (checked); it may be closed
    /// already.
    #[account(mut, address = challenge.proof @ IoComputeError::LeaseAccountMismatch)]
    pub proof: UncheckedAccount<'info>,
}

impl AbandonGemmChallenge<'_> {
    /// The proof, while it is still open.
    fn open_proof(&self) -> Option<UsageProof> {
        if *self.proof.owner != crate::ID {
            return None;
        }
        let data = self.proof.try_borrow_data().ok()?;
        UsageProof::try_deserialize(&mut &data[..]).ok()
    }

    pub fn validate(&self) -> Result<()> {
        let expired = Clock::get()?.unix_timestamp >= self.challenge.expires_at;
        require!(
            self.caller.key() == self.challenge.prover || expired || self.open_proof().is_none(),
            IoComputeError::GemmChallengeStillOpen
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &*ctx.accounts;
        if let Some(mut proof) = accounts.open_proof() {
            proof.open_challenges = proof.open_challenges.safe_sub(1)?;
            let mut data = accounts.proof.try_borrow_mut_data()?;
            proof.try_serialize(&mut &mut data[..])?;
        }
        Ok(())
    }
}
