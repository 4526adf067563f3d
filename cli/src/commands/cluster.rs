use crate::context::Context;
use anyhow::{anyhow, Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use io_compute::{
    state::{Device, Lease, LeaseSpec, LeaseStatus, Market, Payment, Tokenomics},
    CreateLeaseWithIoArgs,
};
use io_compute_sdk::{amount::Token, client::Client, filters, gpu, ix, pda};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signer::Signer};

#[derive(Subcommand, Debug)]
pub enum ClusterCommand {
    /// Rent a GPU cluster; the deposit goes into escrow.
    Create(CreateArgs),
    /// Your clusters (or everyone's with --all).
    List {
        #[arg(long)]
        all: bool,
    },
    /// One cluster by id.
    Show { id: u64 },
    /// Add IOSD to a cluster's escrow.
    TopUp {
        id: u64,
        #[arg(allow_hyphen_values = true)]
        amount: String,
    },
    /// Cancel a cluster no device was assigned to: full refund.
    Cancel { id: u64 },
    /// End a cluster: devices released, unreserved escrow refunded.
    Close { id: u64 },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Pay {
    Iosd,
    Io,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    #[arg(long)]
    pub gpu: String,
    #[arg(long)]
    pub count: u8,
    #[arg(long)]
    pub hours: u32,
    /// Most IOSD per GPU-hour, e.g. 0.50.
    #[arg(long, allow_hyphen_values = true)]
    pub max_price: String,
    /// Region code; any region when left out.
    #[arg(long, default_value = "")]
    pub region: String,
    #[arg(long, default_value_t = 0)]
    pub min_reliability_bps: u16,
    #[arg(long, value_enum, default_value_t = Pay::Iosd)]
    pub pay: Pay,
    /// With --pay io: most IO to burn for the deposit.
    #[arg(long)]
    pub max_io: Option<String>,
}

fn status_name(status: LeaseStatus) -> &'static str {
    match status {
        LeaseStatus::Open => "open",
        LeaseStatus::Active => "active",
        LeaseStatus::Closed => "closed",
    }
}

pub fn lease_json(key: &Pubkey, l: &Lease) -> Value {
    json!({
        "id": l.id,
        "address": key.to_string(),
        "client": l.client.to_string(),
        "gpu": gpu::model_name(&l.spec.model),
        "count": l.spec.gpu_count,
        "region": l.spec.region,
        "hours": l.spec.hours,
        "max_price_per_gpu_hour": l.spec.max_price_per_gpu_hour,
        "payment": match l.payment { Payment::Iosd => "iosd", Payment::Io => "io" },
        "status": status_name(l.status),
        "deposited": l.deposited,
        "escrow": l.escrow,
        "reserved": l.reserved,
        "paid_out": l.paid_out,
        "fees": l.fees,
        "refunded": l.refunded,
        "devices": l.devices.iter().map(|d| json!({
            "id": d.device.to_string(),
            "gpus": d.gpu_count,
            "price_per_gpu_hour": d.price_per_gpu_hour,
            "proven_until": d.proven_until,
        })).collect::<Vec<_>>(),
        "open_proofs": l.open_proofs,
        "start": l.start,
        "end": l.end,
        "keeper": l.keeper.to_string(),
        "holdback": l.holdback,
        "holdback_until": l.holdback_until,
    })
}

/// "cluster 7 is active": the context a failed cluster command is reported in.
fn describe(id: u64, lease: &Lease) -> String {
    format!("cluster {id} is {}", status_name(lease.status))
}

pub async fn load_lease(client: &Client, id: u64) -> Result<Lease> {
    client
        .account(&pda::lease(id))
        .await?
        .ok_or_else(|| anyhow!("cluster {id} does not exist"))
}

