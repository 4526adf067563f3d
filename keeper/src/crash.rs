//! Named crash points, for the tests that kill the keeper where it hurts:
//! with `IO_KEEPER_CRASH_AT=<name>` the process aborts (no cleanup, like
//! SIGKILL) the first time it reaches that point. Unset, a point costs one
//! comparison.

use std::sync::OnceLock;

/// Every point, in the order a job meets them.
pub const POINTS: [&str; 5] = [
    // `assign_devices` journaled, not sent.
    "assign-intent",
    // A client's jobs journaled, not queued or answered.
    "submit-journaled",
    // A verified result journaled, the worker not answered.
    "result-journaled",
    // A period journaled as about to be posted, not sent.
    "period-intent",
    // A period's proof sent and landed, not journaled.
    "period-sent",
];

/// Aborts the process if `IO_KEEPER_CRASH_AT` names `point`.
pub fn point(point: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    if AT
        .get_or_init(|| std::env::var("IO_KEEPER_CRASH_AT").ok())
        .as_deref()
        == Some(point)
    {
        eprintln!("io-keeper: crash point {point}");
        std::process::abort();
    }
}
