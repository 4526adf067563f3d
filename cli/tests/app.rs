//! The web app end to end: `ioc up` serves the built app (app/dist), and
//! app/e2e/run.mjs drives it in headless Chromium (Debian's `chromium`,
//! through playwright-core): a development wallet, a cluster rented through
//! the form and matched, jobs submitted from the page, their proof and
//! receipts verified in the browser, stake, a refused unstake shown by its
//! program error's name, a proposal and a vote. Screenshots of every page at
//! desktop and phone width land in target/app-screenshots/.
//!
//! Needs `npm ci --prefix app && npm run build --prefix app` first (the
//! README's test command does it) and Chromium at /usr/bin/chromium (or
//! $CHROMIUM).

mod common;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

#[test]
fn the_app_rents_runs_verifies_stakes_and_votes_in_a_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let app = root.join("app");
    assert!(
        app.join("dist/index.html").is_file() && app.join("node_modules/playwright-core").is_dir(),
        "the app is not built: run `npm ci --prefix app && npm run build --prefix app`"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "no Chromium at {chromium}: install Debian's `chromium` (or set CHROMIUM)"
    );
    let rpc = common::free_port_pair();
    let keeper = common::free_port_pair();
    let app_port = common::free_port_pair();
    let mut up = Command::new(env!("CARGO_BIN_EXE_ioc"))
        .args(["up", "--worker", "cpu"])
        .args(["--rpc-port", &rpc.to_string()])
        .args(["--keeper-port", &keeper.to_string()])
        .args(["--app-port", &app_port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(up.stdout.take().unwrap());
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            println!("[ioc up] {line}");
            if line.starts_with("IO Compute is up") {
                let _ = ready_tx.send(());
            }
        }
    });
    let ready = ready_rx.recv_timeout(Duration::from_secs(180));
    let outcome = ready.map(|()| {
        Command::new("node")
            .arg(app.join("e2e/run.mjs"))
            .env("APP_URL", format!("http://127.0.0.1:{app_port}"))
            .env("SCREENSHOTS", root.join("target/app-screenshots"))
            .env("CHROMIUM", &chromium)
            .status()
            .unwrap()
    });
    // SIGTERM: `ioc up` stops every part the way Ctrl-C does.
    let _ = Command::new("kill")
        .args(["-TERM", &up.id().to_string()])
        .status();
    let stopped = up.wait().unwrap();
    let status = outcome.expect("ioc up did not come up in 180 s");
    assert!(
        status.success(),
        "the browser test failed (screenshots in target/app-screenshots)"
    );
    assert!(stopped.success(), "ioc up did not stop cleanly: {stopped}");
}
