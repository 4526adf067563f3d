use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, PriceUpdated},
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct UpdatePriceArgs {
    /// USD per IO is `price x 10^expo`.
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
}

/// The price authority posts the IO/USD price (authority oracle source).
#[derive(Accounts)]
pub struct UpdatePrice<'info> {
    pub price_authority: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED], bump = config.bump,
        constraint = config.oracle.price_authority == price_authority.key() @ IoComputeError::NotPriceAuthority,
    )]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, seeds = [PRICE_FEED_SEED], bump = price_feed.bump)]
    pub price_feed: Box<Account<'info, PriceFeed>>,
}

impl UpdatePrice<'_> {
    pub fn handle(ctx: Context<Self>, args: UpdatePriceArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let limits = &ctx.accounts.config.oracle;
        let feed = &mut ctx.accounts.price_feed;
        feed.update(args.price, args.conf, args.expo, now, limits)?;
        emit_event(PriceUpdated {
            price: feed.price,
            conf: feed.conf,
            expo: feed.expo,
            publish_time: feed.publish_time,
        });
        Ok(())
    }
}
