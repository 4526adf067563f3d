use crate::{
    context::{read_keypair, write_keypair, Context},
    faucet::{airdrop_sol, faucet_path},
};
use anyhow::Result;
use clap::Args;
use io_compute_migrations::{migrate, Outcome, Settings};
use io_compute_sdk::amount::Token;
use serde_json::json;
use solana_sdk::{native_token::LAMPORTS_PER_SOL, signature::Keypair, signer::Signer};

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// Epoch length in seconds (one day on real clusters; seconds on
    /// localnet).
    #[arg(long, default_value_t = 86_400)]
    pub epoch_length: i64,
    /// IO for the localnet faucet wallet that `ioc token airdrop` pays from.
    #[arg(long, default_value = "1000000")]
    pub faucet_io: String,
}

pub async fn run(ctx: &Context, args: MigrateArgs) -> Result<()> {
    let client = ctx.client()?;
    let mut settings = Settings::launch(args.epoch_length);
    if ctx.is_localnet() {
        // The set-up pays rent for a dozen accounts.
        let balance = client
            .rpc
            .get_balance(&client.payer.pubkey())
            .await
            .unwrap_or(0);
        if balance < 10 * LAMPORTS_PER_SOL {
            airdrop_sol(ctx, &client, &client.payer.pubkey(), 100 * LAMPORTS_PER_SOL).await?;
        }
        let path = faucet_path(ctx);
        let faucet = match read_keypair(&path) {
            Ok(keypair) => keypair,
            Err(_) => {
                let keypair = Keypair::new();
                write_keypair(&keypair, &path)?;
                keypair
            }
        };
        settings.faucet = Some((faucet.pubkey(), Token::Io.parse(&args.faucet_io)?));
    }
    let report = ctx
        .waiting("applying migrations", migrate(&client, &settings))
        .await?;
    let steps: Vec<_> = report
        .iter()
        .map(|(name, outcome)| json!({"step": name, "applied": *outcome == Outcome::Applied}))
        .collect();
    ctx.print(json!({"url": ctx.url, "steps": steps}), || {
        report
            .iter()
            .map(|(name, outcome)| {
                let state = match outcome {
                    Outcome::Applied => "applied",
                    Outcome::AlreadyApplied => "already applied",
                };
                format!("{name:<12} {state}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}
