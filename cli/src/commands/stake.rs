use crate::context::Context;
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use io_compute::{
    constants::SECONDS_PER_DAY,
    state::{Provider, StakeKind, StakePosition, REWARD_IO, REWARD_IOSD},
    StakeArgs,
};
use io_compute_sdk::{amount::Token, client::Client, filters, ix, pda};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signer::Signer};
use std::collections::{hash_map::Entry, HashMap};

#[derive(Subcommand, Debug)]
pub enum StakeCommand {
    /// Stake IO behind your own provider.
    Add(AddArgs),
    /// Stake IO behind someone else's provider.
    CoStake(CoStakeArgs),
    /// Start a position's cooldown (the whole position).
    Unstake(PositionArgs),
    /// After the cooldown: take the position's IO back (claims rewards first).
    Withdraw(PositionArgs),
    /// Your positions (or another owner's).
    List {
        #[arg(long)]
        owner: Option<Pubkey>,
    },
    /// Claim a position's IO and IOSD rewards.
    Claim(PositionArgs),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// IO to stake, e.g. 1000.
    #[arg(allow_hyphen_values = true)]
    pub amount: String,
    /// Lockup in days (0-365); longer earns up to 4x rewards and votes.
    #[arg(long, default_value_t = 0)]
    pub lockup_days: i64,
}

#[derive(Args, Debug)]
pub struct CoStakeArgs {
    /// The provider's authority wallet.
    pub provider: Pubkey,
    #[arg(allow_hyphen_values = true)]
    pub amount: String,
    #[arg(long, default_value_t = 0)]
    pub lockup_days: i64,
}

#[derive(Args, Debug)]
pub struct PositionArgs {
    /// The provider's authority wallet (default: you).
    #[arg(long)]
    pub provider: Option<Pubkey>,
    #[arg(long, default_value_t = 0)]
    pub nonce: u64,
}

pub fn position_json(key: &Pubkey, p: &StakePosition, value: u64) -> Value {
    json!({
        "id": key.to_string(),
        "owner": p.owner.to_string(),
        "provider": p.provider.to_string(),
        "nonce": p.nonce,
        "kind": match p.kind { StakeKind::Own => "own", StakeKind::CoStake => "co-stake" },
        "deposited": p.deposited,
        "value": value,
        "multiplier_bps": p.multiplier,
        "lockup_end": p.lockup_end,
        "cooldown_end": p.cooldown_end,
        "active_votes": p.active_votes,
        "rewards_owed_io": p.rewards_owed[REWARD_IO],
        "rewards_owed_iosd": p.rewards_owed[REWARD_IOSD],
    })
}

/// The lowest nonce without a position of `owner` behind `provider`, from
/// one getProgramAccounts call.
async fn next_nonce(client: &Client, owner: &Pubkey, provider: &Pubkey) -> Result<u64> {
    let taken: Vec<u64> = client
        .program_accounts(&[
            filters::positions_by_owner(owner),
            filters::positions_by_provider(provider),
        ])
        .await?
        .into_iter()
        .map(|(_, position)| position.nonce)
        .collect();
    Ok((0..).find(|n| !taken.contains(n)).expect("a free nonce"))
}

async fn open(
    ctx: &Context,
    client: &Client,
    provider_authority: Pubkey,
    amount: &str,
    lockup_days: i64,
    own: bool,
) -> Result<()> {
    let me = client.payer.pubkey();
    let provider = pda::provider(&provider_authority);
    let amount = Token::Io.parse(amount)?;
    let source = pda::associated_token(&me, &pda::io_mint());
    let balance = client.token_balance(&source).await?;
    if balance < amount {
        bail!(
            "insufficient IO: you have {}, staking needs {}",
            Token::Io.format(balance),
            Token::Io.format(amount)
        );
    }
    if client.raw_account(&provider).await?.is_none() {
        if own {
            bail!(
                "you are not a provider yet: register with `ioc provider register`, \
                 or stake behind one with `ioc stake co-stake <PROVIDER_AUTHORITY> <AMOUNT>`"
            );
        }
        bail!("{provider_authority} is not a provider (no provider account {provider})");
    }
    let nonce = next_nonce(client, &me, &provider).await?;
    let args = StakeArgs {
        nonce,
        amount,
        lockup_secs: lockup_days * SECONDS_PER_DAY,
    };
    let instruction = if own {
        ix::stake(me, source, args)
    } else {
        ix::co_stake(me, provider, source, args)
    };
    let signature = ctx
        .waiting("staking", client.send(&[instruction], &[]))
        .await?;
    let key = pda::stake_position(&me, &provider, nonce);
    ctx.print(
        json!({"id": key.to_string(), "nonce": nonce, "amount": amount, "signature": signature.to_string()}),
        || format!("Staked {} IO as position {nonce} ({key})", Token::Io.format(amount)),
    );
    Ok(())
}

