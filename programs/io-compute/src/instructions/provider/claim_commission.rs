use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, CommissionClaimed},
    instructions::staking::payout::*,
    state::*,
};
use anchor_lang::prelude::*;

/// Pays the provider's authority its commission on co-stakers' rewards.
#[derive(Accounts)]
pub struct ClaimCommission<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut, seeds = [PROVIDER_SEED, authority.key().as_ref()], bump = provider.bump,
        has_one = authority @ IoComputeError::NotProviderAuthority,
    )]
    pub provider: Box<Account<'info, Provider>>,
    #[account(mut, seeds = [TOKENOMICS_SEED], bump = tokenomics.bump)]
    pub tokenomics: Box<Account<'info, Tokenomics>>,
    pub payout: RewardPayout<'info>,
}

impl ClaimCommission<'_> {
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let provider = &mut accounts.provider;
        let owed = provider.take_commission(&accounts.tokenomics.stakers, now)?;
        accounts
            .payout
            .pay(&mut accounts.tokenomics.stakers, owed)?;
        emit_event(CommissionClaimed {
            provider: provider.key(),
            authority: provider.authority,
            io: owed[REWARD_IO],
            iosd: owed[REWARD_IOSD],
        });
        Ok(())
    }
}
