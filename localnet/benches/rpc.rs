//! Localnet throughput and memory: getAccountInfo requests/s and SOL-transfer
//! sendTransaction/s over HTTP with N concurrent clients, then an optional
//! soak of steady mixed load sampling the process's resident memory.
//!
//! cargo bench -p io-compute-localnet --bench rpc -- [--seconds 10] [--clients 8] [--soak-minutes 10]
//!
//! Prints tables; docs/benchmarks.md records them with the machine and date.

use localnet::{Localnet, LocalnetConfig};
use serde_json::{json, Value};
use solana_sdk::{
    hash::Hash, native_token::LAMPORTS_PER_SOL, pubkey::Pubkey, signature::Keypair, signer::Signer,
    transaction::Transaction,
};
use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

struct Options {
    seconds: u64,
    clients: usize,
    soak_minutes: u64,
}

fn options() -> Options {
    let mut options = Options {
        seconds: 10,
        clients: 8,
        soak_minutes: 0,
    };
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--seconds", Some(v)) => options.seconds = v,
            ("--clients", Some(v)) => options.clients = v as usize,
            ("--soak-minutes", Some(v)) => options.soak_minutes = v,
            _ => panic!("usage: rpc [--seconds N] [--clients N] [--soak-minutes N]"),
        }
    }
    options
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn call(http: &reqwest::Client, url: &str, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let response: Value = http
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response
}

async fn blockhash(http: &reqwest::Client, url: &str) -> Hash {
    let r = call(http, url, "getLatestBlockhash", json!([])).await;
    r["result"]["value"]["blockhash"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

struct Stats {
    count: u64,
    errors: u64,
    latencies_us: Vec<u64>,
}

impl Stats {
    fn percentile(&mut self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        self.latencies_us.sort_unstable();
        let i = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

/// Runs `clients` loops of `op` for `duration`; each returns success.
async fn load<F, Fut>(clients: usize, duration: Duration, op: F) -> Stats
where
    F: Fn(usize, u64) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for client in 0..clients {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut latencies, mut n) = (0u64, 0u64, Vec::new(), 0u64);
            while Instant::now() < deadline {
                let start = Instant::now();
                if op(client, n).await {
                    ok += 1;
                } else {
                    errors += 1;
                }
                latencies.push(start.elapsed().as_micros() as u64);
                n += 1;
            }
            (ok, errors, latencies)
        }));
    }
    let mut stats = Stats {
        count: 0,
        errors: 0,
        latencies_us: Vec::new(),
    };
    for task in tasks {
        let (ok, errors, latencies) = task.await.unwrap();
        stats.count += ok;
        stats.errors += errors;
        stats.latencies_us.extend(latencies);
    }
    stats
}

