//! The keeper against a localnet: it assigns an open cluster the cheapest
//! devices the program accepts, leaves what cannot be matched, serves
//! /healthz and /metrics, journals intent and outcome, and after a restart
//! reconciles an intent it never sent and never assigns a lease twice.

use io_compute::{
    constants::ONE_IO,
    state::{DeviceSpec, DeviceStatus, Lease, LeaseSpec, LeaseStatus, ProviderProfile},
    BurnArgs, StakeArgs, UpdateDeviceArgs,
};
use io_compute_migrations::{migrate, Settings};
use io_compute_sdk::{client::Client, gpu, ix, pda};
use io_keeper::{
    config::KeeperConfig,
    journal::{Entry, Journal},
};
use localnet::{Localnet, LocalnetConfig};
use solana_sdk::{
    pubkey::Pubkey,
    signer::{
        keypair::{write_keypair_file, Keypair},
        Signer,
    },
};
use std::time::{Duration, Instant};

fn spec(model: &str, gpus: u8, max_price: u64) -> LeaseSpec {
    LeaseSpec {
        model: gpu::model_code(model).unwrap(),
        gpu_count: gpus,
        region: String::new(),
        hours: 1,
        max_price_per_gpu_hour: max_price,
        min_reliability_bps: 0,
    }
}

async fn lease(client: &Client, id: u64) -> Lease {
    client.expect_account(&pda::lease(id)).await.unwrap()
}

