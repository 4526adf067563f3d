//! A cluster rented, its jobs run and paid for, across processes: a
//! localnet, a keeper (in this process) and `io-worker run` workers as
//! their own processes, talking over real HTTP.
//!
//! - jobs run, every result is verified, every receipt Merkle-verifies
//!   against the root on the chain, the proof finalizes after its lock and
//!   the provider is paid exactly;
//! - the request table: forged, expired, wrong audience, wrong signer,
//!   exact replay, reused nonce, each with its status and what it left;
//! - a worker that returns a wrong product is caught, banned and unpaid,
//!   and its job runs elsewhere; a worker killed mid-job: the job is rerun
//!   and billed once;
//! - a worker follows its device to another keeper's lease and back;
//! - a cross-checked kernel is accepted when two devices agree.

use base64::Engine;
use io_compute::{
    merkle,
    receipt::receipt_leaf,
    state::{Config, Lease, UsageProof},
};
use io_compute_sdk::{
    api::{self, JobState, LeaseReceipts, SubmitJobs, Task},
    ix,
    job::{seeded_operands, GemmDtype, GemmInputs, GemmSpec, Job, JobSpec, Matrix, Product},
    keeper_client::KeeperClient,
    pda,
    request::SignedRequest,
    verify::reference_f64,
    worker_key::receipt_signed_by,
};
use io_compute_testkit::{until, Network};
use io_keeper::{config::KeeperConfig, Keeper};
use solana_sdk::{
    pubkey::Pubkey,
    signer::{keypair::Keypair, Signer},
};
use std::{
    process::{Child, Command},
    time::{Duration, Instant},
};

/// A worker process, killed when dropped.
struct WorkerProcess(Child);

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn worker_command(keypair: &std::path::Path, slots: u32) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_io-worker"));
    command
        .args(["--backend", "cpu", "run", "--keypair"])
        .arg(keypair)
        .args(["--slots", &slots.to_string(), "--max-backoff-ms", "500"])
        .env("RUST_LOG", "warn");
    command
}

/// A CPU worker process for `w`'s worker key `index`, at home with `w`'s
/// keeper.
fn spawn_worker(w: &World, index: usize, slots: u32) -> WorkerProcess {
    WorkerProcess(
        worker_command(&w.workers[index], slots)
            .args(["--keeper", &w.keeper_url(), "--rpc-url", &w.url])
            .spawn()
            .expect("io-worker starts"),
    )
}

struct World {
    network: Network,
    keeper: Keeper,
}

impl std::ops::Deref for World {
    type Target = Network;

    fn deref(&self) -> &Network {
        &self.network
    }
}

fn int_gemm(seed: u64, size: u32) -> Job {
    Job::new(JobSpec::Gemm(GemmSpec {
        m: size,
        n: size,
        k: size,
        dtype: GemmDtype::I32,
        allow_tf32: false,
        inputs: GemmInputs::Seed { seed },
    }))
}

/// A test network with `devices` devices and a keeper closing a period
/// every `period_jobs` jobs.
async fn world(name: &str, devices: u32, period_jobs: u32) -> World {
    let network = Network::start(name, devices).await;
    let keeper = io_keeper::start(network.keeper_config(period_jobs))
        .await
        .unwrap();
    World { network, keeper }
}

impl World {
    fn keeper_url(&self) -> String {
        format!("http://{}", self.keeper.addr)
    }

    /// The keeper's /metrics text.
    async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.keeper_url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A client of the keeper signing as the lease's client.
    fn jobs_client(&self) -> KeeperClient {
        self.network.jobs_client(&self.keeper_url())
    }

