use crate::{error::IoComputeError, instructions::proof::settlement::*, state::*};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ResolveDisputeArgs {
    /// True: the proof was wrong.
    pub upheld: bool,
}

/// The arbiter (`Config.arbiter`, replaceable by governance) decides a
/// dispute:
/// upheld voids the proof and slashes (`ProofSettlement::uphold`), rejected
/// pays the bond to the provider and re-locks the proof
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
        self.settlement.require_parties(args.upheld)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: ResolveDisputeArgs) -> Result<()> {
        if args.upheld {
            ctx.accounts.settlement.uphold()
        } else {
            ctx.accounts.settlement.reject()
        }
    }
}
