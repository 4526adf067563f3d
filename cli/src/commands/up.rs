//! `ioc up`: the whole network on this machine. A localnet with the
//! program, set up by the migrations; a keeper; this machine as a demo
//! provider whose worker (the GPU if there is one, else the CPU) is
//! registered and staked; a demo client holding IOSD; the web app on
//! :8080 (`app_server`). It prints the endpoints, the keypairs and what to
//! try next, then serves until Ctrl-C.
//! With `--demo` it rents a cluster, runs jobs on it, waits for their
//! usage proof and checks every receipt against the proof on the chain,
//! then stops. With `--ledger DIR` the chain, the keys and the keeper's
//! journal live in DIR, and the next `ioc up --ledger DIR` continues.

use crate::context::{read_keypair, write_keypair};
use anyhow::{bail, Context as _, Result};
use clap::Args;
use io_compute::{
    constants::{ONE_IO, ONE_IOSD},
    state::{Device, Lease, LeaseSpec, LeaseStatus, Provider, ProviderProfile},
    BurnArgs, StakeArgs,
};
use io_compute_migrations::{migrate, Settings};
use io_compute_sdk::{
    api::{JobState, LeaseReceipts, SubmitJobs},
    client::Client,
    ix,
    job::{GemmDtype, GemmInputs, GemmSpec, Job, JobSpec},
    keeper_client::KeeperClient,
    pda,
};
use io_keeper::config::KeeperConfig;
use io_worker::backend::{self, Preference};
use localnet::{Localnet, LocalnetConfig};
use serde_json::json;
use solana_sdk::{
    pubkey::Pubkey,
    signer::{keypair::Keypair, Signer},
};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

#[derive(Args, Debug)]
pub struct UpArgs {
    /// Keep the chain, the keys and the keeper's journal in this directory;
    /// `ioc up` with the same directory continues where it stopped.
    #[arg(long, env = "IOC_LEDGER")]
    ledger: Option<PathBuf>,
    /// HTTP JSON-RPC port (the WebSocket is the next one).
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    /// The keeper's API port.
    #[arg(long, default_value_t = 8910)]
    keeper_port: u16,
    /// This machine's worker: the GPU if one is present (auto), only the
    /// GPU, only the CPU, or none.
    #[arg(long, value_enum, default_value = "auto")]
    worker: WorkerChoice,
    /// Epoch length, seconds.
    #[arg(long, default_value_t = 3_600)]
    epoch_seconds: i64,
    /// The web app's port (not served with --demo).
    #[arg(long, default_value_t = 8080)]
    app_port: u16,
    /// The web app's build (`npm ci --prefix app && npm run build --prefix
    /// app`).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/dist"))]
    app_dir: PathBuf,
    /// Rent a cluster, run jobs, check their proof, then stop.
    #[arg(long)]
    demo: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum WorkerChoice {
    Auto,
    Gpu,
    Cpu,
    None,
}

/// The demo provider's price, IOSD per GPU-hour.
const DEMO_PRICE: u64 = ONE_IOSD / 2;

fn step(message: &str) {
    eprintln!("  {message}");
}

/// The keypair at `dir/name.json`, made if absent.
fn key(dir: &Path, name: &str) -> Result<(Keypair, PathBuf)> {
    let path = dir.join(format!("{name}.json"));
    if path.exists() {
        return Ok((read_keypair(&path)?, path));
    }
    let keypair = Keypair::new();
    write_keypair(&keypair, &path)?;
    Ok((keypair, path))
}

/// SOL for `who` from the localnet's airdrop, when it has less than 1 SOL.
async fn fund_sol(chain: &Client, who: &Pubkey) -> Result<()> {
    if chain.rpc.get_balance(who).await.unwrap_or(0) >= 1_000_000_000 {
        return Ok(());
    }
    chain.request_airdrop(who, 100_000_000_000).await?;
    for _ in 0..100 {
        if chain.rpc.get_balance(who).await.unwrap_or(0) > 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the localnet airdrop to {who} did not arrive")
}

/// `io` IO from the admin's faucet wallet to `to`.
pub(crate) async fn fund_io(admin: &Client, to: &Pubkey, io: u64) -> Result<()> {
    admin
        .send(&ix::send_io(admin.payer.pubkey(), *to, io), &[])
        .await?;
    Ok(())
}

pub async fn run(args: UpArgs) -> Result<()> {
    let started = Instant::now();
    let dir = match &args.ledger {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("ioc-up-{}", std::process::id())),
    };
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).with_context(|| format!("cannot create {}", keys.display()))?;
    eprintln!("Starting IO Compute on this machine ({})", dir.display());