pub async fn run(ctx: &Context, command: ClusterCommand) -> Result<()> {
    let client = ctx.client()?;
    let me = client.payer.pubkey();
    let iosd_account = pda::associated_token(&me, &pda::iosd_mint());
    match command {
        ClusterCommand::Create(args) => {
            let spec = LeaseSpec {
                model: gpu::model_code(&args.gpu).ok_or_else(|| {
                    anyhow!("GPU model code {:?} is longer than 16 bytes", args.gpu)
                })?,
                gpu_count: args.count,
                region: args.region,
                hours: args.hours,
                max_price_per_gpu_hour: Token::Iosd.parse(&args.max_price)?,
                min_reliability_bps: args.min_reliability_bps,
            };
            let market: Market = client.expect_account(&pda::market()).await?;
            let id = market.next_lease_id;
            let instruction = match args.pay {
                Pay::Iosd => ix::create_lease(me, iosd_account, id, spec),
                Pay::Io => {
                    let tokenomics: Tokenomics = client.expect_account(&pda::tokenomics()).await?;
                    let max_io = args
                        .max_io
                        .as_deref()
                        .map(|m| Token::Io.parse(m))
                        .transpose()?;
                    ix::create_lease_with_io(
                        me,
                        pda::associated_token(&me, &pda::io_mint()),
                        id,
                        pda::price_feed(),
                        tokenomics.current_epoch,
                        CreateLeaseWithIoArgs {
                            spec,
                            max_io: max_io.unwrap_or(u64::MAX),
                        },
                    )
                }
            };
            let signature = ctx
                .waiting("creating cluster", client.send(&[instruction], &[]))
                .await?;
            let lease = load_lease(&client, id).await?;
            let mut out = lease_json(&pda::lease(id), &lease);
            out["signature"] = json!(signature.to_string());
            ctx.print(out, || {
                format!(
                    "Created cluster {id}: {} IOSD in escrow ({signature})",
                    Token::Iosd.format(lease.deposited)
                )
            });
        }
        ClusterCommand::List { all } => {
            let filters = if all {
                vec![]
            } else {
                vec![filters::leases_by_client(&me)]
            };
            let mut leases: Vec<(Pubkey, Lease)> = client.program_accounts(&filters).await?;
            leases.sort_by_key(|(_, l)| l.id);
            ctx.print(
                json!(leases
                    .iter()
                    .map(|(k, l)| lease_json(k, l))
                    .collect::<Vec<_>>()),
                || {
                    let mut lines = vec![format!(
                        "{:>4}  {:<10} {:>4} {:>5}  {:<7} {:>14}",
                        "id", "gpu", "gpus", "hours", "status", "escrow IOSD"
                    )];
                    lines.extend(leases.iter().map(|(_, l)| {
                        format!(
                            "{:>4}  {:<10} {:>4} {:>5}  {:<7} {:>14}",
                            l.id,
                            gpu::model_name(&l.spec.model),
                            l.spec.gpu_count,
                            l.spec.hours,
                            status_name(l.status),
                            Token::Iosd.format(l.escrow)
                        )
                    }));
                    lines.join("\n")
                },
            );
        }
        ClusterCommand::Show { id } => {
            let lease = load_lease(&client, id).await?;
            ctx.print(lease_json(&pda::lease(id), &lease), || {
                format!(
                    "cluster {id}: {} x {} for {} h, {} ; escrow {} IOSD ({} reserved), paid {} , refunded {}",
                    lease.spec.gpu_count,
                    gpu::model_name(&lease.spec.model),
                    lease.spec.hours,
                    status_name(lease.status),
                    Token::Iosd.format(lease.escrow),
                    Token::Iosd.format(lease.reserved),
                    Token::Iosd.format(lease.paid_out),
                    Token::Iosd.format(lease.refunded)
                )
            });
        }
        ClusterCommand::TopUp { id, amount } => {
            let lease = load_lease(&client, id).await?;
            let amount = Token::Iosd.parse(&amount)?;
            let signature = ctx
                .waiting(
                    "topping up",
                    client.send(&[ix::top_up_lease(me, id, iosd_account, amount)], &[]),
                )
                .await
                .with_context(|| describe(id, &lease))?;
            let lease = load_lease(&client, id).await?;
            ctx.print(
                json!({"id": id, "escrow": lease.escrow, "signature": signature.to_string()}),
                || {
                    format!(
                        "Cluster {id} escrow is {} IOSD ({signature})",
                        Token::Iosd.format(lease.escrow)
                    )
                },
            );
        }
        ClusterCommand::Cancel { id } => {
            let lease = load_lease(&client, id).await?;
            let signature = ctx
                .waiting(
                    "cancelling",
                    client.send(&[ix::cancel_lease(me, id, iosd_account)], &[]),
                )
                .await
                .with_context(|| describe(id, &lease))?;
            ctx.print(
                json!({"id": id, "refunded": lease.escrow, "signature": signature.to_string()}),
                || {
                    format!(
                        "Cancelled cluster {id}; {} IOSD refunded",
                        Token::Iosd.format(lease.escrow)
                    )
                },
            );
        }
        ClusterCommand::Close { id } => {
            let lease = load_lease(&client, id).await?;
            let mut providers = Vec::new();
            if lease.status == LeaseStatus::Active {
                for entry in &lease.devices {
                    let d: Device = client.expect_account(&entry.device).await?;
                    if !providers.contains(&d.provider) {
                        providers.push(d.provider);
                    }
                }
            }
            let devices = if lease.status == LeaseStatus::Active {
                lease.devices.iter().map(|d| d.device).collect()
            } else {
                vec![]
            };
            let destination = pda::associated_token(&lease.client, &pda::iosd_mint());
            let instruction =
                ix::close_lease(me, lease.client, id, destination, &devices, &providers);
            let before = client.token_balance(&destination).await?;
            // A lease of many devices from many providers does not fit a
            // legacy transaction: its devices and providers then go into an
            // address lookup table (owned by you; close it any time later).
            let send = async {
                if io_compute_sdk::lookup::fits_legacy(std::slice::from_ref(&instruction), &me) {
                    client.send(&[instruction], &[]).await
                } else {
                    let addresses = io_compute_sdk::lookup::lease_addresses(&devices, &providers);
                    client
                        .send_with_lookup_table(&[instruction], &[], &addresses)
                        .await
                        .map(|(signature, _)| signature)
                }
            };
            let signature = ctx
                .waiting("closing cluster", send)
                .await
                .with_context(|| describe(id, &lease))?;
            let refunded = client.token_balance(&destination).await? - before;
            // The record is gone once everything is settled.
            let (holdback, holdback_until) = match client.account::<Lease>(&pda::lease(id)).await? {
                Some(lease) => (lease.holdback, lease.holdback_until),
                None => (0, 0),
            };
            ctx.print(
                json!({
                    "id": id,
                    "refunded": refunded,
                    "holdback": holdback,
                    "holdback_until": holdback_until,
                    "signature": signature.to_string(),
                }),
                || {
                    let mut line = format!(
                        "Closed cluster {id}; {} IOSD refunded",
                        Token::Iosd.format(refunded)
                    );
                    if holdback > 0 {
                        line += &format!(
                            "; {} IOSD held for the keeper's last proofs until {holdback_until}",
                            Token::Iosd.format(holdback)
                        );
                    }
                    line
                },
            );
        }
    }
    Ok(())
}
