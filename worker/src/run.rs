//! `io-worker run`: serve the keeper of this machine's devices. Opens a
//! session with the worker key, long-polls for batched tasks (no more jobs
//! than free slots), runs each job on the backend in a blocking thread with
//! its inputs fetched and checked first, uploads the outputs as blobs and
//! posts the result with its signed receipt; signs a period's attestation
//! only after checking every receipt under it is its own; heartbeats the
//! jobs it runs. A lost keeper or session means a new session after a
//! bounded, doubling backoff. The keeper served is the one whose running
//! lease holds one of this worker's devices (read from the chain every
//! `follow`), else the configured home keeper: when a device moves to
//! another keeper's lease, or its lease ends, the session ends and one
//! opens at once with the right keeper. Each result asks for the slot's
//! next job, which the keeper hands over in its answer. On stop it claims
//! nothing more, hands back what it received after the stop, lets running
//! jobs finish for a grace period and hands back the rest.

use crate::{
    backend::Backend,
    config::RunConfig,
    device_check::{self, DeviceCheckRun},
    gemm, kernel, mlp,
    receipt::{self, SignedReceipt},
};
use anyhow::{bail, Context, Result};
use base64::Engine;
use io_compute::state::{Device, Keeper, Lease, LeaseStatus};
use io_compute_sdk::{
    api::{
        self, AttestRequest, Attested, Claim, Heartbeat, JobOutcome, JobResult, OpenSession,
        Openings, Release, ResultAnswer, Session, SignedReceiptJson, Task,
    },
    client::Client,
    filters,
    job::{Job, JobSpec},
    keeper_client::{CallError, KeeperClient},
    merkle, pda,
    worker_key::{receipt_signed_by, sign_attestation},
};
use solana_sdk::{
    pubkey::Pubkey,
    signer::{keypair::Keypair, Signer},
};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::{sync::Semaphore, task::JoinSet};
use tokio_util::sync::CancellationToken;

