//! `ioc config get|set`: the Solana CLI config file, shared with `solana`.

use crate::context::{config_path, load_config, resolve_url, Context};
use anyhow::{anyhow, bail, Result};
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Show the URL and keypair in use and where they come from.
    Get,
    /// Set the default URL and/or keypair to the --url and --keypair given.
    Set,
}

pub fn run(ctx: &Context, command: ConfigCommand) -> Result<()> {
    let path = config_path(&ctx.global);
    match command {
        ConfigCommand::Get => ctx.print(
            json!({
                "config_file": path,
                "url": ctx.url,
                "keypair": ctx.keypair_path,
            }),
            || {
                format!(
                    "Config File: {}\nRPC URL:     {}\nKeypair:     {}",
                    path.display(),
                    ctx.url,
                    ctx.keypair_path.display()
                )
            },
        ),
        ConfigCommand::Set => {
            let (url, keypair) = (&ctx.global.url, &ctx.global.keypair);
            if url.is_none() && keypair.is_none() {
                bail!("nothing to set: pass --url and/or --keypair");
            }
            let mut config = load_config(&ctx.global)?.unwrap_or_default();
            if let Some(url) = url {
                config.json_rpc_url = resolve_url(url);
                config.websocket_url = String::new();
            }
            if let Some(keypair) = keypair {
                config.keypair_path = keypair.to_string_lossy().into_owned();
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            config
                .save(&path.to_string_lossy())
                .map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
            ctx.print(
                json!({
                    "config_file": path,
                    "url": config.json_rpc_url,
                    "keypair": config.keypair_path,
                }),
                || {
                    format!(
                        "Config File: {}\nRPC URL:     {}\nKeypair:     {}",
                        path.display(),
                        config.json_rpc_url,
                        config.keypair_path
                    )
                },
            );
        }
    }
    Ok(())
}
