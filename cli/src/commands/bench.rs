//! `ioc bench`: what settling GPU work costs and how fast it goes, on this
//! machine. A fresh localnet, a keeper and N CPU workers (all in this
//! process, sharing its cores); cluster-ready time over a run of leases;
//! then an open-loop load of tiny jobs (integer GEMM 16 x 16 x 16) at each
//! rate asked; the clock warped past the proofs' lock so they finalize;
//! and the transactions, fees and rent per settled job counted from the
//! chain (the keeper's own signatures and the proof accounts), not from the
//! keeper's report. Build it optimized: `cargo run --profile bench --bin
//! ioc -- bench`.

use anyhow::{bail, Context as _, Result};
use clap::Args;
use io_compute::{
    constants::{ONE_IO, ONE_IOSD},
    state::{
        Config, DeviceSpec, DeviceStatus, Lease, LeaseSpec, LeaseStatus, ProviderProfile,
        UsageProof,
    },
    BurnArgs, StakeArgs,
};
use io_compute_migrations::{migrate, Settings};
use io_compute_sdk::{
    api::{JobState, JobStatus, LeaseReceipts, SubmitJobs},
    client::Client,
    gpu, ix,
    job::{GemmDtype, GemmInputs, GemmSpec, Job, JobSpec},
    keeper_client::KeeperClient,
    pda,
};
use io_keeper::config::KeeperConfig;
use io_worker::{backend::cpu::CpuBackend, config::RunConfig};
use localnet::{Localnet, LocalnetConfig};
use serde_json::json;
use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_sdk::{
    pubkey::Pubkey,
    signer::{
        keypair::{write_keypair_file, Keypair},
        Signer,
    },
};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// CPU workers (one device each).
    #[arg(long, default_value_t = 8)]
    workers: u32,
    /// Leases whose time to be matched is measured.
    #[arg(long, default_value_t = 50)]
    leases: u32,
    /// Offered loads, jobs per second, each for --seconds.
    #[arg(long, value_delimiter = ',', default_values_t = vec![250, 500, 1000])]
    rates: Vec<u32>,
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Jobs that close a proof period.
    #[arg(long, default_value_t = 1_000)]
    period_jobs: u32,
    /// The keeper journal's durability: `full` (a commit survives power
    /// loss) or `normal` (it survives the process being killed).
    #[arg(long, value_enum, default_value_t = io_keeper::journal::Durability::Full)]
    durability: io_keeper::journal::Durability,
}

/// The p-th percentile of sorted `values`.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

struct RateRow {
    offered: u32,
    jobs: usize,
    succeeded: usize,
    achieved: f64,
    p50: f64,
    p99: f64,
}

