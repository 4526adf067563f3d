//! The settler: closes each device's proof period when it is due (a job
//! count or an age), over chain time from where the chain says the device
//! was last proven; has the device's worker sign the period; posts signed
//! periods, as many to a transaction as fit, each behind the Ed25519 check
//! of its worker's signature; and finalizes every proof of this keeper
//! whose time lock has passed, which pays the provider. Claims whose
//! worker went silent are expired here too. A proof of this keeper that
//! closes without its own finalize is counted by what its last
//! transaction did: finalized by another cranker, or voided (a dispute
//! upheld or a GEMM fraud proven).
//!
//! The chain decides what landed: after a refused or unanswered send, a
//! period whose proof account holds its root is posted; any other goes
//! back to the queue of unproven jobs, so no receipt is ever in two proofs.

use crate::{
    board::{Hub, Period, PeriodState},
    journal::{Entry, JobEvent, Journal},
    metrics::Metrics,
    sender::Sender,
};
use anyhow::Result;
use io_compute::{
    state::{Lease, LeaseStatus, ProofStatus, Provider, UsageProof},
    PostUsageProofArgs,
};
use io_compute_sdk::{
    api::{self, JobState},
    client::ClientError,
    filters, ix,
    ix::ProofKeys,
    lookup, pda,
};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::{instruction::Instruction, pubkey::Pubkey, signer::Signer};
use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

pub struct Settler {
    pub sender: Arc<Sender>,
    pub hub: Arc<Hub>,
    pub journal: Journal,
    pub metrics: Metrics,
    pub period_jobs: u32,
    pub period: Duration,
    pub claim: Duration,
    /// Proofs of this keeper open on the chain at the last finalize sweep,
    /// or landed since.
    pub open_proofs: Mutex<HashSet<Pubkey>>,
}

impl Settler {
    fn me(&self) -> Pubkey {
        self.sender.client().payer.pubkey()
    }

    /// One round: expire silent claims, close due periods, post signed
    /// ones; with `finalize`, also finalize unlocked proofs.
    pub async fn tick(&self, finalize: bool) -> Result<()> {
        let expired = self.hub.with(|b| b.expire(self.claim, Instant::now()));
        if !expired.is_empty() {
            tracing::info!(
                "{} claim(s) expired; their jobs are queued again",
                expired.len()
            );
            for (id, state) in &expired {
                if *state == JobState::Failed {
                    self.journal
                        .record(Entry::Job(JobEvent::Failed {
                            job: api::hex(id),
                            reason: "its workers went silent".into(),
                        }))
                        .await?;
                }
            }
            self.hub.work.notify_waiters();
            self.hub.done.notify_waiters();
        }
        self.close_due().await?;
        self.post_signed().await?;
        if finalize {
            self.finalize_unlocked().await?;
        }
        Ok(())
    }

    async fn close_due(&self) -> Result<()> {
        let due = self
            .hub
            .with(|b| b.due_periods(self.period_jobs, self.period, Instant::now()));
        if due.is_empty() {
            return Ok(());
        }
        let client = self.sender.client();
        let now = client.chain_time().await?;
        for (id, device) in due {
            let Some(lease) = client.account::<Lease>(&pda::lease(id)).await? else {
                continue;
            };
            let Some(entry) = lease.devices.iter().find(|d| d.device == device) else {
                continue;
            };
            let last_end = if lease.status == LeaseStatus::Closed {
                lease.closed_at.min(lease.end)
            } else {
                lease.end
            };
            let start = lease.start.max(entry.proven_until);
            let end = now.min(last_end);
            if end <= start {
                continue;
            }
            let asked = self.hub.with(|b| {
                b.close_period(
                    &pda::lease(id),
                    (id, device),
                    entry.next_proof_seq,
                    (start, end),
                    entry.gpu_count,
                    self.period_jobs,
                )
            });
            if let Some(request) = asked {
                tracing::debug!(
                    "period {} of {device} on lease {id}: {} job(s), {} GPU-µs, sent to its worker to sign",
                    request.seq,
                    request.job_count,
                    request.device_time_us
                );
                self.hub.work.notify_waiters();
            }
        }
        Ok(())
    }

