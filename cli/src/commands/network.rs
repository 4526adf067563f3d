use crate::context::Context;
use anyhow::Result;
use clap::Subcommand;
use io_compute::state::{Device, DeviceStatus, Lease, LeaseStatus, Tokenomics};
use io_compute_sdk::{amount::Token, gpu, pda};
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use std::collections::BTreeMap;

#[derive(Subcommand, Debug)]
pub enum NetworkCommand {
    /// Devices by GPU model, clusters, burns, IOSD supply and emissions.
    Stats,
}

pub async fn run(ctx: &Context, NetworkCommand::Stats: NetworkCommand) -> Result<()> {
    let client = ctx.client()?;
    let devices: Vec<(Pubkey, Device)> = client.program_accounts(&[]).await?;
    let leases: Vec<(Pubkey, Lease)> = client.program_accounts(&[]).await?;
    let tokenomics: Option<Tokenomics> = client.account(&pda::tokenomics()).await?;
    let mut by_model: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for (_, d) in &devices {
        let row = by_model.entry(gpu::model_name(&d.model)).or_default();
        let slot = match d.status {
            DeviceStatus::Idle => 0,
            DeviceStatus::Leased => 1,
            DeviceStatus::Offline | DeviceStatus::Jailed => 2,
        };
        row[slot] += d.gpu_count as u64;
    }
    let active = leases
        .iter()
        .filter(|(_, l)| l.status == LeaseStatus::Active)
        .count();
    let iosd_supply = client.mint_supply(&pda::iosd_mint()).await?;
    let (burned, emitted, epoch) = tokenomics.as_ref().map_or((0, 0, 0), |t| {
        (t.total_io_burned, t.total_io_emitted, t.current_epoch)
    });
    let models: Vec<_> = by_model
        .iter()
        .map(|(model, [idle, leased, offline])| {
            json!({"gpu": model, "idle_gpus": idle, "leased_gpus": leased, "offline_gpus": offline})
        })
        .collect();
    ctx.print(
        json!({
            "devices": devices.len(),
            "gpus_by_model": models,
            "active_clusters": active,
            "clusters": leases.len(),
            "epoch": epoch,
            "io_burned": burned,
            "io_emitted": emitted,
            "iosd_supply": iosd_supply,
        }),
        || {
            let mut lines = vec![format!("{:<10} {:>6} {:>7} {:>8}", "gpu", "idle", "leased", "offline")];
            lines.extend(by_model.iter().map(|(model, [i, l, o])| format!("{model:<10} {i:>6} {l:>7} {o:>8}")));
            lines.push(format!(
                "clusters {} ({active} active); epoch {epoch}; IO burned {}, emitted {}; IOSD supply {}",
                leases.len(),
                Token::Io.format(burned),
                Token::Io.format(emitted),
                Token::Iosd.format(iosd_supply)
            ));
            lines.join("\n")
        },
    );
    Ok(())
}
