use crate::{error::IoComputeError, instructions::proof::settlement::*, state::*};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ResolveDisputeArgs {
    pub verdict: Verdict,
}

/// The arbiter (`Config.arbiter`, replaceable by governance) decides a
/// dispute: upheld (the provider's or the keeper's fault) voids the proof
/// and slashes whoever caused it (`ProofSettlement::uphold`); rejected pays
/// the bond to the provider and clears the proof
/// (`ProofSettlement::reject`).
#[derive(Accounts)]
pub struct ResolveDispute<'info> {
    pub authority: Signer<'info>,
    pub settlement: ProofSettlement<'info>,
}

impl ResolveDispute<'_> {
    pub fn validate(&self, args: &ResolveDisputeArgs) -> Result<()> {
        require_keys_eq!(
            self.authority.key(),
            self.settlement.config.arbiter,
            IoComputeError::NotArbiter
        );
        require!(
            self.settlement.proof.status == ProofStatus::Disputed,
            IoComputeError::ProofNotDisputed
        );
        self.settlement
            .require_parties(args.verdict != Verdict::Rejected)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: ResolveDisputeArgs) -> Result<()> {
        match args.verdict {
            Verdict::Rejected => ctx.accounts.settlement.reject(),
            fault => ctx.accounts.settlement.uphold(fault),
        }
    }
}