    fn post_instructions(&self, period: &Period) -> Option<[Instruction; 2]> {
        let PeriodState::Signed(signature, worker) = period.state else {
            return None;
        };
        Some(ix::post_usage_proof(
            self.me(),
            period.lease,
            period.device,
            PostUsageProofArgs {
                seq: period.seq,
                period_start: period.start,
                period_end: period.end,
                device_time_us: period.device_time_us,
                job_count: period.jobs.len() as u32,
                receipts_root: period.root,
            },
            &worker,
            &signature,
        ))
    }

    /// Posts the signed periods, packing as many into each transaction as
    /// a legacy transaction holds.
    async fn post_signed(&self) -> Result<()> {
        let signed = self.hub.with(|b| b.signed_periods());
        let budget = [
            ComputeBudgetInstruction::set_compute_unit_limit(0),
            ComputeBudgetInstruction::set_compute_unit_price(0),
        ];
        let mut batch: Vec<Period> = Vec::new();
        let mut instructions: Vec<Instruction> = Vec::new();
        for period in signed {
            let Some(pair) = self.post_instructions(&period) else {
                continue;
            };
            let mut trial = budget.to_vec();
            trial.extend(instructions.iter().cloned());
            trial.extend(pair.iter().cloned());
            if !batch.is_empty() && !lookup::fits_legacy(&trial, &self.me()) {
                self.send_batch(
                    std::mem::take(&mut batch),
                    std::mem::take(&mut instructions),
                )
                .await?;
            }
            instructions.extend(pair);
            batch.push(period);
        }
        if !batch.is_empty() {
            self.send_batch(batch, instructions).await?;
        }
        Ok(())
    }

    async fn send_batch(&self, batch: Vec<Period>, instructions: Vec<Instruction>) -> Result<()> {
        for period in &batch {
            let PeriodState::Signed(signature, worker) = period.state else {
                continue;
            };
            self.journal
                .record(Entry::Job(JobEvent::PeriodIntent {
                    lease: period.lease,
                    device: period.device.to_string(),
                    seq: period.seq,
                    jobs: period.jobs.iter().map(|j| api::hex(j)).collect(),
                    start: period.start,
                    end: period.end,
                    signature: signature.to_string(),
                    worker: worker.to_string(),
                }))
                .await?;
        }
        crate::crash::point("period-intent");
        match self.sender.send("post_usage_proof", &instructions).await {
            Ok((signature, _)) => {
                crate::crash::point("period-sent");
                for period in batch {
                    self.landed(period, signature.to_string()).await?;
                }
            }
            // Refused (simulation or on-chain): the chain says which
            // periods landed (an earlier send of the same proof), the
            // others' jobs wait for a new period.
            Err(error @ (ClientError::Program { .. } | ClientError::Transaction(_))) => {
                tracing::warn!(
                    "posting {} period(s) was refused ({error}); resyncing with the chain",
                    batch.len()
                );
                for period in batch {
                    self.resync(period).await?;
                }
            }
            // Unanswered: it may still land. The periods stay signed and
            // the same proofs are sent again next round.
            Err(other) => {
                tracing::warn!("posting proofs failed: {other}; sending them again next round");
            }
        }
        Ok(())
    }

    async fn landed(&self, period: Period, tx: String) -> Result<()> {
        self.journal
            .record(Entry::Job(JobEvent::PeriodPosted {
                lease: period.lease,
                device: period.device.to_string(),
                seq: period.seq,
                jobs: period.jobs.iter().map(|j| api::hex(j)).collect(),
                tx: tx.clone(),
            }))
            .await?;
        let proof = pda::usage_proof(&pda::lease(period.lease), &period.device, period.seq);
        self.open_proofs
            .lock()
            .expect("never poisoned")
            .insert(proof);
        self.hub
            .with(|b| b.posted((period.lease, period.device), tx));
        self.metrics.proofs.with_label_values(&["posted"]).inc();
        Ok(())
    }

    /// After a refusal: the period landed if its proof account holds its
    /// root; otherwise its jobs wait for the next period.
    async fn resync(&self, period: Period) -> Result<()> {
        let lease = pda::lease(period.lease);
        let proof = self
            .sender
            .client()
            .account::<UsageProof>(&pda::usage_proof(&lease, &period.device, period.seq))
            .await?;
        if proof.is_some_and(|p| p.receipts_root == period.root) {
            self.landed(period, "found on chain".into()).await
        } else {
            self.hub.with(|b| b.reopen((period.lease, period.device)));
            Ok(())
        }
    }

