//! io-worker: detect this machine's compute, benchmark it, and register its
//! devices on-chain with this machine's worker key.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use io_compute_sdk::job::GemmDtype;
use io_worker::{
    backend::{self, Preference},
    bench,
};

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
}

fn main() -> Result<()> {
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
    }
    Ok(())
}
