use crate::context::Context;
use anyhow::{anyhow, bail, Result};
use clap::{Args, Subcommand};
use io_compute::{
    state::{Config, Epoch, Tokenomics},
    ClaimDeviceRewardArgs,
};
use io_compute_sdk::{amount::Token, client::Client, ix, pda};
use serde_json::json;
use solana_sdk::{pubkey::Pubkey, signer::Signer};

#[derive(Subcommand, Debug)]
pub enum EpochCommand {
    /// The current epoch and the last one's emission.
    Show,
    /// Close the current epoch once it has run its length (anyone may).
    Advance,
    /// Claim a device's reward for an epoch with the keeper's Merkle proof;
    /// it pays the leaf's owner (you, unless --owner).
    Claim(ClaimArgs),
}

#[derive(Args, Debug)]
pub struct ClaimArgs {
    #[arg(long)]
    pub epoch: u64,
    #[arg(long)]
    pub device: Pubkey,
    /// The reward in IO, as in the keeper's tree.
    #[arg(long, allow_hyphen_values = true)]
    pub amount: String,
    /// The sibling hashes from the keeper, hex, comma-separated (empty for a
    /// one-leaf tree).
    #[arg(long, default_value = "")]
    pub proof: String,
    /// The leaf's owner (the provider's authority).
    #[arg(long)]
    pub owner: Option<Pubkey>,
}

/// Longest wait for the current epoch to end before `advance` gives up and
/// says when to come back (a localnet epoch is seconds to minutes long).
const MAX_ADVANCE_WAIT_SECS: i64 = 120;

/// Waits, behind a spinner, until the chain's clock reaches `end`, when that
/// is at most `MAX_ADVANCE_WAIT_SECS` away; otherwise fails saying when.
async fn wait_for_end(ctx: &Context, client: &Client, n: u64, end: i64) -> Result<()> {
    let left = end - client.chain_time().await?;
    if left <= 0 {
        return Ok(());
    }
    if left > MAX_ADVANCE_WAIT_SECS {
        bail!("EpochNotEnded: epoch {n} ends in {left} s (unix time {end}); advance it then");
    }
    ctx.waiting(&format!("epoch {n} ends in {left} s"), async {
        // Bounded: the chain's clock follows wall time, with some slack.
        for _ in 0..(left + 30) * 2 {
            if client.chain_time().await? >= end {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        bail!("epoch {n} should have ended at unix time {end}, but the chain's clock has not reached it")
    })
    .await
}

fn parse_proof(text: &str) -> Result<Vec<[u8; 32]>> {
    text.split(',')
        .filter(|h| !h.is_empty())
        .map(|h| {
            let bytes = (0..h.len())
                .step_by(2)
                .map(|i| h.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
                .collect::<Option<Vec<u8>>>();
            bytes
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| anyhow!("proof element {h:?} is not 32 bytes of hex"))
        })
        .collect()
}

pub async fn run(ctx: &Context, command: EpochCommand) -> Result<()> {
    let client = ctx.client()?;
    let tokenomics: Tokenomics = client.expect_account(&pda::tokenomics()).await?;
    let n = tokenomics.current_epoch;
    match command {
        EpochCommand::Show => {
            let config: Config = client.expect_account(&pda::config()).await?;
            let epoch: Epoch = client.expect_account(&pda::epoch(n)).await?;
            let last = match n.checked_sub(1) {
                Some(p) => client.account::<Epoch>(&pda::epoch(p)).await?,
                None => None,
            };
            let ends = epoch.start + config.tokenomics_params.epoch_length_secs;
            ctx.print(
                json!({
                    "epoch": n,
                    "start": epoch.start,
                    "ends": ends,
                    "io_burned": epoch.io_burned,
                    "iosd_minted": epoch.iosd_minted,
                    "total_io_emitted": tokenomics.total_io_emitted,
                    "last_emission": last.as_ref().map(|e| json!({
                        "scheduled": e.emission.scheduled,
                        "net": e.emission.net,
                        "emitted": e.emission.emitted,
                        "stakers": e.emission.stakers,
                        "devices": e.emission.devices,
                    })),
                }),
                || {
                    let mut text = format!(
                        "epoch {n}: started {}, ends {ends}; {} IO burned, {} IOSD minted so far",
                        epoch.start,
                        Token::Io.format(epoch.io_burned),
                        Token::Iosd.format(epoch.iosd_minted)
                    );
                    if let Some(e) = &last {
                        text.push_str(&format!(
                            "\nepoch {} emitted {} IO ({} to stakers, {} to devices)",
                            n - 1,
                            Token::Io.format(e.emission.emitted),
                            Token::Io.format(e.emission.stakers),
                            Token::Io.format(e.emission.devices)
                        ));
                    }
                    text
                },
            );
        }
        EpochCommand::Advance => {
            let config: Config = client.expect_account(&pda::config()).await?;
            let epoch: Epoch = client.expect_account(&pda::epoch(n)).await?;
            wait_for_end(
                ctx,
                &client,
                n,
                epoch.end(config.tokenomics_params.epoch_length_secs)?,
            )
            .await?;
            let me = client.payer.pubkey();
            let signature = ctx
                .waiting(
                    "advancing the epoch",
                    client.send(&[ix::advance_epoch(me, n)], &[]),
                )
                .await?;
            let closed: Epoch = client.expect_account(&pda::epoch(n)).await?;
            ctx.print(
                json!({
                    "epoch": n + 1,
                    "emitted": closed.emission.emitted,
                    "signature": signature.to_string(),
                }),
                || {
                    format!(
                        "Epoch {} opened; epoch {n} emitted {} IO ({signature})",
                        n + 1,
                        Token::Io.format(closed.emission.emitted)
                    )
                },
            );
        }
        EpochCommand::Claim(args) => {
            let me = client.payer.pubkey();
            let owner = args.owner.unwrap_or(me);
            let amount = Token::Io.parse(&args.amount)?;
            let proof = parse_proof(&args.proof)?;
            let destination = pda::associated_token(&owner, &pda::io_mint());
            let before = client.token_balance(&destination).await?;
            let instructions = [
                ix::create_associated_token_account(me, owner, pda::io_mint()),
                ix::claim_device_reward(
                    me,
                    args.device,
                    destination,
                    ClaimDeviceRewardArgs {
                        epoch: args.epoch,
                        amount,
                        proof,
                    },
                ),
            ];
            let signature = ctx
                .waiting("claiming", client.send(&instructions, &[]))
                .await?;
            let paid = client.token_balance(&destination).await? - before;
            ctx.print(
                json!({"epoch": args.epoch, "device": args.device.to_string(), "owner": owner.to_string(), "io": paid, "signature": signature.to_string()}),
                || format!("Claimed {} IO for device {} in epoch {} ({signature})", Token::Io.format(paid), args.device, args.epoch),
            );
        }
    }
    Ok(())
}
