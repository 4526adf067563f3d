//! The keeper's settings: a TOML file, then `IO_KEEPER_*` environment
//! variables, then command-line flags, each overriding the one before;
//! checked once at start.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// The default priority-fee cap: 0.01 lamports per compute unit, about
/// 2,000 lamports for an assignment.
pub const DEFAULT_MAX_PRIORITY_FEE: u64 = 10_000;

/// The default balance floor: 0.05 SOL, some ten thousand transactions.
pub const DEFAULT_MIN_BALANCE: u64 = 50_000_000;

/// The default jobs per proof period: one transaction settles a thousand.
pub const DEFAULT_PERIOD_JOBS: u32 = 1_000;
/// Most jobs under one proof (what a worker is asked to check and sign).
pub const MAX_PERIOD_JOBS: u32 = 100_000;

/// Everything `start` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeeperConfig {
    /// The keeper authority's keypair file (admitted with `admit_keeper`).
    pub keypair: PathBuf,
    /// RPC URLs, the first preferred.
    pub rpc_urls: Vec<String>,
    /// The WebSocket URL of program notifications (by default the first
    /// RPC URL's, on the next port: the Solana convention).
    pub ws_url: String,
    /// Where the HTTP API (/healthz, /metrics) listens.
    pub listen: SocketAddr,
    /// The SQLite journal file.
    pub journal: PathBuf,
    /// How often the chain is swept for open leases and idle devices.
    pub sweep: Duration,
    /// The most the keeper pays per compute unit, micro-lamports.
    pub max_priority_fee: u64,
    /// Under this SOL balance (lamports) the keeper sends nothing and
    /// reports itself unready, so a drained wallet is noticed before a
    /// transaction fails half-way through a duty.
    pub min_balance: u64,
    /// A device's period closes (and its usage proof is posted) at this
    /// many verified jobs...
    pub period_jobs: u32,
    /// ...or when its oldest unproven job is this old, whichever is first.
    pub period: Duration,
    /// A claimed job whose worker sends no heartbeat for this long is
    /// handed to another device.
    pub claim: Duration,
    /// The epoch's device check: size and deadline.
    pub check: crate::epochs::CheckPlan,
    /// The journal's durability mode.
    pub durability: crate::journal::Durability,
    /// Match only devices whose worker is in session with this keeper and
    /// whose last device check passed (off only for networks without
    /// workers, such as tests of matching alone).
    pub live_only: bool,
}

/// The TOML file's shape: every field optional.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub keypair: Option<PathBuf>,
    pub rpc_urls: Option<Vec<String>>,
    pub ws_url: Option<String>,
    pub listen: Option<SocketAddr>,
    pub journal: Option<PathBuf>,
    pub sweep_ms: Option<u64>,
    pub max_priority_fee: Option<u64>,
    pub min_balance_lamports: Option<u64>,
    pub period_jobs: Option<u32>,
    pub period_ms: Option<u64>,
    pub claim_ms: Option<u64>,
    pub check_n: Option<u32>,
    pub check_steps: Option<u32>,
    pub check_fixed_ms: Option<u64>,
    pub durability: Option<crate::journal::Durability>,
    pub live_only: Option<bool>,
}

/// Flags (and, through clap, their `IO_KEEPER_*` environment variables).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Overrides {
    /// TOML settings file.
    #[arg(long, env = "IO_KEEPER_CONFIG")]
    pub config: Option<PathBuf>,
    #[arg(long, env = "IO_KEEPER_KEYPAIR")]
    pub keypair: Option<PathBuf>,
    /// Comma-separated RPC URLs, the first preferred.
    #[arg(long, env = "IO_KEEPER_RPC_URLS", value_delimiter = ',')]
    pub rpc_urls: Vec<String>,
    #[arg(long, env = "IO_KEEPER_WS_URL")]
    pub ws_url: Option<String>,
    #[arg(long, env = "IO_KEEPER_LISTEN")]
    pub listen: Option<SocketAddr>,
    #[arg(long, env = "IO_KEEPER_JOURNAL")]
    pub journal: Option<PathBuf>,
    #[arg(long, env = "IO_KEEPER_SWEEP_MS")]
    pub sweep_ms: Option<u64>,
    /// Priority fee cap, micro-lamports per compute unit.
    #[arg(long, env = "IO_KEEPER_MAX_PRIORITY_FEE")]
    pub max_priority_fee: Option<u64>,
    /// SOL balance floor, lamports.
    #[arg(long, env = "IO_KEEPER_MIN_BALANCE_LAMPORTS")]
    pub min_balance_lamports: Option<u64>,
    /// Jobs that close a proof period.
    #[arg(long, env = "IO_KEEPER_PERIOD_JOBS")]
    pub period_jobs: Option<u32>,
    /// Longest a verified job waits for its proof period to close, ms.
    #[arg(long, env = "IO_KEEPER_PERIOD_MS")]
    pub period_ms: Option<u64>,
    /// Claim lease of a dispatched job, ms.
    #[arg(long, env = "IO_KEEPER_CLAIM_MS")]
    pub claim_ms: Option<u64>,
    /// Device checks: n x n products...
    #[arg(long, env = "IO_KEEPER_CHECK_N")]
    pub check_n: Option<u32>,
    /// ...this many in a chain...
    #[arg(long, env = "IO_KEEPER_CHECK_STEPS")]
    pub check_steps: Option<u32>,
    /// ...within the model's reference time plus this, ms.
    #[arg(long, env = "IO_KEEPER_CHECK_FIXED_MS")]
    pub check_fixed_ms: Option<u64>,
    /// Journal durability: full (survives power loss) or normal (survives
    /// the process being killed).
    #[arg(long, value_enum, env = "IO_KEEPER_DURABILITY")]
    pub durability: Option<crate::journal::Durability>,
    /// Match only live devices (true) or prefer them (false).
    #[arg(long, env = "IO_KEEPER_LIVE_ONLY")]
    pub live_only: Option<bool>,
}

