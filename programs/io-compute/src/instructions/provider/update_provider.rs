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
    #[account(seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
}

impl UpdateProvider<'_> {
    /// Replaces the whole profile; the CLI fills unchanged fields from the
    /// current account. A lower co-stake share is announced, not applied (see
    /// `Provider::set_co_stake_share`).
    #[access_control(args.validate())]
    pub fn handle(ctx: Context<Self>, args: ProviderProfile) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let provider = &mut ctx.accounts.provider;
        provider.update_profile(&ctx.accounts.tokenomics.stakers, args, now)?;
        emit_event(ProviderUpdated {
            provider: provider.key(),
            name: provider.name.clone(),
            region: provider.region.clone(),
            endpoint: provider.endpoint.clone(),
            co_stake_share_bps: provider.co_stake_share_bps,
            pending_co_stake_share_bps: provider.pending_co_stake_share_bps,
            pending_share_effective_at: provider.pending_share_effective_at,
        });
        Ok(())
    }
}
