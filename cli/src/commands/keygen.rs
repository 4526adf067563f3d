use crate::context::{write_keypair, Context};
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use serde_json::json;
use solana_sdk::{signature::Keypair, signer::Signer};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum KeygenCommand {
    /// Create a new keypair file (Solana CLI JSON format).
    New(NewArgs),
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// Where to write it.
    #[arg(short = 'o', long)]
    pub outfile: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, command: KeygenCommand) -> Result<()> {
    let KeygenCommand::New(args) = command;
    if args.outfile.exists() && !args.force {
        bail!(
            "{} exists; pass --force to overwrite it",
            args.outfile.display()
        );
    }
    let keypair = Keypair::new();
    write_keypair(&keypair, &args.outfile)?;
    ctx.print(
        json!({"pubkey": keypair.pubkey().to_string(), "path": args.outfile}),
        || format!("Wrote {} to {}", keypair.pubkey(), args.outfile.display()),
    );
    Ok(())
}