    let net = Localnet::start(LocalnetConfig {
        rpc_port: args.rpc_port,
        ledger: args.ledger.as_ref().map(|d| d.join("ledger")),
        ..LocalnetConfig::default()
    })
    .await
    .context("starting the localnet")?;
    let url = net.rpc_url();
    step(&format!("chain: {url} (WebSocket {})", net.ws_url()));

    let (admin_key, admin_path) = key(&keys, "admin")?;
    let (owner_key, owner_path) = key(&keys, "provider")?;
    let (client_key, client_path) = key(&keys, "client")?;
    let (worker_key, worker_path) = key(&keys, "worker")?;
    let admin = Client::new(&url, admin_key.insecure_clone());
    for who in [&admin_key, &owner_key, &client_key] {
        fund_sol(&admin, &who.pubkey()).await?;
    }
    let keeper_url = format!("http://127.0.0.1:{}", args.keeper_port);
    let mut settings = Settings::launch(args.epoch_seconds);
    settings.keeper_endpoint = keeper_url.clone();
    settings.faucet = Some((admin_key.pubkey(), 10_000_000 * ONE_IO));
    migrate(&admin, &settings)
        .await
        .context("setting up the program")?;
    step("program set up (migrations applied)");

    // The keeper, at the endpoint the chain records for it.
    let journal = dir.join("keeper.db");
    let keeper = io_keeper::start(KeeperConfig {
        listen: format!("127.0.0.1:{}", args.keeper_port).parse()?,
        period_jobs: 4,
        period: Duration::from_secs(5),
        live_only: args.worker != WorkerChoice::None,
        ..KeeperConfig::local(
            admin_path.clone(),
            url.clone(),
            net.ws_url(),
            journal.clone(),
        )
    })
    .await
    .context("starting the keeper")?;
    admin
        .send(&[ix::update_keeper(admin_key.pubkey(), &keeper_url)], &[])
        .await?;
    step(&format!(
        "keeper: {keeper_url} (journal {})",
        journal.display()
    ));

    // This machine as a provider's device.
    let provider = Client::new(&url, owner_key.insecure_clone());
    if provider
        .account::<Provider>(&pda::provider(&owner_key.pubkey()))
        .await?
        .is_none()
    {
        fund_io(&admin, &owner_key.pubkey(), 10_000 * ONE_IO).await?;
        provider
            .send(
                &[
                    ix::register_provider(
                        owner_key.pubkey(),
                        ProviderProfile {
                            name: "this machine".into(),
                            region: "local".into(),
                            endpoint: keeper_url.clone(),
                            co_stake_share_bps: 0,
                        },
                    ),
                    ix::stake(
                        owner_key.pubkey(),
                        pda::associated_token(&owner_key.pubkey(), &pda::io_mint()),
                        StakeArgs {
                            nonce: 0,
                            amount: 10_000 * ONE_IO,
                            lockup_secs: 0,
                        },
                    ),
                ],
                &[],
            )
            .await
            .context("registering the demo provider")?;
    }
    let stop = CancellationToken::new();
    let mut device = None;
    let mut worker_task = None;
    if args.worker != WorkerChoice::None {
        let preference = match args.worker {
            WorkerChoice::Gpu => Preference::Gpu,
            WorkerChoice::Cpu => Preference::Cpu,
            _ => Preference::Auto,
        };
        let backend: Arc<dyn backend::Backend> = Arc::from(backend::select(preference)?);
        let registered = io_worker::register::register(
            &provider,
            backend.info(),
            worker_key.pubkey(),
            DEMO_PRICE,
            None,
            None,
        )
        .await
        .context("registering this machine's device")?;
        step(&format!(
            "worker: {} x {} on {} as device {}",
            registered.model,
            registered.gpu_count,
            backend.info().backend.name(),
            registered.device
        ));
        device = Some(registered);
        let config = io_worker::config::RunConfig {
            keypair: worker_path.clone(),
            keeper: Some(keeper_url.clone()),
            rpc_url: url.clone(),
            follow: Duration::from_secs(5),
            slots: 2,
            max_backoff: Duration::from_secs(2),
            grace: Duration::from_secs(5),
        };
        let serving = stop.clone();
        let worker = worker_key.insecure_clone();
        worker_task = Some(tokio::spawn(async move {
            if let Err(error) = io_worker::run::run(&config, worker, backend, serving).await {
                eprintln!("worker stopped: {error:#}");
            }
        }));
    }

