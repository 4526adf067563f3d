//! io-keeper: the off-chain half of settlement. This first part watches
//! the chain and matches open clusters (leases) to devices; dispatch,
//! verification and settlement follow (issue 16).
//!
//! `start` runs named tasks under one cancellation token: `watch` (a
//! program subscription to lease accounts), `matcher` (a sweep every
//! `sweep` interval, or at once when `watch` sees a lease change) and
//! `http` (`/healthz`, `/metrics`).
//! State is owned by its task; `/healthz` reads the matcher's last
//! successful sweep through a watch channel.

pub mod chain_watch;
pub mod config;
pub mod journal;
pub mod matcher;
pub mod metrics;
pub mod sender;

use anyhow::{Context, Result};
use axum::{extract::State, http::StatusCode, routing::get, Router};
use config::KeeperConfig;
use journal::Journal;
use matcher::Matcher;
use metrics::Metrics;
use solana_sdk::signer::keypair::read_keypair_file;
use std::{net::SocketAddr, time::Duration};
use tokio::{sync::watch, task::JoinSet};
use tokio_util::sync::CancellationToken;

/// A running keeper.
pub struct Keeper {
    /// Where the HTTP API listens (the port is resolved when 0 was asked).
    pub addr: SocketAddr,
    pub journal: Journal,
    cancel: CancellationToken,
    tasks: JoinSet<(&'static str, Result<()>)>,
}

#[derive(Clone)]
struct Health {
    /// Chain-independent instant of the last successful sweep.
    last_sweep: watch::Receiver<Option<tokio::time::Instant>>,
    stale_after: Duration,
    min_balance: u64,
    metrics: Metrics,
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
    let journal = Journal::open(&config.journal)?;
    let metrics = Metrics::new();
    let matcher = Matcher {
        sender: sender::Sender::connect(&config.rpc_urls, &keypair, config.max_priority_fee)
            .await?,
        min_balance: config.min_balance,
        journal: journal.clone(),
        metrics: metrics.clone(),
    };
    matcher
        .reconcile()
        .await
        .context("reconciling the journal with the chain")?;

    let cancel = CancellationToken::new();
    let mut tasks = JoinSet::new();
    let (sweep_done, last_sweep) = watch::channel(None);
    let interval = config.sweep;
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let (ws_url, woken, stop) = (config.ws_url.clone(), wake.clone(), cancel.clone());
    tasks.spawn(async move {
        chain_watch::watch_leases(ws_url, woken, stop).await;
        ("watch", Ok(()))
    });
    let stop = cancel.clone();
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return ("matcher", Ok(())),
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

    let health = Health {
        last_sweep,
        stale_after: interval * 10 + Duration::from_secs(5),
        min_balance: config.min_balance,
        metrics,
    };
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(health);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let stop = cancel.clone();
    tasks.spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        ("http", served.map_err(Into::into))
    });
    tracing::info!("keeper listening on http://{addr}");
    Ok(Keeper {
        addr,
        journal,
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

async fn healthz(State(health): State<Health>) -> (StatusCode, String) {
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
    health.metrics.render()
}
