//! An HTTP client of a keeper's API (`api`), signing every POST for the
//! keeper's authority with a fresh nonce: what workers, `ioc job` and tests
//! use.

use crate::{
    api::{self, ApiError, JobStatus, KeeperInfo, SubmitJobs, Submitted},
    request::SignedRequest,
};
use anchor_lang::prelude::Pubkey;
use serde::{de::DeserializeOwned, Serialize};
use solana_keypair::Keypair;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The keeper could not be reached or did not answer in time.
    #[error("keeper {url} unreachable: {reason}")]
    Unreachable { url: String, reason: String },
    /// It answered with an error status.
    #[error("keeper answered {status}: {message}")]
    Refused { status: u16, message: String },
    #[error("keeper answered with an unreadable body: {0}")]
    Body(String),
}

impl CallError {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub struct KeeperClient {
    http: reqwest::Client,
    pub base: String,
    /// The keeper authority requests are signed for.
    pub audience: Pubkey,
    signer: Keypair,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl KeeperClient {
    /// A client of the keeper at `base` (e.g. `http://127.0.0.1:8910`)
    /// whose authority is `audience`, signing with `signer`.
    pub fn new(base: &str, audience: Pubkey, signer: Keypair) -> Self {
        Self {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .expect("an HTTP client"),
            base: base.trim_end_matches('/').to_string(),
            audience,
            signer,
        }
    }

    /// Asks the keeper at `base` for its authority first.
    pub async fn connect(base: &str, signer: Keypair) -> Result<Self, CallError> {
        let mut client = Self::new(base, Pubkey::default(), signer);
        let info: KeeperInfo = client.get("/v1/keeper").await?;
        client.audience = info
            .authority
            .parse()
            .map_err(|_| CallError::Body("the keeper's authority is not a public key".into()))?;
        Ok(client)
    }

    fn unreachable(&self, error: reqwest::Error) -> CallError {
        CallError::Unreachable {
            url: self.base.clone(),
            reason: error.to_string(),
        }
    }

    async fn read<R: DeserializeOwned>(&self, response: reqwest::Response) -> Result<R, CallError> {
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.unreachable(e))?;
        if !status.is_success() {
            let message = serde_json::from_slice::<ApiError>(&bytes)
                .map(|e| e.error)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
            return Err(CallError::Refused {
                status: status.as_u16(),
                message,
            });
        }
        let bytes = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes[..]
        };
        serde_json::from_slice(bytes).map_err(|e| CallError::Body(e.to_string()))
    }

    /// A signed POST of `body` (as JSON) to `path`, with `timeout`.
    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        timeout: Duration,
    ) -> Result<R, CallError> {
        let bytes = serde_json::to_vec(body).expect("bodies serialize");
        self.post_signed(
            path,
            bytes.clone(),
            SignedRequest::sign(
                &self.signer,
                &self.audience,
                "POST",
                path,
                &bytes,
                unix_now(),
            ),
            timeout,
        )
        .await
    }

    /// POSTs `bytes` with an already made signature (tests use it to send
    /// forged, expired and replayed requests).
    pub async fn post_signed<R: DeserializeOwned>(
        &self,
        path: &str,
        bytes: Vec<u8>,
        signed: SignedRequest,
        timeout: Duration,
    ) -> Result<R, CallError> {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .timeout(timeout)
            .header("content-type", "application/json")
            .body(bytes);
        for (name, value) in signed.to_headers() {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        self.read(response).await
    }

    /// A GET of `path` (a query after `?` allowed), signed like a POST with
    /// an empty body: a keeper shows jobs, receipts and blobs only to
    /// whom they belong.
    fn signed_get(&self, path: &str, timeout: Duration) -> reqwest::RequestBuilder {
        let route = path.split('?').next().unwrap_or(path);
        let signed =
            SignedRequest::sign(&self.signer, &self.audience, "GET", route, b"", unix_now());
        let mut request = self
            .http
            .get(format!("{}{path}", self.base))
            .timeout(timeout);
        for (name, value) in signed.to_headers() {
            request = request.header(name, value);
        }
        request
    }

    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> Result<R, CallError> {
        let response = self
            .signed_get(path, Duration::from_secs(60))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        self.read(response).await
    }

    /// Uploads `bytes`; returns their hash.
    pub async fn put_blob(&self, bytes: Vec<u8>) -> Result<String, CallError> {
        let hash = api::blob_hash(&bytes);
        let path = format!("/v1/blobs/{hash}");
        let signed = SignedRequest::sign(
            &self.signer,
            &self.audience,
            "PUT",
            &path,
            &bytes,
            unix_now(),
        );
        let mut request = self
            .http
            .put(format!("{}{path}", self.base))
            .timeout(Duration::from_secs(120));
        for (name, value) in signed.to_headers() {
            request = request.header(name, value);
        }
        let response = request
            .body(bytes)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        self.read::<serde_json::Value>(response).await?;
        Ok(hash)
    }

    pub async fn get_blob(&self, hash: &str) -> Result<Vec<u8>, CallError> {
        let response = self
            .signed_get(&format!("/v1/blobs/{hash}"), Duration::from_secs(120))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if !response.status().is_success() {
            return self
                .read::<serde_json::Value>(response)
                .await
                .map(|_| Vec::new());
        }
        Ok(response
            .bytes()
            .await
            .map_err(|e| self.unreachable(e))?
            .to_vec())
    }

    /// Submits jobs to a lease (the signer must be its client).
    pub async fn submit(&self, jobs: &SubmitJobs) -> Result<Submitted, CallError> {
        self.post("/v1/jobs", jobs, Duration::from_secs(60)).await
    }

    pub async fn status(&self, job: &str) -> Result<JobStatus, CallError> {
        self.get(&format!("/v1/jobs/{job}")).await
    }

    /// The job's status once it is final, or after `timeout`.
    pub async fn wait(&self, job: &str, timeout: Duration) -> Result<JobStatus, CallError> {
        self.get(&format!(
            "/v1/jobs/{job}/wait?timeout_ms={}",
            timeout.as_millis()
        ))
        .await
    }
}
