//! The keeper's journal: one SQLite file (WAL, `synchronous=FULL`) written
//! by one thread that commits in groups (whatever arrived within 2 ms, up
//! to 256 entries, in one transaction), so durability costs one fsync per
//! group instead of one per write. Every intent is journaled before the
//! transaction it announces is sent; readers open their own connections.

use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::{
    path::{Path, PathBuf},
    sync::{mpsc, Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::oneshot;

/// Most entries committed together.
const GROUP_MAX: usize = 256;
/// Longest an entry waits for others to share its commit.
const GROUP_WAIT: Duration = Duration::from_millis(2);
/// How often the WAL is copied into the database, off the write path.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// What the keeper records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// About to send `assign_devices` for `lease` with these devices.
    AssignIntent { lease: u64, devices: Vec<String> },
    /// The assignment landed (or the lease was found taken): `outcome` is
    /// "assigned", "taken" or an error's name.
    AssignOutcome {
        lease: u64,
        outcome: String,
        signature: Option<String>,
    },
    /// A step of a job or of a proof period (`JobEvent`).
    Job(JobEvent),
    /// A small blob (an output a result carried, a small upload), kept in
    /// the journal so that it is on disk exactly when the result naming
    /// it is, at no extra fsync and no file of its own.
    Blob { hash: String, bytes: Vec<u8> },
}

/// What the keeper must not forget about jobs: written before it answers
/// (a submission) or acts (a period's post), replayed in order at start.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JobEvent {
    /// A client's request queued these jobs (JSON `Job`s, in order).
    Submitted {
        lease: u64,
        client: String,
        nonce: String,
        body_hash: String,
        jobs: Vec<String>,
    },
    /// A verified result (`receipt` is `SignedReceiptJson` as JSON).
    Succeeded {
        job: String,
        device: String,
        receipt: String,
        outputs: Vec<String>,
    },
    Failed {
        job: String,
        reason: String,
    },
    /// About to post the period of these jobs over [start, end], signed
    /// by `worker`: all a restarted keeper needs to send exactly the same
    /// proof again, so that whichever send lands first, the other is
    /// refused and no job is ever in two proofs.
    PeriodIntent {
        lease: u64,
        device: String,
        seq: u32,
        jobs: Vec<String>,
        start: i64,
        end: i64,
        signature: String,
        worker: String,
    },
    /// It landed in transaction `tx`.
    PeriodPosted {
        lease: u64,
        device: String,
        seq: u32,
        jobs: Vec<String>,
        tx: String,
    },
}

struct Write {
    entries: Vec<Entry>,
    at_ms: i64,
    done: oneshot::Sender<Result<(), String>>,
}

/// The handle tasks write through.
#[derive(Clone)]
pub struct Journal {
    sender: mpsc::Sender<Write>,
    path: PathBuf,
    /// Reads blobs (every result's verification reads some).
    blob_reader: Arc<Mutex<Connection>>,
    /// Held by every handle: the checkpoint thread ends with the last.
    _open: Arc<()>,
    /// Seconds each group commit took (fsync included).
    pub commit_seconds: prometheus::Histogram,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS assignments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    lease INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('intent', 'outcome')),
    devices TEXT,
    outcome TEXT,
    signature TEXT,
    at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS assignments_by_lease ON assignments (lease);
CREATE TABLE IF NOT EXISTS job_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (
    hash TEXT PRIMARY KEY,
    bytes BLOB NOT NULL
) WITHOUT ROWID;
";

/// How much a commit waits for the disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// `synchronous=FULL`: a commit survives power loss (the default).
    #[default]
    Full,
    /// `synchronous=NORMAL`: a commit survives the process being killed,
    /// not the machine losing power; faster on slow disks.
    Normal,
}