fn transfer(payer: &Keypair, to: &Pubkey, lamports: u64, blockhash: Hash) -> String {
    use base64::Engine;
    let tx = Transaction::new_signed_with_payer(
        &[solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            to,
            lamports,
        )],
        Some(&payer.pubkey()),
        &[payer],
        blockhash,
    );
    base64::prelude::BASE64_STANDARD.encode(bincode::serialize(&tx).unwrap())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let options = options();
    let localnet = Localnet::start(LocalnetConfig {
        rpc_port: 0,
        ..LocalnetConfig::default()
    })
    .await
    .expect("localnet starts");
    let url = Arc::new(localnet.rpc_url());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();

    // One funded payer per client, and a rent-exempt recipient.
    let payers: Arc<Vec<Keypair>> =
        Arc::new((0..options.clients).map(|_| Keypair::new()).collect());
    let recipient = Keypair::new().pubkey();
    for payer in payers.iter().map(|p| p.pubkey()).chain([recipient]) {
        call(
            &http,
            &url,
            "requestAirdrop",
            json!([payer.to_string(), 1_000 * LAMPORTS_PER_SOL]),
        )
        .await;
    }
    let duration = Duration::from_secs(options.seconds);
    println!(
        "localnet benchmark: {} clients, {} s per row, {} cores",
        options.clients,
        options.seconds,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<34} {:>10} {:>9} {:>9} {:>8}",
        "operation", "per second", "p50 ms", "p99 ms", "errors"
    );

    let account = recipient.to_string();
    let (h, u) = (http.clone(), url.clone());
    let mut stats = load(options.clients, duration, move |_, _| {
        let (h, u, account) = (h.clone(), u.clone(), account.clone());
        async move {
            let r = call(
                &h,
                &u,
                "getAccountInfo",
                json!([account, {"encoding": "base64"}]),
            )
            .await;
            r["result"]["value"]["lamports"].is_u64()
        }
    })
    .await;
    print_row("getAccountInfo", &mut stats, duration);

    for (label, skip_preflight) in [
        ("sendTransaction (preflight)", false),
        ("sendTransaction (skipPreflight)", true),
    ] {
        let hash = Arc::new(tokio::sync::RwLock::new(blockhash(&http, &url).await));
        let refreshing = Arc::new(AtomicBool::new(true));
        let refresher = {
            let (hash, refreshing, h, u) =
                (hash.clone(), refreshing.clone(), http.clone(), url.clone());
            tokio::spawn(async move {
                while refreshing.load(Ordering::Relaxed) {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    *hash.write().await = blockhash(&h, &u).await;
                }
            })
        };
        let nonce = Arc::new(AtomicU64::new(1));
        let (h, u, p) = (http.clone(), url.clone(), payers.clone());
        let mut stats = load(options.clients, duration, move |client, _| {
            let (h, u, p, hash, nonce) =
                (h.clone(), u.clone(), p.clone(), hash.clone(), nonce.clone());
            async move {
                // A distinct amount per transfer keeps every signature unique.
                let lamports = 1 + nonce.fetch_add(1, Ordering::Relaxed) % 1_000_000;
                let wire = transfer(&p[client], &recipient, lamports, *hash.read().await);
                let params = json!([wire, {"encoding": "base64", "skipPreflight": skip_preflight}]);
                call(&h, &u, "sendTransaction", params).await["result"].is_string()
            }
        })
        .await;
        refreshing.store(false, Ordering::Relaxed);
        let _ = refresher.await;
        print_row(label, &mut stats, duration);
    }

    if options.soak_minutes > 0 {
        soak(&options, &http, &url, &payers, recipient).await;
    }
    localnet.shutdown().await;
}

fn print_row(label: &str, stats: &mut Stats, duration: Duration) {
    let rate = stats.count as f64 / duration.as_secs_f64();
    let (p50, p99) = (stats.percentile(0.5), stats.percentile(0.99));
    println!(
        "{label:<34} {rate:>10.0} {p50:>9.2} {p99:>9.2} {:>8}",
        stats.errors
    );
}

/// Steady mixed load (reads and transfers from every client) for the soak
/// duration, sampling resident memory once a minute.
async fn soak(
    options: &Options,
    http: &reqwest::Client,
    url: &Arc<String>,
    payers: &Arc<Vec<Keypair>>,
    recipient: Pubkey,
) {
    println!(
        "\nsoak: {} minutes of steady load (half reads, half transfers)",
        options.soak_minutes
    );
    println!(
        "{:>7} {:>10} {:>12} {:>10}",
        "minute", "RSS MiB", "requests", "transfers"
    );
    println!("{:>7} {:>10.1} {:>12} {:>10}", 0, rss_mib(), 0, 0);
    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicU64::new(0));
    let transfers = Arc::new(AtomicU64::new(0));
    let nonce = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for client in 0..options.clients {
        let (h, u, p) = (http.clone(), url.clone(), payers.clone());
        let (stop, requests, transfers, nonce) = (
            stop.clone(),
            requests.clone(),
            transfers.clone(),
            nonce.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut hash = blockhash(&h, &u).await;
            let mut refreshed = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                if refreshed.elapsed() > Duration::from_secs(1) {
                    hash = blockhash(&h, &u).await;
                    refreshed = Instant::now();
                }
                call(
                    &h,
                    &u,
                    "getAccountInfo",
                    json!([recipient.to_string(), {"encoding": "base64"}]),
                )
                .await;
                let wire = transfer(
                    &p[client],
                    &recipient,
                    nonce.fetch_add(1, Ordering::Relaxed),
                    hash,
                );
                if call(
                    &h,
                    &u,
                    "sendTransaction",
                    json!([wire, {"encoding": "base64"}]),
                )
                .await["result"]
                    .is_string()
                {
                    transfers.fetch_add(1, Ordering::Relaxed);
                }
                requests.fetch_add(2, Ordering::Relaxed);
            }
        }));
    }
    for minute in 1..=options.soak_minutes {
        tokio::time::sleep(Duration::from_secs(60)).await;
        println!(
            "{:>7} {:>10.1} {:>12} {:>10}",
            minute,
            rss_mib(),
            requests.load(Ordering::Relaxed),
            transfers.load(Ordering::Relaxed)
        );
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
}
