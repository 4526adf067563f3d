use crate::context::Context;
use anyhow::Result;
use clap::{Args, Subcommand};
use io_compute::state::{Provider, ProviderProfile};
use io_compute_sdk::{amount::Token, ix, pda};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signer::Signer};

#[derive(Subcommand, Debug)]
pub enum ProviderCommand {
    /// Register yourself as a GPU provider.
    Register(ProfileArgs),
    /// Change your profile; fields left out keep their value.
    Update(UpdateArgs),
    /// A provider's profile, stake and reputation (default: yours).
    Show {
        /// The provider's authority wallet.
        authority: Option<Pubkey>,
    },
    /// Close your provider account (no devices, no stake left).
    Close,
}

#[derive(Args, Debug)]
pub struct ProfileArgs {
    #[arg(long)]
    pub name: String,
    /// Region code, e.g. us-east.
    #[arg(long)]
    pub region: String,
    /// https URL of your worker endpoint.
    #[arg(long)]
    pub endpoint: String,
    /// Share of their own stake's rewards co-stakers keep (bps).
    #[arg(long, default_value_t = 8_000)]
    pub co_stake_share_bps: u16,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub endpoint: Option<String>,
    #[arg(long)]
    pub co_stake_share_bps: Option<u16>,
}

pub fn provider_json(key: &Pubkey, p: &Provider) -> Value {
    json!({
        "id": key.to_string(),
        "authority": p.authority.to_string(),
        "name": p.name,
        "region": p.region,
        "endpoint": p.endpoint,
        "co_stake_share_bps": p.co_stake_share_bps,
        "pending_co_stake_share_bps": p.pending_co_stake_share_bps,
        "pending_share_effective_at": p.pending_share_effective_at,
        "stake": p.stake.amount().unwrap_or_default(),
        "effective_stake": p.stake.effective_stake().unwrap_or(0),
        "required_stake": p.required_stake_active,
        "positions": p.stake.position_count(),
        "devices": p.device_count,
        "proofs_finalized": p.reputation.proofs_finalized,
        "disputes_lost": p.reputation.disputes_lost,
        "slashed": p.reputation.total_slashed,
    })
}

pub async fn run(ctx: &Context, command: ProviderCommand) -> Result<()> {
    let client = ctx.client()?;
    let me = client.payer.pubkey();
    let key = pda::provider(&me);
    match command {
        ProviderCommand::Register(args) => {
            let profile = ProviderProfile {
                name: args.name,
                region: args.region,
                endpoint: args.endpoint,
                co_stake_share_bps: args.co_stake_share_bps,
            };
            let signature = ctx
                .waiting(
                    "registering",
                    client.send(&[ix::register_provider(me, profile)], &[]),
                )
                .await?;
            ctx.print(
                json!({"id": key.to_string(), "signature": signature.to_string()}),
                || format!("Registered provider {key} ({signature})"),
            );
        }
        ProviderCommand::Update(args) => {
            let current: Provider = client.expect_account(&key).await?;
            let profile = ProviderProfile {
                name: args.name.unwrap_or(current.name),
                region: args.region.unwrap_or(current.region),
                endpoint: args.endpoint.unwrap_or(current.endpoint),
                co_stake_share_bps: args
                    .co_stake_share_bps
                    .unwrap_or(current.co_stake_share_bps),
            };
            let signature = ctx
                .waiting(
                    "updating",
                    client.send(&[ix::update_provider(me, profile)], &[]),
                )
                .await?;
            let updated: Provider = client.expect_account(&key).await?;
            let mut out = provider_json(&key, &updated);
            out["signature"] = json!(signature.to_string());
            ctx.print(out, || format!("Updated provider {key} ({signature})"));
        }
        ProviderCommand::Show { authority } => {
            let key = pda::provider(&authority.unwrap_or(me));
            let p: Provider = client.expect_account(&key).await?;
            ctx.print(provider_json(&key, &p), || {
                format!(
                    "{} ({})\n  region {}  endpoint {}\n  stake {} IO (effective {}, required {})\n  devices {}  positions {}  co-stakers keep {} bps\n  proofs finalized {}  disputes lost {}",
                    p.name,
                    key,
                    p.region,
                    p.endpoint,
                    Token::Io.format(p.stake.amount().unwrap_or_default()),
                    Token::Io.format(p.stake.effective_stake().unwrap_or(0)),
                    Token::Io.format(p.required_stake_active),
                    p.device_count,
                    p.stake.position_count(),
                    p.co_stake_share_bps,
                    p.reputation.proofs_finalized,
                    p.reputation.disputes_lost,
                )
            });
        }
        ProviderCommand::Close => {
            let signature = ctx
                .waiting("closing", client.send(&[ix::close_provider(me)], &[]))
                .await?;
            ctx.print(
                json!({"id": key.to_string(), "signature": signature.to_string()}),
                || format!("Closed provider {key} ({signature})"),
            );
        }
    }
    Ok(())
}
