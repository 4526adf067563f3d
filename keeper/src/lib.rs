//! io-keeper: the off-chain half of settlement. It matches open clusters
//! (leases) to devices, takes clients' signed jobs, dispatches them to the
//! devices' workers, verifies every result, and settles verified work in
//! time-locked usage proofs, many jobs to a proof, that it finalizes when
//! they unlock.
//!
//! `start` replays the journal and reconciles it with the chain, then runs
//! named tasks under one cancellation token: `watch` (a program
//! subscription to lease accounts), `matcher` (a sweep every `sweep`
//! interval, or at once when `watch` sees a lease change), `settler`
//! (periods, proofs, expired claims) and `http` (the API of `api`,
//! `/healthz`, `/metrics`). Jobs live on the `board`, behind one lock
//! never held across an await; `/healthz` reads the matcher's last
//! successful sweep through a watch channel.

pub mod api;
pub mod blobs;
pub mod board;
pub mod chain_watch;
pub mod config;
pub mod crash;
pub mod epochs;
pub mod journal;
pub mod matcher;
pub mod metrics;
pub mod sender;
pub mod settler;
pub mod verifier;

use anyhow::{Context, Result};
use axum::{extract::State, http::StatusCode, routing::get, Router};
use board::Hub;
use config::KeeperConfig;
use io_compute_sdk::{api as wire, client::Client, pda};
use journal::{Entry, JobEvent, Journal};
use matcher::Matcher;
use metrics::Metrics;
use solana_sdk::{
    pubkey::Pubkey,
    signer::{keypair::read_keypair_file, Signer},
};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::{sync::watch, task::JoinSet};
use tokio_util::sync::CancellationToken;

/// A running keeper.
pub struct Keeper {
    /// Where the HTTP API listens (the port is resolved when 0 was asked).
    pub addr: SocketAddr,
    pub journal: Journal,
    /// The jobs (for tests and `ioc up`'s summary).
    pub hub: Arc<Hub>,
    /// The blob store (job inputs and outputs, device-reward reports).
    pub blobs: blobs::Blobs,
    cancel: CancellationToken,
    tasks: Tasks,
}

#[derive(Clone)]
struct Health {
    /// Chain-independent instant of the last successful sweep.
    last_sweep: watch::Receiver<Option<tokio::time::Instant>>,
    stale_after: Duration,
    min_balance: u64,
    metrics: Metrics,
    hub: Arc<Hub>,
    /// Tasks that ended (or panicked) while the keeper was running.
    stopped: Stopped,
}

