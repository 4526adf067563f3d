use crate::context::Context;
use anyhow::{anyhow, Result};
use clap::{Args, Subcommand, ValueEnum};
use io_compute::{
    state::{Governance, Proposal, ProposalState, StakePosition, VoteChoice},
    CreateProposalArgs,
};
use io_compute_sdk::{client::Client, gov, ix, pda};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signer::Signer};

#[derive(Subcommand, Debug)]
pub enum GovCommand {
    /// Propose parameter changes, e.g. --set provider_fee_bps=300.
    Propose(ProposeArgs),
    /// Vote with one of your positions.
    Vote(VoteArgs),
    /// Take a vote back (while voting: it leaves the tally).
    Relinquish(PositionArgs),
    /// Close the vote once it has ended (anyone may).
    Finalize { id: u64 },
    /// Apply a passed proposal after its timelock: its changes, or the role
    /// instruction governance signs (anyone may).
    Execute { id: u64 },
    /// All proposals.
    List,
    /// Every parameter a proposal can change, and the form of its value.
    Params,
    /// One proposal.
    Show { id: u64 },
}

#[derive(Args, Debug)]
pub struct ProposeArgs {
    /// name=value, up to 4 (`ioc gov params` lists every name and the form
    /// of its value; groups are field:value,field:value).
    #[arg(long = "set", required = true)]
    pub changes: Vec<String>,
    #[arg(long)]
    pub description: String,
    #[command(flatten)]
    pub position: PositionRef,
}

#[derive(Args, Debug)]
pub struct PositionRef {
    /// Authority of the provider your position backs (default: you).
    #[arg(long)]
    pub provider: Option<Pubkey>,
    #[arg(long, default_value_t = 0)]
    pub nonce: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

#[derive(Args, Debug)]
pub struct VoteArgs {
    pub id: u64,
    #[arg(value_enum)]
    pub choice: Choice,
    #[command(flatten)]
    pub position: PositionRef,
}

#[derive(Args, Debug)]
pub struct PositionArgs {
    pub id: u64,
    #[command(flatten)]
    pub position: PositionRef,
}

fn state_name(state: ProposalState) -> &'static str {
    match state {
        ProposalState::Voting => "voting",
        ProposalState::Succeeded => "succeeded",
        ProposalState::Defeated => "defeated",
        ProposalState::Executed => "executed",
    }
}

fn proposal_json(p: &Proposal) -> Value {
    json!({
        "id": p.id,
        "address": pda::proposal(p.id).to_string(),
        "proposer": p.proposer.to_string(),
        "description": p.description,
        "changes": p.changes.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>(),
        "call": p.call.as_ref().map(|call| json!({
            "instruction": call.instruction_name(),
            "accounts": call.accounts.iter().map(|a| a.pubkey.to_string()).collect::<Vec<_>>(),
        })),
        "state": state_name(p.state),
        "voting_end": p.voting_end,
        "yes": p.yes.to_string(),
        "no": p.no.to_string(),
        "abstain": p.abstain.to_string(),
        "quorum_weight": p.quorum_weight.to_string(),
        "finalized_at": p.finalized_at,
    })
}

async fn load(client: &Client, id: u64) -> Result<Proposal> {
    client
        .account(&pda::proposal(id))
        .await?
        .ok_or_else(|| anyhow!("proposal {id} does not exist"))
}

async fn position(client: &Client, me: Pubkey, r: &PositionRef) -> Result<(Pubkey, u64)> {
    let provider = pda::provider(&r.provider.unwrap_or(me));
    let key = pda::stake_position(&me, &provider, r.nonce);
    client
        .account::<StakePosition>(&key)
        .await?
        .ok_or_else(|| {
            anyhow!(
                "you have no stake position {} behind that provider",
                r.nonce
            )
        })?;
    Ok((provider, r.nonce))
}

