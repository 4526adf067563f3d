//! The dispatch board: every job, its attempts, the worker sessions that
//! claim them, and the proof periods their receipts are settled in. A
//! plain state machine with no I/O, behind one mutex that is never held
//! across an await (long-polls wait on `Notify` outside it), so every
//! transition is atomic and unit-testable.
//!
//! A job is queued on its lease; a session claims it for one of its
//! devices assigned to that lease, as an attempt with a random fence and a
//! claim deadline that heartbeats extend. Only the current attempt's result
//! counts: a late one (the attempt expired and the job moved on) is refused
//! and never billed. A verified result's receipt waits, per (lease,
//! device), for its period; a period closes at a job count or an age, is
//! sent to the device's worker to sign, then posted; at most one period per
//! device is in flight.

use io_compute::{receipt::JobReceipt, state::CheckOutcome};
use io_compute_sdk::{
    api::{self, AttestRequest, JobState, JobStatus, SignedReceiptJson, Task},
    job::{DeviceCheckSpec, Job},
    merkle,
};
use solana_sdk::{pubkey::Pubkey, signature::Signature};
use std::{
    collections::{HashMap, HashSet, VecDeque},
    time::{Duration, Instant},
};

pub type JobId = [u8; 32];

/// Attempts a job gets before it fails for good.
pub const MAX_ATTEMPTS: u32 = 3;

/// The lease id device checks run under: the keeper's own work, never a
/// client's, never billed.
pub const CHECK_LEASE: u64 = u64::MAX;

/// A client request: its body's hash, the jobs it queued, when.
type Remembered = ([u8; 32], Vec<JobId>, Instant);

/// How long a request is remembered: a signed request is valid for the
/// skew either side of its time, so three skews outlast any replay.
const REQUEST_MEMORY: Duration = Duration::from_secs(3 * crate::api::MAX_SKEW_SECS as u64);

/// Rows of a device check the keeper has opened and verifies.
pub const CHECK_OPENINGS: usize = 4;

/// A device check between dispatch and its outcome.
struct PendingCheck {
    device: Pubkey,
    epoch: u64,
    spec: DeviceCheckSpec,
    dispatched: Option<Instant>,
    /// Time from dispatch to the committed roots.
    answered_in: Option<Duration>,
    roots: Vec<[u8; 32]>,
    asked: Vec<(u32, u32)>,
    outcome: Option<CheckOutcome>,
    /// The outcome is on-chain (or being sent).
    recorded: bool,
}

pub struct JobRecord {
    pub lease: u64,
    /// Who submitted it (the lease's client); the default key for checks.
    pub client: Pubkey,
    pub job: Job,
    pub state: JobState,
    pub attempts: u32,
    /// Devices that failed it or lied about it: not tried again.
    excluded: HashSet<Pubkey>,
    pub device: Option<Pubkey>,
    pub receipt: Option<(JobReceipt, Signature)>,
    pub outputs: Vec<String>,
    pub error: Option<String>,
    pub submitted: Instant,
    /// Submission to final state.
    pub elapsed: Option<Duration>,
    /// A cross-checked job's results so far, one per device, each waiting
    /// for another device to return the same outputs.
    witnesses: Vec<Witness>,
    /// The device whose identical outputs confirmed the accepted result.
    pub cross_checked_by: Option<Pubkey>,
}

impl JobRecord {
    fn new(lease: u64, client: Pubkey, job: Job, now: Instant) -> Self {
        Self {
            lease,
            client,
            job,
            state: JobState::Queued,
            attempts: 0,
            excluded: HashSet::new(),
            device: None,
            receipt: None,
            outputs: Vec::new(),
            error: None,
            submitted: now,
            elapsed: None,
            witnesses: Vec::new(),
            cross_checked_by: None,
        }
    }
}

/// Whether a device of `record`'s lease may still run it: assigned to the
/// lease, not excluded from the job, not banned.
fn runnable(
    assignments: &HashMap<Pubkey, u64>,
    banned: &HashSet<Pubkey>,
    record: &JobRecord,
) -> bool {
    assignments
        .iter()
        .any(|(d, l)| *l == record.lease && !record.excluded.contains(d) && !banned.contains(d))
}

/// One device's verified outputs of a cross-checked job.
struct Witness {
    device: Pubkey,
    output_root: [u8; 32],
}

/// Most devices a cross-checked job runs on: two that agree, or a third
/// to break their tie.
pub const MAX_WITNESSES: usize = 3;

/// What a verified result of the current attempt did to its job.
#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    /// The job succeeded after `elapsed`; `outvoted` devices returned other
    /// outputs than the two that agreed (they are banned).
    Succeeded {
        elapsed: Duration,
        outvoted: Vec<Pubkey>,
    },
    /// A cross-checked job's outputs wait for another device's: the job is
    /// queued again, off this device.
    Witnessed,
    /// A cross-checked job could not be confirmed: no device was left to
    /// compare with, or three devices disagreed. Nobody is blamed.
    Unconfirmed(String),
}

struct Attempt {
    fence: u64,
    device: Pubkey,
    session: String,
    deadline: Instant,
}

