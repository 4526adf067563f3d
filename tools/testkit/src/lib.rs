//! Test networks for the keeper's and the worker's tests: a localnet set up
//! by the migrations (its admin an admitted keeper), a staked provider with
//! RTX 4090 devices at 0.40 IOSD/GPU-h whose worker keypairs are files, and
//! a client holding IOSD who rents clusters; and an RPC proxy that injects
//! faults (`proxy`).

pub mod proxy;

use io_compute::{
    constants::ONE_IO,
    state::{
        Config, DeviceSpec, DeviceStatus, Lease, LeaseSpec, LeaseStatus, Market, ProviderProfile,
        UsageProof,
    },
    BurnArgs, StakeArgs,
};
use io_compute_migrations::{migrate, Settings};
use io_compute_sdk::{
    api::{JobState, LeaseReceipts},
    client::Client,
    filters, gpu, ix,
    job::{GemmDtype, GemmInputs, GemmSpec, Job, JobSpec},
    keeper_client::KeeperClient,
    pda,
};
use io_keeper::config::KeeperConfig;
use io_worker::{backend::cpu::CpuBackend, config::RunConfig};
use localnet::{Localnet, LocalnetConfig};
use solana_sdk::signer::keypair::read_keypair_file;
use solana_sdk::{
    pubkey::Pubkey,
    signer::{
        keypair::{write_keypair_file, Keypair},
        Signer,
    },
};
use std::{collections::HashSet, sync::Arc};
use std::{
    path::PathBuf,
    process::{Child, Command},
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

/// What every device costs.
pub const PRICE_PER_GPU_HOUR: u64 = 400_000;

pub struct Network {
    pub net: Localnet,
    pub url: String,
    /// Signs as the admin, who is also the keeper authority.
    pub chain: Client,
    /// A directory of its own for keypairs, journals and logs.
    pub dir: PathBuf,
    pub owner: Keypair,
    /// Device i's worker keypair file.
    pub workers: Vec<PathBuf>,
    pub devices: Vec<Pubkey>,
    pub client_key: Keypair,
    pub client: Client,
    pub iosd: Pubkey,
    pub keeper_key: Keypair,
    /// The keeper keypair's file.
    pub keeper_keypair: PathBuf,
    /// Holds the IO the network hands out.
    bank: Client,
}

impl Network {
    /// A network named `name` (its directory) whose provider has `devices`
    /// one-GPU RTX 4090s.
    pub async fn start(name: &str, devices: u32) -> Self {
        let net = Localnet::start(LocalnetConfig {
            rpc_port: 0,
            ..Default::default()
        })
        .await
        .expect("the localnet starts");
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

        let dir = std::env::temp_dir().join(format!("io-compute-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let owner = Keypair::new();
        chain
            .request_airdrop(&owner.pubkey(), 10_000_000_000)
            .await
            .unwrap();
        bank.send(&fund(owner.pubkey(), 50_000 * ONE_IO), &[])
            .await
            .unwrap();
        let provider = Client::new(&url, owner.insecure_clone());
        let mut instructions = vec![
            ix::register_provider(
                owner.pubkey(),
                ProviderProfile {
                    name: format!("{name} provider"),
                    region: "eu-west".into(),
                    endpoint: "https://gpu.example.org".into(),
                    co_stake_share_bps: 0,
                },
            ),
            ix::stake(
                owner.pubkey(),
                pda::associated_token(&owner.pubkey(), &pda::io_mint()),
                StakeArgs {
                    nonce: 0,
                    amount: 50_000 * ONE_IO,
                    lockup_secs: 0,
                },
            ),
        ];
        let mut workers = Vec::new();
        for i in 0..devices {
            let worker = Keypair::new();
            let path = dir.join(format!("worker-{i}.json"));
            write_keypair_file(&worker, &path).unwrap();
            workers.push(path);
            instructions.push(ix::add_device(
                owner.pubkey(),
                i,
                DeviceSpec {
                    model: gpu::model_code("RTX4090").unwrap(),
                    gpu_count: 1,
                    vram_gb: 24,
                    price_per_gpu_hour: PRICE_PER_GPU_HOUR,
                    status: DeviceStatus::Idle,
                    worker: worker.pubkey(),
                },
            ));
        }
        // Legacy transactions hold a handful of devices at a time.
        for chunk in instructions.chunks(4) {
            provider.send(chunk, &[]).await.unwrap();
        }
        let device_keys = (0..devices)
            .map(|i| pda::device(&pda::provider(&owner.pubkey()), i))
            .collect();

        let client_key = Keypair::new();
        chain
            .request_airdrop(&client_key.pubkey(), 10_000_000_000)
            .await
            .unwrap();
        bank.send(&fund(client_key.pubkey(), 1_000 * ONE_IO), &[])
            .await
            .unwrap();
        let client = Client::new(&url, client_key.insecure_clone());
        let iosd = pda::associated_token(&client_key.pubkey(), &pda::iosd_mint());
        client
            .buy_iosd(BurnArgs::ExactIn {
                io: 500 * ONE_IO,
                min_iosd: 0,
            })
            .await
            .unwrap();
        let keeper_keypair = dir.join("keeper.json");
        write_keypair_file(&admin, &keeper_keypair).unwrap();
        Self {
            net,
            url,
            chain,
            dir,
            owner,
            workers,
            devices: device_keys,
            client_key,
            client,
            iosd,
            keeper_key: admin,
            keeper_keypair,
            bank,
        }
    }

    /// Sends `io` IO base units from the network's bank to `to`'s IO
    /// account (created if missing).
    pub async fn give_io(&self, to: Pubkey, io: u64) {
        self.bank
            .send(&ix::send_io(self.bank.payer.pubkey(), to, io), &[])
            .await
            .unwrap();
    }

    /// Admits `authority` as another keeper publishing `endpoint`, its
    /// bond (the minimum) and SOL from the network's bank; returns the
    /// file of its keypair.
    pub async fn admit_keeper(&self, authority: &Keypair, endpoint: &str) -> PathBuf {
        let bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND;
        self.chain
            .request_airdrop(&authority.pubkey(), 10_000_000_000)
            .await
            .unwrap();
        self.give_io(authority.pubkey(), bond).await;
        Client::new(&self.url, authority.insecure_clone())
            .send(
                &[ix::admit_keeper(
                    self.keeper_key.pubkey(),
                    authority.pubkey(),
                    pda::associated_token(&authority.pubkey(), &pda::io_mint()),
                    bond,
                    endpoint,
                )],
                &[&self.keeper_key],
            )
            .await
            .unwrap();
        let path = self.dir.join(format!("keeper-{}.json", authority.pubkey()));
        write_keypair_file(authority, &path).unwrap();
        path
    }

    /// A keeper's settings for this network (journal in its directory,
    /// quick sweeps and claims), closing a period every `period_jobs`.
    pub fn keeper_config(&self, period_jobs: u32) -> KeeperConfig {
        KeeperConfig {
            sweep: Duration::from_millis(200),
            period_jobs,
            claim: Duration::from_millis(1_500),
            ..KeeperConfig::local(
                self.keeper_keypair.clone(),
                self.url.clone(),
                format!("ws://{}", self.net.ws_addr),
                self.dir.join("keeper.db"),
            )
        }
    }

    /// A client of the keeper at `url` signing as the renting client.
    pub fn jobs_client(&self, url: &str) -> KeeperClient {
        KeeperClient::new(
            url,
            self.keeper_key.pubkey(),
            self.client_key.insecure_clone(),
        )
    }

    /// Opens lease `id` of `gpus` RTX 4090s.
    pub async fn open_lease(&self, id: u64, gpus: u8) {
        let spec = LeaseSpec {
            model: gpu::model_code("RTX4090").unwrap(),
            gpu_count: gpus,
            region: String::new(),
            hours: 1,
            max_price_per_gpu_hour: 500_000,
            min_reliability_bps: 0,
        };
        self.client
            .send(
                &[ix::create_lease(
                    self.client_key.pubkey(),
                    self.iosd,
                    id,
                    spec,
                )],
                &[],
            )
            .await
            .unwrap();
    }

    /// Lease `id` once a keeper assigned it, waiting up to `secs`.
    pub async fn active_lease(&self, id: u64, secs: u64) -> Lease {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let lease: Lease = self.chain.expect_account(&pda::lease(id)).await.unwrap();
            if lease.status == LeaseStatus::Active {
                return lease;
            }
            assert!(
                Instant::now() < deadline,
                "lease {id} was not matched in {secs} s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens lease `id` and waits for its devices.
    pub async fn rent(&self, id: u64, gpus: u8) -> Lease {
        self.open_lease(id, gpus).await;
        self.active_lease(id, 20).await
    }
}

/// Settlement to the last base unit.
impl Network {
    /// The usage proofs of lease `id` on the chain.
    pub async fn proofs(&self, id: u64) -> Vec<UsageProof> {
        self.chain
            .program_accounts::<UsageProof>(&[filters::proofs_by_lease(&pda::lease(id))])
            .await
            .unwrap()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// Jumps the chain clock past the dispute window and waits for the
    /// keeper to finalize every proof of lease `id`; returns the provider's
    /// IOSD gain and what the proofs owed it (each amount due less the
    /// provider fee, the fee rounded up as the program rounds it).
    pub async fn finalize_proofs(&self, id: u64) -> (u64, u64) {
        let config: Config = self.chain.expect_account(&pda::config()).await.unwrap();
        let fee_bps = config.market_params.provider_fee_bps as u128;
        let owed: u64 = self
            .proofs(id)
            .await
            .iter()
            .map(|p| p.amount_due - (p.amount_due as u128 * fee_bps).div_ceil(10_000) as u64)
            .sum();
        let provider_iosd = pda::associated_token(&self.owner.pubkey(), &pda::iosd_mint());
        let before = self.chain.token_balance(&provider_iosd).await.unwrap_or(0);
        self.net
            .bank()
            .warp_clock(config.market_params.dispute_window_secs + 1)
            .await
            .unwrap();
        until("the proofs' finalization", 120, async || {
            self.proofs(id).await.is_empty().then_some(())
        })
        .await;
        let gained = self.chain.token_balance(&provider_iosd).await.unwrap() - before;
        (gained, owed)
    }

    /// Every IOSD base unit accounted for: each lease's deposit is its
    /// escrow, payouts, fees and refunds; the escrow vault holds exactly
    /// what the leases keep in escrow; and the client's and the provider's
    /// wallets and the protocol's vaults hold the whole supply.
    pub async fn assert_iosd_conserved(&self, leases: &[u64]) {
        let market: Market = self.chain.expect_account(&pda::market()).await.unwrap();
        let mut escrow = 0;
        for &id in leases {
            if let Some(l) = self.chain.account::<Lease>(&pda::lease(id)).await.unwrap() {
                assert_eq!(
                    l.deposited,
                    l.escrow + l.paid_out + l.fees + l.refunded,
                    "lease {id}'s deposit is accounted for"
                );
                escrow += l.escrow;
            }
        }
        assert_eq!(market.escrow_total, escrow, "the market's escrow total");
        assert_eq!(
            self.chain
                .token_balance(&pda::escrow_vault())
                .await
                .unwrap(),
            escrow,
            "the escrow vault holds the leases' escrow"
        );
        let holders = [
            self.iosd,
            pda::associated_token(&self.owner.pubkey(), &pda::iosd_mint()),
            pda::escrow_vault(),
            pda::treasury_iosd_vault(),
            pda::rewards_iosd_vault(),
        ];
        let mut held = 0;
        for key in &holders {
            held += self.chain.token_balance(key).await.unwrap_or(0);
        }
        assert_eq!(
            held,
            self.chain.mint_supply(&pda::iosd_mint()).await.unwrap(),
            "the IOSD supply is all in these wallets and vaults"
        );
    }
}

/// A CPU worker serving device `index` in this process.
impl Network {
    /// A CPU worker serving device `index` in this process, for the keeper
    /// at `url`, until `stop`.
    pub fn start_worker(&self, index: usize, url: &str, stop: CancellationToken) {
        let n = self;
        let config = RunConfig {
            keypair: n.workers[index].clone(),
            keeper: Some(url.to_string()),
            rpc_url: n.url.clone(),
            follow: Duration::from_secs(5),
            slots: 4,
            max_backoff: Duration::from_millis(300),
            grace: Duration::from_secs(1),
        };
        let key = read_keypair_file(&n.workers[index]).unwrap();
        tokio::spawn(async move {
            io_worker::run::run(&config, key, Arc::new(CpuBackend::new()), stop).await
        });
    }
}

/// `count` integer GEMMs of 16 x 16 x 16 from consecutive seeds.
pub fn tiny_jobs(first_seed: u64, count: u64) -> Vec<Job> {
    (first_seed..first_seed + count)
        .map(|seed| {
            Job::new(JobSpec::Gemm(GemmSpec {
                m: 16,
                n: 16,
                k: 16,
                dtype: GemmDtype::I32,
                allow_tf32: false,
                inputs: GemmInputs::Seed { seed },
            }))
        })
        .collect()
}

/// Submits `jobs` to lease `lease` and waits until all succeeded; returns
/// their ids.
pub async fn run_jobs(keeper: &KeeperClient, lease: u64, jobs: Vec<Job>) -> Vec<String> {
    let submitted = keeper
        .submit(&io_compute_sdk::api::SubmitJobs { lease, jobs })
        .await
        .unwrap();
    let ids: Vec<String> = submitted.jobs.into_iter().map(|j| j.id).collect();
    all_succeeded(keeper, &ids).await;
    ids
}

/// Polls until every job of `ids` succeeded (riding out restarts).
pub async fn all_succeeded(keeper: &KeeperClient, ids: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(180);
    for id in ids {
        loop {
            match keeper.status(id).await {
                Ok(status) if status.state == JobState::Succeeded => break,
                Ok(status) if status.state == JobState::Failed => panic!("job failed: {status:?}"),
                _ => {
                    assert!(Instant::now() < deadline, "job {id} did not succeed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// The lease's posted periods once they hold `jobs` receipts; then the
/// books balance: every job in exactly one period, the proofs on the chain
/// holding exactly these jobs.
pub async fn settled(n: &Network, keeper: &KeeperClient, ids: &[String]) -> LeaseReceipts {
    let deadline = Instant::now() + Duration::from_secs(120);
    let receipts = loop {
        if let Ok(receipts) = keeper.get::<LeaseReceipts>("/v1/leases/0/receipts").await {
            let count: usize = receipts.periods.iter().map(|p| p.receipts.len()).sum();
            if count >= ids.len() {
                break receipts;
            }
        }
        assert!(Instant::now() < deadline, "the jobs were not all proven");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let proven: Vec<String> = receipts
        .periods
        .iter()
        .flat_map(|p| p.receipts.iter().map(|r| r.receipt.job_id.clone()))
        .collect();
    let unique: HashSet<&String> = proven.iter().collect();
    assert_eq!(unique.len(), proven.len(), "no receipt is in two proofs");
    assert_eq!(
        unique,
        ids.iter().collect::<HashSet<_>>(),
        "the jobs proven are the jobs run"
    );
    let proofs = n
        .chain
        .program_accounts::<UsageProof>(&[filters::proofs_by_lease(&pda::lease(0))])
        .await
        .unwrap();
    let on_chain: u64 = proofs.iter().map(|(_, p)| p.job_count as u64).sum();
    assert_eq!(
        on_chain,
        ids.len() as u64,
        "the chain's proofs hold every job once"
    );
    let lease: Lease = n.chain.expect_account(&pda::lease(0)).await.unwrap();
    assert_eq!(
        lease.reserved,
        proofs.iter().map(|(_, p)| p.reserved).sum::<u64>(),
        "escrow reserved for exactly the proofs"
    );
    assert_eq!(lease.devices[0].next_proof_seq as usize, proofs.len());
    receipts
}

/// A keeper process, killed when dropped.
pub struct KeeperProcess(pub Child);

impl Drop for KeeperProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port free now on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `io-keeper` binary `bin` serving `n` on `port` (quick sweeps and
/// claims, small device checks), aborting at `crash_at` if given.
pub fn spawn_keeper(
    bin: &str,
    n: &Network,
    port: u16,
    period_jobs: u32,
    crash_at: Option<&str>,
) -> KeeperProcess {
    let mut command = Command::new(bin);
    command
        .arg("--keypair")
        .arg(&n.keeper_keypair)
        .args(["--rpc-urls", &n.url])
        .args(["--ws-url", &format!("ws://{}", n.net.ws_addr)])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--journal")
        .arg(n.dir.join("keeper.db"))
        .args([
            "--sweep-ms",
            "200",
            "--claim-ms",
            "1500",
            "--period-ms",
            "2000",
        ])
        .args(["--period-jobs", &period_jobs.to_string()])
        .args(["--check-n", "64", "--check-steps", "4"])
        .env("RUST_LOG", "error");
    match crash_at {
        Some(point) => command.env("IO_KEEPER_CRASH_AT", point),
        None => command.env_remove("IO_KEEPER_CRASH_AT"),
    };
    KeeperProcess(command.spawn().expect("io-keeper starts"))
}

/// Waits (up to 30 s) for the keeper at `url` to answer.
pub async fn wait_ready(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{url}/v1/keeper")).await.is_err() {
        assert!(Instant::now() < deadline, "the keeper did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `probe` until it gives a value, failing after `secs` seconds.
pub async fn until<T>(what: &str, secs: u64, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not happen in {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Network {
    /// The provider claims the device reward `reward` of `epoch` (from a
    /// keeper's published report) to its IO account; returns what arrived.
    pub async fn claim_device_reward(
        &self,
        epoch: u64,
        reward: &io_keeper::epochs::ReportedReward,
    ) -> u64 {
        let provider = Client::new(&self.url, self.owner.insecure_clone());
        let io = pda::associated_token(&self.owner.pubkey(), &pda::io_mint());
        let before = provider.token_balance(&io).await.unwrap_or(0);
        provider
            .send(
                &[ix::claim_device_reward(
                    self.owner.pubkey(),
                    reward.device.parse().expect("a device key"),
                    io,
                    io_compute::ClaimDeviceRewardArgs {
                        epoch,
                        amount: reward.amount,
                        proof: reward
                            .proof
                            .iter()
                            .map(|h| io_compute_sdk::api::from_hex32(h).expect("a hash"))
                            .collect(),
                    },
                )],
                &[],
            )
            .await
            .expect("the claim lands");
        provider.token_balance(&io).await.expect("an IO account") - before
    }
}
