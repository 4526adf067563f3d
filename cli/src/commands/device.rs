use crate::context::Context;
use anyhow::{anyhow, bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use io_compute::{
    state::{Device, DeviceSpec, DeviceStatus, Provider},
    UpdateDeviceArgs,
};
use io_compute_sdk::{amount::Token, filters, gpu, ix, pda};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signer::Signer};

#[derive(Subcommand, Debug)]
pub enum DeviceCommand {
    /// Add a GPU machine to your provider.
    Add(AddArgs),
    /// Change a device's price or status.
    Update(UpdateArgs),
    /// Remove a device (not while it is leased).
    Remove { index: u32 },
    /// A provider's devices (default: yours).
    List {
        #[arg(long)]
        provider: Option<Pubkey>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Status {
    Idle,
    Offline,
}

impl From<Status> for DeviceStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Idle => DeviceStatus::Idle,
            Status::Offline => DeviceStatus::Offline,
        }
    }
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// GPU model code, e.g. RTX4090 or H100-SXM.
    #[arg(long)]
    pub gpu: String,
    #[arg(long, default_value_t = 1)]
    pub count: u8,
    #[arg(long)]
    pub vram: u16,
    /// IOSD per GPU-hour, e.g. 0.45.
    #[arg(long)]
    pub price: String,
    #[arg(long, value_enum, default_value_t = Status::Idle)]
    pub status: Status,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    pub index: u32,
    #[arg(long)]
    pub price: Option<String>,
    #[arg(long, value_enum)]
    pub status: Option<Status>,
}

fn status_name(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Idle => "idle",
        DeviceStatus::Leased => "leased",
        DeviceStatus::Offline => "offline",
        DeviceStatus::Jailed => "jailed",
    }
}

pub fn device_json(key: &Pubkey, d: &Device) -> Value {
    json!({
        "id": key.to_string(),
        "index": d.index,
        "provider": d.provider.to_string(),
        "gpu": gpu::model_name(&d.model),
        "count": d.gpu_count,
        "vram_gb": d.vram_gb,
        "price_per_gpu_hour": d.price_per_gpu_hour,
        "status": status_name(d.status),
        "lease": (d.current_lease != Pubkey::default()).then(|| d.current_lease.to_string()),
        "reliability_bps": d.reliability_bps,
    })
}

pub async fn run(ctx: &Context, command: DeviceCommand) -> Result<()> {
    let client = ctx.client()?;
    let me = client.payer.pubkey();
    let provider_key = pda::provider(&me);
    match command {
        DeviceCommand::Add(args) => {
            let model = gpu::model_code(&args.gpu)
                .ok_or_else(|| anyhow!("GPU model code {:?} is longer than 16 bytes", args.gpu))?;
            let provider: Provider = client.account(&provider_key).await?.ok_or_else(|| {
                anyhow!("you are not a provider yet: run `ioc provider register`")
            })?;
            let index = provider.next_device_index;
            let spec = DeviceSpec {
                model,
                gpu_count: args.count,
                vram_gb: args.vram,
                price_per_gpu_hour: Token::Iosd.parse(&args.price)?,
                status: args.status.into(),
            };
            let signature = ctx
                .waiting(
                    "adding device",
                    client.send(&[ix::add_device(me, index, spec)], &[]),
                )
                .await?;
            let key = pda::device(&provider_key, index);
            ctx.print(
                json!({"id": key.to_string(), "index": index, "signature": signature.to_string()}),
                || format!("Added device {index} ({key})"),
            );
        }
        DeviceCommand::Update(args) => {
            if args.price.is_none() && args.status.is_none() {
                bail!("nothing to change: pass --price and/or --status");
            }
            let update = UpdateDeviceArgs {
                price_per_gpu_hour: args
                    .price
                    .as_deref()
                    .map(|p| Token::Iosd.parse(p))
                    .transpose()?,
                status: args.status.map(Into::into),
            };
            let signature = ctx
                .waiting(
                    "updating device",
                    client.send(&[ix::update_device(me, args.index, update)], &[]),
                )
                .await?;
            let key = pda::device(&provider_key, args.index);
            let device: Device = client.expect_account(&key).await?;
            let mut out = device_json(&key, &device);
            out["signature"] = json!(signature.to_string());
            ctx.print(out, || {
                format!("Updated device {} ({signature})", args.index)
            });
        }
        DeviceCommand::Remove { index } => {
            let signature = ctx
                .waiting(
                    "removing device",
                    client.send(&[ix::remove_device(me, index)], &[]),
                )
                .await?;
            ctx.print(
                json!({"index": index, "signature": signature.to_string()}),
                || format!("Removed device {index} ({signature})"),
            );
        }
        DeviceCommand::List { provider } => {
            let provider_key = pda::provider(&provider.unwrap_or(me));
            let mut devices: Vec<(Pubkey, Device)> = client
                .program_accounts(&[filters::devices_by_provider(&provider_key)])
                .await?;
            devices.sort_by_key(|(_, d)| d.index);
            ctx.print(
                json!(devices
                    .iter()
                    .map(|(k, d)| device_json(k, d))
                    .collect::<Vec<_>>()),
                || {
                    let mut lines = vec![format!(
                        "{:>5}  {:<10} {:>4} {:>6}  {:>12}  {:<8} {:>6}",
                        "index", "gpu", "gpus", "vram", "IOSD/GPU-h", "status", "rel%"
                    )];
                    lines.extend(devices.iter().map(|(_, d)| {
                        format!(
                            "{:>5}  {:<10} {:>4} {:>4}GB  {:>12}  {:<8} {:>6.1}",
                            d.index,
                            gpu::model_name(&d.model),
                            d.gpu_count,
                            d.vram_gb,
                            Token::Iosd.format(d.price_per_gpu_hour),
                            status_name(d.status),
                            d.reliability_bps as f64 / 100.0
                        )
                    }));
                    lines.join("\n")
                },
            );
        }
    }
    Ok(())
}
