use crate::{
    context::{read_keypair, require_localnet, Context},
    faucet::{airdrop_sol, faucet_path},
};
use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand};
use io_compute::{state::Tokenomics, BurnArgs};
use io_compute_sdk::{
    amount::{parse_amount, Token},
    ix, pda,
};
use serde_json::json;
use solana_sdk::{pubkey::Pubkey, signer::Signer};

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// SOL, IO and IOSD balances of a wallet (default: yours).
    Balance {
        #[arg(long)]
        owner: Option<Pubkey>,
    },
    /// Burn IO for IOSD at the oracle price: exactly --io, or exactly --iosd.
    BurnForIosd(BurnForIosdArgs),
    /// Localnet only: SOL from the chain and IO from the faucet.
    Airdrop(AirdropArgs),
}

#[derive(Args, Debug)]
pub struct BurnForIosdArgs {
    /// Burn exactly this much IO.
    #[arg(
        long,
        conflicts_with = "iosd",
        required_unless_present = "iosd",
        allow_hyphen_values = true
    )]
    pub io: Option<String>,
    /// Mint exactly this much IOSD.
    #[arg(long, allow_hyphen_values = true)]
    pub iosd: Option<String>,
    /// Slippage bound: fewest IOSD (with --io) or most IO (with --iosd).
    #[arg(long)]
    pub limit: Option<String>,
}

#[derive(Args, Debug)]
pub struct AirdropArgs {
    #[arg(long, default_value = "10")]
    pub sol: String,
    /// IO from the faucet wallet (enough for the README's flow).
    #[arg(long, default_value = "50000")]
    pub io: String,
    /// Recipient (default: you).
    #[arg(long)]
    pub to: Option<Pubkey>,
}

pub async fn run(ctx: &Context, command: TokenCommand) -> Result<()> {
    let client = ctx.client()?;
    let me = client.payer.pubkey();
    match command {
        TokenCommand::Balance { owner } => {
            let owner = owner.unwrap_or(me);
            let sol = client.fetch(&owner).await?.map_or(0, |a| a.lamports);
            let io = client
                .token_balance(&pda::associated_token(&owner, &pda::io_mint()))
                .await?;
            let iosd = client
                .token_balance(&pda::associated_token(&owner, &pda::iosd_mint()))
                .await?;
            ctx.print(
                json!({"owner": owner.to_string(), "sol_lamports": sol, "io": io, "iosd": iosd}),
                || {
                    format!(
                        "{owner}\n  SOL   {}\n  IO    {}\n  IOSD  {}",
                        sol as f64 / 1e9,
                        Token::Io.format(io),
                        Token::Iosd.format(iosd)
                    )
                },
            );
        }
        TokenCommand::BurnForIosd(args) => {
            let args_for_program = match (&args.io, &args.iosd) {
                (Some(io), None) => BurnArgs::ExactIn {
                    io: Token::Io.parse(io)?,
                    min_iosd: args
                        .limit
                        .as_deref()
                        .map(|l| Token::Iosd.parse(l))
                        .transpose()?
                        .unwrap_or(0),
                },
                (None, Some(iosd)) => BurnArgs::ExactOut {
                    iosd: Token::Iosd.parse(iosd)?,
                    max_io: args
                        .limit
                        .as_deref()
                        .map(|l| Token::Io.parse(l))
                        .transpose()?
                        .unwrap_or(u64::MAX),
                },
                _ => bail!("pass exactly one of --io and --iosd"),
            };
            let tokenomics: Tokenomics = client.expect_account(&pda::tokenomics()).await?;
            let io_account = pda::associated_token(&me, &pda::io_mint());
            let iosd_account = pda::associated_token(&me, &pda::iosd_mint());
            let before = (
                client.token_balance(&io_account).await?,
                client.token_balance(&iosd_account).await?,
            );
            if before.0 == 0 {
                bail!(
                    "InsufficientBalance: {me} holds no IO to burn; get IO first \
                     (on localnet: `ioc token airdrop`)"
                );
            }
            let instructions = ix::buy_iosd(me, tokenomics.current_epoch, args_for_program);
            let signature = ctx
                .waiting("burning IO", client.send(&instructions, &[]))
                .await?;
            let burned = before.0 - client.token_balance(&io_account).await?;
            let minted = client.token_balance(&iosd_account).await? - before.1;
            ctx.print(
                json!({"signature": signature.to_string(), "io_burned": burned, "iosd_minted": minted}),
                || {
                    format!(
                        "Burned {} IO for {} IOSD ({signature})",
                        Token::Io.format(burned),
                        Token::Iosd.format(minted)
                    )
                },
            );
        }
        TokenCommand::Airdrop(args) => {
            require_localnet(ctx, "airdrop")?;
            let to = args.to.unwrap_or(me);
            let sol = parse_amount(&args.sol, 9)?; // lamports
            let io = Token::Io.parse(&args.io)?;
            if sol > 0 {
                airdrop_sol(ctx, &client, &to, sol).await?;
            }
            if io > 0 {
                let faucet = read_keypair(&faucet_path(ctx))
                    .context("no faucet yet: run `ioc migrate` on this localnet first")?;
                let mint = pda::io_mint();
                let instructions = [
                    ix::create_associated_token_account(me, to, mint),
                    ix::transfer_io(
                        pda::associated_token(&faucet.pubkey(), &mint),
                        pda::associated_token(&to, &mint),
                        faucet.pubkey(),
                        io,
                    ),
                ];
                ctx.waiting("sending IO", client.send(&instructions, &[&faucet]))
                    .await?;
            }
            ctx.print(
                json!({"to": to.to_string(), "sol_lamports": sol, "io": io}),
                || {
                    format!(
                        "Airdropped {} SOL and {} IO to {to}",
                        Token::Io.format(sol),
                        Token::Io.format(io)
                    )
                },
            );
        }
    }
    Ok(())
}
