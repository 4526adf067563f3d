//! The keeper's HTTP API (`io_compute_sdk::api` has the routes and
//! bodies). Every POST is a `SignedRequest` for this keeper: a client's
//! submission must be signed by the lease's client wallet, a worker's
//! requests by the worker key the program holds for its devices. Nothing
//! is queued, claimed or billed before the signature, the audience, the
//! time and the nonce have been checked.

use crate::{
    blobs::Blobs,
    board::{Accepted, Blame, BoardError, Hub, JobId, CHECK_LEASE},
    journal::{Entry, JobEvent, Journal},
    metrics::Metrics,
    verifier::{self, Submission, Verdict},
};
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Json, Router,
};
use base64::Engine;
use io_compute::state::{Device, Lease, LeaseStatus};
use io_compute_sdk::{
    api::{
        self, ApiError, Attested, Claim, Heartbeat, JobOutcome, JobResult, LeaseJobs,
        LeaseReceipts, OpenSession, ProvenPeriod, ProvenReceipt, Release, Session,
        SignedReceiptJson, SubmitJobs, Submitted, MAX_CLAIM_WAIT_MS, MAX_JOBS_PER_SUBMIT,
        MAX_LEASE_JOBS,
    },
    client::Client,
    merkle, pda,
    request::{Admission, NonceBook, SignedRequest},
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use solana_sdk::{pubkey::Pubkey, signature::Signature};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// How far a request's time may be from the keeper's clock.
pub const MAX_SKEW_SECS: i64 = 60;

#[derive(Clone)]
pub struct Api {
    pub hub: Arc<Hub>,
    pub blobs: Blobs,
    pub journal: Journal,
    /// Reads leases and devices (the chain is the truth).
    pub chain: Arc<Client>,
    /// The keeper authority: every request's audience.
    pub me: Pubkey,
    pub claim: Duration,
    pub metrics: Metrics,
    /// Worker requests are never replayed (a retry signs anew).
    pub worker_nonces: Arc<Mutex<NonceBook>>,
}

/// An error answer: a status and `{"error": ...}`.
pub struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(ApiError { error: self.1 })).into_response()
    }
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal(status, message.into())
}

impl From<BoardError> for Refusal {
    fn from(error: BoardError) -> Self {
        let status = match error {
            BoardError::UnknownSession => StatusCode::UNAUTHORIZED,
            BoardError::UnknownJob(_) | BoardError::UnknownPeriod { .. } => StatusCode::NOT_FOUND,
            BoardError::StaleAttempt { .. } | BoardError::NonceReused => StatusCode::CONFLICT,
        };
        refuse(status, error.to_string())
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub fn router(api: Api) -> Router {
    Router::new()
        .route("/v1/keeper", get(keeper_info))
        .route("/v1/blobs/{hash}", put(put_blob).get(get_blob))
        .route("/v1/jobs", post(submit))
        .route("/v1/jobs/{id}", get(job_status))
        .route("/v1/jobs/{id}/wait", get(job_wait))
        .route("/v1/leases/{id}/receipts", get(lease_receipts))
        .route("/v1/leases/{id}/jobs", get(lease_jobs))
        .route("/v1/epochs/{epoch}/device-rewards", get(device_rewards))
        .route("/v1/worker/session", post(open_session))
        .route("/v1/worker/claims", post(claim))
        .route("/v1/worker/results", post(result))
        .route("/v1/worker/attestations", post(attestation))
        .route("/v1/worker/openings", post(openings))
        .route("/v1/worker/heartbeat", post(heartbeat))
        .route("/v1/worker/release", post(release))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::blobs::MAX_BLOB_BYTES,
        ))
        // Any origin: requests are signed, no cookie or ambient authority
        // rides along, so browser apps may call the keeper directly.
        .layer(tower_http::cors::CorsLayer::permissive())
        .with_state(api)
}

