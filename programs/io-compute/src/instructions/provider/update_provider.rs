use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProviderUpdated},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdateProvider<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut, seeds = [PROVIDER_SEED, authority.key().as_ref()], bump = provider.bump,
        has_one = authority @ IoComputeError::NotProviderAuthority,
    )]
    pub provider: Box<Account<'info, Provider>>,
}

impl UpdateProvider<'_> {
    /// Replaces the whole profile; the CLI fills unchanged fields from the
    /// current account.
    #[access_control(args.validate())]
    pub fn handle(ctx: Context<Self>, args: ProviderProfile) -> Result<()> {
        let provider = &mut ctx.accounts.provider;
        provider.name = args.name;
        provider.region = args.region;
        provider.endpoint = args.endpoint;
        provider.co_stake_share_bps = args.co_stake_share_bps;
        emit_event(ProviderUpdated {
            provider: provider.key(),
            name: provider.name.clone(),
            region: provider.region.clone(),
            endpoint: provider.endpoint.clone(),
            co_stake_share_bps: provider.co_stake_share_bps,
        });
        Ok(())
    }
}