pub async fn run(ctx: &Context, command: StakeCommand) -> Result<()> {
    let client = ctx.client()?;
    let me = client.payer.pubkey();
    let io_account = pda::associated_token(&me, &pda::io_mint());
    let iosd_account = pda::associated_token(&me, &pda::iosd_mint());
    match command {
        StakeCommand::Add(args) => {
            open(ctx, &client, me, &args.amount, args.lockup_days, true).await?
        }
        StakeCommand::CoStake(args) => {
            open(
                ctx,
                &client,
                args.provider,
                &args.amount,
                args.lockup_days,
                false,
            )
            .await?
        }
        StakeCommand::Unstake(args) => {
            let provider = pda::provider(&args.provider.unwrap_or(me));
            let signature = ctx
                .waiting(
                    "unstaking",
                    client.send(&[ix::request_unstake(me, provider, args.nonce)], &[]),
                )
                .await?;
            let key = pda::stake_position(&me, &provider, args.nonce);
            let position: StakePosition = client.expect_account(&key).await?;
            ctx.print(
                json!({"id": key.to_string(), "cooldown_end": position.cooldown_end, "signature": signature.to_string()}),
                || format!("Unstaking; withdraw from {} (unix time)", position.cooldown_end),
            );
        }
        StakeCommand::Withdraw(args) => {
            let provider = pda::provider(&args.provider.unwrap_or(me));
            let key = pda::stake_position(&me, &provider, args.nonce);
            let position: StakePosition = client.expect_account(&key).await?;
            let before = client.token_balance(&io_account).await?;
            let mut instructions = vec![
                ix::create_associated_token_account(me, me, pda::io_mint()),
                ix::create_associated_token_account(me, me, pda::iosd_mint()),
            ];
            if position.rewards_owed != [0, 0] {
                instructions.push(ix::claim_rewards(
                    me,
                    provider,
                    args.nonce,
                    io_account,
                    iosd_account,
                ));
            }
            instructions.push(ix::withdraw(me, provider, args.nonce, io_account));
            let signature = ctx
                .waiting("withdrawing", client.send(&instructions, &[]))
                .await?;
            let received = client.token_balance(&io_account).await? - before;
            ctx.print(
                json!({"id": key.to_string(), "io_received": received, "signature": signature.to_string()}),
                || format!("Withdrew {} IO ({signature})", Token::Io.format(received)),
            );
        }
        StakeCommand::List { owner } => {
            let owner = owner.unwrap_or(me);
            let positions: Vec<(Pubkey, StakePosition)> = client
                .program_accounts(&[filters::positions_by_owner(&owner)])
                .await?;
            // One fetch per provider, however many positions back it.
            let mut providers: HashMap<Pubkey, Provider> = HashMap::new();
            let mut rows = Vec::new();
            for (key, position) in &positions {
                if let Entry::Vacant(slot) = providers.entry(position.provider) {
                    slot.insert(client.expect_account(&position.provider).await?);
                }
                let provider = &providers[&position.provider];
                let value = provider
                    .stake
                    .value_of(position.shares, position.kind)
                    .unwrap_or(0);
                rows.push((position_json(key, position, value), provider.name.clone()));
            }
            ctx.print(
                json!(rows.iter().map(|(j, _)| j.clone()).collect::<Vec<_>>()),
                || {
                    let mut lines = vec![format!(
                        "{:>5}  {:<20} {:<8} {:>18}  {:>6}  {:<10}",
                        "nonce", "provider", "kind", "value IO", "mult", "state"
                    )];
                    lines.extend(rows.iter().map(|(j, name)| {
                        let state = if j["cooldown_end"].as_i64() == Some(0) {
                            "active"
                        } else {
                            "unstaking"
                        };
                        format!(
                            "{:>5}  {:<20} {:<8} {:>18}  {:>5.2}x  {:<10}",
                            j["nonce"].as_u64().unwrap_or(0),
                            name,
                            j["kind"].as_str().unwrap_or(""),
                            Token::Io.format(j["value"].as_u64().unwrap_or(0)),
                            j["multiplier_bps"].as_u64().unwrap_or(0) as f64 / 10_000.0,
                            state
                        )
                    }));
                    lines.join("\n")
                },
            );
        }
        StakeCommand::Claim(args) => {
            let provider = pda::provider(&args.provider.unwrap_or(me));
            let before = (
                client.token_balance(&io_account).await?,
                client.token_balance(&iosd_account).await?,
            );
            let instructions = [
                ix::create_associated_token_account(me, me, pda::io_mint()),
                ix::create_associated_token_account(me, me, pda::iosd_mint()),
                ix::claim_rewards(me, provider, args.nonce, io_account, iosd_account),
            ];
            let signature = ctx
                .waiting("claiming", client.send(&instructions, &[]))
                .await?;
            let io = client.token_balance(&io_account).await? - before.0;
            let iosd = client.token_balance(&iosd_account).await? - before.1;
            ctx.print(
                json!({"io": io, "iosd": iosd, "signature": signature.to_string()}),
                || {
                    format!(
                        "Claimed {} IO and {} IOSD ({signature})",
                        Token::Io.format(io),
                        Token::Iosd.format(iosd)
                    )
                },
            );
        }
    }
    Ok(())
}