impl KeeperConfig {
    /// The file named by `overrides.config` (if any) with `overrides` on
    /// top, defaults for the rest, validated.
    pub fn load(overrides: &Overrides) -> Result<Self> {
        let file = match &overrides.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?
            }
            None => FileConfig::default(),
        };
        Self::merge(file, overrides)
    }

    /// The defaults with these essentials (tests, `ioc up`): listening on
    /// a free port of 127.0.0.1, device checks small enough for a CPU
    /// worker sharing the machine, and live devices preferred, not
    /// required (tests of matching run without workers).
    pub fn local(keypair: PathBuf, rpc_url: String, ws_url: String, journal: PathBuf) -> Self {
        Self::merge(
            FileConfig::default(),
            &Overrides {
                keypair: Some(keypair),
                rpc_urls: vec![rpc_url],
                ws_url: Some(ws_url),
                listen: Some("127.0.0.1:0".parse().expect("an address")),
                journal: Some(journal),
                check_n: Some(128),
                check_steps: Some(8),
                check_fixed_ms: Some(10_000),
                live_only: Some(false),
                ..Default::default()
            },
        )
        .expect("the defaults are valid")
    }

    pub fn merge(file: FileConfig, overrides: &Overrides) -> Result<Self> {
        let rpc_urls = if overrides.rpc_urls.is_empty() {
            file.rpc_urls
                .unwrap_or_else(|| vec!["http://127.0.0.1:8899".to_string()])
        } else {
            overrides.rpc_urls.clone()
        };
        let ws_url = match overrides.ws_url.clone().or(file.ws_url) {
            Some(url) => url,
            None => default_ws_url(rpc_urls.first().map_or("", String::as_str))?,
        };
        let config = Self {
            keypair: overrides
                .keypair
                .clone()
                .or(file.keypair)
                .context("no keypair: set `keypair` in the file, IO_KEEPER_KEYPAIR or --keypair")?,
            rpc_urls,
            ws_url,
            listen: overrides
                .listen
                .or(file.listen)
                .unwrap_or_else(|| "127.0.0.1:8910".parse().expect("an address")),
            journal: overrides
                .journal
                .clone()
                .or(file.journal)
                .unwrap_or_else(|| PathBuf::from("keeper.db")),
            sweep: Duration::from_millis(overrides.sweep_ms.or(file.sweep_ms).unwrap_or(500)),
            max_priority_fee: overrides
                .max_priority_fee
                .or(file.max_priority_fee)
                .unwrap_or(DEFAULT_MAX_PRIORITY_FEE),
            min_balance: overrides
                .min_balance_lamports
                .or(file.min_balance_lamports)
                .unwrap_or(DEFAULT_MIN_BALANCE),
            period_jobs: overrides
                .period_jobs
                .or(file.period_jobs)
                .unwrap_or(DEFAULT_PERIOD_JOBS),
            period: Duration::from_millis(overrides.period_ms.or(file.period_ms).unwrap_or(60_000)),
            claim: Duration::from_millis(overrides.claim_ms.or(file.claim_ms).unwrap_or(10_000)),
            check: {
                let plan = crate::epochs::CheckPlan::default();
                crate::epochs::CheckPlan {
                    n: overrides.check_n.or(file.check_n).unwrap_or(plan.n),
                    steps: overrides
                        .check_steps
                        .or(file.check_steps)
                        .unwrap_or(plan.steps),
                    fixed_ms: overrides
                        .check_fixed_ms
                        .or(file.check_fixed_ms)
                        .unwrap_or(plan.fixed_ms),
                    ..plan
                }
            },
            durability: overrides.durability.or(file.durability).unwrap_or_default(),
            live_only: overrides.live_only.or(file.live_only).unwrap_or(true),
        };
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<()> {
        if self.rpc_urls.is_empty() {
            bail!("no RPC URL");
        }
        for url in &self.rpc_urls {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("RPC URL {url:?} must start with http:// or https://");
            }
        }
        if !(self.ws_url.starts_with("ws://") || self.ws_url.starts_with("wss://")) {
            bail!(
                "WebSocket URL {:?} must start with ws:// or wss://",
                self.ws_url
            );
        }
        if !(Duration::from_millis(50)..=Duration::from_secs(60)).contains(&self.sweep) {
            bail!(
                "sweep_ms must be 50 to 60000, got {}",
                self.sweep.as_millis()
            );
        }
        if !(1..=MAX_PERIOD_JOBS).contains(&self.period_jobs) {
            bail!(
                "period_jobs must be 1 to {MAX_PERIOD_JOBS}, got {}",
                self.period_jobs
            );
        }
        if !(Duration::from_secs(1)..=Duration::from_secs(86_400)).contains(&self.period) {
            bail!(
                "period_ms must be 1000 to 86400000, got {}",
                self.period.as_millis()
            );
        }
        if !(Duration::from_millis(200)..=Duration::from_secs(3_600)).contains(&self.claim) {
            bail!(
                "claim_ms must be 200 to 3600000, got {}",
                self.claim.as_millis()
            );
        }
        if !(16..=16_384).contains(&self.check.n) || !(1..=100_000).contains(&self.check.steps) {
            bail!(
                "device checks need check_n in 16..=16384 and check_steps in 1..=100000, got {} and {}",
                self.check.n,
                self.check.steps
            );
        }
        Ok(())
    }

    /// Where job inputs and outputs are stored: beside the journal.
    pub fn blob_dir(&self) -> PathBuf {
        let mut name = self.journal.clone().into_os_string();
        name.push(".blobs");
        PathBuf::from(name)
    }
}