type Stopped = Arc<std::sync::Mutex<Vec<&'static str>>>;
type Tasks = JoinSet<(&'static str, Result<()>)>;

/// Runs `task` as the keeper task `name`. One that ends or panics before
/// the keeper is stopped is recorded, and /healthz fails from then on.
fn spawn_task(
    tasks: &mut Tasks,
    name: &'static str,
    cancel: &CancellationToken,
    stopped: &Stopped,
    task: impl std::future::Future<Output = Result<()>> + Send + 'static,
) {
    let (cancel, stopped) = (cancel.clone(), stopped.clone());
    tasks.spawn(async move {
        let result = match tokio::spawn(task).await {
            Ok(result) => result,
            Err(panic) => Err(anyhow::anyhow!("it panicked: {panic}")),
        };
        if !cancel.is_cancelled() {
            tracing::error!("keeper task {name} stopped: {result:?}");
            stopped.lock().expect("never poisoned").push(name);
        }
        (name, result)
    });
}

/// Starts a keeper: journal opened and reconciled with the chain before
/// anything is served, then the tasks.
pub async fn start(config: KeeperConfig) -> Result<Keeper> {
    let keypair = read_keypair_file(&config.keypair).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the keeper keypair {}: {e}",
            config.keypair.display()
        )
    })?;
    let journal = Journal::open_with(&config.journal, config.durability)?;
    let blobs = blobs::Blobs::open(&config.blob_dir(), journal.clone())?;
    let metrics = Metrics::new();
    let hub = Arc::new(Hub::default());
    let sender = Arc::new(
        sender::Sender::connect(&config.rpc_urls, &keypair, config.max_priority_fee).await?,
    );
    metrics.register(sender.rpc_retries.clone());
    metrics.register(sender.rpc_seconds.clone());
    metrics.register(sender.transactions.clone());
    metrics.register(journal.commit_seconds.clone());
    let matcher = Matcher {
        sender: sender.clone(),
        min_balance: config.min_balance,
        journal: journal.clone(),
        metrics: metrics.clone(),
        hub: hub.clone(),
        claim: config.claim,
        live_only: config.live_only,
    };
    matcher
        .reconcile()
        .await
        .context("reconciling the journal with the chain")?;
    restore_jobs(&journal, &hub, sender.client())
        .await
        .context("replaying the journal's jobs")?;
    let settler = settler::Settler {
        sender: sender.clone(),
        hub: hub.clone(),
        journal: journal.clone(),
        metrics: metrics.clone(),
        period_jobs: config.period_jobs,
        period: config.period,
        claim: config.claim,
        open_proofs: Default::default(),
    };

    let cancel = CancellationToken::new();
    let mut tasks = JoinSet::new();
    let stopped = Stopped::default();
    let (sweep_done, last_sweep) = watch::channel(None);
    let interval = config.sweep;
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let (ws_url, woken, stop) = (config.ws_url.clone(), wake.clone(), cancel.clone());
    spawn_task(&mut tasks, "watch", &cancel, &stopped, async move {
        chain_watch::watch_leases(ws_url, woken, stop).await;
        Ok(())
    });
    let stop = cancel.clone();
    spawn_task(&mut tasks, "matcher", &cancel, &stopped, async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = tick.tick() => {}
                _ = wake.notified() => {}
            }
            match matcher.sweep().await {
                Ok(_) => {
                    let _ = sweep_done.send(Some(tokio::time::Instant::now()));
                }
                // A failed sweep (RPC down, a journal error) is logged and
                // retried at the next tick on the next RPC URL; /healthz
                // turns unready if it lasts.
                Err(error) => {
                    let next = matcher.sender.fail_over();
                    tracing::warn!("sweep failed: {error:#}; next sweep through {next}");
                }
            }
        }
    });

    let duties = epochs::EpochDuties {
        sender: sender.clone(),
        hub: hub.clone(),
        blobs: blobs.clone(),
        metrics: metrics.clone(),
        claim: config.claim,
        plan: config.check,
    };
    let stop = cancel.clone();
    spawn_task(&mut tasks, "epochs", &cancel, &stopped, async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = tick.tick() => {}
            }
            let elapsed = last.elapsed();
            last = tokio::time::Instant::now();
            if let Err(error) = duties.tick(elapsed).await {
                let next = duties.sender.fail_over();
                tracing::warn!("epoch duties failed: {error:#}; next round through {next}");
            }
        }
    });
    let stop = cancel.clone();
    spawn_task(&mut tasks, "settler", &cancel, &stopped, async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for round in 0u64.. {
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = tick.tick() => {}
            }
            // Unlocked proofs are looked for every 2 s.
            if let Err(error) = settler.tick(round % 8 == 0).await {
                let next = settler.sender.fail_over();
                tracing::warn!("settling failed: {error:#}; next round through {next}");
            }
        }
        Ok(())
    });

    let health = Health {
        last_sweep,
        stale_after: interval * 10 + Duration::from_secs(5),
        min_balance: config.min_balance,
        metrics,
        hub: hub.clone(),
        stopped: stopped.clone(),
    };
    let me = keypair.pubkey();
    let api = api::Api {
        hub: hub.clone(),
        blobs: blobs.clone(),
        journal: journal.clone(),
        chain: Arc::new(Client::new(&config.rpc_urls[0], keypair.insecure_clone())),
        me,
        claim: config.claim,
        metrics: health.metrics.clone(),
        worker_nonces: Default::default(),
    };
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(health)
        .merge(api::router(api));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let stop = cancel.clone();
    spawn_task(&mut tasks, "http", &cancel, &stopped, async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        served.map_err(Into::into)
    });
    tracing::info!("keeper listening on http://{addr}");
    Ok(Keeper {
        addr,
        journal,
        hub,
        blobs,
        cancel,
        tasks,
    })
}