/// How long one claim waits for work.
const CLAIM_WAIT: Duration = Duration::from_secs(5);
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves until `stop`; reconnects after any failure.
pub async fn run(
    config: &RunConfig,
    worker: Keypair,
    backend: Arc<dyn Backend>,
    stop: CancellationToken,
) -> Result<()> {
    let mut backoff = Duration::from_millis(200);
    let signed = Signed::default();
    loop {
        let started = Instant::now();
        match serve(config, &worker, backend.clone(), &signed, &stop).await {
            Ok(Ended::Moved) => backoff = Duration::from_millis(200),
            Ok(Ended::Stopped) => return Ok(()),
            Err(error) => {
                // A session that lasted a while starts the backoff over.
                if started.elapsed() > config.max_backoff * 2 {
                    backoff = Duration::from_millis(200);
                }
                tracing::warn!("{error:#}; reconnecting in {} ms", backoff.as_millis());
                tokio::select! {
                    _ = stop.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(config.max_backoff);
            }
        }
    }
}

/// How a session ended without a failure.
enum Ended {
    /// `stop` was cancelled.
    Stopped,
    /// A device moved to another keeper's lease (or its lease ended and
    /// the home keeper is not the one served): reconnect at once.
    Moved,
}

/// The keeper of a running lease of one of `worker`'s devices, if any: its
/// authority and the endpoint the chain records for it.
async fn lease_keeper(chain: &Client, worker: &Pubkey) -> Result<Option<(Pubkey, String)>> {
    let devices = chain
        .program_accounts::<Device>(&[filters::devices_by_worker(worker)])
        .await?;
    if devices.is_empty() {
        bail!("no device has worker key {worker}: run `io-worker register`");
    }
    for (_, device) in devices {
        if device.current_lease == Pubkey::default() {
            continue;
        }
        let Some(lease) = chain.account::<Lease>(&device.current_lease).await? else {
            continue;
        };
        if lease.status != LeaseStatus::Active {
            continue;
        }
        let keeper: Keeper = chain
            .expect_account(&pda::keeper(&lease.keeper))
            .await
            .context("the lease's keeper record")?;
        return Ok(Some((lease.keeper, keeper.endpoint)));
    }
    Ok(None)
}

/// The keeper to serve: a running lease's keeper, else the home keeper.
/// With a home keeper configured, a chain that cannot be read leaves the
/// worker at home. Returns the keeper and whether it is there for a lease.
async fn find_keeper(
    config: &RunConfig,
    chain: &Client,
    worker: &Keypair,
) -> Result<(KeeperClient, bool)> {
    let leased = match (lease_keeper(chain, &worker.pubkey()).await, &config.keeper) {
        (Ok(leased), _) => leased,
        (Err(error), Some(_)) => {
            tracing::warn!("cannot read this worker's devices: {error:#}; serving the home keeper");
            None
        }
        (Err(error), None) => return Err(error),
    };
    let home = match &config.keeper {
        Some(url) => Some(
            KeeperClient::connect(url, worker.insecure_clone())
                .await
                .context("asking the home keeper who it is"),
        ),
        None => None,
    };
    match (leased, home) {
        // The home keeper serves the lease itself: its configured URL.
        (Some((authority, _)), Some(Ok(home))) if home.audience == authority => Ok((home, true)),
        (Some((authority, endpoint)), _) => Ok((
            KeeperClient::new(&endpoint, authority, worker.insecure_clone()),
            true,
        )),
        (None, Some(home)) => Ok((home?, false)),
        (None, None) => bail!(
            "no running lease uses this worker's devices yet, and no home keeper is set (--keeper)"
        ),
    }
}

/// Ends the session (`moved`) once the keeper to serve is another than
/// `serving`: a device's new lease is another keeper's, or the lease that
/// brought the worker there ended while a home keeper is configured.
async fn follow(
    config: RunConfig,
    chain: Client,
    worker: Pubkey,
    serving: Pubkey,
    for_lease: bool,
    moved: CancellationToken,
) {
    loop {
        tokio::time::sleep(config.follow).await;
        match lease_keeper(&chain, &worker).await {
            Ok(Some((authority, _))) if authority != serving => {
                tracing::info!("a device moved to a lease of keeper {authority}: following it");
            }
            Ok(None) if for_lease && config.keeper.is_some() => {
                tracing::info!("the lease ended: back to the home keeper");
            }
            Ok(_) => continue,
            Err(error) => {
                tracing::warn!("cannot read this worker's devices: {error:#}");
                continue;
            }
        }
        moved.cancel();
        return;
    }
}

/// Jobs running now: job id -> fence.
type Running = Arc<Mutex<HashMap<String, u64>>>;

/// Device checks answered and not yet opened, by job id.
type Checks = Arc<Mutex<HashMap<String, DeviceCheckRun>>>;

fn running_list(running: &Running) -> Vec<(String, u64)> {
    running
        .lock()
        .expect("never poisoned")
        .iter()
        .map(|(j, f)| (j.clone(), *f))
        .collect()
}

/// One session, until `stop` (Ok) or until it is lost (Err).
async fn serve(
    config: &RunConfig,
    worker: &Keypair,
    backend: Arc<dyn Backend>,
    signed: &Signed,
    stop: &CancellationToken,
) -> Result<Ended> {
    let chain = Client::new(&config.rpc_url, worker.insecure_clone());
    let (keeper, for_lease) = find_keeper(config, &chain, worker).await?;
    let keeper = Arc::new(keeper);
    let session: Session = keeper
        .post(
            "/v1/worker/session",
            &OpenSession {
                slots: config.slots,
            },
            CALL_TIMEOUT,
        )
        .await
        .context("opening a session")?;
    tracing::info!(
        "serving keeper {} ({}) with {} device(s)",
        keeper.base,
        keeper.audience,
        session.devices.len()
    );
    let running: Running = Arc::default();
    let checks: Checks = Arc::default();
    let lost = CancellationToken::new();
    let beat = tokio::spawn(heartbeat(
        keeper.clone(),
        session.clone(),
        running.clone(),
        lost.clone(),
    ));
    let moved = CancellationToken::new();
    let watch = tokio::spawn(follow(
        config.clone(),
        chain,
        worker.pubkey(),
        keeper.audience,
        for_lease,
        moved.clone(),
    ));
    let slots = Arc::new(Semaphore::new(config.slots as usize));
    let ending = CancellationToken::new();
    let mut jobs = JoinSet::new();
    let outcome = loop {
        if stop.is_cancelled() {
            break Ok(Ended::Stopped);
        }
        if lost.is_cancelled() {
            break Err(anyhow::anyhow!("the session was lost"));
        }
        if moved.is_cancelled() {
            break Ok(Ended::Moved);
        }
        // Wait for a free slot, then claim as many as are free.
        let first = tokio::select! {
            _ = stop.cancelled() => break Ok(Ended::Stopped),
            _ = lost.cancelled() => continue,
            _ = moved.cancelled() => continue,
            permit = slots.clone().acquire_owned() => permit.expect("never closed"),
        };
        let mut permits = vec![first];
        while let Ok(permit) = slots.clone().try_acquire_owned() {
            permits.push(permit);
        }
        while jobs.try_join_next().is_some() {}
        let claim = Claim {
            session: session.session.clone(),
            max: permits.len() as u32,
            wait_ms: CLAIM_WAIT.as_millis() as u64,
        };
        let tasks: Vec<Task> = match keeper
            .post("/v1/worker/claims", &claim, CLAIM_WAIT + CALL_TIMEOUT)
            .await
        {
            Ok(tasks) => tasks,
            Err(error) => break Err(anyhow::Error::new(error).context("claiming work")),
        };
        for task in tasks {
            match task {
                Task::Attest(request) => {
                    let (keeper, session) = (keeper.clone(), session.session.clone());
                    let (worker, signed) = (worker.insecure_clone(), signed.clone());
                    jobs.spawn(async move {
                        attest(&keeper, &session, &worker, &signed, request).await
                    });
                }
                Task::Open { job, fence, rows } => {
                    let (keeper, session) = (keeper.clone(), session.session.clone());
                    let (checks, running) = (checks.clone(), running.clone());
                    jobs.spawn(async move {
                        open_check(&keeper, &session, &checks, &running, job, fence, rows).await
                    });
                }
                Task::Run { job, fence, .. } if stop.is_cancelled() => {
                    hand_back(&keeper, &session.session, vec![(job, fence)]).await;
                }
                Task::Run {
                    job,
                    fence,
                    lease,
                    device,
                    spec,
                } => {
                    // More jobs than free slots (never asked for) go back.
                    let Some(permit) = permits.pop() else {
                        hand_back(&keeper, &session.session, vec![(job, fence)]).await;
                        continue;
                    };
                    running
                        .lock()
                        .expect("never poisoned")
                        .insert(job.clone(), fence);
                    let context = JobContext {
                        keeper: keeper.clone(),
                        session: session.session.clone(),
                        worker: worker.insecure_clone(),
                        backend: backend.clone(),
                        running: running.clone(),
                        checks: checks.clone(),
                        signed: signed.clone(),
                        ending: ending.clone(),
                        job,
                        fence,
                        lease,
                        device,
                    };
                    jobs.spawn(async move {
                        context.run(spec).await;
                        drop(permit);
                    });
                }
            }
        }
    };
    ending.cancel();
    // Stopping (or lost): running jobs get the grace period to finish and
    // post; whatever is still running then is handed back.
    let deadline = tokio::time::Instant::now() + config.grace;
    while !jobs.is_empty() {
        if tokio::time::timeout_at(deadline, jobs.join_next())
            .await
            .is_err()
        {
            break;
        }
    }
    let left = running_list(&running);
    if !left.is_empty() && outcome.is_ok() {
        hand_back(&keeper, &session.session, left).await;
    }
    jobs.abort_all();
    beat.abort();
    watch.abort();
    outcome
}

async fn hand_back(keeper: &KeeperClient, session: &str, attempts: Vec<(String, u64)>) {
    let count = attempts.len();
    let release = Release {
        session: session.to_string(),
        attempts,
    };
    match keeper
        .post::<_, serde_json::Value>("/v1/worker/release", &release, CALL_TIMEOUT)
        .await
    {
        Ok(_) => tracing::info!("handed {count} job(s) back to the keeper"),
        Err(error) => tracing::warn!("could not hand {count} job(s) back: {error}"),
    }
}

async fn heartbeat(
    keeper: Arc<KeeperClient>,
    session: Session,
    running: Running,
    lost: CancellationToken,
) {
    let every = Duration::from_millis(session.heartbeat_ms.max(50));
    let mut failures = 0;
    loop {
        tokio::time::sleep(every).await;
        let beat = Heartbeat {
            session: session.session.clone(),
            running: running_list(&running),
        };
        match keeper
            .post::<_, serde_json::Value>("/v1/worker/heartbeat", &beat, CALL_TIMEOUT)
            .await
        {
            Ok(_) => failures = 0,
            // The keeper forgot the session (it restarted): open another.
            Err(CallError::Refused { status: 401, .. }) => {
                lost.cancel();
                return;
            }
            Err(error) => {
                failures += 1;
                tracing::warn!("heartbeat failed ({failures} in a row): {error}");
                if failures >= 3 {
                    lost.cancel();
                    return;
                }
            }
        }
    }
}

struct JobContext {
    keeper: Arc<KeeperClient>,
    session: String,
    worker: Keypair,
    backend: Arc<dyn Backend>,
    running: Running,
    checks: Checks,
    signed: Signed,
    /// Cancelled once the session takes no more work.
    ending: CancellationToken,
    job: String,
    fence: u64,
    lease: u64,
    device: String,
}

/// How many of its latest receipts a worker remembers signing.
const REMEMBERED_RECEIPTS: usize = 200_000;

/// The leaves of the receipts this worker signed lately (32 bytes each):
/// a period's receipt found here needs no signature check, where checking
/// a thousand-job period costs a thousand Ed25519 verifications. One not
/// found (after a restart) is checked.
#[derive(Default)]
pub struct SignedLeaves {
    leaves: HashSet<[u8; 32]>,
    order: std::collections::VecDeque<[u8; 32]>,
}

impl SignedLeaves {
    pub fn insert(&mut self, leaf: [u8; 32]) {
        if self.leaves.insert(leaf) {
            self.order.push_back(leaf);
            if self.order.len() > REMEMBERED_RECEIPTS {
                if let Some(oldest) = self.order.pop_front() {
                    self.leaves.remove(&oldest);
                }
            }
        }
    }

    pub fn contains(&self, leaf: &[u8; 32]) -> bool {
        self.leaves.contains(leaf)
    }
}

pub type Signed = Arc<Mutex<SignedLeaves>>;

/// A job's outputs and its receipt.
pub struct Finished {
    pub receipt: SignedReceipt,
    pub outputs: Vec<Vec<u8>>,
    /// `mlp_infer`: every layer's Z (the last is also the output).
    pub layers: Vec<Vec<u8>>,
    /// `device_check`: the run, kept to open the rows the keeper asks for.
    pub check: Option<DeviceCheckRun>,
}

impl JobContext {
    /// Runs `job`, then each job the keeper hands this slot with a result,
    /// until it hands none; one handed over as the session ends goes back.
    async fn run(mut self, mut job: Job) {
        loop {
            let Some(Task::Run {
                job: id,
                fence,
                lease,
                device,
                spec,
            }) = self.run_one(job).await
            else {
                return;
            };
            if self.ending.is_cancelled() {
                hand_back(&self.keeper, &self.session, vec![(id, fence)]).await;
                return;
            }
            self.running
                .lock()
                .expect("never poisoned")
                .insert(id.clone(), fence);
            (self.job, self.fence, self.lease, self.device) = (id, fence, lease, device);
            job = spec;
        }
    }

    /// Runs one job and posts its result; the slot's next job, if the
    /// keeper handed one.
    async fn run_one(&self, job: Job) -> Option<Task> {
        let mut is_check = false;
        let outcome = match self.execute(job).await {
            Ok(mut finished) => {
                if let Ok(device) = self.device.parse::<Pubkey>() {
                    let leaf = io_compute::receipt::receipt_leaf(
                        &pda::lease(self.lease),
                        &device,
                        &finished.receipt.receipt,
                    );
                    self.signed.lock().expect("never poisoned").insert(leaf);
                }
                if let Some(run) = finished.check.take() {
                    is_check = true;
                    self.checks
                        .lock()
                        .expect("never poisoned")
                        .insert(self.job.clone(), run);
                }
                match self.upload(finished).await {
                    Ok(outcome) => outcome,
                    Err(error) => {
                        tracing::warn!("job {}: uploading its outputs failed: {error}", self.job);
                        JobOutcome::Failed {
                            reason: format!("uploading the outputs failed: {error}"),
                        }
                    }
                }
            }
            Err(reason) => JobOutcome::Failed { reason },
        };
        let result = JobResult {
            session: self.session.clone(),
            job: self.job.clone(),
            fence: self.fence,
            outcome,
            next: !self.ending.is_cancelled(),
        };
        let posted = self
            .keeper
            .post::<_, ResultAnswer>("/v1/worker/results", &result, CALL_TIMEOUT)
            .await;
        match &posted {
            Ok(_) => tracing::debug!("job {} done", self.job),
            Err(error) => tracing::warn!("job {}: result not accepted: {error}", self.job),
        }
        // A check stays running (heartbeaten) until its rows are opened.
        if !is_check || posted.is_err() {
            self.running
                .lock()
                .expect("never poisoned")
                .remove(&self.job);
            self.checks
                .lock()
                .expect("never poisoned")
                .remove(&self.job);
        }
        posted.ok().and_then(|answer| answer.next)
    }

    /// Fetches the inputs, runs the job in a blocking thread; a failure's
    /// text goes back to the keeper.
    async fn execute(&self, job: Job) -> Result<Finished, String> {
        job.validate().map_err(|e| e.to_string())?;
        let mut inputs = HashMap::new();
        for hash in job.spec.input_hashes() {
            // A missing blob is reported by the job itself, by name.
            if let Ok(bytes) = self.keeper.get_blob(&hash).await {
                inputs.insert(hash, bytes);
            }
        }
        let lease = pda::lease(self.lease);
        let device: Pubkey = self
            .device
            .parse()
            .map_err(|_| "bad device key".to_string())?;
        let job_id = api::from_hex32(&self.job).ok_or("bad job id")?;
        let (backend, worker) = (self.backend.clone(), self.worker.insecure_clone());
        tokio::task::spawn_blocking(move || {
            let fetch = |hash: &str| inputs.get(&hash.to_ascii_lowercase()).cloned();
            execute(
                backend.as_ref(),
                &worker,
                &lease,
                &device,
                job_id,
                &job.spec,
                &fetch,
            )
            .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("the job's thread failed: {e}"))?
    }

    /// Small outputs ride with the result; larger ones are uploaded first.
    async fn upload(&self, finished: Finished) -> Result<JobOutcome, CallError> {
        let mut inline = Vec::new();
        let mut store = async |bytes: Vec<u8>| {
            if bytes.len() <= api::MAX_INLINE_OUTPUT {
                let hash = api::blob_hash(&bytes);
                inline.push(base64::engine::general_purpose::STANDARD.encode(&bytes));
                Ok(hash)
            } else {
                self.keeper.put_blob(bytes).await
            }
        };
        let mut outputs = Vec::new();
        for bytes in finished.outputs {
            outputs.push(store(bytes).await?);
        }
        let mut layers = Vec::new();
        for bytes in finished.layers {
            layers.push(store(bytes).await?);
        }
        Ok(JobOutcome::Done {
            receipt: Box::new(SignedReceiptJson::new(
                &finished.receipt.receipt,
                &finished.receipt.signature,
            )),
            outputs,
            layers,
            inline,
        })
    }
}

/// Runs one job and signs its receipt.
pub fn execute(
    backend: &dyn Backend,
    worker: &Keypair,
    lease: &Pubkey,
    device: &Pubkey,
    job_id: [u8; 32],
    spec: &JobSpec,
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<Finished, gemm::JobFailure> {
    Ok(match spec {
        JobSpec::Gemm(spec) => {
            let (a, b) = gemm::operands(spec, fetch)?;
            let outcome = gemm::run(backend, spec, &a, &b)?;
            Finished {
                receipt: receipt::gemm(worker, lease, device, job_id, spec, &outcome),
                outputs: vec![outcome.product.to_le_bytes()],
                layers: Vec::new(),
                check: None,
            }
        }
        JobSpec::MlpInfer(spec) => {
            let (x0, x0_hash, weights) = mlp::operands(spec, fetch)?;
            let outcome = mlp::run(backend, spec, &x0, &x0_hash, &weights)?;
            let layers: Vec<Vec<u8>> = outcome
                .layers
                .iter()
                .map(|z| z.iter().flat_map(|v| v.to_le_bytes()).collect())
                .collect();
            Finished {
                receipt: receipt::mlp(worker, lease, device, job_id, spec, &outcome),
                outputs: layers.last().cloned().into_iter().collect(),
                layers,
                check: None,
            }
        }
        JobSpec::DeviceCheck(spec) => {
            let run = device_check::run(backend, *spec)?;
            let roots: Vec<u8> = run.roots.iter().flatten().copied().collect();
            Finished {
                receipt: receipt::device_check(worker, lease, device, job_id, &run),
                outputs: vec![roots],
                layers: Vec::new(),
                check: Some(run),
            }
        }
        JobSpec::CudaKernel(spec) => {
            let outcome = kernel::run(backend.info().backend, spec, fetch)?;
            let hashes: Vec<String> = outcome.outputs.iter().map(|o| api::blob_hash(o)).collect();
            Finished {
                receipt: receipt::kernel(
                    worker,
                    lease,
                    device,
                    job_id,
                    spec,
                    &hashes,
                    outcome.device_time_us,
                ),
                outputs: outcome.outputs,
                layers: Vec::new(),
                check: None,
            }
        }
    })
}

/// Why a period is not signed, or None when it may be: every receipt is
/// this worker's for the period's lease and device, none repeats, and the
/// count, time and root are theirs.
pub fn check_period(
    worker: &Pubkey,
    request: &AttestRequest,
    signed: &SignedLeaves,
) -> Option<String> {
    let lease = pda::lease(request.lease);
    let Ok(device) = request.device.parse::<Pubkey>() else {
        return Some("the device is not a public key".into());
    };
    let mut seen = HashSet::new();
    let mut leaves = Vec::with_capacity(request.receipts.len());
    let mut time = 0u64;
    for json in &request.receipts {
        let Some((receipt, signature)) = json.decode() else {
            return Some(format!("receipt {} does not parse", json.job_id));
        };
        let leaf = io_compute::receipt::receipt_leaf(&lease, &device, &receipt);
        if !signed.contains(&leaf)
            && !receipt_signed_by(worker, &lease, &device, &receipt, &signature)
        {
            return Some(format!(
                "receipt {} is not signed by this worker",
                json.job_id
            ));
        }
        if !seen.insert(receipt.job_id) {
            return Some(format!("receipt {} appears twice", json.job_id));
        }
        time = time.saturating_add(receipt.device_time_us);
        leaves.push(leaf);
    }
    // The same tree as `merkle::receipts_tree`, from the leaves in hand.
    let count = leaves.len() as u32;
    let root = api::hex(&merkle::MerkleTree::new(leaves).root());
    if count != request.job_count
        || time != request.device_time_us
        || root != request.receipts_root
        || request.period_end <= request.period_start
    {
        return Some("the count, time, root or period does not match the receipts".into());
    }
    None
}

/// Opens the rows of a device check the keeper asked for.
async fn open_check(
    keeper: &KeeperClient,
    session: &str,
    checks: &Checks,
    running: &Running,
    job: String,
    fence: u64,
    rows: Vec<(u32, u32)>,
) {
    let run = checks.lock().expect("never poisoned").remove(&job);
    running.lock().expect("never poisoned").remove(&job);
    let Some(run) = run else {
        tracing::warn!("asked to open check {job}, which this worker does not hold");
        return;
    };
    let openings = rows
        .iter()
        .filter_map(|(step, row)| run.open(*step, *row))
        .collect();
    let answer = Openings {
        session: session.to_string(),
        job: job.clone(),
        fence,
        openings,
    };
    if let Err(error) = keeper
        .post::<_, serde_json::Value>("/v1/worker/openings", &answer, CALL_TIMEOUT)
        .await
    {
        tracing::warn!("device check {job}: openings not accepted: {error}");
    }
}

async fn attest(
    keeper: &KeeperClient,
    session: &str,
    worker: &Keypair,
    signed: &Signed,
    request: AttestRequest,
) {
    // Checking a large period is CPU work: off the async threads.
    let (me, signed) = (worker.pubkey(), signed.clone());
    let Ok((refused, request)) = tokio::task::spawn_blocking(move || {
        let refused = check_period(&me, &request, &signed.lock().expect("never poisoned"));
        (refused, request)
    })
    .await
    else {
        tracing::error!("checking a period panicked; it is not signed");
        return;
    };
    let signature = match (&refused, request.attestation()) {
        (None, Some(attestation)) => Some(sign_attestation(worker, &attestation).to_string()),
        _ => None,
    };
    if let Some(why) = &refused {
        tracing::warn!(
            "refusing to sign period {} of lease {}: {why}",
            request.seq,
            request.lease
        );
    }
    let answer = Attested {
        session: session.to_string(),
        lease: request.lease,
        device: request.device.clone(),
        seq: request.seq,
        signature,
        refused,
    };
    if let Err(error) = keeper
        .post::<_, serde_json::Value>("/v1/worker/attestations", &answer, CALL_TIMEOUT)
        .await
    {
        tracing::warn!(
            "attestation of period {} not delivered: {error}",
            request.seq
        );
    }
}
