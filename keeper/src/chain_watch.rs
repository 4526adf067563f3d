//! The chain watch: a program subscription for lease accounts over
//! WebSocket. A notification only wakes the matcher early; its sweep reads
//! the chain itself, so a dropped notification costs at most one sweep
//! interval. A lost connection is retried with a bounded backoff.

use anchor_lang::Discriminator;
use futures_util::StreamExt;
use io_compute::state::Lease;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client_api::{
    config::{RpcAccountInfoConfig, RpcProgramAccountsConfig},
    filter::{Memcmp, RpcFilterType},
};
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

const BACKOFF_START: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Runs until `stop`: every lease change notifies `wake`.
pub async fn watch_leases(ws_url: String, wake: Arc<Notify>, stop: CancellationToken) {
    let mut backoff = BACKOFF_START;
    loop {
        let outcome = tokio::select! {
            _ = stop.cancelled() => return,
            outcome = subscribe(&ws_url, &wake) => outcome,
        };
        if let Err(error) = outcome {
            tracing::warn!("lease subscription to {ws_url}: {error}; retrying in {backoff:?}");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

async fn subscribe(ws_url: &str, wake: &Notify) -> Result<(), String> {
    let client = PubsubClient::new(ws_url).await.map_err(|e| e.to_string())?;
    let config = RpcProgramAccountsConfig {
        filters: Some(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
            0,
            Lease::DISCRIMINATOR.to_vec(),
        ))]),
        account_config: RpcAccountInfoConfig {
            encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64),
            ..Default::default()
        },
        ..Default::default()
    };
    let (mut notifications, _unsubscribe) = client
        .program_subscribe(&io_compute::ID, Some(config))
        .await
        .map_err(|e| e.to_string())?;
    while notifications.next().await.is_some() {
        wake.notify_one();
    }
    Err("the subscription ended".into())
}
