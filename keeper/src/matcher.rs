//! The matcher: every sweep it reads the open leases, the devices and their
//! providers from the chain, picks for each lease (oldest first) the
//! cheapest devices that `LeaseSpec::accepts` (the program's own rule)
//! until their GPUs make the lease's count, journals the intent and sends
//! `assign_devices`, through an address lookup table when the lease is too
//! wide for a legacy transaction. The chain is the truth: a lease another
//! keeper took first is noted and left.

use crate::{
    board::Hub,
    journal::{Entry, Journal},
    metrics::Metrics,
    sender::Sender,
};
use anyhow::Result;
use io_compute::state::{Device, Lease, LeaseStatus, Provider};
use io_compute_sdk::{client::ClientError, ix, lookup, pda};
use solana_sdk::{pubkey::Pubkey, signer::Signer};
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

pub struct Matcher {
    pub sender: Arc<Sender>,
    /// Lamports under which nothing is sent (`KeeperConfig::min_balance`).
    pub min_balance: u64,
    pub journal: Journal,
    pub metrics: Metrics,
    /// Told which devices serve which of this keeper's running leases;
    /// its banned devices are never matched, its live ones first.
    pub hub: Arc<Hub>,
    /// A device is live while its worker claimed or beat within this.
    pub claim: std::time::Duration,
    /// Match live devices only.
    pub live_only: bool,
}

/// The devices chosen for `lease` among `devices` (not in `taken`): the
/// accepted ones whose GPUs add up to the lease's count, live ones first
/// (a worker in session with this keeper, its last device check passed)
/// or, with `live_only`, live ones only; then the cheapest. None if they
/// do not add up.
pub fn choose(
    lease: &Lease,
    devices: &[(Pubkey, Device)],
    providers: &HashMap<Pubkey, Provider>,
    taken: &HashSet<Pubkey>,
    live: &HashSet<Pubkey>,
    live_only: bool,
) -> Option<Vec<(Pubkey, Pubkey)>> {
    let is_live = |key: &Pubkey, d: &Device| live.contains(key) && d.failed_checks == 0;
    let mut candidates: Vec<&(Pubkey, Device)> = devices
        .iter()
        .filter(|(key, device)| {
            !taken.contains(key)
                && (!live_only || is_live(key, device))
                && providers
                    .get(&device.provider)
                    .is_some_and(|p| lease.spec.accepts(device, p).is_ok())
        })
        .collect();
    // Live first, then the cheapest, then the more reliable, then the
    // older account.
    candidates.sort_by_key(|(key, d)| {
        (
            !is_live(key, d),
            d.price_per_gpu_hour,
            u16::MAX - d.reliability_bps,
            *key,
        )
    });
    let mut left = lease.spec.gpu_count;
    let mut chosen = Vec::new();
    for (key, device) in candidates {
        if device.gpu_count <= left {
            left -= device.gpu_count;
            chosen.push((*key, device.provider));
        }
        if left == 0 {
            return Some(chosen);
        }
    }
    None
}

impl Matcher {
    /// The keeper authority.
    pub fn authority(&self) -> Pubkey {
        self.sender.client().payer.pubkey()
    }

    /// Settles intents a previous run journaled without an outcome: the
    /// lease's state on the chain says whether the assignment landed.
    pub async fn reconcile(&self) -> Result<()> {
        for id in self.journal.unresolved_intents()? {
            let outcome = match self
                .sender
                .client()
                .account::<Lease>(&pda::lease(id))
                .await?
            {
                Some(lease)
                    if lease.status != LeaseStatus::Open && lease.keeper == self.authority() =>
                {
                    "assigned"
                }
                Some(lease) if lease.status == LeaseStatus::Open => "not landed",
                _ => "taken",
            };
            self.journal
                .record(Entry::AssignOutcome {
                    lease: id,
                    outcome: outcome.to_string(),
                    signature: None,
                })
                .await?;
        }
        Ok(())
    }