    // A client with IOSD to rent with.
    let client = Client::new(&url, client_key.insecure_clone());
    let iosd = pda::associated_token(&client_key.pubkey(), &pda::iosd_mint());
    if client.token_balance(&iosd).await.unwrap_or(0) < 10 * ONE_IOSD {
        fund_io(&admin, &client_key.pubkey(), 1_000 * ONE_IO).await?;
        client
            .buy_iosd(BurnArgs::ExactIn {
                io: 500 * ONE_IO,
                min_iosd: 0,
            })
            .await
            .context("funding the demo client with IOSD")?;
    }
    step(&format!(
        "client: {} holds {} IOSD",
        client_key.pubkey(),
        io_compute_sdk::amount::Token::Iosd.format(client.token_balance(&iosd).await?)
    ));
    // The app, for people: served while `ioc up` serves, so not in the demo.
    let app_task = if args.demo {
        None
    } else {
        let listen = format!("127.0.0.1:{}", args.app_port).parse()?;
        match crate::app_server::serve(
            listen,
            &args.app_dir,
            url.clone(),
            net.ws_url(),
            Client::new(&url, admin_key.insecure_clone()),
            stop.clone(),
        )
        .await
        {
            Ok(task) => Some(task),
            Err(error) => {
                // The chain, keeper and worker serve without it.
                step(&format!("app: not served: {error:#}"));
                None
            }
        }
    };
    println!();
    println!(
        "IO Compute is up ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    if app_task.is_some() {
        println!("  app          http://127.0.0.1:{}", args.app_port);
    }
    println!("  RPC          {url}");
    println!("  WebSocket    {}", net.ws_url());
    println!("  keeper       {keeper_url}  (/healthz, /metrics, /v1/...)");
    println!("  program      {}", io_compute::ID);
    println!("  keys         admin/keeper {}", admin_path.display());
    println!("               provider     {}", owner_path.display());
    println!("               client       {}", client_path.display());
    println!("               worker       {}", worker_path.display());
    println!("Try, as the client:");
    let as_client = format!("ioc -u {url} -k {}", client_path.display());
    let model = device
        .as_ref()
        .map_or("RTX4090".to_string(), |d| d.model.clone());
    println!("  {as_client} cluster create --gpu {model} --count 1 --hours 1 --max-price 0.5");
    println!("  {as_client} job submit --cluster <ID> gemm --m 1024 --n 1024 --k 1024 --dtype f32");
    println!("  {as_client} job receipts --cluster <ID>");

    let outcome = if args.demo {
        match &device {
            Some(device) => demo(&client, &client_key, &admin_key, &keeper_url, device).await,
            None => Err(anyhow::anyhow!("--demo needs a worker (not --worker none)")),
        }
    } else {
        println!("Ctrl-C stops every part.");
        wait_for_stop().await;
        Ok(())
    };
    eprintln!("Stopping: worker, keeper, chain");
    stop.cancel();
    for task in [worker_task, app_task].into_iter().flatten() {
        let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    }
    keeper.shutdown().await.context("stopping the keeper")?;
    net.shutdown().await;
    if args.ledger.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    outcome
}

