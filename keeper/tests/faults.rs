//! The keeper through a faulty RPC: two proxies in front of the localnet
//! drop requests, drop `sendTransaction` responses after the transaction
//! executed, answer 429 with Retry-After, and add latency. Every job still
//! settles exactly once, every proof lands once and finalizes, and the
//! provider is paid exactly what the proofs owe it.

use io_compute::state::{Config, UsageProof};
use io_compute_sdk::{api::SubmitJobs, filters, pda};
use io_compute_testkit::{
    all_succeeded,
    proxy::{Faults, RpcProxy},
    settled, tiny_jobs, Network,
};
use solana_sdk::signer::Signer;
use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};
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

    // Past the lock every proof is finalized, through the same faults, and
    // the provider is paid exactly.
    let proofs: Vec<UsageProof> = n
        .chain
        .program_accounts::<UsageProof>(&[filters::proofs_by_lease(&pda::lease(0))])
        .await
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let config: Config = n.chain.expect_account(&pda::config()).await.unwrap();
    let owed: u64 = proofs
        .iter()
        .map(|p| {
            let fee = (p.amount_due as u128 * config.market_params.provider_fee_bps as u128)
                .div_ceil(10_000) as u64;
            p.amount_due - fee
        })
        .sum();
    let provider_iosd = pda::associated_token(&n.owner.pubkey(), &pda::iosd_mint());
    let before = n.chain.token_balance(&provider_iosd).await.unwrap_or(0);
    n.net
        .bank()
        .warp_clock(config.market_params.dispute_window_secs + 1)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = n
            .chain
            .program_accounts::<UsageProof>(&[filters::proofs_by_lease(&pda::lease(0))])
            .await
            .unwrap();
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} proofs were not finalized",
            left.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        n.chain.token_balance(&provider_iosd).await.unwrap() - before,
        owed
    );
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