struct WorkerSession {
    worker: Pubkey,
    devices: Vec<Pubkey>,
    slots: u32,
    last_seen: Instant,
    /// Where the next claim starts among `devices` (fair sharing).
    next_device: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeriodState {
    /// Waiting for the worker's signature; `asked` once handed to it.
    Unsigned { asked: bool },
    /// Signed by this worker key.
    Signed(Signature, Pubkey),
    /// Landed on-chain in this transaction.
    Posted(String),
}

/// One (lease, device) period being settled.
#[derive(Clone, Debug)]
pub struct Period {
    pub lease: u64,
    pub device: Pubkey,
    pub seq: u32,
    pub start: i64,
    pub end: i64,
    pub device_time_us: u64,
    pub jobs: Vec<JobId>,
    pub root: [u8; 32],
    pub state: PeriodState,
}

/// What a result is for, once its attempt is known to be current.
pub struct ResultContext {
    pub lease: u64,
    pub device: Pubkey,
    pub worker: Pubkey,
    pub job: Job,
}

/// Who a failed attempt is held against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blame {
    /// Nobody: the worker went silent or the result could not be checked.
    None,
    /// The device failed the job (it is not tried there again).
    Device,
    /// The device returned a wrong result: it is banned.
    Lied,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BoardError {
    #[error("unknown session: open one with POST /v1/worker/session")]
    UnknownSession,
    #[error("unknown job {0}")]
    UnknownJob(String),
    #[error("attempt {fence} of job {job} is not current (it expired or finished): its result is not accepted")]
    StaleAttempt { job: String, fence: u64 },
    #[error("this nonce was already used for another request")]
    NonceReused,
    #[error("no period {seq} of device {device} on lease {lease} is waiting for a signature")]
    UnknownPeriod {
        lease: u64,
        device: String,
        seq: u32,
    },
}

#[derive(Default)]
pub struct Board {
    jobs: HashMap<JobId, JobRecord>,
    queues: HashMap<u64, VecDeque<JobId>>,
    /// Every job of a lease, in submission order.
    by_lease: HashMap<u64, Vec<JobId>>,
    /// (client, nonce) -> the body's hash and the jobs it queued, for as
    /// long as a replay could still carry a valid time.
    requests: HashMap<(Pubkey, u128), Remembered>,
    last_pruned: Option<Instant>,
    sessions: HashMap<String, WorkerSession>,
    attempts: HashMap<JobId, Attempt>,
    /// Verified jobs not yet under a period, per (lease, device), in order.
    unproven: HashMap<(u64, Pubkey), Vec<JobId>>,
    /// At most one period per (lease, device) between closing and landing.
    settling: HashMap<(u64, Pubkey), Period>,
    /// Landed periods by lease.
    posted: HashMap<u64, Vec<Period>>,
    /// Devices caught returning a wrong result: never given work again
    /// and never matched again by this keeper.
    pub banned: HashSet<Pubkey>,
    /// Device -> the lease this keeper serves with it (from the chain).
    assignments: HashMap<Pubkey, u64>,
    /// Leases this keeper serves that still run, with their clients
    /// (from the chain).
    running_leases: HashMap<u64, Pubkey>,
    /// Device checks by job id, and the checks waiting per device.
    checks: HashMap<JobId, PendingCheck>,
    check_queue: HashMap<Pubkey, VecDeque<JobId>>,
    /// Openings to hand each device's worker: (job, fence, rows).
    openings: HashMap<Pubkey, Vec<Task>>,
    /// Seconds each device had a live session, per epoch.
    uptime: HashMap<(u64, Pubkey), u64>,
    /// (epoch, device) of every check passed.
    passed_checks: HashSet<(u64, Pubkey)>,
    /// Epoch -> the blob hash of its device-reward report ("" when none
    /// was posted by this keeper).
    pub device_reports: HashMap<u64, String>,
    /// Seconds clients' jobs waited for their first dispatch, since the
    /// last time they were taken (for the metrics).
    pub dispatch_waits: Vec<f64>,
    /// Blob hash -> the clients whose jobs read or wrote it.
    blob_readers: HashMap<String, HashSet<Pubkey>>,
}

impl Board {
    /// Which leases this keeper serves and with which devices, as of the
    /// last sweep of the chain.
    pub fn set_assignments(
        &mut self,
        assignments: HashMap<Pubkey, u64>,
        running: HashMap<u64, Pubkey>,
    ) {
        self.assignments = assignments;
        self.running_leases = running;
    }

    pub fn serves(&self, lease: u64) -> bool {
        self.running_leases.contains_key(&lease)
    }

    /// Whether `uploader` may store blobs here: a worker in session
    /// (outputs) or the client of a running lease of this keeper (inputs).
    /// Nobody else can fill the keeper's disk.
    pub fn may_upload_blob(&self, uploader: &Pubkey) -> bool {
        self.sessions.values().any(|s| s.worker == *uploader)
            || self.running_leases.values().any(|c| c == uploader)
    }

    /// Queues `jobs` of one request; an exact replay returns the same ids
    /// and queues nothing; the nonce with another body is refused.
    pub fn submit(
        &mut self,
        lease: u64,
        client: Pubkey,
        nonce: u128,
        body_hash: [u8; 32],
        jobs: Vec<Job>,
        now: Instant,
    ) -> Result<Vec<JobId>, BoardError> {
        if let Some(ids) = self.replayed(&client, nonce, &body_hash)? {
            return Ok(ids);
        }
        let ids: Vec<JobId> = (0..jobs.len() as u32)
            .map(|i| api::job_id(lease, &client, nonce, i))
            .collect();
        // Ids name their request: jobs already here are never replaced.
        if ids.iter().any(|id| self.jobs.contains_key(id)) {
            return Ok(ids);
        }
        for (id, job) in ids.iter().zip(jobs) {
            for hash in job.spec.input_hashes() {
                self.blob_readers.entry(hash).or_default().insert(client);
            }
            self.insert_job(*id, lease, client, job, now);
        }
        self.requests
            .insert((client, nonce), (body_hash, ids.clone(), now));
        self.forget_old_requests(now);
        Ok(ids)
    }

    /// Forgets requests older than any replay's valid time could be (the
    /// signature's time is checked first, so a replay after that is refused
    /// as expired); at most every ten seconds.
    fn forget_old_requests(&mut self, now: Instant) {
        if self
            .last_pruned
            .is_some_and(|at| now.saturating_duration_since(at) < Duration::from_secs(10))
        {
            return;
        }
        self.last_pruned = Some(now);
        let memory = REQUEST_MEMORY;
        self.requests
            .retain(|_, (_, _, at)| now.saturating_duration_since(*at) < memory);
    }

    /// The jobs of an earlier request with this (client, nonce), if any;
    /// the nonce with another body is refused.
    pub fn replayed(
        &self,
        client: &Pubkey,
        nonce: u128,
        body_hash: &[u8; 32],
    ) -> Result<Option<Vec<JobId>>, BoardError> {
        match self.requests.get(&(*client, nonce)) {
            Some((hash, ids, _)) if hash == body_hash => Ok(Some(ids.clone())),
            Some(_) => Err(BoardError::NonceReused),
            None => Ok(None),
        }
    }

    fn insert_job(&mut self, id: JobId, lease: u64, client: Pubkey, job: Job, now: Instant) {
        self.by_lease.entry(lease).or_default().push(id);
        self.jobs
            .insert(id, JobRecord::new(lease, client, job, now));
        self.queues.entry(lease).or_default().push_back(id);
    }

    /// A worker key's session over its devices.
    pub fn open_session(&mut self, id: String, worker: Pubkey, devices: Vec<Pubkey>, slots: u32) {
        self.sessions.insert(
            id,
            WorkerSession {
                worker,
                devices,
                slots: slots.clamp(1, 64),
                last_seen: Instant::now(),
                next_device: 0,
            },
        );
    }

    /// The worker key of a session.
    pub fn session_worker(&self, session: &str) -> Result<Pubkey, BoardError> {
        self.sessions
            .get(session)
            .map(|s| s.worker)
            .ok_or(BoardError::UnknownSession)
    }

    /// Up to `max` tasks for `session`: signatures asked first, then jobs
    /// of the leases its devices serve, taking turns among its devices and
    /// never more running than its slots.
    pub fn claim(
        &mut self,
        session_id: &str,
        max: u32,
        claim: Duration,
        now: Instant,
    ) -> Result<Vec<Task>, BoardError> {
        let devices = self.touch(session_id, now)?;
        let mut tasks = Vec::new();
        for device in &devices {
            tasks.extend(self.openings.remove(device).unwrap_or_default());
        }
        for period in self.settling.values_mut() {
            if devices.contains(&period.device)
                && period.state == (PeriodState::Unsigned { asked: false })
            {
                period.state = PeriodState::Unsigned { asked: true };
                tasks.push(Task::Attest(attest_request(period, &self.jobs)));
            }
        }
        tasks.extend(self.take_runs(session_id, max, claim, now));
        Ok(tasks)
    }

    /// Marks `session` seen at `now`; its devices.
    fn touch(&mut self, session_id: &str, now: Instant) -> Result<Vec<Pubkey>, BoardError> {
        let session = self
            .sessions
            .get_mut(session_id)
            .ok_or(BoardError::UnknownSession)?;
        session.last_seen = now;
        Ok(session.devices.clone())
    }

