//! An RPC proxy that injects faults between a client and a node: requests
//! dropped before they reach the node, responses dropped after it acted
//! (for `sendTransaction`: the transaction executed, the sender never
//! heard), HTTP 429 with a Retry-After, and added latency. Each fault hits
//! a fraction of requests, drawn at random; counts of what was injected
//! are kept.

use axum::{
    body::Bytes,
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

/// What to inject, as fractions of requests.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Answered 503 without reaching the node.
    pub drop_request: f64,
    /// `sendTransaction` forwarded (it executes), then answered 502.
    pub drop_response: f64,
    /// Answered 429 with `Retry-After: 1` without reaching the node.
    pub too_many_requests: f64,
    /// Added before forwarding.
    pub latency: Duration,
}

#[derive(Default, Debug)]
pub struct Injected {
    pub forwarded: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub dropped_responses: AtomicU64,
    pub too_many_requests: AtomicU64,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    faults: Mutex<Faults>,
    injected: Injected,
}

pub struct RpcProxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl RpcProxy {
    /// A proxy on a free port of 127.0.0.1 in front of `upstream`.
    pub async fn start(upstream: &str, faults: Faults) -> Self {
        let shared = Arc::new(Shared {
            upstream: upstream.to_string(),
            http: reqwest::Client::new(),
            faults: Mutex::new(faults),
            injected: Injected::default(),
        });
        let app = Router::new()
            .route("/", post(relay))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, shared, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults.lock().unwrap() = faults;
    }

    pub fn injected(&self) -> &Injected {
        &self.shared.injected
    }
}

impl Drop for RpcProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let faults = shared.faults.lock().unwrap().clone();
    let draw = || rand::random::<f64>();
    let counted = |counter: &AtomicU64| {
        counter.fetch_add(1, Ordering::Relaxed);
    };
    if draw() < faults.too_many_requests {
        counted(&shared.injected.too_many_requests);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "slow down",
        )
            .into_response();
    }
    if draw() < faults.drop_request {
        counted(&shared.injected.dropped_requests);
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    tokio::time::sleep(faults.latency).await;
    let sends = body
        .windows(b"sendTransaction".len())
        .any(|w| w == b"sendTransaction");
    let forwarded = shared
        .http
        .post(&shared.upstream)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    counted(&shared.injected.forwarded);
    let Ok(response) = forwarded else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = response.status();
    let bytes = response.bytes().await.unwrap_or_default();
    if sends && draw() < faults.drop_response {
        counted(&shared.injected.dropped_responses);
        return StatusCode::BAD_GATEWAY.into_response();
    }
    (
        StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
        [(header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}
