//! The io-worker binary as an operator runs it on a machine without CUDA:
//! detect reports the CPU backend, a GPU-only request fails with one line,
//! bench prints the documented JSON.

use std::process::Command;

fn worker(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_io-worker"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("io-worker runs")
}

#[test]
fn detect_and_bench_without_cuda() {
    let out = worker(&["detect", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["backend"], "cpu");
    assert_eq!(info["count"], 1);
    assert!(info["compute_units"].as_u64().unwrap() >= 1);
    assert!(info["memory_bytes"].as_u64().unwrap() > 0);

    let out = worker(&["--backend", "gpu", "detect"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("error: no GPU backend"), "{stderr}");

    let out = worker(&["bench", "--json", "--sizes", "64,96", "--dtypes", "f32,i32"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 4);
    for row in &rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(keys, ["backend", "dtype", "freivalds_ms", "gflops", "n"]);
        assert_eq!(row["backend"], "cpu");
        assert!(
            row["gflops"].as_f64().unwrap() > 0.0 && row["freivalds_ms"].as_f64().unwrap() > 0.0
        );
    }
    assert_eq!(
        rows.iter()
            .map(|r| (r["dtype"].as_str().unwrap(), r["n"].as_u64().unwrap()))
            .collect::<Vec<_>>(),
        [("f32", 64), ("f32", 96), ("i32", 64), ("i32", 96)]
    );
}
