//! `ioc job` against a running network: a localnet, a keeper that
//! published its endpoint on the chain, and a CPU worker. Submit a GEMM to
//! a rented cluster, wait for it, download its product, and check the
//! cluster's receipts against the proofs on the chain; a wallet that is
//! not the cluster's client is refused.

use io_compute_sdk::{
    ix,
    job::{seeded_operands, GemmDtype, GemmInputs, GemmSpec, Product},
    verify::reference_f64,
};
use io_compute_testkit::Network;
use io_worker::{backend::cpu::CpuBackend, config::RunConfig};
use serde_json::Value;
use solana_sdk::signer::{
    keypair::{read_keypair_file, write_keypair_file, Keypair},
    Signer,
};
use std::{process::Command, sync::Arc, time::Duration};
use tokio_util::sync::CancellationToken;

/// `ioc --json <args>` as `keypair`; its JSON output, or its error line.
fn ioc(url: &str, keypair: &std::path::Path, args: &[&str]) -> Result<Value, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_ioc"))
        .args(["--url", url, "--json", "--keypair"])
        .arg(keypair)
        .args(args)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).expect("JSON output"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_are_submitted_waited_for_downloaded_and_their_receipts_checked() {
    let n = Network::start("ioc-job", 1).await;
    let keeper = io_keeper::start(n.keeper_config(1)).await.unwrap();
    let keeper_url = format!("http://{}", keeper.addr);
    n.chain
        .send(
            &[ix::update_keeper(n.keeper_key.pubkey(), &keeper_url)],
            &[],
        )
        .await
        .unwrap();
    let stop = CancellationToken::new();
    let config = RunConfig {
        keypair: n.workers[0].clone(),
        keeper: None,
        rpc_url: n.url.clone(),
        follow: Duration::from_secs(5),
        slots: 2,
        max_backoff: Duration::from_millis(300),
        grace: Duration::from_secs(1),
    };
    let worker_key = read_keypair_file(&n.workers[0]).unwrap();
    let serving = stop.clone();
    tokio::spawn(async move {
        io_worker::run::run(&config, worker_key, Arc::new(CpuBackend::new()), serving).await
    });
    n.rent(0, 1).await;
    let wallet = n.dir.join("client.json");
    write_keypair_file(&n.client_key, &wallet).unwrap();
    let url = n.url.clone();

    let run = |args: Vec<String>, who: std::path::PathBuf| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            ioc(&url, &who, &args)
        })
    };
    let args = |text: &str| {
        text.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let submitted = run(
        args("job submit --cluster 0 gemm --m 16 --n 16 --k 16 --dtype i32 --seed 3"),
        wallet.clone(),
    )
    .await
    .unwrap()
    .unwrap();
    let id = submitted["id"].as_str().unwrap().to_string();
    assert_eq!(submitted["state"], "queued");
    let done = run(args(&format!("job wait {id} --cluster 0")), wallet.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done["state"], "succeeded", "{done}");

    let out = n.dir.join("c.bin");
    run(
        args(&format!(
            "job result {id} --cluster 0 --out {}",
            out.display()
        )),
        wallet.clone(),
    )
    .await
    .unwrap()
    .unwrap();
    let spec = GemmSpec {
        m: 16,
        n: 16,
        k: 16,
        dtype: GemmDtype::I32,
        allow_tf32: false,
        inputs: GemmInputs::Seed { seed: 3 },
    };
    let (a, b) = seeded_operands(&spec, 3);
    let (exact, _) = reference_f64((16, 16, 16), &a, &b);
    assert_eq!(
        Product::from_le_bytes(GemmDtype::I32, &std::fs::read(&out).unwrap()),
        Some(Product::I64(exact.iter().map(|&x| x as i64).collect()))
    );

    // The proof lands within a few settler rounds; then every receipt
    // checks against it.
    let mut checked = Value::Null;
    for _ in 0..100 {
        checked = run(args("job receipts --cluster 0"), wallet.clone())
            .await
            .unwrap()
            .unwrap();
        if checked["receipts"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(checked["verified"], true, "{checked}");
    assert_eq!(
        (checked["proofs"].clone(), checked["receipts"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(checked["periods"][0]["settled"], false);

    // Another wallet may not put work on this cluster.
    let stranger = n.dir.join("stranger.json");
    write_keypair_file(&Keypair::new(), &stranger).unwrap();
    let refused = run(
        args("job submit --cluster 0 gemm --m 4 --n 4 --k 4"),
        stranger,
    )
    .await
    .unwrap()
    .unwrap_err();
    assert!(
        refused.contains("keeper answered 403: lease 0 belongs to client"),
        "{refused}"
    );
    stop.cancel();
    keeper.shutdown().await.unwrap();
}
