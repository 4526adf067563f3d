//! io-keeper: matches IO Compute clusters to devices. Settings from a TOML
//! file, then IO_KEEPER_* variables, then flags; Ctrl-C stops it cleanly.

use anyhow::Result;
use clap::Parser;
use io_keeper::config::{KeeperConfig, Overrides};

#[derive(Parser)]
#[command(name = "io-keeper", version, about)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    if let Err(error) = runtime.block_on(run()) {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    let config = KeeperConfig::load(&cli.overrides)?;
    let keeper = io_keeper::start(config).await?;
    tokio::signal::ctrl_c().await?;
    keeper.shutdown().await
}
