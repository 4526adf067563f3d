//! `io-worker run`'s settings: a TOML file, then `IO_WORKER_*` environment
//! variables, then flags, each overriding the one before; checked at start.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::{path::PathBuf, time::Duration};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// This machine's worker keypair (made if absent).
    pub keypair: PathBuf,
    /// The home keeper's URL, served while no device of this worker is in
    /// a running lease; a running lease's keeper (at the endpoint the chain
    /// records) always comes first.
    pub keeper: Option<String>,
    /// RPC URL, to find the keeper.
    pub rpc_url: String,
    /// How often the chain is read for a move of a device to a lease of
    /// another keeper (and back home when it ends).
    pub follow: Duration,
    /// Jobs run at once.
    pub slots: u32,
    /// Longest wait between reconnection attempts.
    pub max_backoff: Duration,
    /// On stop, how long running jobs may take to finish before they are
    /// handed back.
    pub grace: Duration,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub keypair: Option<PathBuf>,
    pub keeper: Option<String>,
    pub rpc_url: Option<String>,
    pub follow_ms: Option<u64>,
    pub slots: Option<u32>,
    pub max_backoff_ms: Option<u64>,
    pub grace_ms: Option<u64>,
}

/// Flags (and their `IO_WORKER_*` environment variables).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Overrides {
    /// TOML settings file.
    #[arg(long, env = "IO_WORKER_CONFIG")]
    pub config: Option<PathBuf>,
    #[arg(long, env = "IO_WORKER_KEYPAIR")]
    pub keypair: Option<PathBuf>,
    /// The home keeper's URL, served while no device is in a running lease
    /// (default: none; the keeper of a running lease is found from the chain).
    #[arg(long, env = "IO_WORKER_KEEPER")]
    pub keeper: Option<String>,
    #[arg(long, short = 'u', env = "IO_WORKER_RPC_URL")]
    pub rpc_url: Option<String>,
    /// How often, in ms, the chain is read for a device moving to another
    /// keeper's lease (default: 5000).
    #[arg(long, env = "IO_WORKER_FOLLOW_MS")]
    pub follow_ms: Option<u64>,
    /// Jobs run at once (default: 2).
    #[arg(long, env = "IO_WORKER_SLOTS")]
    pub slots: Option<u32>,
    #[arg(long, env = "IO_WORKER_MAX_BACKOFF_MS")]
    pub max_backoff_ms: Option<u64>,
    /// On Ctrl-C, ms running jobs get to finish (default: 30000).
    #[arg(long, env = "IO_WORKER_GRACE_MS")]
    pub grace_ms: Option<u64>,
}

impl RunConfig {
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

    pub fn merge(file: FileConfig, o: &Overrides) -> Result<Self> {
        let config = Self {
            keypair: o
                .keypair
                .clone()
                .or(file.keypair)
                .unwrap_or_else(crate::identity::default_path),
            keeper: o.keeper.clone().or(file.keeper),
            rpc_url: o
                .rpc_url
                .clone()
                .or(file.rpc_url)
                .unwrap_or_else(|| "http://127.0.0.1:8899".into()),
            follow: Duration::from_millis(o.follow_ms.or(file.follow_ms).unwrap_or(5_000)),
            slots: o.slots.or(file.slots).unwrap_or(2),
            max_backoff: Duration::from_millis(
                o.max_backoff_ms.or(file.max_backoff_ms).unwrap_or(10_000),
            ),
            grace: Duration::from_millis(o.grace_ms.or(file.grace_ms).unwrap_or(30_000)),
        };
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<()> {
        let http = |url: &str| url.starts_with("http://") || url.starts_with("https://");
        if let Some(keeper) = &self.keeper {
            if !http(keeper) {
                bail!("keeper URL {keeper:?} must start with http:// or https://");
            }
        }
        if !http(&self.rpc_url) {
            bail!(
                "RPC URL {:?} must start with http:// or https://",
                self.rpc_url
            );
        }
        if !(1..=64).contains(&self.slots) {
            bail!("slots must be 1 to 64, got {}", self.slots);
        }
        if !(Duration::from_millis(100)..=Duration::from_secs(600)).contains(&self.max_backoff) {
            bail!("max_backoff_ms must be 100 to 600000");
        }
        if !(Duration::from_millis(100)..=Duration::from_secs(600)).contains(&self.follow) {
            bail!("follow_ms must be 100 to 600000");
        }
        if self.grace > Duration::from_secs(3_600) {
            bail!("grace_ms must be at most 3600000");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_and_bad_values_are_named() {
        let file: FileConfig = toml::from_str(
            r#"
            keeper = "http://k:8910"
            slots = 4
            "#,
        )
        .unwrap();
        let flags = Overrides {
            slots: Some(8),
            keypair: Some("/w.json".into()),
            ..Default::default()
        };
        let config = RunConfig::merge(file, &flags).unwrap();
        assert_eq!(
            config,
            RunConfig {
                keypair: "/w.json".into(),
                keeper: Some("http://k:8910".into()),
                rpc_url: "http://127.0.0.1:8899".into(),
                follow: Duration::from_secs(5),
                slots: 8,
                max_backoff: Duration::from_secs(10),
                grace: Duration::from_secs(30),
            }
        );
        let zero = Overrides {
            slots: Some(0),
            ..Default::default()
        };
        let error = RunConfig::merge(FileConfig::default(), &zero).unwrap_err();
        assert_eq!(error.to_string(), "slots must be 1 to 64, got 0");
        assert!(toml::from_str::<FileConfig>("slot = 1").is_err());
    }
}
