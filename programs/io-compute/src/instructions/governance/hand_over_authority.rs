use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, AuthorityHandedOver},
    state::*,
};
use anchor_lang::prelude::*;

/// The config authority makes the governance account the config authority,
/// for good: from then on admin-only changes go through proposals (the
/// governance PDA signs nothing, it only executes passed proposals).
/// Proposals created before this moment never execute.
#[derive(Accounts)]
pub struct HandOverAuthority<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ IoComputeError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [GOVERNANCE_SEED], bump = governance.bump)]
    pub governance: Box<Account<'info, Governance>>,
}

impl HandOverAuthority<'_> {
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let previous = accounts.config.authority;
        accounts.config.authority = accounts.governance.key();
        let governance = &mut accounts.governance;
        governance.first_executable_id = governance.next_proposal_id;
        emit_event(AuthorityHandedOver {
            previous,
            governance: accounts.governance.key(),
        });
        Ok(())
    }
}
