//! The keeper through a faulty RPC: two proxies in front of the localnet
//! drop requests, drop `sendTransaction` responses after the transaction
//! executed, answer 429 with Retry-After, and add latency. Every job still
//! settles exactly once, every proof lands once and finalizes, the
//! provider is paid exactly what the proofs owe it, and every IOSD base
//! unit is accounted for.

use io_compute_sdk::api::SubmitJobs;
use io_compute_testkit::{
    all_succeeded,
    proxy::{Faults, RpcProxy},
    settled, tiny_jobs, Network,
};
use std::{sync::atomic::Ordering, time::Duration};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_proof_settles_once_through_a_faulty_rpc() {
    let n = Network::start("faults", 1).await;
    let faults = Faults {
        drop_request: 0.1,
        drop_response: 0.4,
        too_many_requests: 0.03,
        latency: Duration::from_millis(5),
    };
    let proxies = [
        RpcProxy::start(&n.url, faults.clone()).await,
        RpcProxy::start(&n.url, faults).await,
    ];
    let mut config = n.keeper_config(5);
    config.rpc_urls = proxies.iter().map(RpcProxy::url).collect();
    let keeper = io_keeper::start(config).await.unwrap();
    let url = format!("http://{}", keeper.addr);
    let stop = CancellationToken::new();
    n.start_worker(0, &url, stop.clone());
    n.rent(0, 1).await;

    let client = n.jobs_client(&url);
    let submitted = client
        .submit(&SubmitJobs {
            lease: 0,
            jobs: tiny_jobs(0, 30),
        })
        .await
        .unwrap();
    let ids: Vec<String> = submitted.jobs.into_iter().map(|j| j.id).collect();
    all_succeeded(&client, &ids).await;
    let receipts = settled(&n, &client, &ids).await;
    assert!(receipts.periods.len() >= 6, "periods of at most five jobs");
    let dropped: u64 = proxies
        .iter()
        .map(|p| p.injected().dropped_responses.load(Ordering::Relaxed))
        .sum();
    assert!(
        dropped > 0,
        "some proof's response was lost after it landed"
    );

    // Past the lock every proof is finalized, through the same faults; the
    // provider is paid exactly and every IOSD base unit is accounted for.
    let (gained, owed) = n.finalize_proofs(0).await;
    assert_eq!(gained, owed);
    n.assert_iosd_conserved(&[0]).await;
    let metrics = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let retries: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("keeper_rpc_retries_total "))
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(retries > 0, "{metrics}");
    stop.cancel();
    keeper.shutdown().await.unwrap();
}