    /// One job for `session`'s slot that just posted a result, if one is
    /// waiting (no signatures or openings: those come with claims).
    pub fn next_run(
        &mut self,
        session_id: &str,
        claim: Duration,
        now: Instant,
    ) -> Result<Option<Task>, BoardError> {
        self.touch(session_id, now)?;
        Ok(self.take_runs(session_id, 1, claim, now).pop())
    }

    /// Up to `max` jobs for `session` (known), never more running than its
    /// slots, its devices taking turns.
    fn take_runs(
        &mut self,
        session_id: &str,
        max: u32,
        claim: Duration,
        now: Instant,
    ) -> Vec<Task> {
        let session = self.sessions.get_mut(session_id).expect("a known session");
        let (devices, slots, start) = (
            session.devices.clone(),
            session.slots as usize,
            session.next_device,
        );
        session.next_device = session.next_device.wrapping_add(1);
        let running = self
            .attempts
            .values()
            .filter(|a| a.session == session_id)
            .count();
        let mut room = slots.saturating_sub(running).min(max as usize);
        let mut tasks = Vec::new();
        let mut idle_rounds = 0;
        let mut turn = start;
        while room > 0 && idle_rounds < devices.len() {
            let device = devices[turn % devices.len()];
            turn += 1;
            match self.take_for(device, session_id, claim, now) {
                Some(task) => {
                    tasks.push(task);
                    room -= 1;
                    idle_rounds = 0;
                }
                None => idle_rounds += 1,
            }
        }
        tasks
    }

    fn take_for(
        &mut self,
        device: Pubkey,
        session: &str,
        claim: Duration,
        now: Instant,
    ) -> Option<Task> {
        if self.banned.contains(&device) {
            return None;
        }
        if let Some(id) = self
            .check_queue
            .get_mut(&device)
            .and_then(VecDeque::pop_front)
        {
            if let Some(check) = self.checks.get_mut(&id) {
                check.dispatched = Some(now);
            }
            return self.dispatch(id, CHECK_LEASE, device, session, claim, now);
        }
        let lease = *self.assignments.get(&device)?;
        if !self.running_leases.contains_key(&lease) {
            return None;
        }
        let queue = self.queues.get_mut(&lease)?;
        let position = queue
            .iter()
            .position(|id| !self.jobs[id].excluded.contains(&device))?;
        let id = queue.remove(position)?;
        self.dispatch(id, lease, device, session, claim, now)
    }

    fn dispatch(
        &mut self,
        id: JobId,
        lease: u64,
        device: Pubkey,
        session: &str,
        claim: Duration,
        now: Instant,
    ) -> Option<Task> {
        let record = self.jobs.get_mut(&id)?;
        if record.attempts == 0 && lease != CHECK_LEASE {
            self.dispatch_waits.push(
                now.saturating_duration_since(record.submitted)
                    .as_secs_f64(),
            );
        }
        record.state = JobState::Running;
        record.attempts += 1;
        let fence = rand::random::<u64>();
        self.attempts.insert(
            id,
            Attempt {
                fence,
                device,
                session: session.to_string(),
                deadline: now + claim,
            },
        );
        Some(Task::Run {
            job: api::hex(&id),
            fence,
            lease,
            device: device.to_string(),
            spec: record.job.clone(),
        })
    }

    /// Extends the claim of each running (job, fence) of `session`.
    pub fn heartbeat(
        &mut self,
        session_id: &str,
        running: &[(JobId, u64)],
        claim: Duration,
        now: Instant,
    ) -> Result<(), BoardError> {
        let session = self
            .sessions
            .get_mut(session_id)
            .ok_or(BoardError::UnknownSession)?;
        session.last_seen = now;
        for (id, fence) in running {
            if let Some(attempt) = self.attempts.get_mut(id) {
                if attempt.fence == *fence && attempt.session == session_id {
                    attempt.deadline = now + claim;
                }
            }
        }
        Ok(())
    }

    /// The context of a result, if (`job`, `fence`) is `session`'s current
    /// attempt.
    pub fn current(
        &self,
        session_id: &str,
        id: &JobId,
        fence: u64,
    ) -> Result<ResultContext, BoardError> {
        let worker = self.session_worker(session_id)?;
        let record = self
            .jobs
            .get(id)
            .ok_or_else(|| BoardError::UnknownJob(api::hex(id)))?;
        match self.attempts.get(id) {
            Some(a) if a.fence == fence && a.session == session_id => Ok(ResultContext {
                lease: record.lease,
                device: a.device,
                worker,
                job: record.job.clone(),
            }),
            _ => Err(BoardError::StaleAttempt {
                job: api::hex(id),
                fence,
            }),
        }
    }

    /// Accepts a verified result of the current attempt; None if the
    /// attempt stopped being current meanwhile (nothing changes then). A
    /// cross-checked job succeeds only once two devices returned the same
    /// outputs: until then each result is a witness and the job runs again
    /// on another device of its lease.
    pub fn succeed(
        &mut self,
        id: &JobId,
        fence: u64,
        receipt: (JobReceipt, Signature),
        outputs: Vec<String>,
    ) -> Option<Accepted> {
        let attempt = self.attempts.get(id).filter(|a| a.fence == fence)?;
        let device = attempt.device;
        self.attempts.remove(id);
        let record = self.jobs.get_mut(id).expect("an attempt's job exists");
        let mut outvoted = Vec::new();
        if record.job.cross_checked() {
            let root = receipt.0.output_root;
            match record.witnesses.iter().find(|w| w.output_root == root) {
                Some(agreeing) => {
                    record.cross_checked_by = Some(agreeing.device);
                    outvoted = record
                        .witnesses
                        .drain(..)
                        .filter(|w| w.output_root != root)
                        .map(|w| w.device)
                        .collect();
                    self.banned.extend(outvoted.iter().copied());
                }
                None => {
                    record.witnesses.push(Witness {
                        device,
                        output_root: root,
                    });
                    record.excluded.insert(device);
                    let witnesses = record.witnesses.len();
                    if witnesses < MAX_WITNESSES
                        && runnable(&self.assignments, &self.banned, record)
                    {
                        record.state = JobState::Queued;
                        self.queues.entry(record.lease).or_default().push_front(*id);
                        return Some(Accepted::Witnessed);
                    }
                    let reason = if witnesses == 1 {
                        "a cross-checked kernel needs a second device in the lease to compare with"
                            .to_string()
                    } else {
                        format!(
                            "{witnesses} devices returned {witnesses} different outputs: the kernel is not deterministic, or devices lied"
                        )
                    };
                    record.witnesses.clear();
                    record.state = JobState::Failed;
                    record.error = Some(reason.clone());
                    record.elapsed = Some(record.submitted.elapsed());
                    return Some(Accepted::Unconfirmed(reason));
                }
            }
        }
        record.state = JobState::Succeeded;
        record.device = Some(device);
        record.receipt = Some(receipt);
        for hash in &outputs {
            self.blob_readers
                .entry(hash.clone())
                .or_default()
                .insert(record.client);
        }
        record.outputs = outputs;
        let elapsed = record.submitted.elapsed();
        record.elapsed = Some(elapsed);
        self.unproven
            .entry((record.lease, device))
            .or_default()
            .push(*id);
        Some(Accepted::Succeeded { elapsed, outvoted })
    }

