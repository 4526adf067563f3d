//! The keeper's HTTP API, as its clients, workers and the keeper itself see
//! it: JSON bodies for control, binary blobs by their hex sha256 for data.
//! Every request but `GET /v1/keeper` and a published device-reward
//! report is signed as `request` says, with the keeper
//! authority as audience (a GET with an empty body; its query is not
//! signed).
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /v1/keeper` | anyone | `KeeperInfo` |
//! | `PUT /v1/blobs/{sha256}` | a worker in session, or the client of a running lease | stores bytes under their hash (checked) |
//! | `GET /v1/blobs/{sha256}` | a worker in session, or a client whose job read or wrote it | the bytes |
//! | `POST /v1/jobs` | the lease's client | `SubmitJobs` -> `Submitted` |
//! | `GET /v1/jobs/{id}` | the job's client | `JobStatus` |
//! | `GET /v1/jobs/{id}/wait?timeout_ms=` | same | `JobStatus` once finished or at the timeout |
//! | `GET /v1/leases/{id}/receipts` | the lease's client | `LeaseReceipts` |
//! | `GET /v1/leases/{id}/jobs` | the lease's client | `LeaseJobs` (the last 1,000) |
//! | `GET /v1/epochs/{n}/device-rewards` | anyone | the epoch's published device-reward report |
//! | `POST /v1/worker/session` | a device's worker key | `OpenSession` -> `Session` |
//! | `POST /v1/worker/claims` | the session's worker | `Claim` -> `Vec<Task>` (long-poll) |
//! | `POST /v1/worker/results` | same | `JobResult` -> `ResultAnswer` (the slot's next job) |
//! | `POST /v1/worker/attestations` | same | `Attested` |
//! | `POST /v1/worker/openings` | same | `Openings` (device check rows) |
//! | `POST /v1/worker/heartbeat` | same | `Heartbeat` |
//! | `POST /v1/worker/release` | same | `Release` (hands jobs back) |

use crate::job::Job;
use anchor_lang::prelude::Pubkey;
use io_compute::receipt::{Dtype, JobKind, JobReceipt, UsageAttestation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 bytes from 64 hex digits.
pub fn from_hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The hex sha256 a blob is stored under.
pub fn blob_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A job's id: the hash of who submitted it, in which request, to which
/// lease and at which place in the batch, so a replayed request names the
/// same jobs and no two requests share one.
pub fn job_id(lease: u64, client: &Pubkey, nonce: u128, index: u32) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"io-compute/job/v1");
    hash.update(lease.to_le_bytes());
    hash.update(client.as_ref());
    hash.update(nonce.to_le_bytes());
    hash.update(index.to_le_bytes());
    hash.finalize().into()
}

/// `GET /v1/keeper`: who the keeper is (the audience of signed requests).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct KeeperInfo {
    pub authority: String,
}

/// `POST /v1/jobs`: one or more jobs on one lease.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SubmitJobs {
    pub lease: u64,
    pub jobs: Vec<Job>,
}

/// Most jobs in one submission.
pub const MAX_JOBS_PER_SUBMIT: usize = 1_000;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Submitted {
    pub jobs: Vec<JobStatus>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl JobState {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct JobStatus {
    /// Hex job id (`job_id`).
    pub id: String,
    pub lease: u64,
    pub state: JobState,
    /// Attempts dispatched so far.
    pub attempts: u32,
    /// The device whose result was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Blob hashes of the outputs (GEMM: C; MLP: the last layer's Z;
    /// kernel: the output buffers in order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<SignedReceiptJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Milliseconds from submission to the verified result (or failure),
    /// as the keeper measured them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<f64>,
    /// For a cross-checked kernel: the second device whose outputs were
    /// the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_checked_by: Option<String>,
}

/// A job receipt with its worker's signature, in JSON.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignedReceiptJson {
    pub job_id: String,
    pub kind: String,
    pub dtype: String,
    pub m: u32,
    pub n: u32,
    pub k: u32,
    pub input_root: String,
    pub output_root: String,
    pub device_time_us: u64,
    /// Base58 Ed25519 signature of the device's worker key.
    pub signature: String,
}

const KINDS: [(JobKind, &str); 3] = [
    (JobKind::Gemm, "gemm"),
    (JobKind::Inference, "inference"),
    (JobKind::DeviceCheck, "device_check"),
];
const DTYPES: [(Dtype, &str); 4] = [
    (Dtype::I32, "i32"),
    (Dtype::F32, "f32"),
    (Dtype::F16, "f16"),
    (Dtype::Bf16, "bf16"),
];

impl SignedReceiptJson {
    pub fn new(receipt: &JobReceipt, signature: &solana_signature::Signature) -> Self {
        fn name<T: PartialEq>(table: &[(T, &'static str)], value: T) -> String {
            table
                .iter()
                .find(|(v, _)| *v == value)
                .map(|(_, n)| n.to_string())
                .unwrap_or_default()
        }
        Self {
            job_id: hex(&receipt.job_id),
            kind: name(&KINDS, receipt.kind),
            dtype: name(&DTYPES, receipt.dtype),
            m: receipt.m,
            n: receipt.n,
            k: receipt.k,
            input_root: hex(&receipt.input_root),
            output_root: hex(&receipt.output_root),
            device_time_us: receipt.device_time_us,
            signature: signature.to_string(),
        }
    }

    /// The receipt and signature, or None when a field does not parse.
    pub fn decode(&self) -> Option<(JobReceipt, solana_signature::Signature)> {
        let kind = KINDS.iter().find(|(_, n)| *n == self.kind)?.0;
        let dtype = DTYPES.iter().find(|(_, n)| *n == self.dtype)?.0;
        Some((
            JobReceipt {
                job_id: from_hex32(&self.job_id)?,
                kind,
                dtype,
                m: self.m,
                n: self.n,
                k: self.k,
                input_root: from_hex32(&self.input_root)?,
                output_root: from_hex32(&self.output_root)?,
                device_time_us: self.device_time_us,
            },
            self.signature.parse().ok()?,
        ))
    }
}

/// `GET /v1/leases/{id}/jobs`: the lease's last `MAX_LEASE_JOBS` jobs,
/// oldest first (for its client).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LeaseJobs {
    pub lease: u64,
    pub jobs: Vec<JobStatus>,
}

/// Most jobs `GET /v1/leases/{id}/jobs` lists.
pub const MAX_LEASE_JOBS: usize = 1_000;

/// `GET /v1/leases/{id}/receipts`: every posted period of the lease with
/// its receipts and their Merkle proofs against the period's on-chain
/// `receipts_root`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LeaseReceipts {
    pub lease: u64,
    pub periods: Vec<ProvenPeriod>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProvenPeriod {
    pub device: String,
    pub seq: u32,
    /// The `UsageProof` account.
    pub proof: String,
    pub receipts_root: String,
    pub device_time_us: u64,
    /// Signature of the transaction that posted it.
    pub posted_in: String,
    pub receipts: Vec<ProvenReceipt>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProvenReceipt {
    pub receipt: SignedReceiptJson,
    /// Sibling hashes from the leaf up (`merkle::MerkleTree::proof`).
    pub merkle_proof: Vec<String>,
}

/// `POST /v1/worker/session`, signed by the worker key.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct OpenSession {
    /// Jobs the worker runs at once.
    pub slots: u32,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub session: String,
    /// The devices (base58) whose worker key signed, as the chain says.
    pub devices: Vec<String>,
    /// Send a heartbeat at least this often.
    pub heartbeat_ms: u64,
    /// A claimed job not heartbeaten for this long goes to another device.
    pub claim_ms: u64,
}

/// `POST /v1/worker/claims`: up to `max` tasks, waiting up to `wait_ms`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub session: String,
    pub max: u32,
    pub wait_ms: u64,
}

/// Longest a claim waits.
pub const MAX_CLAIM_WAIT_MS: u64 = 30_000;

/// What a worker is handed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "task", rename_all = "snake_case")]
pub enum Task {
    /// Run a job on `device` for `lease`; `fence` names this attempt.
    Run {
        job: String,
        fence: u64,
        lease: u64,
        device: String,
        spec: Job,
    },
    /// Sign a period's attestation if the receipts are the worker's own.
    Attest(AttestRequest),
    /// Open these (step, row) pairs of device check `job`, attempt `fence`
    /// (answered with `Openings`).
    Open {
        job: String,
        fence: u64,
        rows: Vec<(u32, u32)>,
    },
}

/// `POST /v1/worker/openings`: the rows of a device check the keeper
/// asked for, each with its Merkle proofs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Openings {
    pub session: String,
    pub job: String,
    pub fence: u64,
    pub openings: Vec<crate::device_check::Opening>,
}

/// The period of `device` on `lease` the keeper wants to post: the
/// attestation's fields and the receipts under its root, in leaf order, so
/// the worker checks that each carries its own signature, that none repeats
/// and that the root, time and count add up before it signs (it needs no
/// memory of its own for that, so a restarted worker can still attest).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AttestRequest {
    pub lease: u64,
    pub device: String,
    pub seq: u32,
    pub period_start: i64,
    pub period_end: i64,
    pub device_time_us: u64,
    pub job_count: u32,
    pub receipts_root: String,
    pub receipts: Vec<SignedReceiptJson>,
}

impl AttestRequest {
    /// The attestation it asks for (None when a key does not parse).
    pub fn attestation(&self) -> Option<UsageAttestation> {
        Some(UsageAttestation {
            lease: crate::pda::lease(self.lease),
            device: self.device.parse().ok()?,
            seq: self.seq,
            period_start: self.period_start,
            period_end: self.period_end,
            device_time_us: self.device_time_us,
            job_count: self.job_count,
            receipts_root: from_hex32(&self.receipts_root)?,
        })
    }
}

/// `POST /v1/worker/attestations`: the worker's signature (or its refusal).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Attested {
    pub session: String,
    pub lease: u64,
    pub device: String,
    pub seq: u32,
    /// Base58 signature over `UsageAttestation::message`, or None with
    /// `refused` saying why.
    pub signature: Option<String>,
    #[serde(default)]
    pub refused: Option<String>,
}

/// `POST /v1/worker/results`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct JobResult {
    pub session: String,
    pub job: String,
    pub fence: u64,
    pub outcome: JobOutcome,
    /// Hand this slot its next job in the answer (`ResultAnswer::next`),
    /// saving a claim a job when work is queued.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub next: bool,
}

/// The answer to an accepted `JobResult`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ResultAnswer {
    /// The slot's next job (a `Task::Run`), when asked for and one waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Task>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum JobOutcome {
    /// Outputs by blob hash (see `JobStatus::outputs`), uploaded first or
    /// sent in `inline`; for `mlp_infer`, `layers` holds every layer's Z
    /// blob, the last one too.
    Done {
        receipt: Box<SignedReceiptJson>,
        outputs: Vec<String>,
        #[serde(default)]
        layers: Vec<String>,
        /// Outputs or layers of at most `MAX_INLINE_OUTPUT` bytes, base64,
        /// carried by the result instead of uploaded before it (one request
        /// a job instead of two); each must hash to a blob named above.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        inline: Vec<String>,
    },
    Failed {
        reason: String,
    },
}

/// Largest output a result carries inline (`JobOutcome::Done::inline`).
pub const MAX_INLINE_OUTPUT: usize = 64 * 1024;

/// `POST /v1/worker/heartbeat`: the session is alive and runs these.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Heartbeat {
    pub session: String,
    pub running: Vec<(String, u64)>,
}

/// `POST /v1/worker/release`: hand these attempts back unrun (shutdown).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub session: String,
    pub attempts: Vec<(String, u64)>,
}

/// An error body: `{"error": "..."}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_round_trip_through_json() {
        let receipt = JobReceipt {
            job_id: [3; 32],
            kind: JobKind::Inference,
            dtype: Dtype::Bf16,
            m: 1,
            n: 2,
            k: 3,
            input_root: [4; 32],
            output_root: [5; 32],
            device_time_us: 99,
        };
        let signature = solana_signature::Signature::from([7u8; 64]);
        let json = SignedReceiptJson::new(&receipt, &signature);
        assert_eq!(
            (json.kind.as_str(), json.dtype.as_str()),
            ("inference", "bf16")
        );
        assert_eq!(json.decode(), Some((receipt, signature)));
        assert_eq!(
            SignedReceiptJson {
                dtype: "f64".into(),
                ..json
            }
            .decode(),
            None
        );
        assert_eq!(from_hex32(&hex(&[9; 32])), Some([9; 32]));
        assert_eq!(from_hex32("zz"), None);
        let key = Pubkey::new_unique();
        assert_ne!(job_id(1, &key, 5, 0), job_id(1, &key, 5, 1));
        assert_ne!(job_id(1, &key, 5, 0), job_id(2, &key, 5, 0));
    }
}