    /// One pass over the chain; returns how many leases it assigned. Under
    /// the balance floor it sends nothing.
    pub async fn sweep(&self) -> Result<usize> {
        let client = self.sender.client();
        let leases = client.program_accounts::<Lease>(&[]).await?;
        let now = client.chain_time().await?;
        self.publish(&leases, now);
        let balance = client
            .rpc
            .get_balance(&self.authority())
            .await
            .map_err(|e| client.rpc_error(e))?;
        self.metrics.balance.set(balance as i64);
        if balance < self.min_balance {
            tracing::warn!(
                "the keeper's balance of {balance} lamports is under its floor of {}: fund {}",
                self.min_balance,
                self.authority()
            );
            return Ok(0);
        }
        let devices = self.sender.client().program_accounts::<Device>(&[]).await?;
        let providers: HashMap<Pubkey, Provider> = self
            .sender
            .client()
            .program_accounts::<Provider>(&[])
            .await?
            .into_iter()
            .collect();
        let mut open: Vec<&Lease> = leases
            .iter()
            .map(|(_, l)| l)
            .filter(|l| l.status == LeaseStatus::Open)
            .collect();
        open.sort_by_key(|l| l.id);
        self.metrics.open_leases.set(open.len() as i64);
        let (mut taken, live) = self.hub.with(|b| {
            (
                b.banned.clone(),
                b.live_devices(self.claim, std::time::Instant::now()),
            )
        });
        let mut assigned = 0;
        for lease in open {
            let Some(chosen) = choose(lease, &devices, &providers, &taken, &live, self.live_only)
            else {
                continue;
            };
            taken.extend(chosen.iter().map(|(d, _)| *d));
            if self.assign(lease, &chosen).await? {
                assigned += 1;
            }
        }
        self.metrics.sweeps.inc();
        Ok(assigned)
    }

    /// Tells the board which of this keeper's leases run at chain time
    /// `now` and with which devices, and wakes waiting workers.
    fn publish(&self, leases: &[(Pubkey, Lease)], now: i64) {
        let me = self.authority();
        let mut assignments = HashMap::new();
        let mut running = HashMap::new();
        for (_, lease) in leases {
            if lease.keeper == me && lease.status == LeaseStatus::Active && now < lease.end {
                running.insert(lease.id, lease.client);
                for entry in &lease.devices {
                    assignments.insert(entry.device, lease.id);
                }
            }
        }
        self.hub.with(|b| b.set_assignments(assignments, running));
        self.hub.work.notify_waiters();
    }

    /// Journals the intent, sends, journals the outcome. A program error
    /// (another keeper took the lease or a device first) is an outcome, not
    /// a failure: the next sweep sees the new state.
    async fn assign(&self, lease: &Lease, chosen: &[(Pubkey, Pubkey)]) -> Result<bool> {
        let devices: Vec<Pubkey> = chosen.iter().map(|(d, _)| *d).collect();
        let mut providers: Vec<Pubkey> = Vec::new();
        for (_, p) in chosen {
            if !providers.contains(p) {
                providers.push(*p);
            }
        }
        self.journal
            .record(Entry::AssignIntent {
                lease: lease.id,
                devices: devices.iter().map(Pubkey::to_string).collect(),
            })
            .await?;
        crate::crash::point("assign-intent");
        let me = self.authority();
        let instruction = ix::assign_devices(me, lease.id, &devices, &providers);
        let sent = if lookup::fits_legacy(std::slice::from_ref(&instruction), &me) {
            self.sender
                .send("assign_devices", &[instruction])
                .await
                .map(|(signature, _)| signature)
        } else {
            let addresses = lookup::lease_addresses(&devices, &providers);
            self.sender
                .client()
                .send_with_lookup_table(&[instruction], &[], &addresses)
                .await
                .map(|(signature, _)| signature)
        };
        let (outcome, signature, landed) = match sent {
            Ok(signature) => ("assigned".to_string(), Some(signature.to_string()), true),
            Err(ClientError::Program { name, .. }) => (name, None, false),
            Err(other) => return Err(other.into()),
        };
        self.metrics
            .assignments
            .with_label_values(&[outcome.as_str()])
            .inc();
        if landed {
            let now = self.sender.client().chain_time().await?;
            self.metrics
                .cluster_ready
                .observe((now - lease.created_at).max(0) as f64);
        }
        self.journal
            .record(Entry::AssignOutcome {
                lease: lease.id,
                outcome,
                signature,
            })
            .await?;
        Ok(landed)
    }
}
