use crate::{constants::*, error::IoComputeError, instructions::proof::settlement::*, state::*};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ResolveDisputeArgs {
    pub verdict: Verdict,
}

/// The arbiter (`Config.arbiter`, replaceable by governance) decides one
/// dispute of a proof: upheld (the provider's or the keeper's fault) voids
/// the proof and slashes whoever caused it (`ProofSettlement::uphold`);
/// rejected pays this dispute's bond to the provider and clears the proof
/// once no dispute is left (`ProofSettlement::reject`). Either way the
/// dispute closes, its rent back to its challenger.
#[derive(Accounts)]
pub struct ResolveDispute<'info> {
    pub authority: Signer<'info>,
    pub settlement: ProofSettlement<'info>,
    #[account(
        mut,
        seeds = [DISPUTE_SEED, dispute.proof.as_ref(), dispute.challenger.as_ref()],
        bump = dispute.bump,
        constraint = dispute.proof == settlement.proof.key() @ IoComputeError::LeaseAccountMismatch,
    )]
    pub dispute: Box<Account<'info, Dispute>>,
}

impl ResolveDispute<'_> {
    pub fn validate(&self, args: &ResolveDisputeArgs) -> Result<()> {
        require_keys_eq!(
            self.authority.key(),
            self.settlement.config.arbiter,
            IoComputeError::NotArbiter
        );
        self.settlement
            .require_parties(self.dispute.challenger, args.verdict != Verdict::Rejected)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: ResolveDisputeArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let bond = accounts.dispute.bond;
        match args.verdict {
            Verdict::Rejected => accounts.settlement.reject(bond)?,
            fault => accounts.settlement.uphold(fault, bond)?,
        }
        let challenger = accounts.settlement.challenger.to_account_info();
        accounts.dispute.close(challenger)
    }
}
