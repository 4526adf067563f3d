//! The README's `ioc` walk-through, line by line as written, against a
//! fresh `ioc localnet`: each line must succeed in order, and the chain must
//! then hold what the lines made (a provider with stake and a device, a
//! cluster, a proposal).

mod common;

use common::*;
use serde_json::Value;
use std::{
    path::Path,
    process::{Command, Output},
};

/// The lines of the README's shell block that starts with `ioc migrate`.
fn readme_walkthrough() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme
        .find("```sh\nioc migrate")
        .expect("the README has a shell block starting with `ioc migrate`");
    let block = &readme[start + "```sh\n".len()..];
    let block = &block[..block.find("```").expect("the block ends")];
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Runs `line` with bash, `ioc` on the PATH, as a user in `home` whose
/// default URL is the test's localnet.
fn sh(home: &Path, url: &str, line: &str) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ioc")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-c", line])
        .env("PATH", path)
        .env("HOME", home)
        .env("IOC_URL", url)
        .env_remove("IOC_KEYPAIR")
        .env_remove("IOC_CONFIG")
        .output()
        .expect("bash runs")
}

fn json(home: &Path, url: &str, command: &str) -> Value {
    let out = sh(home, url, &format!("ioc --json {command}"));
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn readme_walkthrough_runs_line_by_line() {
    let lines = readme_walkthrough();
    assert!(lines.len() >= 10, "the walk-through lost lines: {lines:?}");
    let node = Node::start(free_port_pair(), &[]);
    let home = tempdir("readme");
    let url = node.rpc_url();
    for line in &lines {
        let out = sh(&home, &url, line);
        assert!(
            out.status.success(),
            "README line failed: {line}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let clusters = json(&home, &url, "cluster list");
    assert_eq!(clusters.as_array().unwrap().len(), 1, "{clusters}");
    assert_eq!(clusters[0]["count"], 2, "{clusters}");
    let proposals = json(&home, &url, "gov list");
    assert_eq!(proposals.as_array().unwrap().len(), 1, "{proposals}");
    assert_eq!(proposals[0]["description"], "cheaper for providers");
    let devices = json(&home, &url, "device list");
    assert_eq!(devices.as_array().unwrap().len(), 1, "{devices}");
    let _ = std::fs::remove_dir_all(&home);
}
