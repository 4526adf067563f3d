//! io-worker: detect this machine's compute, benchmark it, and register its
//! devices on-chain with this machine's worker key.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use io_compute_sdk::job::GemmDtype;
use io_compute_sdk::{amount::Token, client::Client};
use io_worker::{
    backend::{self, Preference},
    bench, identity, register,
};
use solana_sdk::{signer::keypair::read_keypair_file, signer::Signer};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "io-worker", version, about)]
struct Cli {
    /// Which backend to use: the GPU when built with CUDA and one is present
    /// (auto), only the GPU, or only the CPU.
    #[arg(
        long,
        value_enum,
        default_value = "auto",
        env = "IO_WORKER_BACKEND",
        global = true
    )]
    backend: Preference,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The device this worker runs on: model, count, memory, compute units,
    /// compute capability and driver of a GPU, or the CPU's threads and ISA.
    Detect {
        #[arg(long)]
        json: bool,
    },
    /// GEMM GFLOP/s per dtype and size, with the Freivalds check's time.
    Bench {
        #[arg(long)]
        json: bool,
        /// Matrix sizes (default: 1024,2048; and 4096,8192 on a GPU).
        #[arg(long, value_delimiter = ',')]
        sizes: Vec<usize>,
        /// Dtypes (default: all of f32, bf16, f16, i32).
        #[arg(long, value_delimiter = ',')]
        dtypes: Vec<GemmDtype>,
    },
    /// Runs one cuda_kernel job read from stdin and prints its outputs (the
    /// worker starts this itself, one process per kernel).
    #[command(hide = true)]
    KernelChild,
    /// Serve the keeper: run the jobs it dispatches to this machine's
    /// devices, sign their receipts and periods; Ctrl-C lets running jobs
    /// finish and hands the rest back.
    Run {
        #[command(flatten)]
        config: io_worker::config::Overrides,
    },
    /// Register this machine as a device of your provider (or update the
    /// device that has its worker key), with the detected specs and this
    /// machine's worker key. Signed by the provider's key, which the worker
    /// does not keep.
    Register {
        /// RPC URL of the cluster.
        #[arg(
            long,
            short = 'u',
            env = "IO_WORKER_RPC_URL",
            default_value = "http://127.0.0.1:8899"
        )]
        url: String,
        /// The provider authority's keypair file.
        #[arg(long)]
        provider_keypair: PathBuf,
        /// This machine's worker keypair (made if absent).
        #[arg(long, env = "IO_WORKER_KEYPAIR")]
        worker_keypair: Option<PathBuf>,
        /// Price per GPU-hour in IOSD, e.g. 0.45.
        #[arg(long)]
        price: String,
        /// The GPU table's model code, when the detected name is not known.
        #[arg(long)]
        model: Option<String>,
        /// Give this worker key to the provider's device with this index.
        #[arg(long)]
        index: Option<u32>,
        #[arg(long)]
        json: bool,
    },
}

#[cfg(feature = "cuda")]
fn kernel_child(
    _backend: Box<dyn backend::Backend>,
    input: &io_worker::kernel::ChildInput,
) -> Result<io_worker::kernel::ChildOutput> {
    let gpu = backend::cuda::CudaBackend::open(0).map_err(|why| anyhow::anyhow!(why))?;
    Ok(gpu.run_kernel(input)?)
}

#[cfg(not(feature = "cuda"))]
fn kernel_child(
    _backend: Box<dyn backend::Backend>,
    _input: &io_worker::kernel::ChildInput,
) -> Result<io_worker::kernel::ChildOutput> {
    anyhow::bail!("this io-worker was built without the `cuda` feature")
}

/// Errors end the process with one line (their causes joined), whatever
/// RUST_BACKTRACE says: a parent reading a kernel child's stderr, or an
/// operator, gets the reason, not a trace.
fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    if let Err(error) = runtime.block_on(run()) {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let backend = backend::select(cli.backend)?;
    match cli.command {
        Command::Detect { json } => {
            let info = backend.info();
            if json {
                println!("{}", serde_json::to_string_pretty(info)?);
            } else {
                println!("backend:  {}", info.backend.name());
                println!("model:    {} x {}", info.model, info.count);
                println!(
                    "memory:   {:.1} GiB",
                    info.memory_bytes as f64 / (1u64 << 30) as f64
                );
                println!("units:    {}", info.compute_units);
                if let Some((major, minor)) = info.compute_capability {
                    println!("compute:  sm_{major}{minor}");
                }
                if let Some(driver) = &info.driver {
                    println!("driver:   {driver}");
                }
                if !info.isa.is_empty() {
                    println!("isa:      {}", info.isa.join(" "));
                }
            }
        }
        Command::Bench {
            json,
            sizes,
            dtypes,
        } => {
            let sizes = if sizes.is_empty() {
                bench::default_sizes(backend.info().backend)
            } else {
                sizes
            };
            let dtypes = if dtypes.is_empty() {
                GemmDtype::ALL.to_vec()
            } else {
                dtypes
            };
            let rows = bench::run(backend.as_ref(), &dtypes, &sizes).context("benchmark")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:<8} {:<6} {:>6} {:>10} {:>13}",
                    "backend", "dtype", "n", "GFLOP/s", "freivalds ms"
                );
                for r in rows {
                    println!(
                        "{:<8} {:<6} {:>6} {:>10.1} {:>13.2}",
                        r.backend, r.dtype, r.n, r.gflops, r.freivalds_ms
                    );
                }
            }
        }
        Command::Run { config } => {
            let config = io_worker::config::RunConfig::load(&config)?;
            let (worker, made) = identity::load_or_create(&config.keypair)?;
            if made {
                eprintln!(
                    "made a worker keypair at {}; register it with `io-worker register`",
                    config.keypair.display()
                );
            }
            let stop = tokio_util::sync::CancellationToken::new();
            let stopping = stop.clone();
            // Ctrl-C, or SIGTERM from a service manager.
            let mut terminate =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::spawn(async move {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                tracing::info!("stopping: running jobs finish, the rest go back");
                stopping.cancel();
            });
            io_worker::run::run(&config, worker, std::sync::Arc::from(backend), stop).await?;
        }
        Command::KernelChild => {
            let mut input = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut input)?;
            let input: io_worker::kernel::ChildInput =
                serde_json::from_slice(&input).context("kernel job on stdin")?;
            println!(
                "{}",
                serde_json::to_string(&kernel_child(backend, &input)?)?
            );
        }
        Command::Register {
            url,
            provider_keypair,
            worker_keypair,
            price,
            model,
            index,
            json,
        } => {
            let provider = read_keypair_file(&provider_keypair).map_err(|e| {
                anyhow::anyhow!(
                    "cannot read the provider keypair {}: {e}",
                    provider_keypair.display()
                )
            })?;
            let path = worker_keypair.unwrap_or_else(identity::default_path);
            let (worker, made) = identity::load_or_create(&path)?;
            if made {
                eprintln!("made a worker keypair at {}", path.display());
            }
            let price = Token::Iosd.parse(&price).context("--price")?;
            let client = Client::new(&url, provider);
            let done = register::register(
                &client,
                backend.info(),
                worker.pubkey(),
                price,
                model.as_deref(),
                index,
            )
            .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&done)?);
            } else {
                println!(
                    "{} device {} ({} x {}, {} GB) with worker key {}",
                    if done.added { "Added" } else { "Updated" },
                    done.device,
                    done.model,
                    done.gpu_count,
                    done.vram_gb,
                    done.worker
                );
            }
        }
    }
    Ok(())
}