/// Lease `id` once it is Active (a keeper assigned it), waiting up to
/// `secs` seconds.
async fn assigned(client: &Client, id: u64, secs: u64) -> Lease {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let lease = lease(client, id).await;
        if lease.status == LeaseStatus::Active {
            return lease;
        }
        assert!(
            Instant::now() < deadline,
            "lease {id} was not assigned within {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

struct World {
    net: Localnet,
    url: String,
    chain: Client,
    admin: Keypair,
    funder: Keypair,
    bank: Client,
    owner: Keypair,
    provider: Client,
    devices: Vec<Pubkey>,
    client_key: Keypair,
    client: Client,
    iosd: Pubkey,
}

impl World {
    /// Sends `io` IO from the faucet wallet to `to`.
    async fn fund(&self, to: Pubkey, io: u64) {
        let instructions = ix::send_io(self.funder.pubkey(), to, io);
        self.bank.send(&instructions, &[]).await.unwrap();
    }
}

/// A localnet set up by the migrations (its admin an admitted keeper), a
/// provider with two RTX 4090s (0.40 and 0.30 IOSD/GPU-h) and an H200 at
/// 2.00, and a client holding IOSD.
async fn world() -> World {
    let net = Localnet::start(LocalnetConfig {
        rpc_port: 0,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = format!("http://{}", net.rpc_addr);
    let admin = Keypair::new();
    let funder = Keypair::new();
    let chain = Client::new(&url, admin.insecure_clone());
    for who in [&admin, &funder] {
        chain
            .request_airdrop(&who.pubkey(), 100_000_000_000)
            .await
            .unwrap();
    }
    let mut settings = Settings::launch(86_400);
    settings.faucet = Some((funder.pubkey(), 1_000_000 * ONE_IO));
    migrate(&chain, &settings).await.unwrap();
    let bank = Client::new(&url, funder.insecure_clone());
    let fund = |to: Pubkey, io: u64| ix::send_io(funder.pubkey(), to, io);

    // A provider with two RTX 4090s (0.40 and 0.30 IOSD/GPU-h) and an H200
    // at 2.00.
    let owner = Keypair::new();
    chain
        .request_airdrop(&owner.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    bank.send(&fund(owner.pubkey(), 50_000 * ONE_IO), &[])
        .await
        .unwrap();
    let provider = Client::new(&url, owner.insecure_clone());
    let profile = ProviderProfile {
        name: "keeper test".into(),
        region: "eu-west".into(),
        endpoint: "https://gpu.example.org".into(),
        co_stake_share_bps: 0,
    };
    let device = |model: &str, price| DeviceSpec {
        model: gpu::model_code(model).unwrap(),
        gpu_count: 1,
        vram_gb: 24,
        price_per_gpu_hour: price,
        status: DeviceStatus::Idle,
        worker: Keypair::new().pubkey(),
    };
    let io = pda::associated_token(&owner.pubkey(), &pda::io_mint());
    provider
        .send(
            &[
                ix::register_provider(owner.pubkey(), profile),
                ix::stake(
                    owner.pubkey(),
                    io,
                    StakeArgs {
                        nonce: 0,
                        amount: 50_000 * ONE_IO,
                        lockup_secs: 0,
                    },
                ),
                ix::add_device(owner.pubkey(), 0, device("RTX4090", 400_000)),
                ix::add_device(owner.pubkey(), 1, device("RTX4090", 300_000)),
                ix::add_device(owner.pubkey(), 2, device("H200", 2_000_000)),
            ],
            &[],
        )
        .await
        .unwrap();
    let devices: Vec<Pubkey> = (0..3)
        .map(|i| pda::device(&pda::provider(&owner.pubkey()), i))
        .collect();

    // A client with IOSD opens three clusters: one the cheaper 4090 fits,
    // an H200 under its price, and two 4090s at 0.35 (only one is that
    // cheap).
    let client_key = Keypair::new();
    chain
        .request_airdrop(&client_key.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    bank.send(&fund(client_key.pubkey(), 100 * ONE_IO), &[])
        .await
        .unwrap();
    let client = Client::new(&url, client_key.insecure_clone());
    let iosd = pda::associated_token(&client_key.pubkey(), &pda::iosd_mint());
    client
        .buy_iosd(BurnArgs::ExactIn {
            io: 50 * ONE_IO,
            min_iosd: 0,
        })
        .await
        .unwrap();
    World {
        net,
        url,
        chain,
        admin,
        funder,
        bank,
        owner,
        provider,
        devices,
        client_key,
        client,
        iosd,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keeper_matches_open_clusters_once() {
    let World {
        net,
        url,
        chain,
        admin,
        owner,
        provider,
        devices,
        client_key,
        client,
        iosd,
        ..
    } = world().await;
    for (id, lease_spec) in [
        (0, spec("RTX4090", 1, 350_000)),
        (1, spec("H200", 1, 1_000_000)),
        (2, spec("RTX4090", 2, 350_000)),
    ] {
        client
            .send(
                &[ix::create_lease(client_key.pubkey(), iosd, id, lease_spec)],
                &[],
            )
            .await
            .unwrap();
    }

    // The keeper (the migration's admin is an admitted keeper).
    let dir = std::env::temp_dir().join(format!("io-keeper-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let keypair = dir.join("keeper.json");
    write_keypair_file(&admin, &keypair).unwrap();
    let config = KeeperConfig {
        sweep: Duration::from_millis(100),
        ..KeeperConfig::local(
            keypair,
            url.clone(),
            format!("ws://{}", net.ws_addr),
            dir.join("keeper.db"),
        )
    };
    // An intent journaled by a run that stopped before sending (lease 2).
    let journal = Journal::open(&config.journal).unwrap();
    journal
        .record(Entry::AssignIntent {
            lease: 2,
            devices: vec![devices[0].to_string()],
        })
        .await
        .unwrap();
    assert_eq!(journal.unresolved_intents().unwrap(), [2]);

    let keeper = io_keeper::start(config.clone()).await.unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://{}", keeper.addr);
    let first = assigned(&chain, 0, 30).await;
    assert_eq!(
        (
            first.devices.len(),
            first.devices[0].device,
            first.devices[0].price_per_gpu_hour,
            first.keeper
        ),
        (1, devices[1], 300_000, admin.pubkey()),
        "the cheaper device that fits"
    );
    // Ready once a sweep has finished.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let health = http.get(format!("{base}/healthz")).send().await.unwrap();
        let answer = (health.status().as_u16(), health.text().await.unwrap());
        if answer == (200, "ready".to_string()) {
            break;
        }
        assert_eq!(answer.0, 503);
        assert!(Instant::now() < deadline, "never ready: {answer:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A few more sweeps change nothing.
    tokio::time::sleep(Duration::from_millis(600)).await;
    for id in [1, 2] {
        assert_eq!(
            lease(&chain, id).await.status,
            LeaseStatus::Open,
            "lease {id} cannot be matched"
        );
    }
    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("keeper_assignments_total{outcome=\"assigned\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("keeper_open_leases 2"), "{metrics}");
    let entries = keeper.journal.entries_for(0).unwrap();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(
        entries[0],
        Entry::AssignIntent {
            lease: 0,
            devices: vec![devices[1].to_string()]
        }
    );
    assert!(
        matches!(&entries[1], Entry::AssignOutcome { outcome, signature: Some(_), .. } if outcome == "assigned"),
        "{entries:?}"
    );
    // The intent the earlier run left is settled from the chain.
    assert!(matches!(
        keeper.journal.entries_for(2).unwrap().last(),
        Some(Entry::AssignOutcome { outcome, .. }) if outcome == "not landed"
    ));
    keeper.shutdown().await.unwrap();

    // The H200 gets cheaper; a restarted keeper (same journal) assigns
    // lease 1 and never lease 0 again.
    provider
        .send(
            &[ix::update_device(
                owner.pubkey(),
                2,
                UpdateDeviceArgs {
                    price_per_gpu_hour: Some(900_000),
                    status: None,
                    worker: None,
                },
            )],
            &[],
        )
        .await
        .unwrap();
    let keeper = io_keeper::start(config.clone()).await.unwrap();
    assert_eq!(assigned(&chain, 1, 30).await.devices[0].device, devices[2]);
    assert_eq!(
        keeper.journal.entries_for(0).unwrap().len(),
        2,
        "lease 0 was assigned once"
    );
    keeper.shutdown().await.unwrap();

    // With a sweep only every minute, a new cluster is still matched at
    // once: the program subscription wakes the matcher.
    let keeper = io_keeper::start(KeeperConfig {
        sweep: Duration::from_secs(60),
        ..config
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    client
        .send(
            &[ix::create_lease(
                client_key.pubkey(),
                iosd,
                3,
                spec("RTX4090", 1, 500_000),
            )],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(assigned(&chain, 3, 10).await.devices[0].device, devices[0]);
    keeper.shutdown().await.unwrap();
}

/// A keeper's settings in its own directory under the system's temp dir.
fn keeper_config(w: &World, name: &str, keeper: &Keypair, sweep: Duration) -> KeeperConfig {
    let dir = std::env::temp_dir().join(format!("io-keeper-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let keypair = dir.join("keeper.json");
    write_keypair_file(keeper, &keypair).unwrap();
    KeeperConfig {
        sweep,
        ..KeeperConfig::local(
            keypair,
            w.url.clone(),
            format!("ws://{}", w.net.ws_addr),
            dir.join("keeper.db"),
        )
    }
}

/// Two keepers serve one program: each cluster ends with exactly one
/// assignment (the chain decides), and a keeper that lost a race does not
/// try that cluster again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_keepers_assign_each_cluster_once() {
    let w = world().await;
    let second = Keypair::new();
    w.chain
        .request_airdrop(&second.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    let bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND;
    w.fund(second.pubkey(), bond).await;
    Client::new(&w.url, second.insecure_clone())
        .send(
            &[ix::admit_keeper(
                w.admin.pubkey(),
                second.pubkey(),
                pda::associated_token(&second.pubkey(), &pda::io_mint()),
                bond,
                "https://keeper-2.example.org",
            )],
            &[&w.admin],
        )
        .await
        .unwrap();
    let sweep = Duration::from_millis(100);
    let first = io_keeper::start(keeper_config(&w, "first", &w.admin, sweep))
        .await
        .unwrap();
    let other = io_keeper::start(keeper_config(&w, "second", &second, sweep))
        .await
        .unwrap();
    for (id, lease_spec) in [
        (0, spec("RTX4090", 1, 500_000)),
        (1, spec("RTX4090", 1, 500_000)),
        (2, spec("H200", 1, 3_000_000)),
    ] {
        w.client
            .send(
                &[ix::create_lease(
                    w.client_key.pubkey(),
                    w.iosd,
                    id,
                    lease_spec,
                )],
                &[],
            )
            .await
            .unwrap();
    }
    for id in 0..3 {
        assigned(&w.chain, id, 30).await;
    }
    // Let both sweep a few more times: nothing more happens.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut used = std::collections::HashSet::new();
    let mut refusals = 0;
    for id in 0..3 {
        let on_chain = lease(&w.chain, id).await;
        let mut assigned_by = Vec::new();
        for (keeper, authority) in [(&first, w.admin.pubkey()), (&other, second.pubkey())] {
            for entry in keeper.journal.entries_for(id).unwrap() {
                if let Entry::AssignOutcome { outcome, .. } = entry {
                    if outcome == "assigned" {
                        assigned_by.push(authority);
                    } else {
                        assert!(
                            ["LeaseNotOpen", "DeviceNotIdle"].contains(&outcome.as_str()),
                            "lease {id}: {outcome}"
                        );
                        refusals += 1;
                    }
                }
            }
        }
        assert_eq!(
            assigned_by,
            [on_chain.keeper],
            "lease {id}: one assignment, by its keeper"
        );
        assert!(
            used.insert(on_chain.devices[0].device),
            "a device in two clusters"
        );
    }
    // At most one lost race per cluster and keeper: no retries of a
    // cluster already taken.
    assert!(refusals <= 3, "{refusals} refused attempts");
    first.shutdown().await.unwrap();
    other.shutdown().await.unwrap();
}

/// The sender keeps to RPC URLs of one chain and simulates first: a
/// refused assignment comes back as the program's error with nothing sent
/// or paid; an accepted one carries a compute-unit limit from the
/// simulation and a priority fee within the keeper's cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_simulates_then_budgets() {
    let w = world().await;
    w.client
        .send(
            &[ix::create_lease(
                w.client_key.pubkey(),
                w.iosd,
                0,
                spec("RTX4090", 1, 500_000),
            )],
            &[],
        )
        .await
        .unwrap();
    // An RPC URL that cannot be reached is left out; one of another chain
    // is refused.
    let dead = "http://127.0.0.1:1".to_string();
    let sender = io_keeper::sender::Sender::connect(&[dead, w.url.clone()], &w.admin, 5)
        .await
        .unwrap();
    assert_eq!(sender.client().url(), w.url);
    let other_chain = Localnet::start(LocalnetConfig {
        rpc_port: 0,
        ..Default::default()
    })
    .await
    .unwrap();
    let urls = [w.url.clone(), format!("http://{}", other_chain.rpc_addr)];
    let refused = io_keeper::sender::Sender::connect(&urls, &w.admin, 5)
        .await
        .err()
        .expect("another chain is refused");
    assert!(
        refused.to_string().contains("serves another chain"),
        "{refused}"
    );
    let provider = pda::provider(&w.owner.pubkey());
    let admin = w.admin.pubkey();
    let before = w.chain.rpc.get_balance(&admin).await.unwrap();
    let refused = sender
        .send(
            "assign_devices",
            &[ix::assign_devices(admin, 0, &[w.devices[2]], &[provider])],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, io_compute_sdk::client::ClientError::Program { name, .. } if name == "ModelMismatch"),
        "{refused}"
    );
    assert_eq!(
        w.chain.rpc.get_balance(&admin).await.unwrap(),
        before,
        "nothing paid"
    );
    let (_, budget) = sender
        .send(
            "assign_devices",
            &[ix::assign_devices(admin, 0, &[w.devices[1]], &[provider])],
        )
        .await
        .unwrap();
    // The simulation measured the assignment: more than the budget
    // instructions' own 1,000 units.
    assert!(
        (1_001..=1_400_000).contains(&budget.compute_units),
        "{budget:?}"
    );
    assert!(budget.micro_lamports <= 5);
    assert_eq!(lease(&w.chain, 0).await.status, LeaseStatus::Active);
}

/// A keeper whose wallet is under its SOL floor sends nothing and says so
/// on /healthz and /metrics; the cluster waits for a funded keeper.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drained_keeper_sends_nothing_and_says_so() {
    let w = world().await;
    w.client
        .send(
            &[ix::create_lease(
                w.client_key.pubkey(),
                w.iosd,
                0,
                spec("RTX4090", 1, 500_000),
            )],
            &[],
        )
        .await
        .unwrap();
    let poor = Keypair::new();
    w.chain
        .request_airdrop(&poor.pubkey(), 1_000_000)
        .await
        .unwrap();
    let config = keeper_config(&w, "poor", &poor, Duration::from_millis(100));
    let keeper = io_keeper::start(config).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let http = reqwest::Client::new();
    let health = http
        .get(format!("http://{}/healthz", keeper.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 503);
    assert_eq!(
        health.text().await.unwrap(),
        "low balance: 1000000 lamports, under the floor of 50000000"
    );
    let metrics = http
        .get(format!("http://{}/metrics", keeper.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("keeper_balance_lamports 1000000"),
        "{metrics}"
    );
    assert_eq!(lease(&w.chain, 0).await.status, LeaseStatus::Open);
    assert!(
        keeper.journal.entries_for(0).unwrap().is_empty(),
        "nothing attempted"
    );
    keeper.shutdown().await.unwrap();
}