impl Api {
    /// The verified request in `headers` for `path` with `body`.
    fn authenticate(
        &self,
        headers: &HeaderMap,
        path: &str,
        body: &[u8],
    ) -> Result<SignedRequest, Refusal> {
        self.authenticate_method(headers, "POST", path, body)
    }

    fn authenticate_method(
        &self,
        headers: &HeaderMap,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<SignedRequest, Refusal> {
        let request =
            SignedRequest::from_headers(|name| headers.get(name).and_then(|v| v.to_str().ok()))
                .map_err(|e| refuse(status(e.status()), e.to_string()))?;
        request
            .verify(&self.me, method, path, body, unix_now(), MAX_SKEW_SECS)
            .map_err(|e| refuse(status(e.status()), e.to_string()))?;
        Ok(request)
    }

    /// Lease `id` as the chain has it now.
    async fn lease(&self, id: u64) -> Result<Lease, Refusal> {
        self.chain
            .account(&pda::lease(id))
            .await
            .map_err(|e| refuse(StatusCode::BAD_GATEWAY, e.to_string()))?
            .ok_or_else(|| refuse(StatusCode::NOT_FOUND, format!("there is no lease {id}")))
    }

    /// A signed GET of `route` (no body; replays are harmless): its signer.
    fn authenticate_get(&self, headers: &HeaderMap, route: &str) -> Result<Pubkey, Refusal> {
        self.signer_of(
            headers,
            "GET",
            route,
            b"",
            "sign the request (the x-ioc-* headers): jobs, receipts and blobs are shown only to whom they belong",
        )
    }

    /// The signer of a request whose replays are harmless (no nonce is
    /// kept); an unsigned one is told `unsigned`.
    fn signer_of(
        &self,
        headers: &HeaderMap,
        method: &str,
        route: &str,
        body: &[u8],
        unsigned: &str,
    ) -> Result<Pubkey, Refusal> {
        if !headers.contains_key(io_compute_sdk::request::HEADERS[4]) {
            return Err(refuse(StatusCode::UNAUTHORIZED, unsigned));
        }
        Ok(self
            .authenticate_method(headers, method, route, body)?
            .signer)
    }

    /// The signer of a GET about job `id` must be the client who submitted it.
    fn authorize_job(&self, headers: &HeaderMap, route: &str, id: &JobId) -> Result<(), Refusal> {
        let reader = self.authenticate_get(headers, route)?;
        match self.hub.with(|b| b.job_owner(id)) {
            None => Err(refuse(
                StatusCode::NOT_FOUND,
                format!("unknown job {}", api::hex(id)),
            )),
            Some(owner) if owner != reader => Err(refuse(
                StatusCode::FORBIDDEN,
                "this job belongs to another client",
            )),
            Some(_) => Ok(()),
        }
    }

    /// A worker's request: verified, never seen before, from the worker
    /// key of `session` (when one is named).
    fn authenticate_worker(
        &self,
        headers: &HeaderMap,
        path: &str,
        body: &[u8],
        session: Option<&str>,
    ) -> Result<SignedRequest, Refusal> {
        let request = self.authenticate(headers, path, body)?;
        let admission = self
            .worker_nonces
            .lock()
            .expect("the nonce lock is never poisoned")
            .admit(&request, body, unix_now(), MAX_SKEW_SECS);
        if admission != Admission::Fresh {
            return Err(refuse(
                StatusCode::CONFLICT,
                "this request was already received (sign each request anew)",
            ));
        }
        if let Some(session) = session {
            let worker = self.hub.with(|b| b.session_worker(session))?;
            if worker != request.signer {
                return Err(refuse(
                    StatusCode::FORBIDDEN,
                    "the session belongs to another worker key",
                ));
            }
        }
        Ok(request)
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    serde_json::from_slice(body).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            format!("the body does not parse: {e}"),
        )
    })
}

fn job_key(text: &str) -> Result<JobId, Refusal> {
    api::from_hex32(text)
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, format!("{text:?} is not a job id")))
}

async fn keeper_info(State(api): State<Api>) -> Json<api::KeeperInfo> {
    Json(api::KeeperInfo {
        authority: api.me.to_string(),
    })
}