    /// The posted periods of `lease` once they hold `jobs` jobs in all.
    async fn receipts(&self, lease: u64, jobs: usize) -> LeaseReceipts {
        let keeper = self.jobs_client();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let receipts: LeaseReceipts = keeper
                .get(&format!("/v1/leases/{lease}/receipts"))
                .await
                .unwrap();
            let count: usize = receipts.periods.iter().map(|p| p.receipts.len()).sum();
            if count >= jobs {
                assert_eq!(count, jobs, "no job is in two proofs");
                return receipts;
            }
            assert!(
                Instant::now() < deadline,
                "only {count} of {jobs} jobs were proven"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Every receipt of every period Merkle-verifies against the root of its
/// proof on the chain and carries the device's worker signature; returns
/// the proofs.
async fn check_receipts(w: &World, lease: u64, receipts: &LeaseReceipts) -> Vec<UsageProof> {
    let lease_key = pda::lease(lease);
    let mut proofs = Vec::new();
    for period in &receipts.periods {
        let proof: UsageProof = w
            .chain
            .expect_account(&period.proof.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(api::hex(&proof.receipts_root), period.receipts_root);
        assert_eq!(proof.job_count as usize, period.receipts.len());
        let device: Pubkey = period.device.parse().unwrap();
        let mut time = 0;
        for proven in &period.receipts {
            let (receipt, signature) = proven.receipt.decode().unwrap();
            let path: Vec<[u8; 32]> = proven
                .merkle_proof
                .iter()
                .map(|h| api::from_hex32(h).unwrap())
                .collect();
            assert!(merkle::verify(
                &path,
                &proof.receipts_root,
                receipt_leaf(&lease_key, &device, &receipt)
            ));
            assert!(receipt_signed_by(
                &proof.worker,
                &lease_key,
                &device,
                &receipt,
                &signature
            ));
            time += receipt.device_time_us;
        }
        assert_eq!(proof.device_time_us, time);
        proofs.push(proof);
    }
    proofs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rented_cluster_runs_jobs_that_are_proven_and_paid() {
    let w = world("paid", 1, 6).await;
    // The worker finds its keeper on the chain: the keeper record of the
    // lease its device serves, at the endpoint the keeper published.
    w.chain
        .send(
            &[io_compute_sdk::ix::update_keeper(
                w.keeper_key.pubkey(),
                &w.keeper_url(),
            )],
            &[],
        )
        .await
        .unwrap();
    let worker = WorkerProcess(
        worker_command(&w.workers[0], 2)
            .args(["--rpc-url", &w.url])
            .spawn()
            .unwrap(),
    );
    let lease = w.rent(0, 1).await;
    let keeper = w.jobs_client();
    // Five integer GEMMs and one float GEMM: one period of six jobs.
    let mut jobs: Vec<Job> = (0..5).map(|s| int_gemm(s, 16)).collect();
    jobs.push(Job::new(JobSpec::Gemm(GemmSpec {
        m: 64,
        n: 48,
        k: 96,
        dtype: GemmDtype::F32,
        allow_tf32: false,
        inputs: GemmInputs::Seed { seed: 7 },
    })));
    let submitted = keeper
        .submit(&SubmitJobs {
            lease: 0,
            jobs: jobs.clone(),
        })
        .await
        .unwrap();
    assert_eq!(submitted.jobs.len(), 6);
    assert!(submitted.jobs.iter().all(|j| j.state == JobState::Queued));
    let mut done = Vec::new();
    for job in &submitted.jobs {
        let status = keeper.wait(&job.id, Duration::from_secs(30)).await.unwrap();
        assert_eq!(status.state, JobState::Succeeded, "{status:?}");
        assert_eq!(status.device, Some(w.devices[0].to_string()));
        done.push(status);
    }
    // The product a client downloads is exact for an integer job.
    let JobSpec::Gemm(spec) = &jobs[0].spec else {
        unreachable!()
    };
    let (a, b) = seeded_operands(spec, 0);
    let c = keeper.get_blob(&done[0].outputs[0]).await.unwrap();
    let (exact, _) = reference_f64((16, 16, 16), &a, &b);
    assert_eq!(
        Product::from_le_bytes(GemmDtype::I32, &c),
        Some(Product::I64(exact.iter().map(|&x| x as i64).collect()))
    );
    assert!(matches!(a, Matrix::I32(_)));

    // One period, posted on-chain; every receipt checks against its root.
    let receipts = w.receipts(0, 6).await;
    assert_eq!(receipts.periods.len(), 1);
    let proofs = check_receipts(&w, 0, &receipts).await;
    let proof = &proofs[0];
    let config: Config = w.chain.expect_account(&pda::config()).await.unwrap();
    assert_eq!(proof.lease, pda::lease(0));
    assert_eq!(proof.device, w.devices[0]);
    assert_eq!(
        proof.amount_due,
        (proof.device_time_us as u128 * lease.devices[0].price_per_gpu_hour as u128 / 3_600_000_000)
            as u64
    );

    // After the lock the keeper finalizes; the provider is paid exactly
    // the amount due less the provider fee (rounded up for the protocol).
    let provider_iosd = pda::associated_token(&w.owner.pubkey(), &pda::iosd_mint());
    let before = w.chain.token_balance(&provider_iosd).await.unwrap_or(0);
    w.net
        .bank()
        .warp_clock(config.market_params.dispute_window_secs + 1)
        .await
        .unwrap();
    let proof_key: Pubkey = receipts.periods[0].proof.parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while w.chain.fetch(&proof_key).await.unwrap().is_some() {
        assert!(Instant::now() < deadline, "the proof was not finalized");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let fee = (proof.amount_due as u128 * config.market_params.provider_fee_bps as u128)
        .div_ceil(10_000) as u64;
    assert_eq!(
        w.chain.token_balance(&provider_iosd).await.unwrap() - before,
        proof.amount_due - fee
    );
    let lease_after: Lease = w.chain.expect_account(&pda::lease(0)).await.unwrap();
    assert_eq!(lease_after.paid_out, proof.amount_due - fee);
    assert_eq!(lease_after.devices[0].next_proof_seq, 1);
    // The keeper counts the finalization once its send returns, which may
    // be a moment after the chain closed the proof.
    let deadline = Instant::now() + Duration::from_secs(10);
    let metrics = loop {
        let metrics = w.metrics().await;
        if metrics.contains("keeper_proofs_total{step=\"finalized\"} 1") {
            break metrics;
        }
        assert!(
            Instant::now() < deadline,
            "finalization not counted: {metrics}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(metrics.contains("keeper_jobs_finished_total{outcome=\"succeeded\"} 6"));
    assert!(metrics.contains("keeper_jobs{state=\"succeeded\"} 6"));
    assert!(metrics.contains("keeper_journal_commit_seconds_count"));
    assert!(
        metrics.contains("keeper_dispatch_seconds_count 6"),
        "{metrics}"
    );
    assert!(metrics
        .contains("keeper_transactions_total{kind=\"post_usage_proof\",outcome=\"landed\"} 1"));
    assert!(
        metrics.contains("keeper_transactions_total{kind=\"finalize_proof\",outcome=\"landed\"} 1")
    );
    drop(worker);
    let World { network, keeper } = w;
    keeper.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&network.dir);
}

/// The request table of `io_compute_sdk::request`, against a running
/// keeper: each refused request gets its status and queues nothing; an
/// exact replay gets the same jobs back and queues nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_foreign_replayed_and_reused_requests_are_answered_by_the_table() {
    let w = world("requests", 1, 100).await;
    w.rent(0, 1).await;
    let keeper = w.jobs_client();
    let body = |seed| {
        serde_json::to_vec(&SubmitJobs {
            lease: 0,
            jobs: vec![int_gemm(seed, 16)],
        })
        .unwrap()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let me = w.keeper_key.pubkey();
    let stranger = Keypair::new();
    let sign = |who: &Keypair, audience: &Pubkey, bytes: &[u8], at: i64, nonce: u128| {
        SignedRequest::sign_with_nonce(who, audience, "POST", "/v1/jobs", bytes, at, nonce)
    };
    let status = |result: Result<api::Submitted, io_compute_sdk::keeper_client::CallError>| {
        result.err().and_then(|e| e.status())
    };
    let client = &w.client_key;
    let cases: [(&str, Vec<u8>, SignedRequest, u16); 4] = [
        // Signed over another body.
        ("forged", body(2), sign(client, &me, &body(1), now, 1), 401),
        (
            "expired",
            body(1),
            sign(client, &me, &body(1), now - 120, 2),
            401,
        ),
        (
            "for another keeper",
            body(1),
            sign(client, &Keypair::new().pubkey(), &body(1), now, 3),
            403,
        ),
        (
            "not the lease's client",
            body(1),
            sign(&stranger, &me, &body(1), now, 4),
            403,
        ),
    ];
    for (what, bytes, signed, expected) in cases {
        let answer = keeper
            .post_signed("/v1/jobs", bytes, signed, Duration::from_secs(10))
            .await;
        assert_eq!(status(answer), Some(expected), "{what}");
    }
    let submitted_events = |w: &World| {
        w.keeper
            .journal
            .job_events()
            .unwrap()
            .iter()
            .filter(|e| matches!(e, io_keeper::journal::JobEvent::Submitted { .. }))
            .count()
    };
    let queued = |w: &World| w.keeper.hub.with(|b| b.counts().values().sum::<usize>());
    assert_eq!((queued(&w), submitted_events(&w)), (0, 0), "nothing queued");

    // Accepted, then replayed exactly: the same job, queued once.
    let signed = sign(client, &me, &body(1), now, 5);
    let first: api::Submitted = keeper
        .post_signed("/v1/jobs", body(1), signed.clone(), Duration::from_secs(10))
        .await
        .unwrap();
    let again: api::Submitted = keeper
        .post_signed("/v1/jobs", body(1), signed, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(first.jobs[0].id, again.jobs[0].id);
    assert_eq!(
        first.jobs[0].id,
        api::hex(&api::job_id(0, &client.pubkey(), 5, 0))
    );
    assert_eq!((queued(&w), submitted_events(&w)), (1, 1));
    // The same nonce with another body.
    let reused = keeper
        .post_signed(
            "/v1/jobs",
            body(3),
            sign(client, &me, &body(3), now, 5),
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(status(reused), Some(409));
    assert_eq!((queued(&w), submitted_events(&w)), (1, 1));
    // Reads are signed too: a job, its receipts and its blobs are shown to
    // its client only.
    let id = &first.jobs[0].id;
    let unsigned = reqwest::get(format!("{}/v1/jobs/{id}", w.keeper_url()))
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    let outsider = KeeperClient::new(&w.keeper_url(), me, stranger.insecure_clone());
    for path in [
        format!("/v1/jobs/{id}"),
        "/v1/leases/0/receipts".to_string(),
        "/v1/leases/0/jobs".to_string(),
    ] {
        let refused = outsider.get::<serde_json::Value>(&path).await.unwrap_err();
        assert_eq!(refused.status(), Some(403), "{path}: {refused}");
    }
    assert_eq!(keeper.status(id).await.unwrap().id, *id);
    let listed: api::LeaseJobs = keeper.get("/v1/leases/0/jobs").await.unwrap();
    assert_eq!(
        listed
            .jobs
            .iter()
            .map(|j| j.id.as_str())
            .collect::<Vec<_>>(),
        [id.as_str()]
    );
    // Browser apps call the keeper from their own origin: the preflight
    // allows it (the signature, not the origin, is the authority).
    let preflight = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/jobs", w.keeper_url()),
        )
        .header("origin", "http://127.0.0.1:8080")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-ioc-signature",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    // Uploads are signed too: only the lease's client (or a worker in
    // session) may store blobs, and a refused upload stores nothing.
    let input = keeper.put_blob(vec![7; 64]).await.unwrap();
    assert_eq!(
        outsider.get_blob(&input).await.unwrap_err().status(),
        Some(403)
    );
    let stranger_bytes = vec![9u8; 64];
    let stranger_hash = api::blob_hash(&stranger_bytes);
    assert_eq!(
        outsider
            .put_blob(stranger_bytes.clone())
            .await
            .unwrap_err()
            .status(),
        Some(403)
    );
    let unsigned = reqwest::Client::new()
        .put(format!("{}/v1/blobs/{stranger_hash}", w.keeper_url()))
        .body(stranger_bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    // The client's bytes under another content's name: 400.
    let path = format!("/v1/blobs/{stranger_hash}");
    let signed = SignedRequest::sign(client, &me, "PUT", &path, b"not those bytes", now);
    let mut misnamed = reqwest::Client::new()
        .put(format!("{}{path}", w.keeper_url()))
        .body(&b"not those bytes"[..]);
    for (name, value) in signed.to_headers() {
        misnamed = misnamed.header(name, value);
    }
    let misnamed = misnamed.send().await.unwrap();
    assert_eq!(misnamed.status().as_u16(), 400);
    assert!(misnamed.text().await.unwrap().contains("the bytes hash to"));
    assert_eq!(w.keeper.blobs.get(&stranger_hash), None, "nothing stored");
    assert!(w.keeper.blobs.get(&input).is_some());
    // A job the worker could never run is refused before it is queued.
    let mut huge = int_gemm(1, 16);
    if let JobSpec::Gemm(spec) = &mut huge.spec {
        spec.k = 0;
    }
    let refused = keeper
        .submit(&SubmitJobs {
            lease: 0,
            jobs: vec![huge],
        })
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(400));
    assert!(
        refused.to_string().contains("job 0: GEMM dimensions"),
        "{refused}"
    );
    let World { network, keeper } = w;
    keeper.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&network.dir);
}

/// A lying device and a dying worker on one two-GPU cluster: the liar's
/// wrong products are refused, it is banned and never paid, and its jobs
/// run on the honest device; a worker killed with SIGKILL in the middle of
/// a job loses its claim, and the job runs again and is billed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_device_is_caught_and_a_killed_workers_job_runs_again() {
    let w = world("liar", 2, 4).await;
    let lease = w.rent(0, 2).await;
    assert_eq!(lease.devices.len(), 2);
    let keeper = w.jobs_client();
    let submitted = keeper
        .submit(&SubmitJobs {
            lease: 0,
            jobs: (10..13).map(|s| int_gemm(s, 16)).collect(),
        })
        .await
        .unwrap();

    // The liar (device 1's worker key) takes all three and returns each
    // product with one element off by one, consistently committed.
    let (liar, liar_key, session) = hand_worker(&w, 1, 3).await;
    let claim = api::Claim {
        session: session.clone(),
        max: 3,
        wait_ms: 5_000,
    };
    // (A device check the keeper may hand it too is left unanswered.)
    let mut tasks = Vec::new();
    while tasks.len() < 3 {
        let claimed: Vec<Task> = liar
            .post("/v1/worker/claims", &claim, Duration::from_secs(10))
            .await
            .unwrap();
        tasks.extend(claimed.into_iter().filter(
            |t| matches!(t, Task::Run { spec, .. } if matches!(spec.spec, JobSpec::Gemm(_))),
        ));
    }
    assert_eq!(tasks.len(), 3);
    let cpu = io_worker::backend::cpu::CpuBackend::new();
    for task in tasks {
        let Task::Run {
            job, fence, spec, ..
        } = task
        else {
            panic!("a job")
        };
        let JobSpec::Gemm(gemm) = &spec.spec else {
            panic!("a GEMM")
        };
        let (a, b) = io_worker::gemm::operands(gemm, &|_| None).unwrap();
        let outcome = io_worker::gemm::run(&cpu, gemm, &a, &b).unwrap();
        let Product::I64(mut c) = outcome.product else {
            panic!("an integer product")
        };
        c[17] += 1;
        let wrong = Product::I64(c);
        let (input_root, output_root) = io_compute_sdk::job::commitments(gemm, &a, &b, &wrong);
        let receipt = io_compute::receipt::JobReceipt {
            job_id: api::from_hex32(&job).unwrap(),
            kind: io_compute::receipt::JobKind::Gemm,
            dtype: io_compute::receipt::Dtype::I32,
            m: 16,
            n: 16,
            k: 16,
            input_root,
            output_root,
            device_time_us: 50,
        };
        let signature = io_compute_sdk::worker_key::sign_receipt(
            &liar_key,
            &pda::lease(0),
            &w.devices[1],
            &receipt,
        );
        // The product rides inline with the result, as a worker sends
        // small outputs.
        let wrong = wrong.to_le_bytes();
        let result = |inline: &[u8]| api::JobResult {
            session: session.clone(),
            job: job.clone(),
            fence,
            outcome: api::JobOutcome::Done {
                receipt: Box::new(api::SignedReceiptJson::new(&receipt, &signature)),
                outputs: vec![api::blob_hash(&wrong)],
                layers: vec![],
                inline: vec![base64::engine::general_purpose::STANDARD.encode(inline)],
            },
            next: false,
        };
        let post = async |result: &api::JobResult| {
            liar.post::<_, serde_json::Value>("/v1/worker/results", result, Duration::from_secs(10))
                .await
                .unwrap_err()
        };
        // Inline bytes the result does not name are refused, and change
        // nothing: the attempt is still current.
        let unnamed = post(&result(b"not C")).await;
        assert_eq!(unnamed.status(), Some(400));
        assert!(
            unnamed.to_string().contains("none of the result's outputs"),
            "{unnamed}"
        );
        let refused = post(&result(&wrong)).await;
        assert_eq!(refused.status(), Some(422));
        assert!(refused.to_string().contains("C is not A x B"), "{refused}");
    }
    // Banned: it is handed nothing more.
    let nothing: Vec<Task> = liar
        .post(
            "/v1/worker/claims",
            &api::Claim {
                wait_ms: 300,
                ..claim
            },
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert!(nothing.is_empty());

    // The honest device runs them, each on its second attempt.
    let mut worker = spawn_worker(&w, 0, 1);
    for job in &submitted.jobs {
        let status = keeper.wait(&job.id, Duration::from_secs(30)).await.unwrap();
        assert_eq!(status.state, JobState::Succeeded, "{status:?}");
        assert_eq!(
            (status.attempts, status.device),
            (2, Some(w.devices[0].to_string()))
        );
    }

    // A long device check; the worker is killed while it runs.
    let slow = keeper
        .submit(&SubmitJobs {
            lease: 0,
            jobs: vec![Job::new(JobSpec::DeviceCheck(
                io_compute_sdk::job::DeviceCheckSpec {
                    seed: 5,
                    n: 512,
                    steps: 300,
                    deadline_ms: 600_000,
                },
            ))],
        })
        .await
        .unwrap();
    let id = slow.jobs[0].id.clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    while keeper.status(&id).await.unwrap().state != JobState::Running {
        assert!(Instant::now() < deadline, "the device check never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.0.kill().unwrap();
    worker.0.wait().unwrap();
    let worker = spawn_worker(&w, 0, 1);
    let status = keeper.wait(&id, Duration::from_secs(30)).await.unwrap();
    let status = if status.state.is_final() {
        status
    } else {
        keeper.wait(&id, Duration::from_secs(30)).await.unwrap()
    };
    assert_eq!(status.state, JobState::Succeeded, "{status:?}");
    assert_eq!(status.attempts, 2);

    // One period of the honest device's four jobs; the liar has none.
    let receipts = w.receipts(0, 4).await;
    assert!(receipts
        .periods
        .iter()
        .all(|p| p.device == w.devices[0].to_string()));
    check_receipts(&w, 0, &receipts).await;
    let lease: Lease = w.chain.expect_account(&pda::lease(0)).await.unwrap();
    let liar_entry = lease
        .devices
        .iter()
        .find(|d| d.device == w.devices[1])
        .unwrap();
    assert_eq!(liar_entry.next_proof_seq, 0, "the liar posted nothing");
    // Past the lock: the honest provider is paid exactly what its proof
    // owes, once, and every IOSD base unit is accounted for.
    let (gained, owed) = w.finalize_proofs(0).await;
    assert_eq!(gained, owed);
    w.assert_iosd_conserved(&[0]).await;
    drop(worker);
    let World { network, keeper } = w;
    keeper.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&network.dir);
}

/// Ctrl-C: the worker takes no more work, and a job that cannot finish
/// within the grace period goes back to the keeper at once (not after its
/// claim runs out), its attempt not counted; another worker runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_worker_hands_its_job_back() {
    let w = world("hand-back", 1, 100).await;
    w.rent(0, 1).await;
    let keeper = w.jobs_client();
    let mut worker = WorkerProcess(
        worker_command(&w.workers[0], 1)
            .args(["--keeper", &w.keeper_url(), "--rpc-url", &w.url])
            .args(["--grace-ms", "0"])
            .spawn()
            .unwrap(),
    );
    let slow = keeper
        .submit(&SubmitJobs {
            lease: 0,
            jobs: vec![Job::new(JobSpec::DeviceCheck(
                io_compute_sdk::job::DeviceCheckSpec {
                    seed: 9,
                    n: 512,
                    steps: 400,
                    deadline_ms: 600_000,
                },
            ))],
        })
        .await
        .unwrap();
    let id = slow.jobs[0].id.clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    while keeper.status(&id).await.unwrap().state != JobState::Running {
        assert!(Instant::now() < deadline, "the job never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &worker.0.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let exited = worker.0.wait().unwrap();
    assert!(exited.success(), "a stopped worker exits cleanly: {exited}");
    let status = keeper.status(&id).await.unwrap();
    assert_eq!(
        (status.state, status.attempts),
        (JobState::Queued, 0),
        "handed back, not expired"
    );
    let worker = spawn_worker(&w, 0, 1);
    let mut status = keeper.wait(&id, Duration::from_secs(30)).await.unwrap();
    if !status.state.is_final() {
        status = keeper.wait(&id, Duration::from_secs(30)).await.unwrap();
    }
    assert_eq!((status.state, status.attempts), (JobState::Succeeded, 1));
    drop(worker);
    let World { network, keeper } = w;
    keeper.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&network.dir);
}

/// Two keepers serve one program. A worker at home with the first keeper
/// follows its device to the second keeper's lease (the first is under
/// its SOL floor, so it assigns nothing), runs that lease's jobs there,
/// proven and paid by the second keeper, and goes back home when the
/// lease ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_follows_its_device_to_another_keepers_lease() {
    let network = Network::start("follow", 1).await;
    let home = io_keeper::start(KeeperConfig {
        min_balance: u64::MAX,
        ..network.keeper_config(2)
    })
    .await
    .unwrap();
    let w = World {
        network,
        keeper: home,
    };
    let second = Keypair::new();
    let port = io_compute_testkit::free_port();
    let second_url = format!("http://127.0.0.1:{port}");
    let other = io_keeper::start(KeeperConfig {
        keypair: w.admit_keeper(&second, &second_url).await,
        listen: format!("127.0.0.1:{port}").parse().unwrap(),
        journal: w.dir.join("second.db"),
        ..w.keeper_config(2)
    })
    .await
    .unwrap();
    let _worker = WorkerProcess(
        worker_command(&w.workers[0], 2)
            .args(["--keeper", &w.keeper_url(), "--rpc-url", &w.url])
            .args(["--follow-ms", "200"])
            .spawn()
            .unwrap(),
    );
    let device = w.devices[0];
    let live = |keeper: &Keeper| {
        keeper.hub.with(|b| {
            b.live_devices(Duration::from_millis(1_500), Instant::now())
                .contains(&device)
        })
    };
    until("the worker's session at home", 30, async || {
        live(&w.keeper).then_some(())
    })
    .await;

    w.open_lease(0, 1).await;
    let lease = w.active_lease(0, 30).await;
    assert_eq!(lease.keeper, second.pubkey(), "the second keeper rents it");
    let client = KeeperClient::new(&second_url, second.pubkey(), w.client_key.insecure_clone());
    let ids = io_compute_testkit::run_jobs(&client, 0, io_compute_testkit::tiny_jobs(0, 2)).await;
    for id in &ids {
        let status = client.status(id).await.unwrap();
        assert_eq!(status.device, Some(device.to_string()));
    }
    let receipts = io_compute_testkit::settled(&w, &client, &ids).await;
    assert_eq!(receipts.periods.len(), 1);
    until("the home session gone silent", 30, async || {
        (!live(&w.keeper)).then_some(())
    })
    .await;

    // The lease ends: the worker goes back to its home keeper.
    w.client
        .send(
            &[ix::close_lease(
                w.client_key.pubkey(),
                w.client_key.pubkey(),
                0,
                w.iosd,
                &[device],
                &[pda::provider(&w.owner.pubkey())],
            )],
            &[],
        )
        .await
        .unwrap();
    until("the worker back home", 30, async || {
        (live(&w.keeper) && !live(&other)).then_some(())
    })
    .await;
    other.shutdown().await.unwrap();
    let World { network, keeper } = w;
    keeper.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&network.dir);
}

/// A worker driven by hand (for results no honest worker would return):
/// the keeper client signing as device `index`'s worker key, and its
/// session of `slots` slots.
async fn hand_worker(w: &World, index: usize, slots: u32) -> (KeeperClient, Keypair, String) {
    let key = solana_sdk::signer::keypair::read_keypair_file(&w.workers[index]).unwrap();
    let client = KeeperClient::new(&w.keeper_url(), w.keeper_key.pubkey(), key.insecure_clone());
    let session: api::Session = client
        .post(
            "/v1/worker/session",
            &api::OpenSession { slots },
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert_eq!(session.devices, vec![w.devices[index].to_string()]);
    (client, key, session.session)
}

/// Device `index` claims the kernel job and returns `output` as its one
/// output buffer, committed and signed as a real worker would.
async fn run_kernel_by_hand(w: &World, index: usize, output: Vec<u8>) {
    let (client, key, session) = hand_worker(w, index, 1).await;
    let claim = api::Claim {
        session: session.clone(),
        max: 1,
        wait_ms: 5_000,
    };
    let (job, fence, spec) = loop {
        let tasks: Vec<Task> = client
            .post("/v1/worker/claims", &claim, Duration::from_secs(10))
            .await
            .unwrap();
        // (A device check the keeper may hand it is left unanswered.)
        if let Some((job, fence, spec)) = tasks.into_iter().find_map(|t| match t {
            Task::Run {
                job, fence, spec, ..
            } => match spec.spec {
                JobSpec::CudaKernel(kernel) => Some((job, fence, kernel)),
                _ => None,
            },
            _ => None,
        }) {
            break (job, fence, spec);
        }
    };
    let hash = client.put_blob(output).await.unwrap();
    let signed = io_worker::receipt::kernel(
        &key,
        &pda::lease(0),
        &w.devices[index],
        api::from_hex32(&job).unwrap(),
        &spec,
        std::slice::from_ref(&hash),
        100,
    );
    client
        .post::<_, serde_json::Value>(
            "/v1/worker/results",
            &api::JobResult {
                session,
                job,
                fence,
                outcome: api::JobOutcome::Done {
                    receipt: Box::new(api::SignedReceiptJson::new(
                        &signed.receipt,
                        &signed.signature,
                    )),
                    outputs: vec![hash],
                    layers: vec![],
                    inline: vec![],
                },
                next: false,
            },
            Duration::from_secs(10),
        )
        .await
        .unwrap();
}

/// A deterministic kernel the client asks to have cross-checked, on a
/// three-GPU cluster: the first device returns other bytes than the next
/// two; the job succeeds with the outputs two devices agree on, the odd
/// one out is banned, and one run is billed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_checked_kernel_is_accepted_when_two_devices_agree() {
    let w = world("cross-check", 3, 100).await;
    w.rent(0, 3).await;
    let keeper = w.jobs_client();
    let kernel = io_compute_sdk::job::CudaKernelSpec {
        source: r#"extern "C" __global__ void fill(int* out) { out[threadIdx.x] = 7; }"#.into(),
        entry: "fill".into(),
        grid: [1, 1, 1],
        block: [4, 1, 1],
        buffers: vec![io_compute_sdk::job::KernelBuffer {
            bytes: 16,
            input: None,
            output: true,
        }],
        timeout_ms: 10_000,
        cross_check: true,
    };
    let id = keeper
        .submit(&SubmitJobs {
            lease: 0,
            jobs: vec![Job::new(JobSpec::CudaKernel(kernel))],
        })
        .await
        .unwrap()
        .jobs[0]
        .id
        .clone();
    let right: Vec<u8> = [7i32; 4].iter().flat_map(|v| v.to_le_bytes()).collect();
    run_kernel_by_hand(&w, 0, vec![0; 16]).await;
    assert_eq!(keeper.status(&id).await.unwrap().state, JobState::Queued);
    run_kernel_by_hand(&w, 1, right.clone()).await;
    assert_eq!(keeper.status(&id).await.unwrap().state, JobState::Queued);
    run_kernel_by_hand(&w, 2, right.clone()).await;
    let status = keeper.status(&id).await.unwrap();
    assert_eq!(status.state, JobState::Succeeded, "{status:?}");
    assert_eq!(status.attempts, 3);
    assert_eq!(status.device, Some(w.devices[2].to_string()));
    assert_eq!(status.cross_checked_by, Some(w.devices[1].to_string()));
    assert_eq!(status.outputs, vec![api::blob_hash(&right)]);
    assert!(w.keeper.hub.with(|b| b.banned.contains(&w.devices[0])));
    let metrics = w.metrics().await;
    assert!(metrics.contains("keeper_cross_checks_total{outcome=\"confirmed\"} 1"));
    assert!(metrics.contains("keeper_wrong_results_total 1"));
    // One run billed: the accepted run's receipt, signed for device 2.
    let (receipt, signature) = status.receipt.unwrap().decode().unwrap();
    assert!(receipt_signed_by(
        &solana_sdk::signer::keypair::read_keypair_file(&w.workers[2])
            .unwrap()
            .pubkey(),
        &pda::lease(0),
        &w.devices[2],
        &receipt,
        &signature
    ));
    let World { network, keeper } = w;
    keeper.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&network.dir);
}