impl Journal {
    /// Opens (or creates) the journal at `path` and starts its writer, with
    /// full durability.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, Durability::Full)
    }

    pub fn open_with(path: &Path, durability: Durability) -> Result<Self> {
        let connection = Self::connect(path)?;
        if durability == Durability::Normal {
            connection
                .execute_batch("PRAGMA synchronous=NORMAL;")
                .context("configuring the journal")?;
        }
        connection
            .execute_batch(SCHEMA)
            .context("creating the journal's tables")?;
        // Checkpoints copy the WAL into the database and fsync it: done by
        // the writer after a commit, one would stall every commit queued
        // behind it (tens of milliseconds at a thousand results a second).
        // A thread of its own does them instead, without blocking writes.
        connection
            .execute_batch("PRAGMA wal_autocheckpoint=0;")
            .context("configuring the journal")?;
        let checkpoints = Self::connect(path)?;
        let (sender, receiver) = mpsc::channel::<Write>();
        let commit_seconds = prometheus::Histogram::with_opts(
            prometheus::HistogramOpts::new(
                "keeper_journal_commit_seconds",
                "journal group commits, fsync included",
            )
            .buckets(vec![
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5,
            ]),
        )
        .expect("valid metric");
        let timer = commit_seconds.clone();
        std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || writer(connection, receiver, timer))
            .context("starting the journal writer")?;
        let open = Arc::new(());
        let alive = Arc::downgrade(&open);
        std::thread::Builder::new()
            .name("journal-checkpoints".into())
            .spawn(move || {
                // Until the last handle is dropped.
                while alive.strong_count() > 0 {
                    std::thread::sleep(CHECKPOINT_EVERY);
                    if let Err(error) = checkpoints.execute_batch("PRAGMA wal_checkpoint(PASSIVE);")
                    {
                        tracing::warn!("journal checkpoint failed: {error}");
                    }
                }
            })
            .context("starting the journal checkpoints")?;
        Ok(Self {
            sender,
            _open: open,
            path: path.to_path_buf(),
            blob_reader: Arc::new(Mutex::new(Self::connect(path)?)),
            commit_seconds,
        })
    }

    fn connect(path: &Path) -> Result<Connection> {
        let connection = Connection::open(path)
            .with_context(|| format!("cannot open the journal {}", path.display()))?;
        connection
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;",
            )
            .context("configuring the journal")?;
        Ok(connection)
    }

    /// Records `entry`; returns once it is on disk.
    pub async fn record(&self, entry: Entry) -> Result<()> {
        self.record_all(vec![entry]).await
    }

    /// Records `entries` in one transaction: all are on disk, or none.
    pub async fn record_all(&self, entries: Vec<Entry>) -> Result<()> {
        let (done, wait) = oneshot::channel();
        let at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        self.sender
            .send(Write {
                entries,
                at_ms,
                done,
            })
            .map_err(|_| anyhow::anyhow!("the journal writer has stopped"))?;
        wait.await
            .map_err(|_| anyhow::anyhow!("the journal writer has stopped"))?
            .map_err(|e| anyhow::anyhow!("journal write failed: {e}"))
    }

    /// The blob `hash` if the journal holds it.
    pub fn blob(&self, hash: &str) -> Option<Vec<u8>> {
        self.blob_reader
            .lock()
            .expect("never poisoned")
            .prepare_cached("SELECT bytes FROM blobs WHERE hash = ?1")
            .and_then(|mut select| select.query_row([hash], |row| row.get(0)).optional())
            .ok()
            .flatten()
    }

    /// Leases with an assignment intent and no outcome yet: what a keeper
    /// that stopped mid-send must look up on the chain before acting again.
    pub fn unresolved_intents(&self) -> Result<Vec<u64>> {
        let connection = Self::connect(&self.path)?;
        let mut statement = connection.prepare(
            "SELECT DISTINCT lease FROM assignments a WHERE kind = 'intent' AND NOT EXISTS \
             (SELECT 1 FROM assignments b WHERE b.lease = a.lease AND b.kind = 'outcome' AND b.seq > a.seq) \
             ORDER BY lease",
        )?;
        let leases = statement
            .query_map([], |row| row.get::<_, i64>(0))?
            .map(|r| r.map(|v| v as u64))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(leases)
    }

    /// Every job event, oldest first (replayed at start).
    pub fn job_events(&self) -> Result<Vec<JobEvent>> {
        let connection = Self::connect(&self.path)?;
        let mut statement = connection.prepare("SELECT event FROM job_events ORDER BY seq")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut events = Vec::new();
        for row in rows {
            let text = row?;
            events.push(
                serde_json::from_str(&text)
                    .with_context(|| format!("journal job event {text:?} does not parse"))?,
            );
        }
        Ok(events)
    }

    /// Every entry for `lease`, oldest first (for tests and audits).
    pub fn entries_for(&self, lease: u64) -> Result<Vec<Entry>> {
        let connection = Self::connect(&self.path)?;
        let mut statement = connection.prepare(
            "SELECT kind, devices, outcome, signature FROM assignments WHERE lease = ?1 ORDER BY seq",
        )?;
        let rows = statement.query_map(params![lease as i64], |row| {
            let kind: String = row.get(0)?;
            Ok(if kind == "intent" {
                Entry::AssignIntent {
                    lease,
                    devices: row
                        .get::<_, Option<String>>(1)?
                        .unwrap_or_default()
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                }
            } else {
                Entry::AssignOutcome {
                    lease,
                    outcome: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    signature: row.get(3)?,
                }
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn writer(
    mut connection: Connection,
    receiver: mpsc::Receiver<Write>,
    commit_seconds: prometheus::Histogram,
) {
    while let Ok(first) = receiver.recv() {
        let mut group = vec![first];
        let deadline = Instant::now() + GROUP_WAIT;
        while group.len() < GROUP_MAX {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok(write) => group.push(write),
                Err(_) => break,
            }
        }
        let started = Instant::now();
        let result = commit(&mut connection, &group).map_err(|e| e.to_string());
        commit_seconds.observe(started.elapsed().as_secs_f64());
        for write in group {
            let _ = write.done.send(result.clone());
        }
    }
}

fn commit(connection: &mut Connection, group: &[Write]) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    for (write, entry) in group
        .iter()
        .flat_map(|w| w.entries.iter().map(move |e| (w, e)))
    {
        match entry {
            Entry::AssignIntent { lease, devices } => transaction.execute(
                "INSERT INTO assignments (lease, kind, devices, at_ms) VALUES (?1, 'intent', ?2, ?3)",
                params![*lease as i64, devices.join(","), write.at_ms],
            )?,
            Entry::AssignOutcome {
                lease,
                outcome,
                signature,
            } => transaction.execute(
                "INSERT INTO assignments (lease, kind, outcome, signature, at_ms) VALUES (?1, 'outcome', ?2, ?3, ?4)",
                params![*lease as i64, outcome, signature, write.at_ms],
            )?,
            Entry::Job(event) => transaction.execute(
                "INSERT INTO job_events (event, at_ms) VALUES (?1, ?2)",
                params![
                    serde_json::to_string(event).expect("job events serialize"),
                    write.at_ms
                ],
            )?,
            Entry::Blob { hash, bytes } => transaction.execute(
                "INSERT OR IGNORE INTO blobs (hash, bytes) VALUES (?1, ?2)",
                params![hash, bytes],
            )?,
        };
    }
    transaction.commit()
}