/// `PUT /v1/blobs/{hash}`, signed by a worker in session or by the client
/// of a running lease of this keeper. A replay stores nothing new (the
/// name is the content's hash), so no nonce is kept.
async fn put_blob(
    State(api): State<Api>,
    Path(hash): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, Refusal> {
    let uploader = api.signer_of(
        &headers,
        "PUT",
        &format!("/v1/blobs/{hash}"),
        &body,
        "sign the upload (the x-ioc-* headers): only workers in session and clients of running leases may store blobs",
    )?;
    if !api.hub.with(|b| b.may_upload_blob(&uploader)) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!("{uploader} is neither a worker in session nor the client of a running lease of this keeper"),
        ));
    }
    api.blobs.put(&hash, body.to_vec()).await.map_err(|e| {
        // Bytes that are not what their name says are the uploader's
        // mistake; anything else is the keeper's.
        let status = if e.is::<crate::blobs::BlobError>() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        refuse(status, format!("{e:#}"))
    })?;
    Ok(StatusCode::CREATED)
}

async fn get_blob(
    State(api): State<Api>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Vec<u8>, Refusal> {
    let reader = api.authenticate_get(&headers, &format!("/v1/blobs/{hash}"))?;
    if !api.hub.with(|b| b.may_read_blob(&reader, &hash)) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!("blob {hash} is not one of your jobs' inputs or outputs"),
        ));
    }
    let blobs = api.blobs.clone();
    let missing = format!("no blob {hash}");
    tokio::task::spawn_blocking(move || blobs.get(&hash))
        .await
        .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, missing))
}

/// `POST /v1/jobs`.
async fn submit(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Submitted>, Refusal> {
    let request = api.authenticate(&headers, "/v1/jobs", &body)?;
    let submission: SubmitJobs = parse(&body)?;
    if submission.jobs.is_empty() || submission.jobs.len() > MAX_JOBS_PER_SUBMIT {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("submit 1 to {MAX_JOBS_PER_SUBMIT} jobs at a time"),
        ));
    }
    for (i, job) in submission.jobs.iter().enumerate() {
        job.validate()
            .map_err(|e| refuse(StatusCode::BAD_REQUEST, format!("job {i}: {e}")))?;
    }
    let id = submission.lease;
    let lease = api.lease(id).await?;
    if lease.client != request.signer {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!(
                "lease {id} belongs to client {}, not {}",
                lease.client, request.signer
            ),
        ));
    }
    if lease.keeper != api.me {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!(
                "lease {id} is served by keeper {}, not this one",
                lease.keeper
            ),
        ));
    }
    if lease.status != LeaseStatus::Active {
        return Err(refuse(
            StatusCode::CONFLICT,
            format!(
                "lease {id} is {:?}, not active: it takes no jobs",
                lease.status
            ),
        ));
    }
    let body_hash: [u8; 32] = Sha256::digest(&body).into();
    let (signer, nonce) = (request.signer, request.nonce);
    // Write-ahead: a new request is journaled before it is queued or
    // answered; a replay is answered from the board.
    let replayed = api.hub.with(|b| b.replayed(&signer, nonce, &body_hash))?;
    if replayed.is_none() {
        api.journal
            .record(Entry::Job(JobEvent::Submitted {
                lease: id,
                client: signer.to_string(),
                nonce: format!("{nonce:032x}"),
                body_hash: api::hex(&body_hash),
                jobs: submission
                    .jobs
                    .iter()
                    .map(|j| serde_json::to_string(j).expect("jobs serialize"))
                    .collect(),
            }))
            .await
            .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        crate::crash::point("submit-journaled");
    }
    let ids = api.hub.with(|b| {
        b.submit(
            id,
            signer,
            nonce,
            body_hash,
            submission.jobs,
            Instant::now(),
        )
    })?;
    api.metrics.jobs_submitted.inc_by(if replayed.is_none() {
        ids.len() as u64
    } else {
        0
    });
    api.hub.work.notify_waiters();
    let jobs = api
        .hub
        .with(|b| ids.iter().filter_map(|i| b.status(i)).collect());
    Ok(Json(Submitted { jobs }))
}

