//! `ioc localnet` as a process: the JavaScript client suite against it, and
//! recovery after kill -9.

use serde_json::{json, Value};
use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A port whose successor is free too (RPC and WebSocket).
fn free_port_pair() -> u16 {
    for _ in 0..50 {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no free port pair");
}

struct Node {
    child: Child,
    port: u16,
}

impl Node {
    /// Starts `ioc localnet` and waits (up to 60 s) for it to say "ready".
    fn start(port: u16, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ioc"))
            .args(["localnet", "--rpc-port", &port.to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("ioc starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line == "ready" => return Self { child, port },
                Ok(_) => continue,
                Err(_) => {
                    let _ = child.kill();
                    panic!("ioc localnet did not become ready");
                }
            }
        }
    }

    fn rpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn call(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let response: Value = reqwest::blocking::Client::new()
            .post(self.rpc_url())
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

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
