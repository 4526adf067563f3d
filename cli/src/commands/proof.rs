use crate::context::Context;
use anyhow::{anyhow, Result};
use clap::Subcommand;
use io_compute::state::{Lease, ProofStatus, Provider, UsageProof};
use io_compute_sdk::{amount::Token, client::Client, filters, ix, pda};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signer::Signer};

#[derive(Subcommand, Debug)]
pub enum ProofCommand {
    /// Usage proofs waiting to settle (of one cluster with --cluster).
    List {
        #[arg(long)]
        cluster: Option<u64>,
    },
    /// One usage proof by address.
    Show { proof: Pubkey },
    /// Dispute a proof before it unlocks, with an IO bond (lost to the
    /// provider if the arbiter rejects the dispute, back with a reward if
    /// it upholds it). Several wallets may dispute one proof.
    Dispute {
        proof: Pubkey,
        /// IO bond; the protocol's minimum when not given.
        #[arg(long, allow_hyphen_values = true)]
        bond: Option<String>,
    },
    /// Settle an unlocked, undisputed proof (anyone may).
    Finalize { proof: Pubkey },
}

fn status_name(status: ProofStatus) -> &'static str {
    match status {
        ProofStatus::Locked => "locked",
        ProofStatus::Disputed => "disputed",
        ProofStatus::Cleared => "cleared",
    }
}

fn proof_json(key: &Pubkey, p: &UsageProof) -> Value {
    json!({
        "id": key.to_string(),
        "lease": p.lease.to_string(),
        "device": p.device.to_string(),
        "provider": p.provider.to_string(),
        "keeper": p.keeper_authority.to_string(),
        "seq": p.seq,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "device_time_us": p.device_time_us,
        "job_count": p.job_count,
        "worker": p.worker.to_string(),
        "open_challenges": p.open_challenges,
        "amount_due": p.amount_due,
        "reserved": p.reserved,
        "unlock_at": p.unlock_at,
        "status": status_name(p.status),
        "open_disputes": p.open_disputes,
    })
}

async fn load(client: &Client, key: &Pubkey) -> Result<UsageProof> {
    client
        .account(key)
        .await?
        .ok_or_else(|| anyhow!("usage proof {key} does not exist (or has settled)"))
}

async fn keys(client: &Client, proof: &UsageProof) -> Result<ix::ProofKeys> {
    let lease: Lease = client.expect_account(&proof.lease).await?;
    Ok(ix::ProofKeys {
        lease_id: lease.id,
        device: proof.device,
        provider: proof.provider,
        seq: proof.seq,
        keeper_authority: proof.keeper_authority,
    })
}

pub async fn run(ctx: &Context, command: ProofCommand) -> Result<()> {
    let client = ctx.client()?;
    let me = client.payer.pubkey();
    match command {
        ProofCommand::List { cluster } => {
            let filters = match cluster {
                Some(id) => vec![filters::proofs_by_lease(&pda::lease(id))],
                None => vec![],
            };
            let proofs: Vec<(Pubkey, UsageProof)> = client.program_accounts(&filters).await?;
            ctx.print(
                json!(proofs
                    .iter()
                    .map(|(k, p)| proof_json(k, p))
                    .collect::<Vec<_>>()),
                || {
                    proofs
                        .iter()
                        .map(|(k, p)| {
                            format!(
                                "{k}  seq {}  {} IOSD due  unlock {}  {}",
                                p.seq,
                                Token::Iosd.format(p.amount_due),
                                p.unlock_at,
                                status_name(p.status)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            );
        }
        ProofCommand::Show { proof } => {
            let p = load(&client, &proof).await?;
            ctx.print(proof_json(&proof, &p), || {
                format!(
                    "proof {proof}: {} GPU-µs, {} IOSD due, unlocks at {}",
                    p.device_time_us,
                    Token::Iosd.format(p.amount_due),
                    p.unlock_at
                )
            });
        }
        ProofCommand::Dispute { proof, bond } => {
            let p = load(&client, &proof).await?;
            let bond = match bond {
                Some(bond) => Token::Io.parse(&bond)?,
                None => {
                    let config: io_compute::state::Config =
                        client.expect_account(&pda::config()).await?;
                    config.market_params.min_dispute_bond
                }
            };
            let keys = keys(&client, &p).await?;
            let source = pda::associated_token(&me, &pda::io_mint());
            let instructions = [
                ix::create_associated_token_account(me, me, pda::io_mint()),
                ix::dispute_proof(me, keys, source, bond),
            ];
            let signature = ctx
                .waiting("disputing", client.send(&instructions, &[]))
                .await?;
            ctx.print(
                json!({"id": proof.to_string(), "bond": bond, "signature": signature.to_string()}),
                || format!("Disputed proof {proof} ({signature})"),
            );
        }
        ProofCommand::Finalize { proof } => {
            let p = load(&client, &proof).await?;
            let keys = keys(&client, &p).await?;
            let provider: Provider = client.expect_account(&p.provider).await?;
            let mint = pda::iosd_mint();
            let destination = pda::associated_token(&provider.authority, &mint);
            let instructions = [
                ix::create_associated_token_account(me, provider.authority, mint),
                ix::finalize_proof(me, keys, destination),
            ];
            let signature = ctx
                .waiting("finalizing", client.send(&instructions, &[]))
                .await?;
            ctx.print(json!({"id": proof.to_string(), "amount_due": p.amount_due, "signature": signature.to_string()}), || {
                format!("Finalized proof {proof} ({signature})")
            });
        }
    }
    Ok(())
}
