use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, ProviderClosed},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CloseProvider<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        mut, close = authority,
        seeds = [PROVIDER_SEED, authority.key().as_ref()], bump = provider.bump,
        has_one = authority @ IoComputeError::NotProviderAuthority,
    )]
    pub provider: Box<Account<'info, Provider>>,
}

impl CloseProvider<'_> {
    pub fn validate(&self) -> Result<()> {
        self.provider.is_closable()
    }

    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        emit_event(ProviderClosed {
            provider: ctx.accounts.provider.key(),
            authority: ctx.accounts.authority.key(),
        });
        Ok(())
    }
}
