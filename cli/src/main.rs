//! `ioc`: the IO Compute command-line interface, with Solana CLI
//! conventions (`--url`, `--keypair`, the Solana CLI config file), tables or
//! `--json`, and a one-line error and non-zero exit on any failure.

mod app_server;
mod commands;
mod context;
mod faucet;
mod localnet;

use clap::{Parser, Subcommand};
use commands::{
    bench::BenchArgs, cluster::ClusterCommand, device::DeviceCommand, epoch::EpochCommand,
    gov::GovCommand, job::JobCommand, keygen::KeygenCommand, migrate::MigrateArgs,
    network::NetworkCommand, oracle::OracleCommand, proof::ProofCommand, provider::ProviderCommand,
    settings::ConfigCommand, stake::StakeCommand, token::TokenCommand, up::UpArgs,
};
use context::{Context, Global};

#[derive(Parser)]
#[command(
    name = "ioc",
    version,
    about = "IO Compute: a decentralized GPU cloud settled on Solana"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The whole network on this machine: chain, keeper, this machine's
    /// worker and a demo client; with --demo, a cluster rented, jobs run,
    /// proven and checked.
    Up(UpArgs),
    /// Settlement cost and speed on this machine: cluster-ready time, jobs
    /// per second and latency, transactions, fees and rent per job (from the
    /// chain). Build optimized: `cargo run --profile bench --bin ioc -- bench`.
    Bench(BenchArgs),
    /// Run a local Solana chain with io-compute loaded, over standard JSON-RPC.
    Localnet(localnet::LocalnetArgs),
    /// Keypair files.
    #[command(subcommand)]
    Keygen(KeygenCommand),
    /// The default URL and keypair (the Solana CLI config file).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Apply the pending protocol set-up steps to the cluster.
    Migrate(MigrateArgs),
    /// Your provider profile.
    #[command(subcommand)]
    Provider(ProviderCommand),
    /// Your GPU devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Staking, co-staking and rewards.
    #[command(subcommand)]
    Stake(StakeCommand),
    /// Balances, IO -> IOSD, localnet airdrops.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The IO/USD price source.
    #[command(subcommand)]
    Oracle(OracleCommand),
    /// Epochs and emissions.
    #[command(subcommand)]
    Epoch(EpochCommand),
    /// GPU clusters you rent; each cluster is an on-chain lease with its IOSD in escrow.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Jobs on a cluster you rent: submit, status, wait, result, receipts.
    #[command(subcommand)]
    Job(JobCommand),
    /// Usage proofs: list, dispute, settle.
    #[command(subcommand)]
    Proof(ProofCommand),
    /// Governance: propose, vote, execute.
    #[command(subcommand)]
    Gov(GovCommand),
    /// The network at a glance.
    #[command(subcommand)]
    Network(NetworkCommand),
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Localnet(args) => return localnet::run(args).await,
        Command::Up(args) => return commands::up::run(args).await,
        Command::Bench(args) => return commands::bench::run(args, cli.global.json).await,
        _ => {}
    }
    let ctx = Context::new(cli.global)?;
    match cli.command {
        Command::Localnet(_) | Command::Up(_) | Command::Bench(_) => {
            unreachable!("handled above")
        }
        Command::Keygen(command) => commands::keygen::run(&ctx, command),
        Command::Config(command) => commands::settings::run(&ctx, command),
        Command::Migrate(args) => commands::migrate::run(&ctx, args).await,
        Command::Provider(command) => commands::provider::run(&ctx, command).await,
        Command::Device(command) => commands::device::run(&ctx, command).await,
        Command::Stake(command) => commands::stake::run(&ctx, command).await,
        Command::Token(command) => commands::token::run(&ctx, command).await,
        Command::Oracle(command) => commands::oracle::run(&ctx, command).await,
        Command::Epoch(command) => commands::epoch::run(&ctx, command).await,
        Command::Cluster(command) => commands::cluster::run(&ctx, command).await,
        Command::Job(command) => commands::job::run(&ctx, command).await,
        Command::Proof(command) => commands::proof::run(&ctx, command).await,
        Command::Gov(command) => commands::gov::run(&ctx, command).await,
        Command::Network(command) => commands::network::run(&ctx, command).await,
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("IOC_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,tarpc=off,solana_metrics=off")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // One line: the error and its causes, joined.
            eprintln!("error: {}", format!("{err:#}").replace('\n', " "));
            std::process::ExitCode::FAILURE
        }
    }
}
