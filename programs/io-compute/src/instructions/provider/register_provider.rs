use crate::{
    constants::*,
    events::{emit_event, ProviderRegistered},
    init,
    state::*,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct RegisterProvider<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    /// CHECK: created as `Provider` by the handler (pre-funding tolerant).
    #[account(mut, seeds = [PROVIDER_SEED, authority.key().as_ref()], bump)]
    pub provider: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl RegisterProvider<'_> {
    #[access_control(args.validate())]
    pub fn handle(ctx: Context<Self>, args: ProviderProfile) -> Result<()> {
        let accounts = &ctx.accounts;
        let bump = ctx.bumps.provider;
        let authority = accounts.authority.key();
        let provider = Provider {
            authority,
            name: args.name,
            region: args.region,
            endpoint: args.endpoint,
            co_stake_share_bps: args.co_stake_share_bps,
            pending_co_stake_share_bps: 0,
            pending_share_effective_at: 0,
            stake: StakePool::default(),
            // Zero weight: the first accrual only sets the global snapshot.
            rewards: ProviderRewards::default(),
            device_count: 0,
            next_device_index: 0,
            required_stake_active: 0,
            required_stake_leased: 0,
            reputation: Reputation::default(),
            created_at: Clock::get()?.unix_timestamp,
            bump,
        };
        init::create_program_account(
            &accounts.authority,
            &accounts.provider,
            8 + Provider::INIT_SPACE,
            &[PROVIDER_SEED, authority.as_ref(), &[bump]],
            &provider,
        )?;
        emit_event(ProviderRegistered {
            provider: accounts.provider.key(),
            authority,
            name: provider.name,
            region: provider.region,
            endpoint: provider.endpoint,
            co_stake_share_bps: provider.co_stake_share_bps,
        });
        Ok(())
    }
}
