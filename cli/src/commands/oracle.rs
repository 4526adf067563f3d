use crate::context::Context;
use anyhow::Result;
use clap::Subcommand;
use io_compute::state::{OracleSource, PriceFeed};
use io_compute_sdk::{ix, pda};
use serde_json::json;
use solana_sdk::signer::Signer;

#[derive(Subcommand, Debug)]
pub enum OracleCommand {
    /// The configured price source and the authority feed's last price.
    Show,
    /// Post a price (USD per IO) as the price authority.
    SetPrice {
        /// e.g. 2.50
        usd: String,
    },
}

/// USD with up to 8 decimals as a mantissa at exponent -8.
fn usd_e8(text: &str) -> Result<i64> {
    let value = io_compute_sdk::amount::parse_amount(text, 8)?;
    Ok(i64::try_from(value)?)
}

pub async fn run(ctx: &Context, command: OracleCommand) -> Result<()> {
    let client = ctx.client()?;
    match command {
        OracleCommand::Show => {
            let config: io_compute::state::Config = client.expect_account(&pda::config()).await?;
            let feed: Option<PriceFeed> = client.account(&pda::price_feed()).await?;
            let source = match config.oracle.source {
                OracleSource::Authority => "authority",
                OracleSource::Pyth => "pyth",
            };
            let price = feed.as_ref().map(|f| {
                json!({"price": f.price, "conf": f.conf, "expo": f.expo, "publish_time": f.publish_time})
            });
            ctx.print(
                json!({
                    "source": source,
                    "price_authority": config.oracle.price_authority.to_string(),
                    "max_age_secs": config.oracle.max_age_secs,
                    "feed": price,
                }),
                || match &feed {
                    Some(f) => format!(
                        "source {source}, price {} x 10^{} USD (conf {}), published at {}",
                        f.price, f.expo, f.conf, f.publish_time
                    ),
                    None => format!("source {source}, no authority price posted"),
                },
            );
        }
        OracleCommand::SetPrice { usd } => {
            let price = usd_e8(&usd)?;
            let me = client.payer.pubkey();
            let signature = ctx
                .waiting(
                    "posting price",
                    client.send(&[ix::update_price(me, price, 0, -8)], &[]),
                )
                .await?;
            ctx.print(
                json!({"signature": signature.to_string(), "price": price, "expo": -8}),
                || format!("Price set to {usd} USD ({signature})"),
            );
        }
    }
    Ok(())
}