/// `GET /v1/epochs/{epoch}/device-rewards`: the published report (the
/// blob whose root this keeper posted).
async fn device_rewards(
    State(api): State<Api>,
    Path(epoch): Path<u64>,
) -> Result<Response, Refusal> {
    let hash = api
        .hub
        .with(|b| b.device_reports.get(&epoch).cloned())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            refuse(
                StatusCode::NOT_FOUND,
                format!("this keeper posted no device rewards for epoch {epoch}"),
            )
        })?;
    let bytes = api
        .blobs
        .get(&hash)
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, format!("report {hash} is missing")))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response())
}

async fn job_status(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<api::JobStatus>, Refusal> {
    let key = job_key(&id)?;
    api.authorize_job(&headers, &format!("/v1/jobs/{id}"), &key)?;
    api.hub
        .with(|b| b.status(&key))
        .map(Json)
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, format!("unknown job {id}")))
}

#[derive(Deserialize)]
struct WaitQuery {
    timeout_ms: Option<u64>,
}

/// `GET /v1/jobs/{id}/wait`: the status once final, or at the timeout.
async fn job_wait(
    State(api): State<Api>,
    Path(id): Path<String>,
    Query(query): Query<WaitQuery>,
    headers: HeaderMap,
) -> Result<Json<api::JobStatus>, Refusal> {
    let key = job_key(&id)?;
    api.authorize_job(&headers, &format!("/v1/jobs/{id}/wait"), &key)?;
    let timeout = Duration::from_millis(query.timeout_ms.unwrap_or(30_000).min(MAX_CLAIM_WAIT_MS));
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let done = api.hub.done.notified();
        tokio::pin!(done);
        done.as_mut().enable();
        let status = api
            .hub
            .with(|b| b.status(&key))
            .ok_or_else(|| refuse(StatusCode::NOT_FOUND, format!("unknown job {id}")))?;
        if status.state.is_final() || tokio::time::timeout_at(deadline, done).await.is_err() {
            return Ok(Json(status));
        }
    }
}

/// Refuses a signed GET of lease `id`'s `what` (its last path segment)
/// unless the lease's client signed it.
async fn authorize_lease_client(
    api: &Api,
    headers: &HeaderMap,
    id: u64,
    what: &str,
) -> Result<(), Refusal> {
    let reader = api.authenticate_get(headers, &format!("/v1/leases/{id}/{what}"))?;
    let lease = api.lease(id).await?;
    if lease.client != reader {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!("lease {id}'s {what} are for its client {}", lease.client),
        ));
    }
    Ok(())
}

