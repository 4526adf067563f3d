//! The embedded default chain: a Solana bank (solana-program-test's runtime)
//! with io-compute loaded natively and the SPL programs present, served over
//! standard Solana JSON-RPC (HTTP) and PubSub (WebSocket, RPC port + 1) on
//! 127.0.0.1, with the clock following wall time and optional persistence.

pub mod bank;
pub mod pubsub;
pub mod rpc;
pub mod runtime;
pub mod snapshot;

use bank::{BankConfig, BankHandle};
use std::{
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
    time::Duration,
};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

/// Default slot time, as on mainnet.
pub const DEFAULT_SLOT_DURATION: Duration = Duration::from_millis(400);
/// How often a changed ledger is written; a kill -9 loses at most this much.
pub const DEFAULT_SNAPSHOT_INTERVAL: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct LocalnetConfig {
    /// HTTP JSON-RPC port; WebSocket is this + 1. 0 picks free ports (tests).
    pub rpc_port: u16,
    /// Directory whose snapshot survives restarts; `None` keeps nothing.
    pub ledger: Option<PathBuf>,
    /// Start from genesis even when the ledger holds a snapshot.
    pub reset: bool,
    pub slot_duration: Duration,
    pub snapshot_interval: Duration,
}

impl Default for LocalnetConfig {
    fn default() -> Self {
        Self {
            rpc_port: 8899,
            ledger: None,
            reset: false,
            slot_duration: DEFAULT_SLOT_DURATION,
            snapshot_interval: DEFAULT_SNAPSHOT_INTERVAL,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LocalnetError {
    #[error("ledger {path}: {source}")]
    Ledger {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot listen on 127.0.0.1:{port}: {source} (is another localnet running? try --rpc-port)"
    )]
    Bind { port: u16, source: std::io::Error },
}

/// A running localnet. Dropping it without [`Localnet::shutdown`] stops the
/// servers but skips the final snapshot.
pub struct Localnet {
    pub rpc_addr: SocketAddr,
    pub ws_addr: SocketAddr,
    pub accounts_restored: usize,
    bank: BankHandle,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

async fn bind(port: u16) -> Result<TcpListener, LocalnetError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|source| LocalnetError::Bind { port, source })
}

impl Localnet {
    pub async fn start(config: LocalnetConfig) -> Result<Self, LocalnetError> {
        let restored = match &config.ledger {
            Some(dir) => {
                let ledger_error = |source| LocalnetError::Ledger {
                    path: dir.clone(),
                    source,
                };
                if config.reset {
                    match std::fs::remove_file(dir.join(snapshot::SNAPSHOT_FILE)) {
                        Ok(()) => {}
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                        Err(err) => return Err(ledger_error(err)),
                    }
                }
                std::fs::create_dir_all(dir).map_err(ledger_error)?;
                snapshot::load(dir).map_err(ledger_error)?
            }
            None => None,
        };
        // Bind before starting the bank, so a busy port fails fast.
        let rpc_listener = bind(config.rpc_port).await?;
        let ws_port = if config.rpc_port == 0 {
            0
        } else {
            config.rpc_port + 1
        };
        let ws_listener = bind(ws_port).await?;

        let accounts_restored = restored.as_ref().map_or(0, |s| s.accounts.len());
        let chain =
            runtime::Chain::start(restored.as_ref().map_or(&[][..], |s| &s.accounts[..])).await;

        let (shutdown, shutdown_rx) = watch::channel(false);
        let (bank, bank_task) = bank::spawn(
            chain,
            restored,
            BankConfig {
                slot_duration: config.slot_duration,
                ledger: config.ledger.clone(),
                snapshot_interval: config.snapshot_interval,
            },
            shutdown_rx.clone(),
        )
        .await;

        let rpc_addr = rpc_listener.local_addr().expect("bound");
        let ws_addr = ws_listener.local_addr().expect("bound");
        // Any origin may call, as on an agave node: browser apps read the
        // chain directly.
        let rpc_app = rpc::router(rpc::RpcState { bank: bank.clone() })
            .layer(tower_http::cors::CorsLayer::permissive());
        let ws_app = pubsub::router(bank.clone());
        let rpc_task = tokio::spawn(serve(rpc_listener, rpc_app, shutdown_rx.clone()));
        let ws_task = tokio::spawn(serve(ws_listener, ws_app, shutdown_rx));
        tracing::info!(%rpc_addr, %ws_addr, accounts_restored, "localnet ready");
        Ok(Self {
            rpc_addr,
            ws_addr,
            accounts_restored,
            bank,
            shutdown,
            tasks: vec![bank_task, rpc_task, ws_task],
        })
    }

    pub fn rpc_url(&self) -> String {
        format!("http://{}", self.rpc_addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.ws_addr)
    }

    pub fn bank(&self) -> &BankHandle {
        &self.bank
    }

    /// Stops the servers and the bank, writing the final snapshot.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

async fn serve(listener: TcpListener, app: axum::Router, mut shutdown: watch::Receiver<bool>) {
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await;
    if let Err(err) = result {
        tracing::error!(%err, "server stopped");
    }
}