    /// Finalizes every proof this keeper posted whose lock has passed and
    /// that no dispute or challenge holds (the provider's IOSD account is
    /// created if it is missing).
    async fn finalize_unlocked(&self) -> Result<()> {
        let client = self.sender.client();
        let me = self.me();
        let proofs = client
            .program_accounts::<UsageProof>(&[filters::proofs_by_keeper(&me)])
            .await?;
        let open: HashSet<Pubkey> = proofs.iter().map(|(key, _)| *key).collect();
        let closed: Vec<Pubkey> = {
            let mut known = self.open_proofs.lock().expect("never poisoned");
            let closed = known.difference(&open).copied().collect();
            *known = open;
            closed
        };
        for key in closed {
            self.count_closed(&key).await;
        }
        if proofs.is_empty() {
            return Ok(());
        }
        let now = client.chain_time().await?;
        for (key, proof) in proofs {
            if proof.unlock_at > now
                || proof.status == ProofStatus::Disputed
                || proof.open_challenges > 0
            {
                continue;
            }
            let (Some(lease), Some(provider)) = (
                client.account::<Lease>(&proof.lease).await?,
                client.account::<Provider>(&proof.provider).await?,
            ) else {
                continue;
            };
            let keys = ProofKeys {
                lease_id: lease.id,
                device: proof.device,
                provider: proof.provider,
                seq: proof.seq,
                keeper_authority: me,
            };
            let destination = pda::associated_token(&provider.authority, &pda::iosd_mint());
            let instructions = [
                ix::create_associated_token_account(me, provider.authority, pda::iosd_mint()),
                ix::finalize_proof(me, keys, destination),
            ];
            match self.sender.send("finalize_proof", &instructions).await {
                Ok(_) => {
                    self.metrics.proofs.with_label_values(&["finalized"]).inc();
                    self.open_proofs
                        .lock()
                        .expect("never poisoned")
                        .remove(&key);
                }
                Err(ClientError::Program { name, .. }) => {
                    tracing::warn!(
                        "finalizing proof {} of lease {} refused: {name}",
                        proof.seq,
                        lease.id
                    );
                }
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }

    /// Counts proof `key`, missing from the sweep and not finalized by this
    /// keeper, by its last transaction: `FinalizeProof` (another cranker)
    /// or anything else that closes a proof (voided). One still there (an
    /// RPC node behind the one that confirmed its post) is kept for the
    /// next sweep. A read that fails is logged.
    async fn count_closed(&self, key: &Pubkey) {
        let client = self.sender.client();
        if let Ok(Some(_)) = client.account::<UsageProof>(key).await {
            self.open_proofs
                .lock()
                .expect("never poisoned")
                .insert(*key);
            return;
        }
        let logs = async {
            let newest = client
                .rpc
                .get_signatures_for_address(key)
                .await
                .map_err(|e| client.rpc_error(e))?;
            let Some(last) = newest.first() else {
                return Ok(None);
            };
            let signature: solana_sdk::signature::Signature = last.signature.parse()?;
            let tx = client
                .rpc
                .get_transaction(
                    &signature,
                    solana_transaction_status_client_types::UiTransactionEncoding::Json,
                )
                .await
                .map_err(|e| client.rpc_error(e))?;
            anyhow::Ok(
                tx.transaction
                    .meta
                    .and_then(|meta| Option::<Vec<String>>::from(meta.log_messages)),
            )
        };
        match logs.await {
            Ok(Some(logs)) => {
                if logs
                    .iter()
                    .any(|line| line == "Program log: Instruction: FinalizeProof")
                {
                    self.metrics.proofs.with_label_values(&["finalized"]).inc();
                } else {
                    tracing::warn!("usage proof {key} was voided");
                    self.metrics.proofs.with_label_values(&["voided"]).inc();
                }
            }
            Ok(None) => tracing::warn!("usage proof {key} closed, and no transaction shows how"),
            Err(error) => tracing::warn!("cannot tell how usage proof {key} closed: {error:#}"),
        }
    }
}
