//! Every `ioc` command group against `ioc localnet`, as a user runs them:
//! `--json` output asserted field by field and checked against the chain;
//! `--help` on every command; bad input exits non-zero with one line on
//! stderr and changes nothing.

mod common;

use common::*;
use io_compute::state::{Device, Provider, StakePosition};
use io_compute_sdk::{client::Client, pda};
use serde_json::Value;
use solana_sdk::{pubkey::Pubkey, signer::keypair::read_keypair_file, signer::Signer};
use std::{
    path::Path,
    process::{Command, Output},
    str::FromStr,
};

const ONE_IO: u64 = 1_000_000_000;

/// `ioc` with `home` as HOME (so the Solana CLI config lives there).
fn ioc(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ioc"))
        .args(args)
        .env("HOME", home)
        .env_remove("IOC_URL")
        .env_remove("IOC_KEYPAIR")
        .env_remove("IOC_CONFIG")
        .output()
        .expect("ioc runs")
}

/// Runs a command that must succeed and returns its JSON output.
#[track_caller]
fn ok(home: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = ioc(home, &all);
    assert!(
        out.status.success(),
        "ioc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "ioc {args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Runs a command that must fail with one line on stderr containing `needle`.
#[track_caller]
fn fails(home: &Path, args: &[&str], needle: &str) {
    let out = ioc(home, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "ioc {args:?} succeeded");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "ioc {args:?}: not one line: {stderr}");
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    assert!(
        lines[0].contains(needle),
        "ioc {args:?}: {:?} lacks {needle:?}",
        lines[0]
    );
}

fn key(value: &Value) -> Pubkey {
    Pubkey::from_str(value.as_str().expect("a pubkey string")).unwrap()
}

struct Chain {
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Chain {
    fn new(url: &str) -> Self {
        Self {
            runtime: tokio::runtime::Runtime::new().unwrap(),
            client: Client::new(url, solana_sdk::signature::Keypair::new()),
        }
    }

    fn account<T: anchor_lang::AccountDeserialize + anchor_lang::Discriminator>(
        &self,
        key: &Pubkey,
    ) -> Option<T> {
        self.runtime.block_on(self.client.account(key)).unwrap()
    }

    fn balance(&self, owner: &Pubkey, mint: &Pubkey) -> u64 {
        let account = pda::associated_token(owner, mint);
        self.runtime
            .block_on(self.client.token_balance(&account))
            .unwrap()
    }
}

#[test]
fn every_command_has_help() {
    let home = tempdir("help");
    let commands: &[&[&str]] = &[
        &[],
        &["localnet"],
        &["keygen"],
        &["keygen", "new"],
        &["config"],
        &["config", "get"],
        &["config", "set"],
        &["migrate"],
        &["provider"],
        &["provider", "register"],
        &["provider", "update"],
        &["provider", "show"],
        &["provider", "close"],
        &["device"],
        &["device", "add"],
        &["device", "update"],
        &["device", "remove"],
        &["device", "list"],
        &["stake"],
        &["stake", "add"],
        &["stake", "co-stake"],
        &["stake", "unstake"],
        &["stake", "withdraw"],
        &["stake", "list"],
        &["stake", "claim"],
        &["token"],
        &["token", "balance"],
        &["token", "burn-for-iosd"],
        &["token", "airdrop"],
        &["oracle"],
        &["oracle", "show"],
        &["oracle", "set-price"],
        &["epoch"],
        &["epoch", "show"],
        &["epoch", "advance"],
        &["epoch", "claim"],
        &["cluster"],
        &["cluster", "create"],
        &["cluster", "list"],
        &["cluster", "show"],
        &["cluster", "top-up"],
        &["cluster", "cancel"],
        &["cluster", "close"],
        &["proof"],
        &["proof", "list"],
        &["proof", "show"],
        &["proof", "dispute"],
        &["proof", "finalize"],
        &["gov"],
        &["gov", "propose"],
        &["gov", "vote"],
        &["gov", "relinquish"],
        &["gov", "finalize"],
        &["gov", "execute"],
        &["gov", "list"],
        &["gov", "show"],
        &["gov", "params"],
        &["network"],
        &["network", "stats"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let out = ioc(&home, &args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "ioc {args:?}");
        assert!(stdout.contains("Usage: ioc"), "ioc {args:?}: {stdout}");
    }
}

#[test]
fn command_groups_against_localnet() {
    let home = tempdir("flow");
    let port = free_port_pair();
    let node = Node::start(port, &[]);
    let url = node.rpc_url();
    let chain = Chain::new(&url);
    let io_mint = pda::io_mint();

    // keygen and config: the Solana CLI config file is the default.
    let admin_path = home.join("admin.json");
    let admin = ok(
        &home,
        &["keygen", "new", "-o", admin_path.to_str().unwrap()],
    );
    let admin_key = key(&admin["pubkey"]);
    assert_eq!(
        read_keypair_file(&admin_path).unwrap().to_bytes().len(),
        64,
        "a Solana keypair file"
    );
    fails(
        &home,
        &["keygen", "new", "-o", admin_path.to_str().unwrap()],
        "exists; pass --force",
    );
    let set = ok(
        &home,
        &[
            "config",
            "set",
            "--url",
            &url,
            "--keypair",
            admin_path.to_str().unwrap(),
        ],
    );
    assert_eq!(set["url"], url.as_str());
    let got = ok(&home, &["config", "get"]);
    assert_eq!(
        (got["url"].as_str(), got["keypair"].as_str()),
        (Some(url.as_str()), admin_path.to_str())
    );
    assert!(home.join(".config/solana/cli/config.yml").exists());

    // Before set-up, and with an empty wallet, the words say what to do.
    fails(
        &home,
        &["token", "burn-for-iosd", "--io", "1"],
        "IO Compute is not set up on",
    );
    fails(
        &home,
        &[
            "provider",
            "register",
            "--name",
            "x",
            "--region",
            "us-east",
            "--endpoint",
            "https://x",
        ],
        "has no SOL to pay the fee (on localnet: `ioc token airdrop`)",
    );

    // migrate: every step once, then nothing.
    let first = ok(&home, &["migrate", "--epoch-length", "3"]);
    let steps = first["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 7);
    assert!(steps.iter().all(|s| s["applied"] == true), "{first}");
    let second = ok(&home, &["migrate", "--epoch-length", "3"]);
    assert!(
        second["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["applied"] == false),
        "{second}"
    );
    let config: io_compute::state::Config = chain.account(&pda::config()).unwrap();
    assert_eq!(config.authority, admin_key);

    // A provider wallet, funded from the localnet faucet.
    let provider_path = home.join("provider.json");
    let provider = key(&ok(
        &home,
        &["keygen", "new", "-o", provider_path.to_str().unwrap()],
    )["pubkey"]);
    let p = ["-k", provider_path.to_str().unwrap()];
    let with = |extra: &[&str]| -> Vec<String> {
        p.iter()
            .chain(extra.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let run = |extra: &[&str]| {
        ok(
            &home,
            &with(extra).iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    let airdrop = run(&["token", "airdrop", "--sol", "5", "--io", "50000"]);
    fails(
        &home,
        &with(&["stake", "add", "1"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        "you are not a provider yet: register with `ioc provider register`",
    );
    assert_eq!(airdrop["io"], 50_000 * ONE_IO);
    let balance = run(&["token", "balance"]);
    // 5 SOL less the IO account's rent and the two-signature fee, which
    // the recipient paid.
    assert_eq!(
        (balance["io"].as_u64(), balance["sol_lamports"].as_u64()),
        (Some(50_000 * ONE_IO), Some(5 * ONE_IO - 2_039_280 - 10_000))
    );
    assert_eq!(chain.balance(&provider, &io_mint), 50_000 * ONE_IO);

    // provider
    let registered = run(&[
        "provider",
        "register",
        "--name",
        "Acme",
        "--region",
        "us-east",
        "--endpoint",
        "https://gpu.acme.dev",
    ]);
    assert_eq!(key(&registered["id"]), pda::provider(&provider));
    let updated = run(&["provider", "update", "--co-stake-share-bps", "9000"]);
    assert_eq!(updated["co_stake_share_bps"], 9_000);
    let on_chain: Provider = chain.account(&pda::provider(&provider)).unwrap();
    assert_eq!(
        (on_chain.name.as_str(), on_chain.co_stake_share_bps),
        ("Acme", 9_000)
    );
    let shown = ok(&home, &["provider", "show", &provider.to_string()]);
    assert_eq!(shown["name"], "Acme");

    // stake
    let staked = run(&["stake", "add", "2000", "--lockup-days", "30"]);
    let position = key(&staked["id"]);
    assert_eq!(
        position,
        pda::stake_position(&provider, &pda::provider(&provider), 0)
    );
    let listed = run(&["stake", "list"]);
    assert_eq!(listed[0]["value"], 2_000 * ONE_IO);
    assert_eq!(listed[0]["kind"], "own");
    let pos: StakePosition = chain.account(&position).unwrap();
    assert_eq!(pos.deposited, 2_000 * ONE_IO);

    // device
    let added = run(&[
        "device", "add", "--gpu", "RTX4090", "--count", "2", "--vram", "24", "--price", "0.45",
    ]);
    assert_eq!(added["index"], 0);
    let device = key(&added["id"]);
    // Without --worker, a worker keypair is made and saved for the device.
    let worker = read_keypair_file(
        added["worker_keypair"]
            .as_str()
            .expect("a worker keypair path"),
    )
    .unwrap();
    assert_eq!(key(&added["worker"]), worker.pubkey());
    // The provider rotates the worker key; the new one signs from now on.
    let worker = solana_sdk::signature::Keypair::new();
    let rotated = run(&[
        "device",
        "update",
        "0",
        "--worker",
        &worker.pubkey().to_string(),
    ]);
    assert_eq!(key(&rotated["worker"]), worker.pubkey());
    let repriced = run(&["device", "update", "0", "--price", "0.5"]);
    assert_eq!(repriced["price_per_gpu_hour"], 500_000);
    let devices = run(&["device", "list"]);
    assert_eq!(devices.as_array().unwrap().len(), 1);
    assert_eq!(
        (devices[0]["gpu"].as_str(), devices[0]["status"].as_str()),
        (Some("RTX4090"), Some("idle"))
    );
    let d: Device = chain.account(&device).unwrap();
    assert_eq!(d.price_per_gpu_hour, 500_000);

    // token: burn at the oracle price; oracle: the admin moves it.
    let burned = run(&["token", "burn-for-iosd", "--io", "10"]);
    assert_eq!(
        (burned["io_burned"].as_u64(), burned["iosd_minted"].as_u64()),
        (Some(10 * ONE_IO), Some(10_000_000))
    );
    let set_price = ok(&home, &["oracle", "set-price", "1.05"]);
    assert_eq!(set_price["price"], 105_000_000);
    assert_eq!(ok(&home, &["oracle", "show"])["feed"]["price"], 105_000_000);

    // epoch: advance once the 3-second epoch has run, then claim rewards.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let advanced = ok(&home, &["epoch", "advance"]);
    assert_eq!(advanced["epoch"], 1);
    assert!(advanced["emitted"].as_u64().unwrap() > 0);
    let shown = ok(&home, &["epoch", "show"]);
    assert_eq!(shown["epoch"], 1);
    assert_eq!(shown["last_emission"]["emitted"], advanced["emitted"]);
    let claimed = run(&["stake", "claim"]);
    assert!(claimed["io"].as_u64().unwrap() > 0, "{claimed}");

    // The keeper (the admin) posts epoch 0's device rewards; the provider
    // claims its device's leaf with the proof.
    let tree = io_compute_sdk::merkle::DeviceRewardTree::new(
        0,
        vec![
            io_compute_sdk::merkle::DeviceReward {
                device,
                owner: provider,
                amount: ONE_IO / 2,
            },
            io_compute_sdk::merkle::DeviceReward {
                device: Pubkey::new_unique(),
                owner: admin_key,
                amount: ONE_IO / 4,
            },
        ],
    );
    let admin_client = Client::new(&url, read_keypair_file(&admin_path).unwrap());
    chain
        .runtime
        .block_on(admin_client.send(
            &[io_compute_sdk::ix::post_device_rewards(
                admin_key,
                io_compute::PostDeviceRewardsArgs {
                    epoch: 0,
                    root: tree.root(),
                    total: tree.total(),
                },
            )],
            &[],
        ))
        .unwrap();
    let proof_hex: Vec<String> = tree
        .proof(0)
        .iter()
        .map(|h| h.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    let device_str = device.to_string();
    let proof_arg = proof_hex.join(",");
    let claim = [
        "epoch",
        "claim",
        "--epoch",
        "0",
        "--device",
        &device_str,
        "--amount",
        "0.5",
        "--proof",
        &proof_arg,
    ];
    let wrong = [
        "epoch",
        "claim",
        "--epoch",
        "0",
        "--device",
        &device_str,
        "--amount",
        "0.6",
        "--proof",
        &proof_arg,
    ];
    // Claims open after the root's one-day dispute window.
    fails(&home, &[&p[..], &claim[..]].concat(), "DeviceRewardsLocked");
    node.call("localnet_warpClock", serde_json::json!([86_400]));
    fails(&home, &[&p[..], &wrong[..]].concat(), "InvalidMerkleProof");
    let paid = run(&claim);
    assert_eq!(paid["io"], ONE_IO / 2);
    // A new slot, so the repeat is a new transaction, not a duplicate.
    std::thread::sleep(std::time::Duration::from_millis(900));
    fails(
        &home,
        &[&p[..], &claim[..]].concat(),
        "DeviceRewardAlreadyClaimed",
    );
    // A day passed: the price authority posts a fresh price.
    ok(&home, &["oracle", "set-price", "1.05"]);

    // Bad input: a clear line, a failure exit, nothing changed.
    let before = chain.balance(&provider, &io_mint);
    let bad = |extra: &[&str], needle: &str| {
        fails(
            &home,
            &with(extra).iter().map(String::as_str).collect::<Vec<_>>(),
            needle,
        )
    };
    bad(&["stake", "add", "100000"], "insufficient IO: you have");
    bad(&["stake", "add", "-5"], "amount \"-5\" is negative");
    bad(&["stake", "add", "12abc"], "is not a decimal number");
    bad(&["stake", "add", "0.0000000001"], "more than 9 decimals");
    bad(
        &["token", "burn-for-iosd", "--io", "100000"],
        "InsufficientBalance",
    );
    bad(
        &["stake", "unstake", "--nonce", "7"],
        "AccountNotInitialized",
    );
    bad(&["device", "update", "0"], "nothing to change");
    fails(
        &home,
        &["provider", "show", &Pubkey::new_unique().to_string()],
        "does not exist",
    );
    let garbage = home.join("garbage.json");
    std::fs::write(&garbage, "not a keypair").unwrap();
    fails(
        &home,
        &["-k", garbage.to_str().unwrap(), "token", "balance"],
        "cannot read keypair",
    );
    fails(
        &home,
        &["-u", "http://127.0.0.1:1", "token", "balance"],
        "cannot reach http://127.0.0.1:1: is the node running?",
    );
    assert_eq!(
        chain.balance(&provider, &io_mint),
        before,
        "a refused command moved IO"
    );
    let pos_after: StakePosition = chain.account(&position).unwrap();
    assert_eq!(pos_after.deposited, 2_000 * ONE_IO);

    // cluster: a client pays IOSD into escrow.
    let client_path = home.join("client.json");
    let client_key = key(&ok(
        &home,
        &["keygen", "new", "-o", client_path.to_str().unwrap()],
    )["pubkey"]);
    let c = ["-k", client_path.to_str().unwrap()];
    let as_client = |extra: &[&str]| {
        let args: Vec<&str> = c.iter().chain(extra.iter()).copied().collect();
        ok(&home, &args)
    };
    as_client(&["token", "airdrop", "--sol", "5", "--io", "100"]);
    as_client(&["token", "burn-for-iosd", "--io", "50"]);
    let iosd_mint = pda::iosd_mint();
    let iosd_before = chain.balance(&client_key, &iosd_mint);
    let create = [
        "cluster",
        "create",
        "--gpu",
        "RTX4090",
        "--count",
        "2",
        "--hours",
        "1",
        "--max-price",
        "0.5",
    ];
    let created = as_client(&create);
    // 2 GPUs x 1 h x 0.50 + 2.5 % client fee.
    assert_eq!(
        (created["id"].as_u64(), created["deposited"].as_u64()),
        (Some(0), Some(1_025_000))
    );
    assert_eq!(
        chain.balance(&client_key, &iosd_mint),
        iosd_before - 1_025_000
    );
    let second = as_client(&create);
    assert_eq!(second["id"], 1);
    let cancelled = as_client(&["cluster", "cancel", "1"]);
    assert_eq!(cancelled["refunded"], 1_025_000);
    let topped = as_client(&["cluster", "top-up", "0", "0.1"]);
    assert_eq!(topped["escrow"], 1_125_000);
    let listed = as_client(&["cluster", "list"]);
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the cancelled cluster is gone"
    );
    assert_eq!(as_client(&["cluster", "show", "0"])["status"], "open");
    fails(
        &home,
        &["cluster", "show", "99"],
        "cluster 99 does not exist",
    );
    fails(
        &home,
        &[&c[..], &["cluster", "top-up", "0", "-1"]].concat(),
        "is negative",
    );

    // The keeper (the migration's admin) matches it and posts a proof.
    let keeper = Client::new(&url, read_keypair_file(&admin_path).unwrap());
    let provider_account = pda::provider(&provider);
    let send = |ixs: Vec<solana_sdk::instruction::Instruction>| {
        chain.runtime.block_on(keeper.send(&ixs, &[])).unwrap();
    };
    send(vec![io_compute_sdk::ix::assign_devices(
        admin_key,
        0,
        &[device],
        &[provider_account],
    )]);
    assert_eq!(as_client(&["cluster", "show", "0"])["status"], "active");
    // Errors name the object and its state, then the program's error.
    fails(
        &home,
        &[&c[..], &["cluster", "cancel", "0"]].concat(),
        "cluster 0 is active: LeaseNotOpen: Lease is not Open",
    );
    let start = chain
        .account::<io_compute::state::Lease>(&pda::lease(0))
        .unwrap()
        .start;
    node.call("localnet_warpClock", serde_json::json!([120]));
    let period = io_compute::PostUsageProofArgs {
        seq: 0,
        period_start: start,
        period_end: start + 60,
        device_time_us: 120_000_000,
        job_count: 1,
        receipts_root: [1; 32],
    };
    let attestation = io_compute_sdk::ix::usage_attestation(0, device, &period);
    let signature = io_compute_sdk::worker_key::sign_attestation(&worker, &attestation);
    send(
        io_compute_sdk::ix::post_usage_proof(
            admin_key,
            0,
            device,
            period,
            &worker.pubkey(),
            &signature,
        )
        .into(),
    );

    // proof: listed, locked for a day, then settled by anyone.
    let proofs = ok(&home, &["proof", "list", "--cluster", "0"]);
    assert_eq!(proofs.as_array().unwrap().len(), 1);
    let proof_id = proofs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        ok(&home, &["proof", "show", &proof_id])["amount_due"],
        16_666
    );
    fails(&home, &["proof", "finalize", &proof_id], "ProofLocked");
    node.call("localnet_warpClock", serde_json::json!([86_400]));
    fails(
        &home,
        &[&c[..], &["proof", "dispute", &proof_id]].concat(),
        "DisputeWindowClosed",
    );
    let provider_iosd = chain.balance(&provider, &iosd_mint);
    ok(&home, &["proof", "finalize", &proof_id]);
    // 1 minute of 2 GPUs at 0.50 = 0.016666; less the 2 % provider fee.
    assert_eq!(
        chain.balance(&provider, &iosd_mint),
        provider_iosd + 16_666 - 334
    );
    // The 59 unproven minutes of 2 GPUs at 0.50 (+2.5 %) are held back for
    // the keeper's last proofs; the rest is refunded.
    let closed = as_client(&["cluster", "close", "0"]);
    let holdback = 983_333 + 24_584;
    assert_eq!(closed["holdback"], holdback);
    assert_eq!(closed["refunded"], 1_125_000 - 16_666 - 417 - holdback);
    assert_eq!(
        ok(
            &home,
            &["device", "list", "--provider", &provider.to_string()]
        )[0]["status"],
        "idle"
    );

    // gov: the provider proposes with a fresh 10,000 IO position and votes.
    run(&["stake", "add", "10000"]);
    node.call("localnet_warpClock", serde_json::json!([5]));
    let proposed = run(&[
        "gov",
        "propose",
        "--set",
        "provider_fee_bps=300",
        "--description",
        "cheaper for providers",
        "--nonce",
        "1",
    ]);
    assert_eq!(
        (proposed["id"].as_u64(), proposed["state"].as_str()),
        (Some(0), Some("voting"))
    );
    fails(
        &home,
        &[
            &p[..],
            &[
                "gov",
                "propose",
                "--set",
                "provider_fee_bps=5000",
                "--description",
                "x",
                "--nonce",
                "1",
            ],
        ]
        .concat(),
        "ChangeOutOfBounds",
    );
    fails(
        &home,
        &[
            &p[..],
            &["gov", "propose", "--set", "fee=1", "--description", "x"],
        ]
        .concat(),
        "unknown parameter",
    );
    // Every governable parameter can be named from the CLI, the fee split too.
    let params = run(&["gov", "params"]);
    let names: Vec<&str> = params
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 20, "one name per ParamChange variant");
    assert!(names.contains(&"fee_split") && names.contains(&"governance"));
    let voted = run(&["gov", "vote", "0", "yes", "--nonce", "1"]);
    assert_eq!(voted["yes"], (10_000 * ONE_IO).to_string());
    fails(
        &home,
        &[&p[..], &["gov", "vote", "0", "no", "--nonce", "1"]].concat(),
        "AlreadyVoted",
    );
    assert_eq!(ok(&home, &["gov", "list"]).as_array().unwrap().len(), 1);
    node.call("localnet_warpClock", serde_json::json!([3 * 86_400]));
    assert_eq!(ok(&home, &["gov", "finalize", "0"])["state"], "succeeded");
    node.call("localnet_warpClock", serde_json::json!([2 * 86_400]));
    fails(&home, &["gov", "execute", "0"], "GovernanceNotInControl");
    run(&["gov", "relinquish", "0", "--nonce", "1"]);
    assert_eq!(ok(&home, &["gov", "show", "0"])["state"], "succeeded");

    // Days later no proof came for the held-back time: closing again
    // refunds it and closes the record.
    let swept = as_client(&["cluster", "close", "0"]);
    assert_eq!(
        (swept["refunded"].as_u64(), swept["holdback"].as_u64()),
        (Some(holdback), Some(0))
    );

    // network stats (the settled cluster's record has closed)
    let stats = ok(&home, &["network", "stats"]);
    assert_eq!(
        (stats["devices"].as_u64(), stats["clusters"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(stats["gpus_by_model"][0]["gpu"], "RTX4090");
    assert_eq!(stats["gpus_by_model"][0]["idle_gpus"], 2);

    // co-stake, unstake, withdraw after the 14-day cooldown.
    let backed = as_client(&["stake", "co-stake", &provider.to_string(), "10"]);
    assert_eq!(backed["nonce"], 0);
    let mine = as_client(&["stake", "list"]);
    assert_eq!(
        (mine[0]["kind"].as_str(), mine[0]["value"].as_u64()),
        (Some("co-stake"), Some(10 * ONE_IO))
    );
    let provider_flag = ["--provider", &provider.to_string()].map(String::from);
    let with_provider = |verb: &str| -> Vec<String> {
        c.iter()
            .map(|s| s.to_string())
            .chain(["stake".into(), verb.into()])
            .chain(provider_flag.clone())
            .collect()
    };
    let unstake = with_provider("unstake");
    ok(
        &home,
        &unstake.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let withdraw = with_provider("withdraw");
    fails(
        &home,
        &withdraw.iter().map(String::as_str).collect::<Vec<_>>(),
        "CooldownNotEnded",
    );
    node.call("localnet_warpClock", serde_json::json!([14 * 86_400]));
    let withdrawn = ok(
        &home,
        &withdraw.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(withdrawn["io_received"], 10 * ONE_IO);

    // With no config and no keypair, localnet creates one and says so.
    let fresh = tempdir("fresh");
    let out = ioc(&fresh, &["-u", &url, "--json", "token", "balance"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("created a new keypair"));
    let created = read_keypair_file(fresh.join(".config/solana/id.json")).unwrap();
    let balance: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        balance["owner"],
        solana_sdk::signer::Signer::pubkey(&created).to_string()
    );

    // device remove: gone from the list and the chain.
    assert_eq!(run(&["device", "remove", "0"])["index"], 0);
    assert!(run(&["device", "list"]).as_array().unwrap().is_empty());
    assert!(chain.account::<Device>(&device).is_none());
    drop(node);
}

/// M7: a cluster of 16 devices from 16 providers names more accounts than a
/// legacy transaction holds. The keeper assigns it and `ioc cluster close`
/// closes it, both through address lookup tables: the devices go back to
/// Idle and the escrow to the client, less the held-back unproven time.
#[test]
fn a_sixteen_provider_cluster_closes_through_a_lookup_table() {
    use io_compute::{state::DeviceStatus, StakeArgs};
    use io_compute_sdk::{gpu, ix, lookup};
    let home = tempdir("wide");
    let node = Node::start(free_port_pair(), &[]);
    let url = node.rpc_url();
    let chain = Chain::new(&url);
    let admin_path = home.join("admin.json");
    let admin_key = key(&ok(
        &home,
        &["keygen", "new", "-o", admin_path.to_str().unwrap()],
    )["pubkey"]);
    ok(
        &home,
        &[
            "config",
            "set",
            "--url",
            &url,
            "--keypair",
            admin_path.to_str().unwrap(),
        ],
    );
    ok(&home, &["migrate", "--epoch-length", "3600"]);

    let (mut devices, mut providers) = (Vec::new(), Vec::new());
    for i in 0..16 {
        let path = home.join(format!("provider-{i}.json"));
        ok(&home, &["keygen", "new", "-o", path.to_str().unwrap()]);
        ok(
            &home,
            &[
                "-k",
                path.to_str().unwrap(),
                "token",
                "airdrop",
                "--sol",
                "1",
                "--io",
                "5000",
            ],
        );
        let owner = read_keypair_file(&path).unwrap();
        let io = pda::associated_token(&owner.pubkey(), &pda::io_mint());
        let profile = io_compute::state::ProviderProfile {
            name: format!("provider {i}"),
            region: "eu-west".into(),
            endpoint: "https://gpu.example.org".into(),
            co_stake_share_bps: 0,
        };
        let spec = io_compute::state::DeviceSpec {
            model: gpu::model_code("RTX4090").unwrap(),
            gpu_count: 1,
            vram_gb: 24,
            price_per_gpu_hour: 400_000,
            status: DeviceStatus::Idle,
            worker: owner.pubkey(),
        };
        let stake = StakeArgs {
            nonce: 0,
            amount: 5_000 * ONE_IO,
            lockup_secs: 0,
        };
        let instructions = [
            ix::register_provider(owner.pubkey(), profile),
            ix::stake(owner.pubkey(), io, stake),
            ix::add_device(owner.pubkey(), 0, spec),
        ];
        let provider_client = Client::new(&url, owner.insecure_clone());
        chain
            .runtime
            .block_on(provider_client.send(&instructions, &[]))
            .unwrap();
        providers.push(pda::provider(&owner.pubkey()));
        devices.push(pda::device(&pda::provider(&owner.pubkey()), 0));
    }

    let client_path = home.join("client.json");
    let client_key = key(&ok(
        &home,
        &["keygen", "new", "-o", client_path.to_str().unwrap()],
    )["pubkey"]);
    let as_client = |extra: &[&str]| {
        let args: Vec<&str> = ["-k", client_path.to_str().unwrap()]
            .iter()
            .chain(extra)
            .copied()
            .collect();
        ok(&home, &args)
    };
    as_client(&["token", "airdrop", "--sol", "5", "--io", "200"]);
    as_client(&["token", "burn-for-iosd", "--io", "100"]);
    let created = as_client(&[
        "cluster",
        "create",
        "--gpu",
        "RTX4090",
        "--count",
        "16",
        "--hours",
        "1",
        "--max-price",
        "0.5",
    ]);
    let deposited = created["deposited"].as_u64().unwrap();

    // The keeper (the migration's admin) assigns all 16 through a table.
    let keeper = Client::new(&url, read_keypair_file(&admin_path).unwrap());
    let assign = ix::assign_devices(admin_key, 0, &devices, &providers);
    assert!(
        !lookup::fits_legacy(std::slice::from_ref(&assign), &admin_key),
        "too wide for a legacy transaction"
    );
    chain
        .runtime
        .block_on(keeper.send_with_lookup_table(
            &[assign],
            &[],
            &lookup::lease_addresses(&devices, &providers),
        ))
        .unwrap();
    assert_eq!(as_client(&["cluster", "show", "0"])["status"], "active");

    let iosd_before = chain.balance(&client_key, &pda::iosd_mint());
    let closed = as_client(&["cluster", "close", "0"]);
    let (refunded, holdback) = (
        closed["refunded"].as_u64().unwrap(),
        closed["holdback"].as_u64().unwrap(),
    );
    assert_eq!(refunded + holdback, deposited, "{closed}");
    assert_eq!(
        chain.balance(&client_key, &pda::iosd_mint()),
        iosd_before + refunded
    );
    for device in &devices {
        let d: Device = chain.account(device).unwrap();
        assert_eq!(d.status, DeviceStatus::Idle);
    }
}