async fn wait_for_stop() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Rents a one-GPU cluster of the demo device's model, runs four integer
/// GEMMs on it, waits for their usage proof and checks the receipts.
async fn demo(
    client: &Client,
    client_key: &Keypair,
    keeper_authority: &Keypair,
    keeper_url: &str,
    device: &io_worker::register::Registered,
) -> Result<()> {
    println!();
    println!("Demo: renting a cluster, running jobs, proving and checking them");
    let id = client
        .program_accounts::<Lease>(&[])
        .await?
        .iter()
        .map(|(_, l)| l.id + 1)
        .max()
        .unwrap_or(0);
    let spec = LeaseSpec {
        model: io_compute_sdk::gpu::model_code(&device.model).context("the device's model")?,
        gpu_count: device.gpu_count,
        region: String::new(),
        hours: 1,
        max_price_per_gpu_hour: DEMO_PRICE,
        min_reliability_bps: 0,
    };
    let iosd = pda::associated_token(&client_key.pubkey(), &pda::iosd_mint());
    client
        .send(
            &[ix::create_lease(client_key.pubkey(), iosd, id, spec)],
            &[],
        )
        .await
        .context("renting the cluster")?;
    let asked = Instant::now();
    let lease = loop {
        let lease: Lease = client.expect_account(&pda::lease(id)).await?;
        if lease.status == LeaseStatus::Active {
            break lease;
        }
        if asked.elapsed() > Duration::from_secs(60) {
            bail!("cluster {id} found no device in 60 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let on_chain_device = lease.devices[0].device;
    let on: Device = client.expect_account(&on_chain_device).await?;
    println!(
        "  cluster {id}: {} x {} matched in {} ms, {} IOSD in escrow",
        io_compute_sdk::gpu::model_name(&on.model),
        lease.spec.gpu_count,
        asked.elapsed().as_millis(),
        io_compute_sdk::amount::Token::Iosd.format(lease.escrow)
    );
    let keeper = KeeperClient::new(
        keeper_url,
        keeper_authority.pubkey(),
        client_key.insecure_clone(),
    );
    let jobs: Vec<Job> = (0..4)
        .map(|seed| {
            Job::new(JobSpec::Gemm(GemmSpec {
                m: 64,
                n: 64,
                k: 64,
                dtype: GemmDtype::I32,
                allow_tf32: false,
                inputs: GemmInputs::Seed { seed },
            }))
        })
        .collect();
    let submitted = keeper.submit(&SubmitJobs { lease: id, jobs }).await?;
    for job in &submitted.jobs {
        let status = keeper.wait(&job.id, Duration::from_secs(60)).await?;
        if status.state != JobState::Succeeded {
            bail!(
                "job {} ended {}: {:?}",
                job.id,
                status.state.name(),
                status.error
            );
        }
        println!(
            "  job {}…  succeeded in {} GPU-µs, verified by the keeper",
            &job.id[..12],
            status.receipt.map_or(0, |r| r.device_time_us)
        );
    }
    let waited = Instant::now();
    let receipts = loop {
        let receipts: LeaseReceipts = keeper.get(&format!("/v1/leases/{id}/receipts")).await?;
        if receipts
            .periods
            .iter()
            .map(|p| p.receipts.len())
            .sum::<usize>()
            >= 4
        {
            break receipts;
        }
        if waited.elapsed() > Duration::from_secs(60) {
            bail!("the jobs' usage proof was not posted in 60 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let checked = super::job::check_receipts(client, id, &receipts).await?;
    for period in checked["periods"].as_array().into_iter().flatten() {
        let proof: Pubkey = period["proof"].as_str().unwrap_or_default().parse()?;
        let on_chain: io_compute::state::UsageProof = client.expect_account(&proof).await?;
        let now = client.chain_time().await?;
        println!(
            "  usage proof {proof}: {} jobs, {} GPU-µs, {} IOSD due; unlocks in {} s (chain time {}), then pays the provider",
            period["jobs"],
            period["device_time_us"],
            io_compute_sdk::amount::Token::Iosd.format(on_chain.amount_due),
            on_chain.unlock_at - now,
            on_chain.unlock_at
        );
    }
    println!(
        "  receipts: {} of {} checked against the proofs' Merkle roots on the chain",
        checked["receipts"], checked["receipts"]
    );
    // Done with the cluster: its device is released, the escrow not held
    // for the proof (until it settles) comes back.
    let before = client.token_balance(&iosd).await?;
    client
        .send(
            &[ix::close_lease(
                client_key.pubkey(),
                client_key.pubkey(),
                id,
                iosd,
                &[on_chain_device],
                &[on.provider],
            )],
            &[],
        )
        .await
        .context("closing the cluster")?;
    println!(
        "  cluster {id} closed: {} IOSD refunded, the proof's share held until it settles",
        io_compute_sdk::amount::Token::Iosd.format(client.token_balance(&iosd).await? - before)
    );
    println!(
        "{}",
        json!({"demo": "ok", "cluster": id, "receipts": checked["receipts"], "proofs": checked["proofs"]})
    );
    Ok(())
}
