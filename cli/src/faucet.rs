//! The localnet faucet: SOL from the localnet's own airdrop, IO from a
//! faucet wallet that `ioc migrate` funds on localnet. Used by `ioc migrate`
//! and `ioc token airdrop`.

use crate::context::Context;
use anyhow::{bail, Result};
use solana_sdk::pubkey::Pubkey;
use std::path::PathBuf;

/// The localnet faucet's keypair, beside the signer's keypair file.
pub fn faucet_path(ctx: &Context) -> PathBuf {
    ctx.keypair_path
        .parent()
        .map(|dir| dir.join("ioc-faucet.json"))
        .unwrap_or_else(|| PathBuf::from("ioc-faucet.json"))
}

/// Requests `lamports` from the localnet's faucet and waits (bounded) for it.
pub async fn airdrop_sol(
    ctx: &Context,
    client: &io_compute_sdk::client::Client,
    to: &Pubkey,
    lamports: u64,
) -> Result<()> {
    let signature = client.request_airdrop(to, lamports).await?;
    ctx.waiting("airdropping SOL", async {
        for _ in 0..100 {
            if client
                .rpc
                .confirm_transaction(&signature)
                .await
                .unwrap_or(false)
            {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        bail!("airdrop to {to} not confirmed after 10 s")
    })
    .await
}
