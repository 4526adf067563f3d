//! What every command shares: the cluster URL and keypair resolved with
//! Solana CLI conventions, the RPC client, and output as tables or JSON.

use anyhow::{bail, Context as _, Result};
use clap::Args;
use io_compute_sdk::client::Client;
use solana_sdk::{
    signature::Keypair,
    signer::{
        keypair::{read_keypair_file, write_keypair_file},
        Signer,
    },
};
use std::{
    future::Future,
    io::IsTerminal,
    path::{Path, PathBuf},
    time::Duration,
};

pub const LOCALNET_URL: &str = "http://127.0.0.1:8899";

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Network: localnet, devnet, mainnet-beta, or an RPC URL. Default: the
    /// Solana CLI config's, else localnet.
    #[arg(short = 'u', long, global = true, env = "IOC_URL")]
    pub url: Option<String>,
    /// Signer keypair file. Default: the Solana CLI config's
    /// (~/.config/solana/id.json), created on localnet if absent.
    #[arg(short = 'k', long, global = true, env = "IOC_KEYPAIR")]
    pub keypair: Option<PathBuf>,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Solana CLI config file.
    #[arg(long, global = true, env = "IOC_CONFIG")]
    pub config: Option<PathBuf>,
}

/// The Solana CLI config path in use.
pub fn config_path(global: &Global) -> PathBuf {
    global.config.clone().unwrap_or_else(|| {
        solana_cli_config::CONFIG_FILE
            .as_ref()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("config.yml"))
    })
}

/// The Solana CLI config, or `None` when the file does not exist.
pub fn load_config(global: &Global) -> Result<Option<solana_cli_config::Config>> {
    let path = config_path(global);
    if !path.exists() {
        return Ok(None);
    }
    solana_cli_config::Config::load(&path.to_string_lossy())
        .map(Some)
        .map_err(|e| anyhow::anyhow!("cannot read Solana CLI config {}: {e}", path.display()))
}

/// A moniker or URL as an RPC URL.
pub fn resolve_url(url: &str) -> String {
    match url {
        "localnet" | "l" => LOCALNET_URL.into(),
        "devnet" | "d" => "https://api.devnet.solana.com".into(),
        "mainnet-beta" | "m" => "https://api.mainnet-beta.solana.com".into(),
        "testnet" | "t" => "https://api.testnet.solana.com".into(),
        other => other.into(),
    }
}

fn is_local(url: &str) -> bool {
    url.contains("127.0.0.1") || url.contains("localhost")
}

pub struct Context {
    pub global: Global,
    pub url: String,
    pub keypair_path: PathBuf,
}

impl Context {
    pub fn new(global: Global) -> Result<Self> {
        let config = load_config(&global)?;
        let url = resolve_url(
            global
                .url
                .as_deref()
                .or(config.as_ref().map(|c| c.json_rpc_url.as_str()))
                .unwrap_or("localnet"),
        );
        let keypair_path = global.keypair.clone().unwrap_or_else(|| {
            config
                .as_ref()
                .map(|c| PathBuf::from(&c.keypair_path))
                .unwrap_or_else(|| PathBuf::from(solana_cli_config::Config::default().keypair_path))
        });
        Ok(Self {
            global,
            url,
            keypair_path,
        })
    }

    pub fn is_localnet(&self) -> bool {
        is_local(&self.url)
    }

    /// The signer: read from its file, or created there (with a message)
    /// on localnet.
    pub fn keypair(&self) -> Result<Keypair> {
        read_keypair(&self.keypair_path).or_else(|err| {
            if self.keypair_path.exists() || !self.is_localnet() {
                return Err(err);
            }
            let keypair = Keypair::new();
            write_keypair(&keypair, &self.keypair_path)?;
            eprintln!(
                "created a new keypair {} at {} (localnet only)",
                keypair.pubkey(),
                self.keypair_path.display()
            );
            Ok(keypair)
        })
    }

    pub fn client(&self) -> Result<Client> {
        Ok(Client::new(&self.url, self.keypair()?))
    }

    /// Runs `work` behind a spinner (on a terminal, without --json).
    pub async fn waiting<T>(&self, message: &str, work: impl Future<Output = T>) -> T {
        if self.global.json || !std::io::stderr().is_terminal() {
            return work.await;
        }
        let spinner = indicatif::ProgressBar::new_spinner().with_message(message.to_string());
        spinner.enable_steady_tick(Duration::from_millis(100));
        let out = work.await;
        spinner.finish_and_clear();
        out
    }

    /// Prints `value` as JSON with --json, else the human lines.
    pub fn print(&self, value: serde_json::Value, human: impl FnOnce() -> String) {
        if self.global.json {
            println!("{value}");
        } else {
            println!("{}", human());
        }
    }
}

pub fn read_keypair(path: &Path) -> Result<Keypair> {
    read_keypair_file(path)
        .map_err(|e| anyhow::anyhow!("cannot read keypair {}: {e}", path.display()))
}

pub fn write_keypair(keypair: &Keypair, path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write_keypair_file(keypair, path)
        .map_err(|e| anyhow::anyhow!("cannot write keypair {}: {e}", path.display()))?;
    Ok(())
}

/// Refuses to run a localnet-only command elsewhere.
pub fn require_localnet(ctx: &Context, what: &str) -> Result<()> {
    if !ctx.is_localnet() {
        bail!(
            "{what} is only available on localnet (the URL is {})",
            ctx.url
        );
    }
    Ok(())
}
