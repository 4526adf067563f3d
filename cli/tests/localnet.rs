//! `ioc localnet` as a process: the JavaScript client suite against it, and
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
    node.child.kill().unwrap();
    node.child.wait().unwrap();
    drop(node);

    let node = Node::start(port, &["--ledger", ledger_arg]);
    let balance = node.call("getBalance", json!([wallet]));
    assert_eq!(balance["value"], 5_000_000_000u64);
    drop(node);

    let node = Node::start(port, &["--ledger", ledger_arg, "--reset"]);
    assert_eq!(node.call("getBalance", json!([wallet]))["value"], 0);
    drop(node);
    std::fs::remove_dir_all(&ledger).unwrap();
}
