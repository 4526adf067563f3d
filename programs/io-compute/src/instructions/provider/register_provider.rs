use crate::{
    constants::*,
    events::{emit_event, ProviderRegistered},
    pda_create,
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
        // Zero weight: the first accrual only sets the global snapshot.
        let provider = Provider::new(authority, args, Clock::get()?.unix_timestamp, bump);
        pda_create::create_program_account(
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