impl Keeper {
    /// Stops every task and waits for them; the first task error, if any.
    pub async fn shutdown(mut self) -> Result<()> {
        self.cancel.cancel();
        let mut first_error = None;
        while let Some(joined) = self.tasks.join_next().await {
            let (name, result) = joined.context("a keeper task panicked")?;
            if let Err(error) = result {
                first_error.get_or_insert(error.context(format!("task {name}")));
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// Replays the journal's job events into the board; a period journaled as
/// about to be posted, with no outcome, is posted if the chain holds its
/// proof (with its root), and its jobs wait for a new period otherwise.
async fn restore_jobs(journal: &Journal, hub: &Hub, chain: &Client) -> Result<()> {
    let key = |text: &str| {
        text.parse::<Pubkey>()
            .with_context(|| format!("{text:?} in the journal is not a public key"))
    };
    let job = |text: &str| {
        wire::from_hex32(text).with_context(|| format!("{text:?} in the journal is not a job id"))
    };
    let jobs_of = |ids: &[String]| ids.iter().map(|j| job(j)).collect::<Result<Vec<_>>>();
    let mut intents: Vec<Intent> = Vec::new();
    for event in journal.job_events()? {
        match event {
            JobEvent::Submitted {
                lease,
                client,
                nonce,
                body_hash,
                jobs,
            } => {
                let specs = jobs
                    .iter()
                    .map(|j| serde_json::from_str(j).context("a journaled job does not parse"))
                    .collect::<Result<Vec<_>>>()?;
                let nonce = u128::from_str_radix(&nonce, 16).context("a journaled nonce")?;
                let body_hash = wire::from_hex32(&body_hash).context("a journaled body hash")?;
                let client = key(&client)?;
                let now = std::time::Instant::now();
                hub.with(|b| b.submit(lease, client, nonce, body_hash, specs, now))?;
            }
            JobEvent::Succeeded {
                job: id,
                device,
                receipt,
                outputs,
            } => {
                let receipt: wire::SignedReceiptJson =
                    serde_json::from_str(&receipt).context("a journaled receipt")?;
                let decoded = receipt.decode().context("a journaled receipt")?;
                let (id, device) = (job(&id)?, key(&device)?);
                hub.with(|b| b.restore_succeeded(&id, device, decoded, outputs));
            }
            JobEvent::Failed { job: id, reason } => {
                let id = job(&id)?;
                hub.with(|b| b.restore_failed(&id, reason));
            }
            JobEvent::PeriodIntent {
                lease,
                device,
                seq,
                jobs,
                start,
                end,
                signature,
                worker,
            } => {
                let device = key(&device)?;
                // A later send of the same period replaces the earlier.
                intents.retain(|i: &Intent| (i.lease, i.device, i.seq) != (lease, device, seq));
                intents.push(Intent {
                    lease,
                    device,
                    seq,
                    jobs: jobs_of(&jobs)?,
                    span: (start, end),
                    signature: signature.parse().context("a journaled signature")?,
                    worker: key(&worker)?,
                });
            }
            JobEvent::PeriodPosted {
                lease,
                device,
                seq,
                jobs,
                tx,
            } => {
                let device = key(&device)?;
                intents.retain(|i| (i.lease, i.device, i.seq) != (lease, device, seq));
                let jobs = jobs_of(&jobs)?;
                hub.with(|b| b.restore_posted(&pda::lease(lease), (lease, device), seq, jobs, tx));
            }
        }
    }
    for Intent {
        lease,
        device,
        seq,
        jobs,
        span,
        signature,
        worker,
    } in intents
    {
        let lease_key = pda::lease(lease);
        let proof = chain
            .account::<io_compute::state::UsageProof>(&pda::usage_proof(&lease_key, &device, seq))
            .await?;
        let root = hub.with(|b| b.root_of(&lease_key, &device, &jobs));
        if proof.is_some_and(|p| Some(p.receipts_root) == root.map(|(r, _)| r)) {
            let tx = "found on chain".to_string();
            journal
                .record(Entry::Job(JobEvent::PeriodPosted {
                    lease,
                    device: device.to_string(),
                    seq,
                    jobs: jobs.iter().map(|j| wire::hex(j)).collect(),
                    tx: tx.clone(),
                }))
                .await?;
            hub.with(|b| b.restore_posted(&lease_key, (lease, device), seq, jobs, tx));
        } else {
            // Perhaps still in flight: the same proof is sent again.
            hub.with(|b| {
                b.restore_signed(
                    &lease_key,
                    (lease, device),
                    seq,
                    span,
                    jobs,
                    (signature, worker),
                )
            });
        }
    }
    Ok(())
}

/// A period journaled as about to be posted.
struct Intent {
    lease: u64,
    device: Pubkey,
    seq: u32,
    jobs: Vec<board::JobId>,
    span: (i64, i64),
    signature: solana_sdk::signature::Signature,
    worker: Pubkey,
}

async fn healthz(State(health): State<Health>) -> (StatusCode, String) {
    let stopped = health.stopped.lock().expect("never poisoned").clone();
    if !stopped.is_empty() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("task {} stopped: restart the keeper", stopped.join(", ")),
        );
    }
    let balance = health.metrics.balance.get();
    if health.last_sweep.borrow().is_some() && balance < health.min_balance as i64 {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "low balance: {balance} lamports, under the floor of {}",
                health.min_balance
            ),
        );
    }
    match *health.last_sweep.borrow() {
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: no sweep of the chain yet".into(),
        ),
        Some(at) if at.elapsed() > health.stale_after => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "stalled: the last sweep was {} s ago",
                at.elapsed().as_secs()
            ),
        ),
        Some(_) => (StatusCode::OK, "ready".into()),
    }
}

async fn metrics_text(State(health): State<Health>) -> String {
    let counts = health.hub.with(|b| b.counts());
    for state in [
        wire::JobState::Queued,
        wire::JobState::Running,
        wire::JobState::Succeeded,
        wire::JobState::Failed,
    ] {
        health
            .metrics
            .jobs
            .with_label_values(&[state.name()])
            .set(counts.get(&state).copied().unwrap_or(0) as i64);
    }
    if let Some(at) = *health.last_sweep.borrow() {
        health.metrics.sync_lag.set(at.elapsed().as_secs_f64());
    }
    health.metrics.render()
}