/// `GET /v1/leases/{id}/jobs`: the lease's latest jobs, for its client.
async fn lease_jobs(
    State(api): State<Api>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Result<Json<LeaseJobs>, Refusal> {
    authorize_lease_client(&api, &headers, id, "jobs").await?;
    let jobs = api.hub.with(|b| b.lease_jobs(id, MAX_LEASE_JOBS));
    Ok(Json(LeaseJobs { lease: id, jobs }))
}

/// `GET /v1/leases/{id}/receipts`: every posted period with each receipt's
/// Merkle proof against the root the chain holds.
async fn lease_receipts(
    State(api): State<Api>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Result<Json<LeaseReceipts>, Refusal> {
    authorize_lease_client(&api, &headers, id, "receipts").await?;
    let lease_key = pda::lease(id);
    let periods = api.hub.with(|b| b.posted_periods(id));
    let periods = periods
        .into_iter()
        .map(|(period, receipts)| {
            let tree = merkle::receipts_tree(
                &lease_key,
                &period.device,
                &receipts.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
            );
            ProvenPeriod {
                device: period.device.to_string(),
                seq: period.seq,
                proof: pda::usage_proof(&lease_key, &period.device, period.seq).to_string(),
                receipts_root: api::hex(&period.root),
                device_time_us: period.device_time_us,
                posted_in: match &period.state {
                    crate::board::PeriodState::Posted(tx) => tx.clone(),
                    _ => String::new(),
                },
                receipts: receipts
                    .iter()
                    .enumerate()
                    .map(|(i, (r, s))| ProvenReceipt {
                        receipt: SignedReceiptJson::new(r, s),
                        merkle_proof: tree.proof(i).iter().map(|h| api::hex(h)).collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Json(LeaseReceipts { lease: id, periods }))
}

/// `POST /v1/worker/session`: the devices whose worker key signed.
async fn open_session(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Session>, Refusal> {
    let request = api.authenticate_worker(&headers, "/v1/worker/session", &body, None)?;
    let open: OpenSession = parse(&body)?;
    let devices: Vec<Pubkey> = api
        .chain
        .program_accounts::<Device>(&[])
        .await
        .map_err(|e| refuse(StatusCode::BAD_GATEWAY, e.to_string()))?
        .into_iter()
        .filter(|(_, d)| d.worker == request.signer)
        .map(|(key, _)| key)
        .collect();
    if devices.is_empty() {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!(
                "no device has worker key {}: run `io-worker register` first",
                request.signer
            ),
        ));
    }
    let session = api::hex(&rand::random::<[u8; 16]>());
    api.hub
        .with(|b| b.open_session(session.clone(), request.signer, devices.clone(), open.slots));
    tracing::info!(
        "worker {} opened a session for {} device(s)",
        request.signer,
        devices.len()
    );
    Ok(Json(Session {
        session,
        devices: devices.iter().map(Pubkey::to_string).collect(),
        heartbeat_ms: (api.claim.as_millis() as u64 / 4).max(50),
        claim_ms: api.claim.as_millis() as u64,
    }))
}

/// `POST /v1/worker/claims`: long-polls until there is a task or the wait
/// ends.
async fn claim(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Vec<api::Task>>, Refusal> {
    let claim: Claim = parse(&body)?;
    api.authenticate_worker(&headers, "/v1/worker/claims", &body, Some(&claim.session))?;
    let deadline =
        tokio::time::Instant::now() + Duration::from_millis(claim.wait_ms.min(MAX_CLAIM_WAIT_MS));
    loop {
        let work = api.hub.work.notified();
        tokio::pin!(work);
        work.as_mut().enable();
        let (tasks, waits) = api.hub.with(|b| {
            let tasks = b.claim(&claim.session, claim.max, api.claim, Instant::now())?;
            Ok::<_, BoardError>((tasks, std::mem::take(&mut b.dispatch_waits)))
        })?;
        for wait in waits {
            api.metrics.dispatch_latency.observe(wait);
        }
        if !tasks.is_empty() || tokio::time::timeout_at(deadline, work).await.is_err() {
            api.metrics.dispatched.inc_by(
                tasks
                    .iter()
                    .filter(|t| matches!(t, api::Task::Run { .. }))
                    .count() as u64,
            );
            return Ok(Json(tasks));
        }
    }
}

/// `POST /v1/worker/results`: a current attempt's result, verified before
/// it is accepted; a wrong one bans its device and the job runs elsewhere.
/// The answer may carry the slot's next job.
async fn result(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<api::ResultAnswer>, Refusal> {
    let sent: JobResult = parse(&body)?;
    api.authenticate_worker(&headers, "/v1/worker/results", &body, Some(&sent.session))?;
    let (session, wants_next) = (sent.session.clone(), sent.next);
    accept_result(&api, sent).await?;
    let next = if wants_next {
        let (next, waits) = api.hub.with(|b| {
            let next = b.next_run(&session, api.claim, Instant::now())?;
            Ok::<_, BoardError>((next, std::mem::take(&mut b.dispatch_waits)))
        })?;
        for wait in waits {
            api.metrics.dispatch_latency.observe(wait);
        }
        if next.is_some() {
            api.metrics.dispatched.inc();
        }
        next
    } else {
        None
    };
    Ok(Json(api::ResultAnswer { next }))
}

/// Verifies and records a result (see `result`).
async fn accept_result(api: &Api, sent: JobResult) -> Result<(), Refusal> {
    let id = job_key(&sent.job)?;
    let context = api
        .hub
        .with(|b| b.current(&sent.session, &id, sent.fence))?;
    let (receipt_json, outputs, layers, inline) = match sent.outcome {
        JobOutcome::Failed { reason } => {
            let state = api
                .hub
                .with(|b| b.fail_attempt(&id, sent.fence, reason.clone(), Blame::Device));
            if state == Some(api::JobState::Failed) {
                finish_failed(api, sent.job, reason).await?;
            } else {
                api.hub.work.notify_waiters();
            }
            return Ok(());
        }
        JobOutcome::Done {
            receipt,
            outputs,
            layers,
            inline,
        } => {
            let inline = decode_inline(&outputs, &layers, inline)?;
            (receipt, outputs, layers, inline)
        }
    };
    let (receipt, signature) = receipt_json
        .decode()
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "the receipt does not parse"))?;
    let fetch = {
        let (blobs, inline) = (api.blobs.clone(), inline.clone());
        move |hash: &str| inline.get(hash).cloned().or_else(|| blobs.get(hash))
    };
    if context.lease == CHECK_LEASE {
        return check_committed(
            api, &sent.job, id, sent.fence, &context, &receipt, &signature, &outputs, &fetch,
        )
        .map(|_| ());
    }
    let job = context.job.clone();
    let (lease, device, worker) = (pda::lease(context.lease), context.device, context.worker);
    let checked_outputs = outputs.clone();
    let verdict = tokio::task::spawn_blocking(move || {
        verifier::verify(
            &job,
            &Submission {
                lease,
                device,
                worker,
                job_id: id,
                receipt: &receipt,
                signature: &signature,
                outputs: &checked_outputs,
                layers: &layers,
            },
            &fetch,
        )
    })
    .await
    .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let (reason, blame) = match verdict {
        Verdict::Valid => {
            // The board decides first whether the attempt is still current
            // (an expired one's result is never billed), then the result
            // is made durable before the worker hears it was accepted.
            let accepted = api
                .hub
                .with(|b| b.succeed(&id, sent.fence, (receipt, signature), outputs.clone()));
            let (latency, outvoted) = match accepted {
                None => {
                    return Err(BoardError::StaleAttempt {
                        job: sent.job,
                        fence: sent.fence,
                    }
                    .into())
                }
                Some(Accepted::Succeeded { elapsed, outvoted }) => (elapsed, outvoted),
                // A cross-check's first result: the job runs again on
                // another device; this attempt is done.
                Some(Accepted::Witnessed) => {
                    api.hub.work.notify_waiters();
                    return Ok(());
                }
                Some(Accepted::Unconfirmed(reason)) => {
                    tracing::warn!("job {}: {reason}", sent.job);
                    api.metrics
                        .cross_checks
                        .with_label_values(&["unconfirmed"])
                        .inc();
                    return finish_failed(api, sent.job, reason).await;
                }
            };
            if context.job.cross_checked() {
                api.metrics
                    .cross_checks
                    .with_label_values(&["confirmed"])
                    .inc();
            }
            for liar in &outvoted {
                tracing::warn!(
                    "job {}: device {liar} was outvoted by a cross-check and is banned",
                    sent.job
                );
                api.metrics.wrong_results.inc();
            }
            // The outputs it carried are stored with the result, in one
            // commit: a result is never on disk without its outputs.
            let mut entries: Vec<Entry> = inline
                .into_iter()
                .map(|(hash, bytes)| Entry::Blob { hash, bytes })
                .collect();
            entries.push(Entry::Job(JobEvent::Succeeded {
                job: sent.job.clone(),
                device: device.to_string(),
                receipt: serde_json::to_string(&receipt_json).expect("receipts serialize"),
                outputs,
            }));
            api.journal
                .record_all(entries)
                .await
                .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            crate::crash::point("result-journaled");
            api.metrics.job_latency.observe(latency.as_secs_f64());
            api.metrics
                .jobs_finished
                .with_label_values(&["succeeded"])
                .inc();
            api.hub.done.notify_waiters();
            return Ok(());
        }
        Verdict::Wrong(reason) => (reason, Blame::Lied),
        Verdict::Unchecked(reason) => (reason, Blame::None),
    };
    tracing::warn!(
        "job {} on device {device}: result refused: {reason}",
        sent.job
    );
    if blame == Blame::Lied {
        api.metrics.wrong_results.inc();
    }
    let state = api
        .hub
        .with(|b| b.fail_attempt(&id, sent.fence, reason.clone(), blame));
    if state == Some(api::JobState::Failed) {
        finish_failed(api, sent.job, reason.clone()).await?;
    } else {
        api.hub.work.notify_waiters();
    }
    Err(refuse(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("result refused: {reason}"),
    ))
}

/// The outputs a result carries inline, by hash: each no larger than
/// `MAX_INLINE_OUTPUT` and one the result names. They are stored only if
/// the result is accepted.
fn decode_inline(
    outputs: &[String],
    layers: &[String],
    inline: Vec<String>,
) -> Result<std::collections::HashMap<String, Vec<u8>>, Refusal> {
    let mut blobs = std::collections::HashMap::with_capacity(inline.len());
    for text in inline {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    format!("an inline output is not base64: {e}"),
                )
            })?;
        if bytes.len() > api::MAX_INLINE_OUTPUT {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "an inline output of {} bytes is over {} (upload it as a blob)",
                    bytes.len(),
                    api::MAX_INLINE_OUTPUT
                ),
            ));
        }
        let hash = api::blob_hash(&bytes);
        if !outputs.contains(&hash) && !layers.contains(&hash) {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                format!("inline output {hash} is none of the result's outputs"),
            ));
        }
        blobs.insert(hash, bytes);
    }
    Ok(blobs)
}