pub async fn run(args: BenchArgs, as_json: bool) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("ioc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let net = Localnet::start(LocalnetConfig {
        rpc_port: 0,
        ..LocalnetConfig::default()
    })
    .await?;
    let url = net.rpc_url();
    let admin_key = Keypair::new();
    let owner = Keypair::new();
    let client_key = Keypair::new();
    let chain = Client::new(&url, admin_key.insecure_clone());
    for who in [&admin_key, &owner, &client_key] {
        chain
            .request_airdrop(&who.pubkey(), 100_000_000_000)
            .await?;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut settings = Settings::launch(86_400);
    settings.faucet = Some((admin_key.pubkey(), 10_000_000 * ONE_IO));
    migrate(&chain, &settings).await?;
    let fund = |to: Pubkey, io: u64| ix::send_io(admin_key.pubkey(), to, io);
    chain
        .send(&fund(owner.pubkey(), 100_000 * ONE_IO), &[])
        .await?;
    chain
        .send(&fund(client_key.pubkey(), 10_000 * ONE_IO), &[])
        .await?;

    // A provider with one CPU device per worker.
    let provider = Client::new(&url, owner.insecure_clone());
    provider
        .send(
            &[
                ix::register_provider(
                    owner.pubkey(),
                    ProviderProfile {
                        name: "bench".into(),
                        region: "local".into(),
                        endpoint: "http://127.0.0.1".into(),
                        co_stake_share_bps: 0,
                    },
                ),
                ix::stake(
                    owner.pubkey(),
                    pda::associated_token(&owner.pubkey(), &pda::io_mint()),
                    StakeArgs {
                        nonce: 0,
                        amount: 100_000 * ONE_IO,
                        lockup_secs: 0,
                    },
                ),
            ],
            &[],
        )
        .await?;
    let mut worker_files = Vec::new();
    let mut adds = Vec::new();
    for i in 0..args.workers {
        let worker = Keypair::new();
        let path = dir.join(format!("worker-{i}.json"));
        write_keypair_file(&worker, &path).map_err(|e| anyhow::anyhow!("{e}"))?;
        worker_files.push(path);
        adds.push(ix::add_device(
            owner.pubkey(),
            i,
            DeviceSpec {
                model: gpu::model_code("CPU").expect("a model code"),
                gpu_count: 1,
                vram_gb: 1,
                price_per_gpu_hour: ONE_IOSD / 2,
                status: DeviceStatus::Idle,
                worker: worker.pubkey(),
            },
        ));
    }
    for chunk in adds.chunks(4) {
        provider.send(chunk, &[]).await?;
    }
    // The client's IOSD.
    let client = Client::new(&url, client_key.insecure_clone());
    let iosd = pda::associated_token(&client_key.pubkey(), &pda::iosd_mint());
    client
        .buy_iosd(BurnArgs::ExactIn {
            io: 5_000 * ONE_IO,
            min_iosd: 0,
        })
        .await?;

    // The keeper and the workers.
    let keypair = dir.join("keeper.json");
    write_keypair_file(&admin_key, &keypair).map_err(|e| anyhow::anyhow!("{e}"))?;
    let keeper = io_keeper::start(KeeperConfig {
        sweep: Duration::from_millis(200),
        period_jobs: args.period_jobs,
        period: Duration::from_secs(10),
        durability: args.durability,
        ..KeeperConfig::local(keypair, url.clone(), net.ws_url(), dir.join("keeper.db"))
    })
    .await?;
    let keeper_url = format!("http://{}", keeper.addr);
    let stop = CancellationToken::new();
    let mut workers = tokio::task::JoinSet::new();
    for path in &worker_files {
        let config = RunConfig {
            keypair: path.clone(),
            keeper: Some(keeper_url.clone()),
            rpc_url: url.clone(),
            follow: Duration::from_secs(5),
            slots: 2,
            max_backoff: Duration::from_millis(500),
            grace: Duration::from_secs(1),
        };
        let key = crate::context::read_keypair(path)?;
        let serving = stop.clone();
        workers.spawn(async move {
            io_worker::run::run(&config, key, Arc::new(CpuBackend::new()), serving).await
        });
    }
    let spec = |gpus: u8| LeaseSpec {
        model: gpu::model_code("CPU").expect("a model code"),
        gpu_count: gpus,
        region: String::new(),
        hours: 1,
        max_price_per_gpu_hour: ONE_IOSD,
        min_reliability_bps: 0,
    };

    // Cluster-ready: create a lease, time until it is Active, close it.
    eprintln!("measuring cluster-ready over {} leases", args.leases);
    let mut ready = Vec::new();
    for id in 0..args.leases as u64 {
        client
            .send(
                &[ix::create_lease(client_key.pubkey(), iosd, id, spec(1))],
                &[],
            )
            .await?;
        let created = Instant::now();
        let lease = loop {
            let lease: Lease = client.expect_account(&pda::lease(id)).await?;
            if lease.status == LeaseStatus::Active {
                break lease;
            }
            if created.elapsed() > Duration::from_secs(30) {
                bail!("lease {id} was not matched in 30 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        ready.push(created.elapsed().as_secs_f64() * 1e3);
        client
            .send(
                &[ix::close_lease(
                    client_key.pubkey(),
                    client_key.pubkey(),
                    id,
                    iosd,
                    &[lease.devices[0].device],
                    &[pda::provider(&owner.pubkey())],
                )],
                &[],
            )
            .await?;
    }
    ready.sort_by(f64::total_cmp);

    // The job lease: every worker's device.
    let job_lease = args.leases as u64;
    client
        .send(
            &[ix::create_lease(
                client_key.pubkey(),
                iosd,
                job_lease,
                spec(args.workers as u8),
            )],
            &[],
        )
        .await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while client
        .expect_account::<Lease>(&pda::lease(job_lease))
        .await?
        .status
        != LeaseStatus::Active
    {
        if Instant::now() > deadline {
            bail!("the job lease was not matched");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let start_slot = chain.rpc.get_slot().await.map_err(|e| chain.rpc_error(e))?;
    let jobs_client = Arc::new(KeeperClient::new(
        &keeper_url,
        admin_key.pubkey(),
        client_key.insecure_clone(),
    ));

    let mut rows = Vec::new();
    let mut seed = 0u64;
    let mut all_ids: Vec<String> = Vec::new();
    let mut peak_rent = 0u64;
    for &rate in &args.rates {
        eprintln!("offering {rate} jobs/s for {} s", args.seconds);
        let ticks = args.seconds * 100;
        let started = Instant::now();
        let mut submissions = tokio::task::JoinSet::new();
        let mut owed = 0f64;
        for tick in 0..ticks {
            // Open loop: submissions follow the clock, not completions.
            let due = started + Duration::from_millis(tick * 10);
            tokio::time::sleep_until(due.into()).await;
            owed += rate as f64 / 100.0;
            let batch = owed.floor() as u64;
            owed -= batch as f64;
            if batch == 0 {
                continue;
            }
            let jobs: Vec<Job> = (seed..seed + batch).map(tiny_job).collect();
            seed += batch;
            let keeper = jobs_client.clone();
            let submitted_at = (due - started).as_secs_f64();
            submissions.spawn(async move {
                let submitted = keeper
                    .submit(&SubmitJobs {
                        lease: job_lease,
                        jobs,
                    })
                    .await;
                (submitted_at, submitted)
            });
        }
        let mut ids = Vec::new();
        let mut submitted_at = std::collections::HashMap::new();
        while let Some(done) = submissions.join_next().await {
            let (at, submitted) = done?;
            for job in submitted?.jobs {
                submitted_at.insert(job.id.clone(), at);
                ids.push(job.id);
            }
        }
        let statuses = final_statuses(&jobs_client, &ids).await?;
        // The last result's time, from each job's submission and the
        // keeper's submission-to-result time (reading the statuses back
        // afterwards is not part of the run).
        let finished = statuses
            .iter()
            .filter_map(|s| Some(submitted_at.get(&s.id)? + s.elapsed_ms? / 1e3))
            .fold(0f64, f64::max);
        let mut latencies: Vec<f64> = statuses
            .iter()
            .filter(|s| s.state == JobState::Succeeded)
            .filter_map(|s| s.elapsed_ms)
            .collect();
        latencies.sort_by(f64::total_cmp);
        peak_rent = peak_rent.max(proof_rent(&chain).await?);
        rows.push(RateRow {
            offered: rate,
            jobs: ids.len(),
            succeeded: latencies.len(),
            achieved: latencies.len() as f64 / finished,
            p50: percentile(&latencies, 50.0),
            p99: percentile(&latencies, 99.0),
        });
        all_ids.extend(ids);
    }

    // Every job proven, then the lock passes and the proofs finalize.
    eprintln!("settling {} jobs", all_ids.len());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        peak_rent = peak_rent.max(proof_rent(&chain).await?);
        let receipts: LeaseReceipts = jobs_client
            .get(&format!("/v1/leases/{job_lease}/receipts"))
            .await?;
        let proven: usize = receipts.periods.iter().map(|p| p.receipts.len()).sum();
        if proven >= all_ids.len() {
            break;
        }
        if Instant::now() > deadline {
            bail!("only {proven} of {} jobs were proven", all_ids.len());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let config: Config = chain.expect_account(&pda::config()).await?;
    net.bank()
        .warp_clock(config.market_params.dispute_window_secs + 1)
        .await
        .map_err(|_| anyhow::anyhow!("the localnet stopped"))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while proof_rent(&chain).await? > 0 {
        if Instant::now() > deadline {
            bail!("the proofs were not finalized");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let net_rent = proof_rent(&chain).await?;

    // The keeper's transactions and fees since the job lease was matched,
    // from the chain.
    let (transactions, fees) = keeper_transactions(&chain, &admin_key.pubkey(), start_slot).await?;
    let settled = all_ids.len().max(1) as f64;
    let gflops = {
        let cpu = CpuBackend::new();
        let rows = io_worker::bench::run(&cpu, &[GemmDtype::F32], &[2048])
            .context("the CPU GEMM benchmark")?;
        rows.first().map_or(0.0, |r| r.gflops)
    };
    // Workers first (they hand back and stop heartbeating), then the keeper.
    stop.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while workers.join_next().await.is_some() {}
    })
    .await;
    keeper.shutdown().await?;
    net.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);

    let held = rows
        .iter()
        .filter(|r| r.succeeded == r.jobs && r.p99 < 100.0)
        .map(|r| r.achieved)
        .fold(0.0, f64::max);
    let last = rows.last();
    let summary = json!({
        "tx_per_job": transactions as f64 / settled,
        "fee_lamports_per_job": fees as f64 / settled,
        "rent_lamports_per_job": net_rent as f64 / settled,
        "peak_rent_lamports_per_job": peak_rent as f64 / settled,
        "jobs_per_s": held,
        "latency_p50_ms": last.map_or(f64::NAN, |r| r.p50),
        "latency_p99_ms": last.map_or(f64::NAN, |r| r.p99),
        "cluster_ready_p50_ms": percentile(&ready, 50.0),
        "cluster_ready_p99_ms": percentile(&ready, 99.0),
        "cpu_gemm_gflops": gflops,
        "workers": args.workers,
        "jobs": all_ids.len(),
        "keeper_transactions": transactions,
        "rates": rows.iter().map(|r| json!({
            "offered_per_s": r.offered,
            "jobs": r.jobs,
            "succeeded": r.succeeded,
            "achieved_per_s": r.achieved,
            "p50_ms": r.p50,
            "p99_ms": r.p99,
        })).collect::<Vec<_>>(),
    });
    if as_json {
        println!("{summary}");
        return Ok(());
    }
    println!(
        "{:>10} {:>7} {:>9} {:>11} {:>8} {:>8}",
        "offered/s", "jobs", "succeeded", "achieved/s", "p50 ms", "p99 ms"
    );
    for r in &rows {
        println!(
            "{:>10} {:>7} {:>9} {:>11.0} {:>8.1} {:>8.1}",
            r.offered, r.jobs, r.succeeded, r.achieved, r.p50, r.p99
        );
    }
    println!();
    println!("jobs/s held with p99 < 100 ms   {held:.0}");
    println!(
        "cluster ready p50 / p99         {:.0} / {:.0} ms over {} leases",
        percentile(&ready, 50.0),
        percentile(&ready, 99.0),
        ready.len()
    );
    println!(
        "keeper transactions per job     {:.4} ({transactions} for {} jobs)",
        transactions as f64 / settled,
        all_ids.len()
    );
    println!(
        "fee lamports per job            {:.1}",
        fees as f64 / settled
    );
    println!(
        "rent lamports per job           {:.1} net after finalize, {:.1} at peak while locked",
        net_rent as f64 / settled,
        peak_rent as f64 / settled
    );
    println!("CPU f32 GEMM 2048               {gflops:.1} GFLOP/s");
    Ok(())
}

fn tiny_job(seed: u64) -> Job {
    Job::new(JobSpec::Gemm(GemmSpec {
        m: 16,
        n: 16,
        k: 16,
        dtype: GemmDtype::I32,
        allow_tf32: false,
        inputs: GemmInputs::Seed { seed },
    }))
}

/// Every job's status once final (waiting up to a minute for stragglers).
async fn final_statuses(keeper: &Arc<KeeperClient>, ids: &[String]) -> Result<Vec<JobStatus>> {
    let mut statuses = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(32) {
        let mut waits = tokio::task::JoinSet::new();
        for id in chunk {
            let (keeper, id) = (keeper.clone(), id.clone());
            waits.spawn(async move { keeper.wait(&id, Duration::from_secs(60)).await });
        }
        while let Some(status) = waits.join_next().await {
            statuses.push(status??);
        }
    }
    Ok(statuses)
}

/// Lamports held by usage proof accounts now.
async fn proof_rent(chain: &Client) -> Result<u64> {
    let proofs = chain.program_accounts::<UsageProof>(&[]).await?;
    let mut rent = 0;
    for (key, _) in proofs {
        rent += chain
            .rpc
            .get_balance(&key)
            .await
            .map_err(|e| chain.rpc_error(e))?;
    }
    Ok(rent)
}

/// The keeper authority's transactions from `start_slot` on, and their fees.
async fn keeper_transactions(
    chain: &Client,
    keeper: &Pubkey,
    start_slot: u64,
) -> Result<(u64, u64)> {
    let mut before = None;
    let (mut count, mut fees) = (0u64, 0u64);
    loop {
        let page = chain
            .rpc
            .get_signatures_for_address_with_config(
                keeper,
                GetConfirmedSignaturesForAddress2Config {
                    before,
                    limit: Some(1_000),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| chain.rpc_error(e))?;
        let Some(last) = page.last() else { break };
        before = Some(last.signature.parse()?);
        let mut older = false;
        for entry in &page {
            if entry.slot < start_slot {
                older = true;
                continue;
            }
            count += 1;
            let signature = entry.signature.parse()?;
            let tx = chain
                .rpc
                .get_transaction(
                    &signature,
                    solana_transaction_status_client_types::UiTransactionEncoding::Json,
                )
                .await
                .map_err(|e| chain.rpc_error(e))?;
            fees += tx.transaction.meta.map_or(0, |m| m.fee);
        }
        if older || page.len() < 1_000 {
            break;
        }
    }
    Ok((count, fees))
}