    /// The current attempt failed: the job goes back to the front of its
    /// queue, or fails after `MAX_ATTEMPTS` or when no device of its lease
    /// may run it any more. `Blame::Device` keeps the job off that device
    /// (it failed it), `Blame::Lied` also bans the device (its result was
    /// wrong), `Blame::None` (its worker went silent) does neither.
    /// Returns the job's new state, or None when the attempt was not
    /// current.
    pub fn fail_attempt(
        &mut self,
        id: &JobId,
        fence: u64,
        reason: String,
        blame: Blame,
    ) -> Option<JobState> {
        let attempt = self.attempts.get(id).filter(|a| a.fence == fence)?;
        let device = attempt.device;
        self.attempts.remove(id);
        if blame == Blame::Lied {
            self.banned.insert(device);
        }
        let record = self.jobs.get_mut(id).expect("an attempt's job exists");
        if record.lease == CHECK_LEASE {
            // A check is not run again: silence is a miss, anything else a
            // failure.
            record.state = JobState::Failed;
            record.error = Some(reason);
            if let Some(check) = self.checks.get_mut(id) {
                check.outcome.get_or_insert(if blame == Blame::None {
                    CheckOutcome::Missed
                } else {
                    CheckOutcome::Fail
                });
            }
            return Some(JobState::Failed);
        }
        if blame != Blame::None {
            record.excluded.insert(device);
        }
        if record.attempts >= MAX_ATTEMPTS || !runnable(&self.assignments, &self.banned, record) {
            record.state = JobState::Failed;
            record.error = Some(reason);
            record.elapsed = Some(record.submitted.elapsed());
        } else {
            record.state = JobState::Queued;
            record.error = Some(reason);
            self.queues.entry(record.lease).or_default().push_front(*id);
        }
        Some(record.state)
    }

    /// Hands `session`'s attempts back unrun (the worker is stopping): the
    /// jobs are queued again first in line, the attempt not counted.
    pub fn release(&mut self, session_id: &str, attempts: &[(JobId, u64)]) -> usize {
        let mut released = 0;
        for (id, fence) in attempts {
            let current = self
                .attempts
                .get(id)
                .is_some_and(|a| a.fence == *fence && a.session == session_id);
            if current {
                self.attempts.remove(id);
                self.requeue(id, false);
                released += 1;
            }
        }
        released
    }

    fn requeue(&mut self, id: &JobId, counted: bool) {
        let record = self.jobs.get_mut(id).expect("a known job");
        if !counted {
            record.attempts = record.attempts.saturating_sub(1);
        }
        record.state = JobState::Queued;
        self.queues.entry(record.lease).or_default().push_front(*id);
    }