pub async fn run(ctx: &Context, command: GovCommand) -> Result<()> {
    if let GovCommand::Params = command {
        let params = gov::PARAMS;
        ctx.print(
            json!(params
                .iter()
                .map(|(name, form)| json!({"name": name, "value": form}))
                .collect::<Vec<_>>()),
            || {
                params
                    .iter()
                    .map(|(name, form)| format!("{name:<22} {form}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        );
        return Ok(());
    }
    let client = ctx.client()?;
    let me = client.payer.pubkey();
    match command {
        GovCommand::Params => unreachable!("answered above without a client"),
        GovCommand::Propose(args) => {
            let changes = args
                .changes
                .iter()
                .map(|c| gov::parse_change(c).map_err(|e| anyhow!("{e}")))
                .collect::<Result<Vec<_>>>()?;
            let (provider, nonce) = position(&client, me, &args.position).await?;
            let governance: Governance = client.expect_account(&pda::governance()).await?;
            let id = governance.next_proposal_id;
            let create = CreateProposalArgs {
                description: args.description,
                changes,
                call: None,
            };
            let signature = ctx
                .waiting(
                    "proposing",
                    client.send(&[ix::create_proposal(me, provider, nonce, id, create)], &[]),
                )
                .await?;
            let p = load(&client, id).await?;
            let mut out = proposal_json(&p);
            out["signature"] = json!(signature.to_string());
            ctx.print(out, || {
                format!("Proposal {id} is open until {} ({signature})", p.voting_end)
            });
        }
        GovCommand::Vote(args) => {
            load(&client, args.id).await?;
            let (provider, nonce) = position(&client, me, &args.position).await?;
            let choice = match args.choice {
                Choice::Yes => VoteChoice::Yes,
                Choice::No => VoteChoice::No,
                Choice::Abstain => VoteChoice::Abstain,
            };
            let signature = ctx
                .waiting(
                    "voting",
                    client.send(&[ix::cast_vote(me, args.id, provider, nonce, choice)], &[]),
                )
                .await?;
            let p = load(&client, args.id).await?;
            let mut out = proposal_json(&p);
            out["signature"] = json!(signature.to_string());
            ctx.print(out, || {
                format!("Voted on proposal {} ({signature})", args.id)
            });
        }
        GovCommand::Relinquish(args) => {
            let (provider, nonce) = position(&client, me, &args.position).await?;
            let signature = ctx
                .waiting(
                    "relinquishing",
                    client.send(&[ix::relinquish_vote(me, args.id, provider, nonce)], &[]),
                )
                .await?;
            ctx.print(
                json!({"id": args.id, "signature": signature.to_string()}),
                || format!("Released your vote on proposal {} ({signature})", args.id),
            );
        }
        GovCommand::Finalize { id } | GovCommand::Execute { id } => {
            let proposal = load(&client, id).await?;
            let (instruction, what) = match (command, &proposal.call) {
                (GovCommand::Finalize { .. }, _) => (ix::finalize_proposal(id), "finalizing"),
                // A role instruction governance signs; its co-signers (a
                // keeper being admitted) must be this wallet.
                (_, Some(call)) => (ix::execute_proposal_call(id, call), "executing"),
                (_, None) => (ix::execute_proposal(id), "executing"),
            };
            let signature = ctx.waiting(what, client.send(&[instruction], &[])).await?;
            let p = load(&client, id).await?;
            let mut out = proposal_json(&p);
            out["signature"] = json!(signature.to_string());
            ctx.print(out, || format!("Proposal {id} is {}", state_name(p.state)));
        }
        GovCommand::List => {
            let mut proposals: Vec<(Pubkey, Proposal)> = client.program_accounts(&[]).await?;
            proposals.sort_by_key(|(_, p)| p.id);
            ctx.print(
                json!(proposals
                    .iter()
                    .map(|(_, p)| proposal_json(p))
                    .collect::<Vec<_>>()),
                || {
                    proposals
                        .iter()
                        .map(|(_, p)| {
                            format!("{:>4}  {:<10} {}", p.id, state_name(p.state), p.description)
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            );
        }
        GovCommand::Show { id } => {
            let p = load(&client, id).await?;
            ctx.print(proposal_json(&p), || {
                format!(
                    "proposal {id} ({}): {}\n  changes {:?}\n  yes {} no {} abstain {} (quorum {})",
                    state_name(p.state),
                    p.description,
                    p.changes,
                    p.yes,
                    p.no,
                    p.abstain,
                    p.quorum_weight
                )
            });
        }
    }
    Ok(())
}
