//! `ioc localnet`: the embedded chain in the foreground until Ctrl-C or
//! SIGTERM, then a final ledger snapshot.

use anyhow::Context;
use clap::Args;
use localnet::{Localnet, LocalnetConfig};
use std::path::PathBuf;

#[derive(Args)]
pub struct LocalnetArgs {
    /// HTTP JSON-RPC port; the WebSocket listens on the next port.
    #[arg(long, default_value_t = 8899, env = "IOC_RPC_PORT")]
    rpc_port: u16,
    /// Keep state in this directory across restarts.
    #[arg(long, env = "IOC_LEDGER")]
    ledger: Option<PathBuf>,
    /// Start from genesis, discarding the ledger's snapshot.
    #[arg(long, requires = "ledger")]
    reset: bool,
}

pub async fn run(args: LocalnetArgs) -> anyhow::Result<()> {
    let config = LocalnetConfig {
        rpc_port: args.rpc_port,
        ledger: args.ledger.clone(),
        reset: args.reset,
        ..LocalnetConfig::default()
    };
    let localnet = Localnet::start(config)
        .await
        .context("starting the localnet")?;
    println!("RPC URL:       {}", localnet.rpc_url());
    println!("WebSocket URL: {}", localnet.ws_url());
    println!("Program id:    {}", io_compute::ID);
    match &args.ledger {
        Some(dir) => println!(
            "Ledger:        {} ({} accounts restored)",
            dir.display(),
            localnet.accounts_restored
        ),
        None => println!("Ledger:        none (state is lost at exit; use --ledger DIR)"),
    }
    println!("ready");
    wait_for_stop().await;
    println!("stopping: writing the final snapshot");
    localnet.shutdown().await;
    Ok(())
}

async fn wait_for_stop() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
