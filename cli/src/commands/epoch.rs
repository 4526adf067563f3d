use crate::context::Context;
use anyhow::Result;
use clap::Subcommand;
use io_compute::state::{Config, Epoch, Tokenomics};
use io_compute_sdk::{amount::Token, ix, pda};
use serde_json::json;
use solana_sdk::signer::Signer;

#[derive(Subcommand, Debug)]
pub enum EpochCommand {
    /// The current epoch and the last one's emission.
    Show,
    /// Close the current epoch once it has run its length (anyone may).
    Advance,
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
            let ends = epoch.start + config.tokenomics.epoch_length_secs;
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
    }
    Ok(())
}
