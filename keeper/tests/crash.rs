//! The keeper as its own process, killed where it hurts: at each named
//! crash point, and with SIGKILL at random moments of a 1,000-job run.
//! After every restart it replays its journal and reconciles with the
//! chain; in the end every job submitted succeeded once, every receipt is
//! in exactly one proof, the proofs on the chain hold exactly the jobs,
//! and once they finalize the provider is paid exactly and every IOSD base
//! unit is accounted for.

use io_compute::state::Lease;
use io_compute_sdk::{
    api::{self, SubmitJobs, Submitted},
    job::Job,
    keeper_client::{CallError, KeeperClient},
    pda,
    request::SignedRequest,
};
use io_compute_testkit::{
    all_succeeded, free_port, settled, spawn_keeper, tiny_jobs, wait_ready, KeeperProcess, Network,
};
use rand::Rng;
use solana_sdk::signer::Signer;
use std::{
    collections::HashSet,
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

/// Waits for the keeper to abort at its crash point.
async fn wait_crash(keeper: &mut KeeperProcess, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = keeper.0.try_wait().unwrap() {
            assert!(!status.success(), "{what}: the keeper exited cleanly");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: the keeper never crashed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One signed submission, sent again (the very same request) until a
/// keeper answers it: what a client does across keeper restarts.
struct Submission {
    body: Vec<u8>,
    signed: SignedRequest,
}

impl Submission {
    fn new(n: &Network, jobs: Vec<Job>) -> Self {
        let body = serde_json::to_vec(&SubmitJobs { lease: 0, jobs }).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let signed = SignedRequest::sign(
            &n.client_key,
            &n.keeper_key.pubkey(),
            "POST",
            "/v1/jobs",
            &body,
            now,
        );
        Self { body, signed }
    }

    async fn send_once(&self, keeper: &KeeperClient) -> Result<Submitted, CallError> {
        keeper
            .post_signed(
                "/v1/jobs",
                self.body.clone(),
                self.signed.clone(),
                Duration::from_secs(10),
            )
            .await
    }

    async fn send(&self, keeper: &KeeperClient) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match self.send_once(keeper).await {
                Ok(submitted) => return submitted.jobs.into_iter().map(|j| j.id).collect(),
                Err(CallError::Refused { status, message }) => {
                    panic!("submission refused ({status}): {message}")
                }
                Err(_) => {
                    assert!(Instant::now() < deadline, "no keeper took the jobs");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keeper_killed_at_each_crash_point_settles_every_job_once() {
    let n = Network::start("crash-points", 1).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let client = n.jobs_client(&url);
    let stop = CancellationToken::new();
    n.start_worker(0, &url, stop.clone());

    // assign-intent: journaled, not sent; the next run assigns the lease.
    let mut keeper = spawn_keeper(
        env!("CARGO_BIN_EXE_io-keeper"),
        &n,
        port,
        4,
        Some("assign-intent"),
    );
    wait_ready(&url).await;
    n.open_lease(0, 1).await;
    wait_crash(&mut keeper, "assign-intent").await;
    let lease: Lease = n.chain.expect_account(&pda::lease(0)).await.unwrap();
    assert_eq!(lease.status, io_compute::state::LeaseStatus::Open);

    // submit-journaled: the client's request is on disk, not answered;
    // the same request sent again gets the same jobs.
    let mut keeper = spawn_keeper(
        env!("CARGO_BIN_EXE_io-keeper"),
        &n,
        port,
        4,
        Some("submit-journaled"),
    );
    wait_ready(&url).await;
    n.active_lease(0, 30).await;
    let first = Submission::new(&n, tiny_jobs(0, 4));
    assert!(first.send_once(&client).await.is_err());
    wait_crash(&mut keeper, "submit-journaled").await;

    // result-journaled: a verified result on disk, the worker unanswered.
    let mut keeper = spawn_keeper(
        env!("CARGO_BIN_EXE_io-keeper"),
        &n,
        port,
        4,
        Some("result-journaled"),
    );
    wait_ready(&url).await;
    let mut ids = first.send(&client).await;
    let expected: Vec<String> = (0..4)
        .map(|i| {
            api::hex(&api::job_id(
                0,
                &n.client_key.pubkey(),
                first.signed.nonce,
                i,
            ))
        })
        .collect();
    assert_eq!(ids, expected, "the replay names the journaled jobs");
    wait_crash(&mut keeper, "result-journaled").await;

    // period-intent: the proof about to be sent; period-sent: it landed,
    // unrecorded.
    // (A keeper that restores the period it was posting sends it again at
    // once, so it may reach its crash point before it answers at all.)
    for point in ["period-intent", "period-sent"] {
        let mut keeper = spawn_keeper(env!("CARGO_BIN_EXE_io-keeper"), &n, port, 4, Some(point));
        wait_crash(&mut keeper, point).await;
    }

    // A clean run finds the landed proof, and settles four jobs more.
    let _keeper = spawn_keeper(env!("CARGO_BIN_EXE_io-keeper"), &n, port, 4, None);
    wait_ready(&url).await;
    all_succeeded(&client, &ids).await;
    let second = Submission::new(&n, tiny_jobs(100, 4));
    ids.extend(second.send(&client).await);
    all_succeeded(&client, &ids).await;
    let receipts = settled(&n, &client, &ids).await;
    assert_eq!(receipts.periods.len(), 2);
    assert!(receipts
        .periods
        .iter()
        .any(|p| p.posted_in == "found on chain"));
    let (gained, owed) = n.finalize_proofs(0).await;
    assert_eq!(gained, owed, "the provider is paid exactly, once");
    n.assert_iosd_conserved(&[0]).await;
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_random_kills_in_a_thousand_jobs_lose_nothing_and_bill_nothing_twice() {
    let n = Network::start("random-kills", 1).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let client = n.jobs_client(&url);
    let stop = CancellationToken::new();
    n.start_worker(0, &url, stop.clone());
    let mut keeper = spawn_keeper(env!("CARGO_BIN_EXE_io-keeper"), &n, port, 100, None);
    wait_ready(&url).await;
    n.rent(0, 1).await;

    let submissions: Vec<Submission> = (0..10)
        .map(|i| Submission::new(&n, tiny_jobs(i * 100, 100)))
        .collect();
    let mut ids = Vec::new();
    let mut kills = 0;
    let mut rng = rand::rng();
    for submission in &submissions {
        ids.extend(submission.send(&client).await);
        // While jobs run and proofs are posted, SIGKILL it at random.
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..600))).await;
        keeper.0.kill().unwrap();
        keeper.0.wait().unwrap();
        kills += 1;
        keeper = spawn_keeper(env!("CARGO_BIN_EXE_io-keeper"), &n, port, 100, None);
        wait_ready(&url).await;
    }
    assert_eq!(kills, 10);
    assert_eq!(ids.len(), 1_000);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 1_000);
    all_succeeded(&client, &ids).await;
    settled(&n, &client, &ids).await;
    let (gained, owed) = n.finalize_proofs(0).await;
    assert_eq!(gained, owed, "the provider is paid exactly, once");
    n.assert_iosd_conserved(&[0]).await;
    stop.cancel();
    drop(keeper);
}
