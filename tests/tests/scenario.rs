//! The program's narrated end-to-end scenario (`--bin scenario`) as a
//! test: it exits non-zero if any balance is not exactly what it must be.

#[test]
fn the_scenario_balances_to_the_base_unit() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scenario"))
        .env("RUST_LOG", "error")
        .output()
        .expect("the scenario runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
