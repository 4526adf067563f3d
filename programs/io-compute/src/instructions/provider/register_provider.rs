use crate::{constants::*, events::ProviderRegistered, state::*};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct RegisterProvider<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        init, payer = authority, space = 8 + Provider::INIT_SPACE,
        seeds = [PROVIDER_SEED, authority.key().as_ref()], bump,
    )]
    pub provider: Box<Account<'info, Provider>>,
    pub system_program: Program<'info, System>,
}

impl RegisterProvider<'_> {
    #[access_control(args.validate())]
    pub fn handle(ctx: Context<Self>, args: ProviderProfile) -> Result<()> {
        let provider = &mut ctx.accounts.provider;
        provider.set_inner(Provider {
            authority: ctx.accounts.authority.key(),
            name: args.name,
            region: args.region,
            endpoint: args.endpoint,
            co_stake_share_bps: args.co_stake_share_bps,
            stake: StakePool::default(),
            device_count: 0,
            next_device_index: 0,
            required_stake_active: 0,
            required_stake_leased: 0,
            reputation: Reputation::default(),
            created_at: Clock::get()?.unix_timestamp,
            bump: ctx.bumps.provider,
        });
        emit!(ProviderRegistered {
            provider: provider.key(),
            authority: provider.authority,
            name: provider.name.clone(),
            region: provider.region.clone(),
            endpoint: provider.endpoint.clone(),
            co_stake_share_bps: provider.co_stake_share_bps,
        });
        Ok(())
    }
}