/// Journals that `job` failed for good, counts it and wakes its waiters.
async fn finish_failed(api: &Api, job: String, reason: String) -> Result<(), Refusal> {
    api.journal
        .record(Entry::Job(JobEvent::Failed { job, reason }))
        .await
        .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    api.metrics
        .jobs_finished
        .with_label_values(&["failed"])
        .inc();
    api.hub.done.notify_waiters();
    api.hub.work.notify_waiters();
    Ok(())
}

/// A device check's roots: its receipt must be the worker's, the roots one
/// per step; then the rows to open go to the worker.
#[allow(clippy::too_many_arguments)]
fn check_committed(
    api: &Api,
    job: &str,
    id: JobId,
    fence: u64,
    context: &crate::board::ResultContext,
    receipt: &io_compute::receipt::JobReceipt,
    signature: &Signature,
    outputs: &[String],
    fetch: verifier::Fetch,
) -> Result<StatusCode, Refusal> {
    let lease = pda::lease(CHECK_LEASE);
    let signed = io_compute_sdk::worker_key::receipt_signed_by(
        &context.worker,
        &lease,
        &context.device,
        receipt,
        signature,
    );
    let roots: Option<Vec<[u8; 32]>> = outputs
        .first()
        .and_then(|hash| fetch(hash))
        .filter(|bytes| bytes.len() % 32 == 0)
        .map(|bytes| {
            bytes
                .chunks_exact(32)
                .map(|c| c.try_into().expect("32 bytes"))
                .collect()
        });
    let committed = signed
        && receipt.job_id == id
        && roots.is_some_and(|roots| {
            api.hub
                .with(|b| b.check_committed(&id, fence, roots, Instant::now()))
        });
    if !committed {
        api.hub.with(|b| {
            b.fail_attempt(
                &id,
                fence,
                "the check's answer is malformed".into(),
                Blame::Device,
            )
        });
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("device check {job}: the answer is not a signed root per step"),
        ));
    }
    api.hub.work.notify_waiters();
    Ok(StatusCode::OK)
}

