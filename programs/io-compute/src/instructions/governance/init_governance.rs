use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, GovernanceInitialized},
    pda_create,
    state::*,
};
use anchor_lang::prelude::*;

/// The config authority creates the governance account with its
/// parameters. Proposals can be made and voted on from then on; they
/// execute once `hand_over_authority` has made governance the authority.
#[derive(Accounts)]
pub struct InitGovernance<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ IoComputeError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, Config>>,
    /// CHECK: created as `Governance` by the handler.
    #[account(mut, seeds = [GOVERNANCE_SEED], bump)]
    pub governance: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl InitGovernance<'_> {
    #[access_control(args.validate())]
    pub fn handle(ctx: Context<Self>, args: GovernanceParams) -> Result<()> {
        let bump = ctx.bumps.governance;
        pda_create::create_program_account(
            &ctx.accounts.authority,
            &ctx.accounts.governance,
            8 + Governance::INIT_SPACE,
            &[GOVERNANCE_SEED, &[bump]],
            &Governance {
                params: args,
                next_proposal_id: 0,
                first_executable_id: u64::MAX,
                bump,
            },
        )?;
        emit_event(GovernanceInitialized { params: args });
        Ok(())
    }
}
