use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, OracleSet},
    pda_create,
    state::*,
};
use anchor_lang::prelude::*;

/// Chooses the price source and its limits. Creates the authority
/// `PriceFeed` the first time (it stays, so switching back keeps its price).
#[derive(Accounts)]
pub struct SetOracle<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ IoComputeError::NotConfigAuthority,
    )]
    pub config: Box<Account<'info, Config>>,
    /// CHECK: the authority price feed PDA, created here when missing.
    #[account(mut, seeds = [PRICE_FEED_SEED], bump)]
    pub price_feed: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl SetOracle<'_> {
    #[access_control(args.validate())]
    pub fn handle(ctx: Context<Self>, args: OracleConfig) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        if accounts.price_feed.data_is_empty() {
            let bump = ctx.bumps.price_feed;
            pda_create::create_program_account(
                &accounts.authority,
                &accounts.price_feed,
                8 + PriceFeed::INIT_SPACE,
                &[PRICE_FEED_SEED, &[bump]],
                &PriceFeed {
                    price: 0,
                    conf: 0,
                    expo: 0,
                    publish_time: 0,
                    window_price: 0,
                    window_start: 0,
                    bump,
                },
            )?;
        }
        accounts.config.oracle = args;
        emit_event(OracleSet {
            source: args.source,
            pyth_feed_id: args.pyth_feed_id,
            price_authority: args.price_authority,
            max_age_secs: args.max_age_secs,
            max_conf_bps: args.max_conf_bps,
            max_change_bps: args.max_change_bps,
        });
        Ok(())
    }
}
