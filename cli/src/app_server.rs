//! The web app as `ioc up` serves it: the build in `app/dist` (no dev
//! server), `/config.json` telling the app where the chain is, and on the
//! localnet `POST /api/faucet` for development wallets.

use crate::commands::up::fund_io;
use anyhow::{Context as _, Result};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use io_compute::constants::ONE_IO;
use io_compute_sdk::client::Client;
use serde::Deserialize;
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use std::{net::SocketAddr, path::Path, sync::Arc};
use tokio_util::sync::CancellationToken;
use tower_http::services::{ServeDir, ServeFile};

/// What one faucet request gives a development wallet.
pub const FAUCET_SOL: u64 = 10;
pub const FAUCET_IO: u64 = 50_000;

struct Faucet {
    /// The admin key, which holds the localnet's IO faucet.
    admin: Client,
    /// One faucet transfer at a time: they all spend from one account.
    lock: tokio::sync::Mutex<()>,
}

#[derive(Deserialize)]
struct FaucetRequest {
    wallet: String,
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn faucet(State(faucet): State<Arc<Faucet>>, Json(request): Json<FaucetRequest>) -> Response {
    let Ok(wallet) = request.wallet.parse::<Pubkey>() else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("{:?} is not a base58 public key", request.wallet),
        );
    };
    let _one_at_a_time = faucet.lock.lock().await;
    let admin = &faucet.admin;
    let sent = async {
        admin
            .request_airdrop(&wallet, FAUCET_SOL * 1_000_000_000)
            .await?;
        fund_io(admin, &wallet, FAUCET_IO * ONE_IO).await
    }
    .await;
    match sent {
        Ok(()) => Json(json!({ "wallet": wallet.to_string(), "sol": FAUCET_SOL, "io": FAUCET_IO }))
            .into_response(),
        Err(error) => refuse(
            StatusCode::BAD_GATEWAY,
            format!("the faucet could not pay: {error:#}"),
        ),
    }
}

/// Serves the app in `dir` on `listen` until `stop`; `dir` must hold a
/// build (`index.html`).
pub async fn serve(
    listen: SocketAddr,
    dir: &Path,
    rpc_url: String,
    ws_url: String,
    admin: Client,
    stop: CancellationToken,
) -> Result<tokio::task::JoinHandle<()>> {
    let index = dir.join("index.html");
    anyhow::ensure!(
        index.is_file(),
        "{} holds no app build: run `npm ci --prefix app && npm run build --prefix app`",
        dir.display()
    );
    let config = json!({
        "rpcUrl": rpc_url,
        "wsUrl": ws_url,
        "network": "localnet",
        "faucetUrl": "./api/faucet",
    });
    let faucet_state = Arc::new(Faucet {
        admin,
        lock: tokio::sync::Mutex::new(()),
    });
    let app = Router::new()
        .route("/config.json", get(move || async move { Json(config) }))
        .route("/api/faucet", post(faucet).with_state(faucet_state))
        .fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("the app's port {listen} is taken"))?;
    Ok(tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "the app server stopped");
        }
    }))
}
