//! `ioc`: the IO Compute command-line interface.

mod localnet;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "ioc",
    version,
    about = "IO Compute: a decentralized GPU cloud settled on Solana"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a local Solana chain with io-compute loaded, over standard JSON-RPC.
    Localnet(localnet::LocalnetArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("IOC_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,tarpc=off")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Localnet(args) => localnet::run(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
