use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, AuthorityHandedOver},
    state::*,
};
use anchor_lang::prelude::*;

/// Who holds the roles that must sign (M2): at the handover none may stay
/// with the deployer. Governance replaces them by proposal later.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct HandOverAuthorityArgs {
    /// Decides disputes (`resolve_dispute`, `void_device_rewards`).
    pub arbiter: Pubkey,
    /// Admits and removes keepers.
    pub keeper_admin: Pubkey,
    /// Posts the authority price feed.
    pub price_authority: Pubkey,
}

/// The config authority makes the governance account the config authority,
/// for good: from then on admin-only changes go through proposals (the
/// governance PDA signs nothing, it only executes passed proposals).
/// Proposals created before this moment never execute. The arbiter, the
/// keeper admin and the price authority go to the keys named here (a
/// multisig, an operations key), never the deployer's.
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
    pub fn validate(&self, args: &HandOverAuthorityArgs) -> Result<()> {
        let deployer = self.authority.key();
        for role in [args.arbiter, args.keeper_admin, args.price_authority] {
            require!(
                role != deployer && role != Pubkey::default(),
                IoComputeError::RoleStaysWithDeployer
            );
        }
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: HandOverAuthorityArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let previous = accounts.config.authority;
        let config = &mut accounts.config;
        config.arbiter = args.arbiter;
        config.keeper_admin = args.keeper_admin;
        config.oracle.price_authority = args.price_authority;
        config.authority = accounts.governance.key();
        let governance = &mut accounts.governance;
        governance.first_executable_id = governance.next_proposal_id;
        emit_event(AuthorityHandedOver {
            previous,
            governance: accounts.governance.key(),
        });
        Ok(())
    }
}