/// `POST /v1/worker/openings`: the rows of a device check, verified.
async fn openings(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, Refusal> {
    let sent: api::Openings = parse(&body)?;
    api.authenticate_worker(&headers, "/v1/worker/openings", &body, Some(&sent.session))?;
    let id = job_key(&sent.job)?;
    let outcome = api
        .hub
        .with(|b| b.check_opened(&id, sent.fence, &sent.openings))
        .ok_or(BoardError::StaleAttempt {
            job: sent.job.clone(),
            fence: sent.fence,
        })?;
    api.metrics
        .device_checks
        .with_label_values(&[&format!("{outcome:?}").to_lowercase()])
        .inc();
    api.hub.done.notify_waiters();
    Ok(StatusCode::OK)
}

/// `POST /v1/worker/attestations`: the worker's signature of a period,
/// checked against the device's worker key over exactly that period.
async fn attestation(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, Refusal> {
    let sent: Attested = parse(&body)?;
    let request = api.authenticate_worker(
        &headers,
        "/v1/worker/attestations",
        &body,
        Some(&sent.session),
    )?;
    let device: Pubkey = sent
        .device
        .parse()
        .map_err(|_| refuse(StatusCode::BAD_REQUEST, "device is not a public key"))?;
    let key = (sent.lease, device);
    let Some(signature) = sent.signature else {
        tracing::warn!(
            "worker {} refused to sign period {} of {device} on lease {}: {}",
            request.signer,
            sent.seq,
            sent.lease,
            sent.refused.unwrap_or_default()
        );
        api.hub.with(|b| b.reopen(key));
        return Ok(StatusCode::OK);
    };
    let signature: Signature = signature
        .parse()
        .map_err(|_| refuse(StatusCode::BAD_REQUEST, "signature is not base58"))?;
    let period = api
        .hub
        .with(|b| b.period(key).cloned())
        .filter(|p| p.seq == sent.seq)
        .ok_or(BoardError::UnknownPeriod {
            lease: sent.lease,
            device: sent.device.clone(),
            seq: sent.seq,
        })?;
    let attestation = io_compute::receipt::UsageAttestation {
        lease: pda::lease(period.lease),
        device,
        seq: period.seq,
        period_start: period.start,
        period_end: period.end,
        device_time_us: period.device_time_us,
        job_count: period.jobs.len() as u32,
        receipts_root: period.root,
    };
    if !io_compute_sdk::worker_key::attestation_signed_by(&request.signer, &attestation, &signature)
    {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the signature is not the worker key's over this period",
        ));
    }
    api.hub
        .with(|b| b.attested(key, sent.seq, signature, request.signer))?;
    Ok(StatusCode::OK)
}

async fn heartbeat(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, Refusal> {
    let beat: Heartbeat = parse(&body)?;
    api.authenticate_worker(&headers, "/v1/worker/heartbeat", &body, Some(&beat.session))?;
    let running = beat
        .running
        .iter()
        .map(|(id, fence)| Ok((job_key(id)?, *fence)))
        .collect::<Result<Vec<_>, Refusal>>()?;
    api.hub
        .with(|b| b.heartbeat(&beat.session, &running, api.claim, Instant::now()))?;
    Ok(StatusCode::OK)
}

async fn release(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, Refusal> {
    let sent: Release = parse(&body)?;
    api.authenticate_worker(&headers, "/v1/worker/release", &body, Some(&sent.session))?;
    let attempts = sent
        .attempts
        .iter()
        .map(|(id, fence)| Ok((job_key(id)?, *fence)))
        .collect::<Result<Vec<_>, Refusal>>()?;
    let released = api.hub.with(|b| b.release(&sent.session, &attempts));
    tracing::info!("a worker handed back {released} job(s)");
    api.hub.work.notify_waiters();
    Ok(StatusCode::OK)
}
