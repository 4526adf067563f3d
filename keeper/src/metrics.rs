//! Prometheus metrics, one registry per keeper, served on `/metrics`.

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Assignments sent, by outcome ("assigned" or the program error).
    pub assignments: IntCounterVec,
    /// Open leases at the last sweep.
    pub open_leases: IntGauge,
    /// Completed sweeps of the chain.
    pub sweeps: IntCounter,
    /// Chain seconds from a lease's creation to its devices' assignment.
    pub cluster_ready: Histogram,
    /// The keeper authority's SOL balance at the last sweep, lamports.
    pub balance: IntGauge,
    /// Jobs queued by clients.
    pub jobs_submitted: IntCounter,
    /// Jobs finished, by outcome (succeeded, failed).
    pub jobs_finished: IntCounterVec,
    /// Job attempts handed to workers.
    pub dispatched: IntCounter,
    /// Results that failed verification or were outvoted by a cross-check
    /// (their devices are banned).
    pub wrong_results: IntCounter,
    /// Cross-checked kernels by outcome: confirmed (two devices agreed) or
    /// unconfirmed (failed: no device to compare with, or no agreement).
    pub cross_checks: IntCounterVec,
    /// Usage proofs by step: posted (landed on the chain), finalized (by
    /// this keeper or another cranker), voided.
    pub proofs: IntCounterVec,
    /// Seconds from a job's submission to its verified result.
    pub job_latency: Histogram,
    /// Seconds a job waited for its first dispatch.
    pub dispatch_latency: Histogram,
    /// Device checks by outcome (pass, fail, missed).
    pub device_checks: IntCounterVec,
    /// Epoch duties done: advance, checks recorded, rewards posted.
    pub epoch_duties: IntCounterVec,
    /// Jobs on the board by state (set when scraped).
    pub jobs: IntGaugeVec,
    /// Seconds since the last complete sweep of the chain (when scraped).
    pub sync_lag: Gauge,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let assignments = IntCounterVec::new(
            Opts::new(
                "keeper_assignments_total",
                "assign_devices sent, by outcome",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let open_leases = IntGauge::new("keeper_open_leases", "open leases at the last sweep")
            .expect("valid metric");
        let sweeps = IntCounter::new("keeper_sweeps_total", "completed sweeps of the chain")
            .expect("valid metric");
        let cluster_ready = Histogram::with_opts(
            HistogramOpts::new(
                "keeper_cluster_ready_seconds",
                "chain time from create_lease to assign_devices",
            )
            .buckets(vec![0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0]),
        )
        .expect("valid metric");
        let balance = IntGauge::new(
            "keeper_balance_lamports",
            "the keeper authority's SOL balance at the last sweep",
        )
        .expect("valid metric");
        let jobs_submitted =
            IntCounter::new("keeper_jobs_submitted_total", "jobs queued by clients")
                .expect("valid metric");
        let jobs_finished = IntCounterVec::new(
            Opts::new("keeper_jobs_finished_total", "jobs finished, by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let dispatched =
            IntCounter::new("keeper_dispatched_total", "job attempts handed to workers")
                .expect("valid metric");
        let wrong_results = IntCounter::new(
            "keeper_wrong_results_total",
            "results that failed verification",
        )
        .expect("valid metric");
        let cross_checks = IntCounterVec::new(
            Opts::new(
                "keeper_cross_checks_total",
                "cross-checked kernels, by outcome",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let proofs = IntCounterVec::new(
            Opts::new("keeper_proofs_total", "usage proofs, by step"),
            &["step"],
        )
        .expect("valid metric");
        let job_latency = Histogram::with_opts(
            HistogramOpts::new(
                "keeper_job_latency_seconds",
                "submission to verified result",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0,
            ]),
        )
        .expect("valid metric");
        let device_checks = IntCounterVec::new(
            Opts::new("keeper_device_checks_total", "device checks, by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let epoch_duties = IntCounterVec::new(
            Opts::new("keeper_epoch_duties_total", "epoch duties done, by kind"),
            &["duty"],
        )
        .expect("valid metric");
        let jobs = IntGaugeVec::new(Opts::new("keeper_jobs", "jobs by state"), &["state"])
            .expect("valid metric");
        let sync_lag = Gauge::new(
            "keeper_sync_lag_seconds",
            "seconds since the last complete sweep of the chain",
        )
        .expect("valid metric");
        let dispatch_latency = Histogram::with_opts(
            HistogramOpts::new("keeper_dispatch_seconds", "submission to first dispatch").buckets(
                vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0],
            ),
        )
        .expect("valid metric");
        for metric in [
            Box::new(dispatch_latency.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(jobs.clone()),
            Box::new(sync_lag.clone()),
            Box::new(device_checks.clone()),
            Box::new(epoch_duties.clone()),
            Box::new(jobs_submitted.clone()),
            Box::new(jobs_finished.clone()),
            Box::new(dispatched.clone()),
            Box::new(wrong_results.clone()),
            Box::new(cross_checks.clone()),
            Box::new(proofs.clone()),
            Box::new(job_latency.clone()),
            Box::new(balance.clone()),
            Box::new(assignments.clone()),
            Box::new(open_leases.clone()),
            Box::new(sweeps.clone()),
            Box::new(cluster_ready.clone()),
        ] {
            registry.register(metric).expect("registered once");
        }
        Self {
            registry,
            assignments,
            open_leases,
            sweeps,
            cluster_ready,
            balance,
            jobs_submitted,
            jobs_finished,
            dispatched,
            wrong_results,
            cross_checks,
            proofs,
            job_latency,
            device_checks,
            epoch_duties,
            jobs,
            sync_lag,
            dispatch_latency,
        }
    }

    /// Adds a metric owned elsewhere (the sender's retry counter).
    pub fn register(&self, metric: impl prometheus::core::Collector + 'static) {
        self.registry
            .register(Box::new(metric))
            .expect("registered once");
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding");
        String::from_utf8(out).expect("utf-8 metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
