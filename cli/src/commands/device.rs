use crate::context::{write_keypair, Context};
use anyhow::{anyhow, bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use io_compute::{
    state::{Device, DeviceSpec, DeviceStatus, Provider},
    UpdateDeviceArgs,
};
use io_compute_sdk::{amount::Token, filters, gpu, ix, pda};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signature::Keypair, signer::Signer};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum DeviceCommand {
    /// Add a GPU machine to your provider.
    Add(AddArgs),
    /// Change a device's price, status or worker key.
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
    /// The public key the device's worker signs its work with (best made
    /// on the GPU machine). Without it, a new worker keypair is made and
    /// saved beside your wallet, under workers/.
    #[arg(long)]
    pub worker: Option<Pubkey>,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    pub index: u32,
    #[arg(long)]
    pub price: Option<String>,
    #[arg(long, value_enum)]
    pub status: Option<Status>,
    /// A new worker public key (rotation; allowed at any time).
    #[arg(long)]
    pub worker: Option<Pubkey>,
}

/// Where `device add` saves a worker keypair it makes.
fn worker_keypair_path(ctx: &Context, device: &Pubkey) -> PathBuf {
    ctx.keypair_path
        .parent()
        .map(|dir| dir.join("workers"))
        .unwrap_or_else(|| PathBuf::from("workers"))
        .join(format!("{device}.json"))
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
        "worker": d.worker.to_string(),
        "open_proofs": d.open_proofs,
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
            let key = pda::device(&provider_key, index);
            let (worker, saved) = match args.worker {
                Some(worker) => (worker, None),
                None => {
                    let keypair = Keypair::new();
                    let path = worker_keypair_path(ctx, &key);
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    write_keypair(&keypair, &path)?;
                    (keypair.pubkey(), Some(path))
                }
            };
            let spec = DeviceSpec {
                model,
                gpu_count: args.count,
                vram_gb: args.vram,
                price_per_gpu_hour: Token::Iosd.parse(&args.price)?,
                status: args.status.into(),
                worker,
            };
            let signature = ctx
                .waiting(
                    "adding device",
                    client.send(&[ix::add_device(me, index, spec)], &[]),
                )
                .await?;
            let saved_at = saved.as_ref().map(|path| path.display().to_string());
            ctx.print(
                json!({
                    "id": key.to_string(),
                    "index": index,
                    "worker": worker.to_string(),
                    "worker_keypair": saved_at,
                    "signature": signature.to_string(),
                }),
                || match &saved_at {
                    Some(path) => format!(
                        "Added device {index} ({key}); its worker key {worker} is at {path}"
                    ),
                    None => format!("Added device {index} ({key}), worker {worker}"),
                },
            );
        }
        DeviceCommand::Update(args) => {
            if args.price.is_none() && args.status.is_none() && args.worker.is_none() {
                bail!("nothing to change: pass --price, --status and/or --worker");
            }
            let update = UpdateDeviceArgs {
                price_per_gpu_hour: args
                    .price
                    .as_deref()
                    .map(|p| Token::Iosd.parse(p))
                    .transpose()?,
                status: args.status.map(Into::into),
                worker: args.worker,
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