/// ws(s)://host:(port + 1) for http(s)://host:port.
fn default_ws_url(rpc: &str) -> Result<String> {
    let (scheme, rest) = match rpc.split_once("://") {
        Some(("http", rest)) => ("ws", rest),
        Some(("https", rest)) => ("wss", rest),
        _ => bail!("RPC URL {rpc:?} must start with http:// or https://"),
    };
    let host_port = rest.split('/').next().unwrap_or(rest);
    Ok(match host_port.rsplit_once(':') {
        Some((host, port)) => {
            let port: u16 = port
                .parse()
                .with_context(|| format!("the port of {rpc:?}"))?;
            format!("{scheme}://{host}:{}", port.saturating_add(1))
        }
        None => format!("{scheme}://{host_port}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_and_defaults_fill_the_rest() {
        let file: FileConfig = toml::from_str(
            r#"
            keypair = "/keys/keeper.json"
            rpc_urls = ["http://a:8899", "http://b:8899"]
            sweep_ms = 250
            "#,
        )
        .unwrap();
        let flags = Overrides {
            rpc_urls: vec!["https://c".into()],
            journal: Some("/data/k.db".into()),
            ..Default::default()
        };
        let config = KeeperConfig::merge(file, &flags).unwrap();
        assert_eq!(
            config,
            KeeperConfig {
                keypair: "/keys/keeper.json".into(),
                rpc_urls: vec!["https://c".into()],
                ws_url: "wss://c".into(),
                listen: "127.0.0.1:8910".parse().unwrap(),
                journal: "/data/k.db".into(),
                sweep: Duration::from_millis(250),
                max_priority_fee: DEFAULT_MAX_PRIORITY_FEE,
                min_balance: DEFAULT_MIN_BALANCE,
                period_jobs: DEFAULT_PERIOD_JOBS,
                period: Duration::from_secs(60),
                claim: Duration::from_secs(10),
                check: crate::epochs::CheckPlan::default(),
                durability: crate::journal::Durability::Full,
                live_only: true,
            }
        );
        let no_key = KeeperConfig::merge(FileConfig::default(), &Overrides::default());
        assert!(no_key.unwrap_err().to_string().contains("no keypair"));
        let bad_url = Overrides {
            keypair: Some("k".into()),
            rpc_urls: vec!["ftp://x".into()],
            ..Default::default()
        };
        assert!(KeeperConfig::merge(FileConfig::default(), &bad_url).is_err());
        assert!(
            toml::from_str::<FileConfig>("unknown = 1").is_err(),
            "typos are refused"
        );
    }
}
