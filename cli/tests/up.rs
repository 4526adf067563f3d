//! `ioc up --demo` as a newcomer runs it: the whole network starts, a
//! cluster is rented, jobs run and are proven, the receipts check against
//! the chain, and everything stops. With `--ledger` a second run continues
//! the first one's chain (its cluster is still there).

mod common;

use serde_json::Value;
use std::process::Command;

fn demo(ledger: &std::path::Path) -> Value {
    let rpc = common::free_port_pair();
    let keeper = common::free_port_pair();
    let out = Command::new(env!("CARGO_BIN_EXE_ioc"))
        .args(["up", "--demo", "--worker", "cpu"])
        .args(["--rpc-port", &rpc.to_string()])
        .args(["--keeper-port", &keeper.to_string()])
        .arg("--ledger")
        .arg(ledger)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ioc up --demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("IO Compute is up"), "{stdout}");
    assert!(stdout.contains("unlocks in"), "{stdout}");
    let summary = stdout
        .lines()
        .find(|l| l.starts_with('{'))
        .expect("the demo's JSON summary");
    serde_json::from_str(summary).unwrap()
}

#[test]
fn the_demo_rents_runs_proves_and_continues_on_its_ledger() {
    let ledger = std::env::temp_dir().join(format!("ioc-up-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&ledger);
    let first = demo(&ledger);
    assert_eq!(first["demo"], "ok");
    assert_eq!(
        (first["receipts"].clone(), first["proofs"].clone()),
        (4.into(), 1.into())
    );
    assert_eq!(first["cluster"], 0);
    let second = demo(&ledger);
    assert_eq!(
        second["cluster"], 1,
        "the first run's cluster is still on the chain"
    );
    assert_eq!(second["receipts"], 4);
    let _ = std::fs::remove_dir_all(&ledger);
}
