//! `ioc job`: jobs on a cluster you rent, through the keeper that serves it
//! (found from the lease's keeper record on the chain, or `--keeper`).
//! Every submission is signed by your wallet, which must be the cluster's
//! client; `receipts` checks each receipt against the root its proof holds
//! on the chain, so a bill can be verified without trusting the keeper.

use crate::context::Context;
use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Args, Subcommand};
use io_compute::{
    merkle,
    receipt::receipt_leaf,
    state::{Keeper, Lease, UsageProof},
};
use io_compute_sdk::{
    api::{self, JobStatus, LeaseReceipts, SubmitJobs},
    client::Client,
    job::{GemmDtype, GemmInputs, GemmSpec, Job, JobSpec},
    keeper_client::KeeperClient,
    pda,
    worker_key::receipt_signed_by,
};
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use std::{path::PathBuf, time::Duration};

/// Which keeper to ask.
#[derive(Args, Debug, Clone)]
pub struct KeeperArgs {
    /// The cluster (lease id) whose keeper to ask.
    #[arg(long)]
    cluster: Option<u64>,
    /// The keeper's URL, instead of the one the chain records.
    #[arg(long, env = "IOC_KEEPER")]
    keeper: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum JobCommand {
    /// Submit jobs to a cluster: `ioc job submit --cluster 7 gemm --m 1024
    /// --n 1024 --k 1024 --dtype f32`.
    Submit {
        #[command(flatten)]
        keeper: KeeperArgs,
        #[command(subcommand)]
        job: SubmitKind,
    },
    /// A job's state.
    Status {
        id: String,
        #[command(flatten)]
        keeper: KeeperArgs,
    },
    /// Waits until a job succeeds or fails.
    Wait {
        id: String,
        #[command(flatten)]
        keeper: KeeperArgs,
        /// Seconds to wait at most.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// Downloads a finished job's outputs (little-endian, row-major).
    Result {
        id: String,
        #[command(flatten)]
        keeper: KeeperArgs,
        /// Where to write them: this file, or with several outputs this
        /// directory (one file per output hash).
        #[arg(long)]
        out: PathBuf,
    },
    /// A cluster's receipts, each checked against its proof on the chain.
    Receipts {
        #[command(flatten)]
        keeper: KeeperArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum SubmitKind {
    /// C = A x B with A and B generated from a seed (see the sdk's `job`).
    Gemm {
        #[arg(long)]
        m: u32,
        #[arg(long)]
        n: u32,
        #[arg(long)]
        k: u32,
        /// f32, bf16, f16 or i32 (exact, provable on-chain).
        #[arg(long, default_value = "f32")]
        dtype: GemmDtype,
        /// f32 only: tensor cores may round inputs to TF32.
        #[arg(long)]
        allow_tf32: bool,
        /// Seed of the inputs (random when not given).
        #[arg(long)]
        seed: Option<u64>,
        /// How many such jobs (seeds seed, seed+1, ...).
        #[arg(long, default_value_t = 1)]
        count: u64,
    },
    /// Jobs from a JSON file: an array of versioned job specs.
    File { path: PathBuf },
}

/// The keeper to talk to, signing as `ctx`'s wallet.
async fn connect(ctx: &Context, chain: &Client, args: &KeeperArgs) -> Result<KeeperClient> {
    let signer = ctx.keypair()?;
    if let Some(url) = &args.keeper {
        return KeeperClient::connect(url, signer)
            .await
            .with_context(|| format!("asking {url} who it is"));
    }
    let id = args
        .cluster
        .ok_or_else(|| anyhow!("name the cluster (--cluster ID) or the keeper (--keeper URL)"))?;
    let lease: Lease = chain
        .account(&pda::lease(id))
        .await?
        .ok_or_else(|| anyhow!("there is no cluster {id}"))?;
    if lease.keeper == Pubkey::default() {
        bail!("cluster {id} has no keeper yet: it is still waiting for devices");
    }
    let keeper: Keeper = chain.expect_account(&pda::keeper(&lease.keeper)).await?;
    Ok(KeeperClient::new(&keeper.endpoint, lease.keeper, signer))
}

fn status_json(status: &JobStatus) -> serde_json::Value {
    serde_json::to_value(status).expect("statuses serialize")
}

fn status_line(status: &JobStatus) -> String {
    let mut line = format!("job {}  {}", status.id, status.state.name());
    if let Some(device) = &status.device {
        line.push_str(&format!("  on {device}"));
    }
    if let Some(receipt) = &status.receipt {
        line.push_str(&format!("  {} GPU-µs", receipt.device_time_us));
    }
    if let Some(error) = &status.error {
        line.push_str(&format!("  ({error})"));
    }
    line
}

pub async fn run(ctx: &Context, command: JobCommand) -> Result<()> {
    let chain = ctx.client()?;
    match command {
        JobCommand::Submit { keeper, job } => {
            let lease = keeper
                .cluster
                .ok_or_else(|| anyhow!("name the cluster to run on (--cluster ID)"))?;
            let jobs = match job {
                SubmitKind::Gemm {
                    m,
                    n,
                    k,
                    dtype,
                    allow_tf32,
                    seed,
                    count,
                } => {
                    let first = seed.unwrap_or_else(rand_seed);
                    (0..count.max(1))
                        .map(|i| {
                            Job::new(JobSpec::Gemm(GemmSpec {
                                m,
                                n,
                                k,
                                dtype,
                                allow_tf32,
                                inputs: GemmInputs::Seed {
                                    seed: first.wrapping_add(i),
                                },
                            }))
                        })
                        .collect()
                }
                SubmitKind::File { path } => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    serde_json::from_str::<Vec<Job>>(&text).with_context(|| {
                        format!("{} is not a JSON array of jobs", path.display())
                    })?
                }
            };
            for (i, job) in jobs.iter().enumerate() {
                job.validate().with_context(|| format!("job {i}"))?;
            }
            let client = connect(ctx, &chain, &keeper).await?;
            let submitted = ctx
                .waiting("submitting", client.submit(&SubmitJobs { lease, jobs }))
                .await?;
            let value = match submitted.jobs.as_slice() {
                [one] => status_json(one),
                many => json!(many.iter().map(status_json).collect::<Vec<_>>()),
            };
            ctx.print(value, || {
                submitted
                    .jobs
                    .iter()
                    .map(status_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        JobCommand::Status { id, keeper } => {
            let client = connect(ctx, &chain, &keeper).await?;
            let status = client.status(&id).await?;
            ctx.print(status_json(&status), || status_line(&status));
        }
        JobCommand::Wait {
            id,
            keeper,
            timeout,
        } => {
            let client = connect(ctx, &chain, &keeper).await?;
            let deadline = std::time::Instant::now() + Duration::from_secs(timeout);
            let status = ctx
                .waiting("waiting for the job", async {
                    loop {
                        let left = deadline.saturating_duration_since(std::time::Instant::now());
                        let status = client.wait(&id, left.min(Duration::from_secs(30))).await?;
                        if status.state.is_final() || left.is_zero() {
                            return anyhow::Ok(status);
                        }
                    }
                })
                .await?;
            ctx.print(status_json(&status), || status_line(&status));
        }
        JobCommand::Result { id, keeper, out } => {
            let client = connect(ctx, &chain, &keeper).await?;
            let status = client.status(&id).await?;
            if status.state != api::JobState::Succeeded {
                bail!("job {id} is {}: it has no outputs", status.state.name());
            }
            let mut written = Vec::new();
            for hash in &status.outputs {
                let bytes = client.get_blob(hash).await?;
                if api::blob_hash(&bytes) != *hash {
                    bail!("the keeper sent output {hash} with other contents");
                }
                let path = if status.outputs.len() == 1 {
                    out.clone()
                } else {
                    std::fs::create_dir_all(&out)?;
                    out.join(hash)
                };
                std::fs::write(&path, &bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                written.push(
                    json!({"hash": hash, "path": path.display().to_string(), "bytes": bytes.len()}),
                );
            }
            ctx.print(json!(written), || {
                written
                    .iter()
                    .map(|w| {
                        format!(
                            "wrote {} ({} bytes)",
                            w["path"].as_str().unwrap_or(""),
                            w["bytes"]
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        JobCommand::Receipts { keeper } => {
            let lease = keeper
                .cluster
                .ok_or_else(|| anyhow!("name the cluster (--cluster ID)"))?;
            let client = connect(ctx, &chain, &keeper).await?;
            let receipts: LeaseReceipts =
                client.get(&format!("/v1/leases/{lease}/receipts")).await?;
            let summary = check_receipts(&chain, lease, &receipts).await?;
            ctx.print(summary.clone(), || {
                let mut lines: Vec<String> = summary["periods"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        format!(
                            "proof {}  seq {}  {} jobs  {} GPU-µs  every receipt verified",
                            p["proof"].as_str().unwrap_or(""),
                            p["seq"],
                            p["jobs"],
                            p["device_time_us"]
                        )
                    })
                    .collect();
                lines.push(format!(
                    "{} receipts in {} proofs, all matching the chain",
                    summary["receipts"], summary["proofs"]
                ));
                lines.join("\n")
            });
        }
    }
    Ok(())
}

fn rand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Checks every receipt of `receipts` against its proof on the chain: the
/// Merkle path to the proof's root, the worker's signature, and the
/// proof's job count and device time. A proof already finalized (closed)
/// is reported as settled, its receipts checked against the root the
/// keeper reports only.
pub(crate) async fn check_receipts(
    chain: &Client,
    lease: u64,
    receipts: &LeaseReceipts,
) -> Result<serde_json::Value> {
    let lease_key = pda::lease(lease);
    let mut periods = Vec::new();
    let mut total = 0;
    for period in &receipts.periods {
        let proof_key: Pubkey = period.proof.parse().context("a proof address")?;
        let device: Pubkey = period.device.parse().context("a device address")?;
        let on_chain: Option<UsageProof> = chain.account(&proof_key).await?;
        let root = match &on_chain {
            Some(proof) => {
                if api::hex(&proof.receipts_root) != period.receipts_root {
                    bail!("proof {proof_key}: the keeper's root is not the chain's");
                }
                if proof.job_count as usize != period.receipts.len() {
                    bail!(
                        "proof {proof_key} holds {} jobs, the keeper lists {}",
                        proof.job_count,
                        period.receipts.len()
                    );
                }
                proof.receipts_root
            }
            None => api::from_hex32(&period.receipts_root).context("a root")?,
        };
        let mut time = 0u64;
        for (i, proven) in period.receipts.iter().enumerate() {
            let (receipt, signature) = proven
                .receipt
                .decode()
                .ok_or_else(|| anyhow!("proof {proof_key}: receipt {i} does not parse"))?;
            let path = proven
                .merkle_proof
                .iter()
                .map(|h| api::from_hex32(h).ok_or_else(|| anyhow!("a Merkle hash")))
                .collect::<Result<Vec<_>>>()?;
            if !merkle::verify(&path, &root, receipt_leaf(&lease_key, &device, &receipt)) {
                bail!(
                    "proof {proof_key}: receipt {} is not under its root",
                    proven.receipt.job_id
                );
            }
            if let Some(proof) = &on_chain {
                if !receipt_signed_by(&proof.worker, &lease_key, &device, &receipt, &signature) {
                    bail!(
                        "proof {proof_key}: receipt {} is not signed by the device's worker",
                        proven.receipt.job_id
                    );
                }
            }
            time += receipt.device_time_us;
        }
        if let Some(proof) = &on_chain {
            if proof.device_time_us != time {
                bail!(
                    "proof {proof_key} bills {} GPU-µs, its receipts add up to {time}",
                    proof.device_time_us
                );
            }
        }
        total += period.receipts.len();
        periods.push(json!({
            "proof": proof_key.to_string(),
            "device": period.device,
            "seq": period.seq,
            "jobs": period.receipts.len(),
            "device_time_us": time,
            "settled": on_chain.is_none(),
            "unlock_at": on_chain.as_ref().map(|p| p.unlock_at),
        }));
    }
    Ok(json!({
        "lease": lease,
        "proofs": periods.len(),
        "receipts": total,
        "verified": true,
        "periods": periods,
    }))
}