    /// Attempts whose claim ran out go back to their queues (a job whose
    /// attempts are spent fails); sessions silent for `3 x claim` end.
    /// Returns the expired jobs with their new states.
    pub fn expire(&mut self, claim: Duration, now: Instant) -> Vec<(JobId, JobState)> {
        let expired: Vec<JobId> = self
            .attempts
            .iter()
            .filter(|(_, a)| a.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        let mut states = Vec::with_capacity(expired.len());
        for id in expired {
            let fence = self.attempts[&id].fence;
            if let Some(state) = self.fail_attempt(
                &id,
                fence,
                "the worker went silent (no heartbeat within the claim)".into(),
                Blame::None,
            ) {
                states.push((id, state));
            }
        }
        self.sessions
            .retain(|_, s| now.duration_since(s.last_seen) < claim * 3);
        states
    }

    /// The last `limit` jobs submitted to `lease`, oldest first.
    pub fn lease_jobs(&self, lease: u64, limit: usize) -> Vec<JobStatus> {
        let ids = self
            .by_lease
            .get(&lease)
            .map_or(&[][..], |ids| ids.as_slice());
        ids[ids.len().saturating_sub(limit)..]
            .iter()
            .filter_map(|id| self.status(id))
            .collect()
    }

    pub fn status(&self, id: &JobId) -> Option<JobStatus> {
        let record = self.jobs.get(id)?;
        Some(JobStatus {
            id: api::hex(id),
            lease: record.lease,
            state: record.state,
            attempts: record.attempts,
            device: record.device.map(|d| d.to_string()),
            outputs: record.outputs.clone(),
            receipt: record
                .receipt
                .as_ref()
                .map(|(r, s)| SignedReceiptJson::new(r, s)),
            error: record.error.clone(),
            elapsed_ms: record.elapsed.map(|d| d.as_secs_f64() * 1e3),
            cross_checked_by: record.cross_checked_by.map(|d| d.to_string()),
        })
    }

    /// (lease, device) pairs whose unproven jobs should make a period now:
    /// `period_jobs` of them, or the oldest older than `period`; none while
    /// a period of that device is in flight.
    pub fn due_periods(
        &self,
        period_jobs: u32,
        period: Duration,
        now: Instant,
    ) -> Vec<(u64, Pubkey)> {
        self.unproven
            .iter()
            .filter(|(key, jobs)| {
                !jobs.is_empty()
                    && !self.settling.contains_key(key)
                    && (jobs.len() >= period_jobs as usize
                        || now.duration_since(self.jobs[&jobs[0]].submitted) >= period)
            })
            .map(|(key, _)| *key)
            .collect()
    }

    /// Closes a period of (lease, device) numbered `seq` over
    /// [`start`, `end`]: the unproven jobs in order, at most `max_jobs`,
    /// as many as their device time fits in the period on `gpus` GPUs.
    /// None when not even one fits yet (the period must grow).
    #[allow(clippy::too_many_arguments)]
    pub fn close_period(
        &mut self,
        lease_key: &Pubkey,
        (lease, device): (u64, Pubkey),
        seq: u32,
        (start, end): (i64, i64),
        gpus: u8,
        max_jobs: u32,
    ) -> Option<AttestRequest> {
        let room = (end.saturating_sub(start)).max(0) as u128 * 1_000_000 * gpus as u128;
        let pending = self.unproven.get_mut(&(lease, device))?;
        let mut used: u128 = 0;
        let mut take = 0;
        for id in pending.iter().take(max_jobs as usize) {
            let time = self.jobs[id]
                .receipt
                .as_ref()
                .map_or(0, |(r, _)| r.device_time_us);
            if used + time as u128 > room {
                break;
            }
            used += time as u128;
            take += 1;
        }
        if take == 0 {
            return None;
        }
        let jobs: Vec<JobId> = pending.drain(..take).collect();
        let receipts: Vec<JobReceipt> = jobs
            .iter()
            .map(|id| {
                self.jobs[id]
                    .receipt
                    .expect("verified jobs have receipts")
                    .0
            })
            .collect();
        let root = merkle::receipts_tree(lease_key, &device, &receipts).root();
        let period = Period {
            lease,
            device,
            seq,
            start,
            end,
            device_time_us: used as u64,
            jobs,
            root,
            state: PeriodState::Unsigned { asked: false },
        };
        let request = attest_request(&period, &self.jobs);
        self.settling.insert((lease, device), period);
        Some(request)
    }

    /// The worker's signature of a period it was asked to sign; the caller
    /// has checked it against the worker key.
    pub fn attested(
        &mut self,
        (lease, device): (u64, Pubkey),
        seq: u32,
        signature: Signature,
        worker: Pubkey,
    ) -> Result<(), BoardError> {
        match self.settling.get_mut(&(lease, device)) {
            Some(period)
                if period.seq == seq && matches!(period.state, PeriodState::Unsigned { .. }) =>
            {
                period.state = PeriodState::Signed(signature, worker);
                Ok(())
            }
            _ => Err(BoardError::UnknownPeriod {
                lease,
                device: device.to_string(),
                seq,
            }),
        }
    }

    pub fn period(&self, key: (u64, Pubkey)) -> Option<&Period> {
        self.settling.get(&key)
    }

    /// Signed periods waiting to be posted.
    pub fn signed_periods(&self) -> Vec<Period> {
        let mut periods: Vec<Period> = self
            .settling
            .values()
            .filter(|p| matches!(p.state, PeriodState::Signed(..)))
            .cloned()
            .collect();
        periods.sort_by_key(|p| (p.lease, p.device, p.seq));
        periods
    }

    /// The period landed in transaction `tx`.
    pub fn posted(&mut self, key: (u64, Pubkey), tx: String) {
        if let Some(mut period) = self.settling.remove(&key) {
            period.state = PeriodState::Posted(tx);
            self.posted.entry(key.0).or_default().push(period);
        }
    }

    /// A period that cannot be posted (refused by the worker, or by the
    /// program): its jobs go back, first in line, for the next period.
    pub fn reopen(&mut self, key: (u64, Pubkey)) {
        if let Some(period) = self.settling.remove(&key) {
            let pending = self.unproven.entry(key).or_default();
            let rest = std::mem::take(pending);
            *pending = period.jobs;
            pending.extend(rest);
        }
    }

    /// Every landed period of `lease` with its receipts.
    pub fn posted_periods(&self, lease: u64) -> Vec<(Period, Vec<(JobReceipt, Signature)>)> {
        self.posted
            .get(&lease)
            .into_iter()
            .flatten()
            .map(|p| {
                let receipts = p
                    .jobs
                    .iter()
                    .filter_map(|id| self.jobs[id].receipt)
                    .collect();
                (p.clone(), receipts)
            })
            .collect()
    }

    /// Replays a verified result from the journal.
    pub fn restore_succeeded(
        &mut self,
        id: &JobId,
        device: Pubkey,
        receipt: (JobReceipt, Signature),
        outputs: Vec<String>,
    ) {
        let Some(record) = self.jobs.get_mut(id).filter(|r| !r.state.is_final()) else {
            return;
        };
        record.state = JobState::Succeeded;
        record.device = Some(device);
        record.receipt = Some(receipt);
        for hash in &outputs {
            self.blob_readers
                .entry(hash.clone())
                .or_default()
                .insert(record.client);
        }
        record.outputs = outputs;
        let lease = record.lease;
        if let Some(queue) = self.queues.get_mut(&lease) {
            queue.retain(|queued| queued != id);
        }
        self.unproven.entry((lease, device)).or_default().push(*id);
    }

    /// Replays a job's failure from the journal.
    pub fn restore_failed(&mut self, id: &JobId, reason: String) {
        let Some(record) = self.jobs.get_mut(id) else {
            return;
        };
        record.state = JobState::Failed;
        record.error = Some(reason);
        let lease = record.lease;
        if let Some(queue) = self.queues.get_mut(&lease) {
            queue.retain(|queued| queued != id);
        }
    }

    /// The root of `jobs`' receipts on (lease, device), and their time.
    pub fn root_of(
        &self,
        lease_key: &Pubkey,
        device: &Pubkey,
        jobs: &[JobId],
    ) -> Option<([u8; 32], u64)> {
        let receipts: Vec<JobReceipt> = jobs
            .iter()
            .map(|id| self.jobs.get(id)?.receipt.map(|(r, _)| r))
            .collect::<Option<_>>()?;
        let time = receipts.iter().map(|r| r.device_time_us).sum();
        Some((
            merkle::receipts_tree(lease_key, device, &receipts).root(),
            time,
        ))
    }

    /// Records a period that landed (replayed from the journal, or found on
    /// the chain after a crash between send and journal): its jobs leave
    /// the unproven list.
    pub fn restore_posted(
        &mut self,
        lease_key: &Pubkey,
        (lease, device): (u64, Pubkey),
        seq: u32,
        jobs: Vec<JobId>,
        tx: String,
    ) {
        let Some((root, device_time_us)) = self.root_of(lease_key, &device, &jobs) else {
            return;
        };
        if let Some(pending) = self.unproven.get_mut(&(lease, device)) {
            pending.retain(|id| !jobs.contains(id));
        }
        self.posted.entry(lease).or_default().push(Period {
            lease,
            device,
            seq,
            start: 0,
            end: 0,
            device_time_us,
            jobs,
            root,
            state: PeriodState::Posted(tx),
        });
    }

    /// Puts back a period that was signed and being posted when the keeper
    /// stopped, to be posted again exactly as it was.
    pub fn restore_signed(
        &mut self,
        lease_key: &Pubkey,
        (lease, device): (u64, Pubkey),
        seq: u32,
        (start, end): (i64, i64),
        jobs: Vec<JobId>,
        (signature, worker): (Signature, Pubkey),
    ) {
        let Some((root, device_time_us)) = self.root_of(lease_key, &device, &jobs) else {
            return;
        };
        if let Some(pending) = self.unproven.get_mut(&(lease, device)) {
            pending.retain(|id| !jobs.contains(id));
        }
        self.settling.insert(
            (lease, device),
            Period {
                lease,
                device,
                seq,
                start,
                end,
                device_time_us,
                jobs,
                root,
                state: PeriodState::Signed(signature, worker),
            },
        );
    }

    /// Who submitted job `id`.
    pub fn job_owner(&self, id: &JobId) -> Option<Pubkey> {
        self.jobs.get(id).map(|r| r.client)
    }

    /// Whether `reader` may download blob `hash`: a worker with a session
    /// (job inputs), or a client whose job read or wrote it.
    pub fn may_read_blob(&self, reader: &Pubkey, hash: &str) -> bool {
        self.sessions.values().any(|s| s.worker == *reader)
            || self
                .blob_readers
                .get(&hash.to_ascii_lowercase())
                .is_some_and(|readers| readers.contains(reader))
    }

    /// Devices with a live session (a worker that claimed or heartbeat
    /// within `claim`).
    pub fn live_devices(&self, claim: Duration, now: Instant) -> HashSet<Pubkey> {
        self.sessions
            .values()
            .filter(|s| now.duration_since(s.last_seen) < claim)
            .flat_map(|s| s.devices.iter().copied())
            .collect()
    }

    /// Adds `seconds` of uptime in `epoch` to every live device.
    pub fn count_uptime(&mut self, epoch: u64, seconds: u64, claim: Duration, now: Instant) {
        for device in self.live_devices(claim, now) {
            *self.uptime.entry((epoch, device)).or_default() += seconds;
        }
    }

    pub fn uptime(&self, epoch: u64, device: &Pubkey) -> u64 {
        self.uptime.get(&(epoch, *device)).copied().unwrap_or(0)
    }

    /// Whether `device` has a check in `epoch` (queued, running or done).
    pub fn has_check(&self, device: &Pubkey, epoch: u64) -> bool {
        self.checks
            .values()
            .any(|c| c.device == *device && c.epoch == epoch)
    }

    /// Queues a device check of `device` for `epoch`, first in its line.
    pub fn schedule_check(
        &mut self,
        device: Pubkey,
        epoch: u64,
        spec: DeviceCheckSpec,
        now: Instant,
    ) {
        use sha2::Digest;
        let id: JobId = sha2::Sha256::new()
            .chain_update(b"io-compute/device-check/v1")
            .chain_update(device.as_ref())
            .chain_update(epoch.to_le_bytes())
            .finalize()
            .into();
        if self.jobs.contains_key(&id) {
            return;
        }
        self.jobs.insert(
            id,
            JobRecord {
                device: Some(device),
                ..JobRecord::new(
                    CHECK_LEASE,
                    Pubkey::default(),
                    Job::new(io_compute_sdk::job::JobSpec::DeviceCheck(spec)),
                    now,
                )
            },
        );
        self.checks.insert(
            id,
            PendingCheck {
                device,
                epoch,
                spec,
                dispatched: None,
                answered_in: None,
                roots: Vec::new(),
                asked: Vec::new(),
                outcome: None,
                recorded: false,
            },
        );
        self.check_queue.entry(device).or_default().push_back(id);
    }

    /// A device check's committed roots, from its current attempt: the
    /// time is taken and `CHECK_OPENINGS` random rows are asked for (the
    /// worker's next claim gets them). False when the attempt is not
    /// current or the roots are not one per step.
    pub fn check_committed(
        &mut self,
        id: &JobId,
        fence: u64,
        roots: Vec<[u8; 32]>,
        now: Instant,
    ) -> bool {
        let Some(attempt) = self.attempts.get(id).filter(|a| a.fence == fence) else {
            return false;
        };
        let device = attempt.device;
        let Some(check) = self.checks.get_mut(id) else {
            return false;
        };
        if roots.len() != check.spec.steps as usize || check.outcome.is_some() {
            return false;
        }
        check.answered_in = check.dispatched.map(|at| now.duration_since(at));
        check.roots = roots;
        check.asked = (0..CHECK_OPENINGS)
            .map(|_| {
                (
                    rand::random_range(0..check.spec.steps),
                    rand::random_range(0..check.spec.n),
                )
            })
            .collect();
        self.openings.entry(device).or_default().push(Task::Open {
            job: api::hex(id),
            fence,
            rows: check.asked.clone(),
        });
        true
    }

    /// The worker's openings of a check's rows: the check passes when
    /// every asked row opens against its roots and the roots came within
    /// the deadline; a late honest answer is a miss, anything else a
    /// failure. Returns the outcome, or None when the attempt is not
    /// current.
    pub fn check_opened(
        &mut self,
        id: &JobId,
        fence: u64,
        openings: &[io_compute_sdk::device_check::Opening],
    ) -> Option<CheckOutcome> {
        self.attempts.get(id).filter(|a| a.fence == fence)?;
        let check = self.checks.get_mut(id)?;
        if check.roots.is_empty() || check.outcome.is_some() {
            return None;
        }
        self.attempts.remove(id);
        let asked: Vec<(u32, u32)> = openings.iter().map(|o| (o.step, o.row)).collect();
        let valid = asked == check.asked
            && openings.iter().all(|o| {
                io_compute_sdk::device_check::verify_opening(
                    check.spec.seed,
                    check.spec.n as usize,
                    &check.roots,
                    o,
                )
            });
        let in_time = check
            .answered_in
            .is_some_and(|t| t <= Duration::from_millis(check.spec.deadline_ms));
        let outcome = match (valid, in_time) {
            (true, true) => CheckOutcome::Pass,
            (true, false) => CheckOutcome::Missed,
            (false, _) => CheckOutcome::Fail,
        };
        check.outcome = Some(outcome);
        if outcome == CheckOutcome::Pass {
            self.passed_checks.insert((check.epoch, check.device));
        }
        if let Some(record) = self.jobs.get_mut(id) {
            record.state = if outcome == CheckOutcome::Pass {
                JobState::Succeeded
            } else {
                JobState::Failed
            };
            record.error = (outcome != CheckOutcome::Pass).then(|| format!("{outcome:?}"));
        }
        Some(outcome)
    }

    /// The outcomes of `epoch`'s checks not yet recorded on-chain; they
    /// are taken (recorded once).
    pub fn take_check_outcomes(&mut self, epoch: u64) -> Vec<(Pubkey, CheckOutcome)> {
        let mut outcomes = Vec::new();
        for check in self.checks.values_mut() {
            match check.outcome {
                Some(outcome) if check.epoch == epoch && !check.recorded => {
                    check.recorded = true;
                    outcomes.push((check.device, outcome));
                }
                _ => {}
            }
        }
        outcomes
    }

    /// The devices that earn a reward in `epoch`: passed its check and had
    /// a live session, with their seconds of uptime.
    pub fn earners(&self, epoch: u64) -> Vec<(Pubkey, u64)> {
        self.passed_checks
            .iter()
            .filter(|(e, _)| *e == epoch)
            .map(|(_, device)| (*device, self.uptime(epoch, device)))
            .filter(|(_, uptime)| *uptime > 0)
            .collect()
    }

    /// Counts of clients' jobs by state (for metrics and tests; device
    /// checks are counted by their outcomes).
    pub fn counts(&self) -> HashMap<JobState, usize> {
        let mut counts = HashMap::new();
        for record in self.jobs.values().filter(|r| r.lease != CHECK_LEASE) {
            *counts.entry(record.state).or_default() += 1;
        }
        counts
    }
}

fn attest_request(period: &Period, jobs: &HashMap<JobId, JobRecord>) -> AttestRequest {
    AttestRequest {
        lease: period.lease,
        device: period.device.to_string(),
        seq: period.seq,
        period_start: period.start,
        period_end: period.end,
        device_time_us: period.device_time_us,
        job_count: period.jobs.len() as u32,
        receipts_root: api::hex(&period.root),
        receipts: period
            .jobs
            .iter()
            .filter_map(|id| jobs[id].receipt.as_ref())
            .map(|(r, s)| SignedReceiptJson::new(r, s))
            .collect(),
    }
}

/// The board with the wake-ups around it: `work` when there is something
/// to claim, `done` when a job finished.
#[derive(Default)]
pub struct Hub {
    pub board: std::sync::Mutex<Board>,
    pub work: tokio::sync::Notify,
    pub done: tokio::sync::Notify,
}

impl Hub {
    /// Runs `f` on the board (the lock is held only for `f`).
    pub fn with<T>(&self, f: impl FnOnce(&mut Board) -> T) -> T {
        f(&mut self.board.lock().expect("the board lock is never poisoned"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use io_compute::receipt::{Dtype, JobKind};
    use io_compute_sdk::job::{GemmDtype, GemmInputs, GemmSpec};

    const CLAIM: Duration = Duration::from_secs(10);

    fn job(seed: u64) -> Job {
        Job::new(io_compute_sdk::job::JobSpec::Gemm(GemmSpec {
            m: 2,
            n: 2,
            k: 2,
            dtype: GemmDtype::I32,
            allow_tf32: false,
            inputs: GemmInputs::Seed { seed },
        }))
    }

    fn receipt(id: JobId, device_time_us: u64) -> (JobReceipt, Signature) {
        let receipt = JobReceipt {
            job_id: id,
            kind: JobKind::Gemm,
            dtype: Dtype::I32,
            m: 2,
            n: 2,
            k: 2,
            input_root: [0; 32],
            output_root: [0; 32],
            device_time_us,
        };
        (receipt, Signature::default())
    }

    /// A board serving lease 7 with `devices`, one session per device.
    fn board(devices: &[Pubkey]) -> Board {
        let mut board = Board::default();
        board.set_assignments(
            devices.iter().map(|d| (*d, 7)).collect(),
            HashMap::from([(7, Pubkey::default())]),
        );
        for (i, device) in devices.iter().enumerate() {
            board.open_session(format!("s{i}"), Pubkey::new_unique(), vec![*device], 4);
        }
        board
    }

    fn run_tasks(tasks: &[Task]) -> Vec<(JobId, u64)> {
        tasks
            .iter()
            .filter_map(|t| match t {
                Task::Run { job, fence, .. } => Some((api::from_hex32(job).unwrap(), *fence)),
                Task::Attest(_) | Task::Open { .. } => None,
            })
            .collect()
    }

    #[test]
    fn only_the_current_attempt_is_accepted() {
        let device = Pubkey::new_unique();
        let mut board = board(&[device]);
        let now = Instant::now();
        let ids = board
            .submit(7, Pubkey::new_unique(), 1, [0; 32], vec![job(1)], now)
            .unwrap();
        let (id, fence) = run_tasks(&board.claim("s0", 4, CLAIM, now).unwrap())[0];
        assert_eq!(id, ids[0]);
        // The claim runs out: the job is queued again (its device not
        // blamed) and the old attempt's late result is refused.
        let expired = board.expire(CLAIM, now + CLAIM);
        assert_eq!(expired, vec![(id, JobState::Queued)]);
        assert_eq!(
            board.current("s0", &id, fence).err(),
            Some(BoardError::StaleAttempt {
                job: api::hex(&id),
                fence
            })
        );
        assert_eq!(board.succeed(&id, fence, receipt(id, 5), vec![]), None);
        let (again, new_fence) = run_tasks(&board.claim("s0", 4, CLAIM, now + CLAIM).unwrap())[0];
        assert_eq!(again, id);
        assert_ne!(new_fence, fence);
        assert!(board
            .succeed(&id, new_fence, receipt(id, 5), vec![])
            .is_some());
        let status = board.status(&id).unwrap();
        assert_eq!((status.state, status.attempts), (JobState::Succeeded, 2));
    }

    fn kernel_job() -> Job {
        Job::new(io_compute_sdk::job::JobSpec::CudaKernel(
            io_compute_sdk::job::CudaKernelSpec {
                source: "k".into(),
                entry: "k".into(),
                grid: [1; 3],
                block: [1; 3],
                buffers: vec![io_compute_sdk::job::KernelBuffer {
                    bytes: 4,
                    input: None,
                    output: true,
                }],
                timeout_ms: 1_000,
                cross_check: true,
            },
        ))
    }

    /// Claims `job` on session `s{session}` and returns the result of
    /// reporting `output_root` for it.
    fn run_kernel(board: &mut Board, session: usize, id: JobId, output_root: u8) -> Accepted {
        let tasks = board
            .claim(&format!("s{session}"), 4, CLAIM, Instant::now())
            .unwrap();
        let (claimed, fence) = run_tasks(&tasks)[0];
        assert_eq!(claimed, id);
        let (mut r, signature) = receipt(id, 5);
        r.output_root = [output_root; 32];
        board
            .succeed(&id, fence, (r, signature), vec![format!("{output_root}")])
            .unwrap()
    }

    #[test]
    fn a_cross_checked_kernel_needs_two_devices_that_agree() {
        let devices: Vec<Pubkey> = (0..3).map(|_| Pubkey::new_unique()).collect();
        let now = Instant::now();

        // Two devices agree: it succeeds with the second's result.
        let mut two = board(&devices[..2]);
        let id = two
            .submit(7, Pubkey::new_unique(), 1, [0; 32], vec![kernel_job()], now)
            .unwrap()[0];
        assert_eq!(run_kernel(&mut two, 0, id, 1), Accepted::Witnessed);
        assert_eq!(two.status(&id).unwrap().state, JobState::Queued);
        // The first device is not handed it again.
        assert!(run_tasks(&two.claim("s0", 4, CLAIM, now).unwrap()).is_empty());
        let Accepted::Succeeded { outvoted, .. } = run_kernel(&mut two, 1, id, 1) else {
            panic!("agreed")
        };
        assert!(outvoted.is_empty());
        let status = two.status(&id).unwrap();
        assert_eq!(status.state, JobState::Succeeded);
        assert_eq!(status.device, Some(devices[1].to_string()));
        assert_eq!(status.cross_checked_by, Some(devices[0].to_string()));
        assert_eq!(status.attempts, 2);

        // Two devices disagree and no third is in the lease: it fails,
        // nobody is banned.
        let id = two
            .submit(7, Pubkey::new_unique(), 2, [0; 32], vec![kernel_job()], now)
            .unwrap()[0];
        assert_eq!(run_kernel(&mut two, 0, id, 1), Accepted::Witnessed);
        let Accepted::Unconfirmed(reason) = run_kernel(&mut two, 1, id, 2) else {
            panic!("no third device")
        };
        assert!(
            reason.contains("2 devices returned 2 different outputs"),
            "{reason}"
        );
        assert_eq!(two.status(&id).unwrap().state, JobState::Failed);
        assert!(two.banned.is_empty());

        // A third device breaks the tie: the odd one out is banned.
        let mut three = board(&devices);
        let id = three
            .submit(7, Pubkey::new_unique(), 1, [0; 32], vec![kernel_job()], now)
            .unwrap()[0];
        assert_eq!(run_kernel(&mut three, 0, id, 9), Accepted::Witnessed);
        assert_eq!(run_kernel(&mut three, 1, id, 1), Accepted::Witnessed);
        let Accepted::Succeeded { outvoted, .. } = run_kernel(&mut three, 2, id, 1) else {
            panic!("two of three agreed")
        };
        assert_eq!(outvoted, vec![devices[0]]);
        assert!(three.banned.contains(&devices[0]));
        let status = three.status(&id).unwrap();
        assert_eq!(status.cross_checked_by, Some(devices[1].to_string()));
        assert_eq!(status.outputs, vec!["1".to_string()]);

        // A lease of one device cannot cross-check.
        let mut one = board(&devices[..1]);
        let id = one
            .submit(7, Pubkey::new_unique(), 1, [0; 32], vec![kernel_job()], now)
            .unwrap()[0];
        let Accepted::Unconfirmed(reason) = run_kernel(&mut one, 0, id, 1) else {
            panic!("alone")
        };
        assert!(reason.contains("needs a second device"), "{reason}");
    }

    #[test]
    fn requests_are_forgotten_after_any_replay_has_expired_and_jobs_never_replaced() {
        let device = Pubkey::new_unique();
        let mut board = board(&[device]);
        let (client, now) = (Pubkey::new_unique(), Instant::now());
        let ids = board
            .submit(7, client, 1, [1; 32], vec![job(1)], now)
            .unwrap();
        assert_eq!(
            board.submit(7, client, 1, [2; 32], vec![job(2)], now),
            Err(BoardError::NonceReused)
        );
        // Much later another request prunes the memory of the first...
        let later = now + REQUEST_MEMORY + Duration::from_secs(1);
        board
            .submit(7, client, 2, [3; 32], vec![job(3)], later)
            .unwrap();
        assert_eq!(board.replayed(&client, 1, &[1; 32]), Ok(None));
        // ...and should the first come again, its job is not queued twice.
        assert_eq!(
            board.submit(7, client, 1, [1; 32], vec![job(1)], later),
            Ok(ids)
        );
        assert_eq!(board.counts()[&JobState::Queued], 2);
    }

    #[test]
    fn a_liar_is_banned_and_its_job_runs_elsewhere_once() {
        let (liar, honest) = (Pubkey::new_unique(), Pubkey::new_unique());
        let mut board = board(&[liar, honest]);
        let now = Instant::now();
        board
            .submit(7, Pubkey::new_unique(), 1, [0; 32], vec![job(1)], now)
            .unwrap();
        let (id, fence) = run_tasks(&board.claim("s0", 4, CLAIM, now).unwrap())[0];
        assert_eq!(
            board.fail_attempt(&id, fence, "wrong".into(), Blame::Lied),
            Some(JobState::Queued)
        );
        assert!(board.banned.contains(&liar));
        assert!(board.claim("s0", 4, CLAIM, now).unwrap().is_empty());
        let (again, fence) = run_tasks(&board.claim("s1", 4, CLAIM, now).unwrap())[0];
        assert_eq!(again, id);
        // The honest device fails it too: no device is left, it fails.
        assert_eq!(
            board.fail_attempt(&id, fence, "out of memory".into(), Blame::Device),
            Some(JobState::Failed)
        );
        assert_eq!(
            board.status(&id).unwrap().error.as_deref(),
            Some("out of memory")
        );
    }

    #[test]
    fn devices_take_turns_and_slots_bound_the_claims() {
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        let mut board = Board::default();
        board.set_assignments(
            HashMap::from([(a, 7), (b, 7)]),
            HashMap::from([(7, Pubkey::default())]),
        );
        board.open_session("s".into(), Pubkey::new_unique(), vec![a, b], 3);
        let now = Instant::now();
        board
            .submit(
                7,
                Pubkey::new_unique(),
                1,
                [0; 32],
                (0..5).map(job).collect(),
                now,
            )
            .unwrap();
        let tasks = board.claim("s", 10, CLAIM, now).unwrap();
        let devices: Vec<String> = tasks
            .iter()
            .map(|t| match t {
                Task::Run { device, .. } => device.clone(),
                Task::Attest(_) | Task::Open { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(devices.len(), 3, "three slots");
        assert_eq!(devices[0], a.to_string());
        assert_eq!(devices[1], b.to_string());
        assert!(
            board.claim("s", 10, CLAIM, now).unwrap().is_empty(),
            "slots full"
        );
        assert_eq!(board.next_run("s", CLAIM, now).unwrap(), None, "slots full");
        // A slot that posts its result is handed the next job with the
        // answer, until the queue is empty.
        let (first, fence) = run_tasks(&tasks)[0];
        board
            .succeed(&first, fence, receipt(first, 5), vec![])
            .unwrap();
        let next = board.next_run("s", CLAIM, now).unwrap();
        assert!(matches!(next, Some(Task::Run { .. })), "{next:?}");
        let mut tasks = tasks[1..].to_vec();
        tasks.extend(next);
        assert_eq!(board.next_run("s", CLAIM, now).unwrap(), None, "slots full");
        assert_eq!(board.counts()[&JobState::Queued], 1);
        assert_eq!(
            board.next_run("nobody", CLAIM, now),
            Err(BoardError::UnknownSession)
        );
        // A lease that stopped running gets nothing dispatched.
        board.set_assignments(HashMap::from([(a, 7), (b, 7)]), HashMap::new());
        let released = board.release("s", &run_tasks(&tasks));
        assert_eq!(released, 3);
        assert!(board.claim("s", 10, CLAIM, now).unwrap().is_empty());
        assert_eq!(board.counts()[&JobState::Queued], 4);
    }

    #[test]
    fn a_period_takes_what_its_time_can_hold_and_comes_back_if_refused() {
        let device = Pubkey::new_unique();
        let mut board = board(&[device]);
        let now = Instant::now();
        let ids = board
            .submit(
                7,
                Pubkey::new_unique(),
                1,
                [0; 32],
                (0..3).map(job).collect(),
                now,
            )
            .unwrap();
        for (id, fence) in run_tasks(&board.claim("s0", 4, CLAIM, now).unwrap()) {
            // 0.6 s of device time each.
            board
                .succeed(&id, fence, receipt(id, 600_000), vec![])
                .unwrap();
        }
        assert_eq!(
            board.due_periods(3, Duration::from_secs(60), now),
            vec![(7, device)]
        );
        assert_eq!(board.due_periods(4, Duration::from_secs(60), now), vec![]);
        let lease = io_compute_sdk::pda::lease(7);
        // One second on one GPU holds one job of the three.
        let request = board
            .close_period(&lease, (7, device), 0, (100, 101), 1, 1_000)
            .unwrap();
        assert_eq!((request.job_count, request.device_time_us), (1, 600_000));
        assert!(
            board.due_periods(1, Duration::ZERO, now).is_empty(),
            "one period at a time"
        );
        // The worker refuses: the job goes back first in line.
        board.reopen((7, device));
        let request = board
            .close_period(&lease, (7, device), 0, (100, 102), 1, 2)
            .unwrap();
        assert_eq!(request.job_count, 2, "at most period_jobs");
        let first: Vec<String> = request.receipts.iter().map(|r| r.job_id.clone()).collect();
        assert_eq!(first, vec![api::hex(&ids[0]), api::hex(&ids[1])]);
        board
            .attested((7, device), 0, Signature::default(), Pubkey::new_unique())
            .unwrap();
        assert_eq!(board.signed_periods().len(), 1);
        board.posted((7, device), "tx".into());
        assert_eq!(board.posted_periods(7)[0].1.len(), 2);
        assert_eq!(board.due_periods(1, Duration::ZERO, now), vec![(7, device)]);
    }
}
