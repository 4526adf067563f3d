//! `ioc localnet` as a process: the JavaScript client suites against it
//! (@solana/web3.js; Anchor's two TypeScript packages, @solana/spl-token and
//! the RPC methods they need, on transactions of the program itself) and
//! solana-py, and
//! recovery after kill -9.

mod common;

use common::*;
use serde_json::json;
use std::{process::Command, time::Duration};

#[test]
fn web3_js_confirms_over_websocket_against_ioc_localnet() {
    let js = repo_root().join("localnet/js");
    assert!(
        js.join("node_modules/@solana/web3.js").exists(),
        "JavaScript test dependencies missing: run `npm ci --prefix localnet/js` (the README's test command does)"
    );
    let port = free_port_pair();
    let node = Node::start(port, &[]);
    let status = Command::new("node")
        .args(["--test", "--test-force-exit", "web3.test.mjs"])
        .current_dir(&js)
        .env("LOCALNET_RPC_URL", node.rpc_url())
        .env("LOCALNET_WS_URL", format!("ws://127.0.0.1:{}", port + 1))
        .status()
        .expect("node runs");
    assert!(status.success(), "the @solana/web3.js suite failed");
}

#[test]
fn third_party_clients_read_the_program_against_ioc_localnet() {
    let js = repo_root().join("localnet/js");
    assert!(
        js.join("node_modules/@coral-xyz/anchor").exists(),
        "JavaScript test dependencies missing: run `npm ci --prefix localnet/js` (the README's test command does)"
    );
    let port = free_port_pair();
    let node = Node::start(port, &[]);
    let home = tempdir("clients");
    let ioc = |args: &[&str]| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_ioc"))
            .args(["--json", "-u", &node.rpc_url()])
            .args(args)
            .env("HOME", &home)
            .output()
            .expect("ioc runs");
        assert!(
            out.status.success(),
            "ioc {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    ioc(&["migrate", "--epoch-length", "60"]);
    ioc(&["token", "airdrop"]);
    let burn = ioc(&["token", "burn-for-iosd", "--io", "10"]);
    let wallet = ioc(&["token", "balance"])["owner"]
        .as_str()
        .unwrap()
        .to_string();
    let status = Command::new("node")
        .args(["--test", "--test-force-exit", "clients.test.mjs"])
        .current_dir(&js)
        .env("LOCALNET_RPC_URL", node.rpc_url())
        .env("LOCALNET_WS_URL", format!("ws://127.0.0.1:{}", port + 1))
        .env("IOC_IDL", repo_root().join("idl/io_compute.json"))
        .env("IOC_BURN_SIGNATURE", burn["signature"].as_str().unwrap())
        .env("IOC_WALLET", &wallet)
        .status()
        .expect("node runs");
    assert!(status.success(), "the JavaScript client suite failed");

    let python = repo_root().join("target/py-clients/bin/python");
    assert!(
        python.exists(),
        "solana-py missing: run the README's test command (it makes target/py-clients)"
    );
    let status = Command::new(python)
        .args(["-m", "unittest", "-v", "test_clients"])
        .current_dir(repo_root().join("localnet/py"))
        .env("LOCALNET_RPC_URL", node.rpc_url())
        .env("IOC_BURN_SIGNATURE", burn["signature"].as_str().unwrap())
        .env("IOC_WALLET", &wallet)
        .env("IOC_IO_MINT", io_compute_sdk::pda::io_mint().to_string())
        .status()
        .expect("python runs");
    assert!(status.success(), "the solana-py suite failed");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn kill_9_keeps_everything_older_than_the_snapshot_interval() {
    let ledger = std::env::temp_dir().join(format!("ioc-kill9-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&ledger);
    let ledger_arg = ledger.to_str().unwrap();
    let wallet = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";

    let port = free_port_pair();
    let mut node = Node::start(port, &["--ledger", ledger_arg]);
    node.call("requestAirdrop", json!([wallet, 5_000_000_000u64]));
    node.call("localnet_warpClock", json!([3_600]));
    // Longer than the 2 s snapshot interval, then no graceful shutdown.
    std::thread::sleep(Duration::from_secs(3));
    let genesis_hash = node.call("getGenesisHash", json!([]));
    let slot_before = node.call("getSlot", json!([])).as_u64().unwrap();
    node.child.kill().unwrap();
    node.child.wait().unwrap();
    drop(node);

    let node = Node::start(port, &["--ledger", ledger_arg]);
    let balance = node.call("getBalance", json!([wallet]));
    assert_eq!(balance["value"], 5_000_000_000u64);
    // The same chain, its slots going on past the last one seen.
    assert_eq!(node.call("getGenesisHash", json!([])), genesis_hash);
    let slot_after = node.call("getSlot", json!([])).as_u64().unwrap();
    assert!(
        slot_after > slot_before,
        "slot {slot_after} after kill -9, {slot_before} before"
    );
    drop(node);

    let node = Node::start(port, &["--ledger", ledger_arg, "--reset"]);
    assert_eq!(node.call("getBalance", json!([wallet]))["value"], 0);
    drop(node);
    std::fs::remove_dir_all(&ledger).unwrap();
}
