//! Epoch duties, on chain time: advance the epoch when it is due (anyone
//! may; the first keeper wins, the others' simulations say so); check every
//! device with a live session once an epoch (the sequential seeded
//! challenge, its deadline from the model's reference throughput) and
//! record the outcomes on-chain in batches; count each device's uptime;
//! and after an epoch ends, publish its device-reward report (a
//! content-addressed blob anyone can recompute the root from) and post the
//! root.

use crate::{blobs::Blobs, board::Hub, metrics::Metrics, sender::Sender};
use anyhow::Result;
use io_compute::{
    constants::MAX_CHECKS_PER_BATCH,
    state::{Config, Device, Epoch, GpuModels, Provider, Tokenomics},
    PostDeviceRewardsArgs,
};
use io_compute_sdk::{
    api,
    client::ClientError,
    device_check::deadline_ms,
    ix,
    job::DeviceCheckSpec,
    merkle::{DeviceReward, DeviceRewardTree},
    pda,
};
use serde::{Deserialize, Serialize};
use solana_sdk::{pubkey::Pubkey, signer::Signer};
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

/// The size of the epoch's device check and how its deadline is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckPlan {
    pub n: u32,
    pub steps: u32,
    /// Percent of the model's reference throughput a device must reach.
    pub efficiency_pct: u32,
    /// Set-up, hashing and round trip, ms.
    pub fixed_ms: u64,
}

impl Default for CheckPlan {
    fn default() -> Self {
        Self {
            n: 1_024,
            steps: 16,
            efficiency_pct: 30,
            fixed_ms: 3_000,
        }
    }
}

/// The published report of an epoch's device rewards.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DeviceRewardReport {
    pub version: u16,
    pub epoch: u64,
    /// The epoch's device emission the rewards share.
    pub emission: u64,
    /// Each: uptime_secs x gpu_count x the model's multiplier, for devices
    /// that passed the epoch's check; amount = emission x weight / total
    /// weight, rounded down.
    pub rewards: Vec<ReportedReward>,
    pub total: u64,
    /// Root of `merkle::device_reward_leaf` over the rewards, in order.
    pub root: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReportedReward {
    pub device: String,
    pub owner: String,
    pub uptime_secs: u64,
    pub gpu_count: u8,
    pub multiplier: u32,
    pub amount: u64,
    /// For `claim_device_reward`.
    pub proof: Vec<String>,
}

/// The rewards of `emission` among (device, owner, uptime, gpus,
/// multiplier): pro rata to their weights, rounded down.
pub fn share_rewards(
    epoch: u64,
    emission: u64,
    devices: &[(Pubkey, Pubkey, u64, u8, u32)],
) -> DeviceRewardReport {
    let weight = |(_, _, uptime, gpus, multiplier): &(Pubkey, Pubkey, u64, u8, u32)| {
        *uptime as u128 * *gpus as u128 * *multiplier as u128
    };
    let total_weight: u128 = devices.iter().map(weight).sum();
    let rewards: Vec<DeviceReward> = devices
        .iter()
        .map(|d| DeviceReward {
            device: d.0,
            owner: d.1,
            amount: (emission as u128 * weight(d))
                .checked_div(total_weight)
                .unwrap_or(0) as u64,
        })
        .collect();
    let tree = DeviceRewardTree::new(epoch, rewards.clone());
    DeviceRewardReport {
        version: 1,
        epoch,
        emission,
        rewards: rewards
            .iter()
            .zip(devices)
            .enumerate()
            .map(|(i, (r, d))| ReportedReward {
                device: r.device.to_string(),
                owner: r.owner.to_string(),
                uptime_secs: d.2,
                gpu_count: d.3,
                multiplier: d.4,
                amount: r.amount,
                proof: tree.proof(i).iter().map(|h| api::hex(h)).collect(),
            })
            .collect(),
        total: tree.total(),
        root: api::hex(&tree.root()),
    }
}

pub struct EpochDuties {
    pub sender: Arc<Sender>,
    pub hub: Arc<Hub>,
    pub blobs: Blobs,
    pub metrics: Metrics,
    pub claim: Duration,
    pub plan: CheckPlan,
}

impl EpochDuties {
    fn me(&self) -> Pubkey {
        self.sender.client().payer.pubkey()
    }

    /// One round; `elapsed` is the time since the last (for uptime).
    pub async fn tick(&self, elapsed: Duration) -> Result<()> {
        let client = self.sender.client();
        let tokenomics: Tokenomics = client.expect_account(&pda::tokenomics()).await?;
        let number = tokenomics.current_epoch;
        let epoch: Epoch = client.expect_account(&pda::epoch(number)).await?;
        let config: Config = client.expect_account(&pda::config()).await?;
        let now = client.chain_time().await?;
        self.hub
            .with(|b| b.count_uptime(number, elapsed.as_secs().max(1), self.claim, Instant::now()));
        self.schedule_checks(number).await?;
        self.record_checks(number).await?;
        if now >= epoch.start + config.tokenomics_params.epoch_length_secs {
            match self
                .sender
                .send("advance_epoch", &[ix::advance_epoch(self.me(), number)])
                .await
            {
                Ok(_) => {
                    self.metrics
                        .epoch_duties
                        .with_label_values(&["advance"])
                        .inc();
                    tracing::info!("epoch {} began", number + 1);
                }
                // Another keeper advanced it first.
                Err(ClientError::Program { name, .. }) => {
                    tracing::debug!("advance_epoch {number}: {name}")
                }
                Err(other) => return Err(other.into()),
            }
        }
        if number > 0 {
            self.post_rewards(number - 1).await?;
        }
        Ok(())
    }

    /// A check for every live device not yet checked this epoch (by this
    /// keeper or, as the chain says, another).
    async fn schedule_checks(&self, number: u64) -> Result<()> {
        let live = self.hub.with(|b| {
            let live = b.live_devices(self.claim, Instant::now());
            live.into_iter()
                .filter(|d| !b.has_check(d, number))
                .collect::<Vec<_>>()
        });
        if live.is_empty() {
            return Ok(());
        }
        let client = self.sender.client();
        let models: GpuModels = client.expect_account(&pda::gpu_models()).await?;
        for key in live {
            let Some(device) = client.account::<Device>(&key).await? else {
                continue;
            };
            if device.last_check_epoch == Some(number) {
                continue;
            }
            let reference = models
                .models
                .iter()
                .find(|m| m.code == device.model)
                .map_or(0.15, |m| m.ref_fp32_tflops_x100 as f64 / 100.0);
            let spec = DeviceCheckSpec {
                seed: rand::random(),
                n: self.plan.n,
                steps: self.plan.steps,
                deadline_ms: deadline_ms(
                    self.plan.n,
                    self.plan.steps,
                    reference * device.gpu_count.max(1) as f64,
                    self.plan.efficiency_pct as f64 / 100.0,
                    self.plan.fixed_ms,
                ),
            };
            self.hub
                .with(|b| b.schedule_check(key, number, spec, Instant::now()));
        }
        self.hub.work.notify_waiters();
        Ok(())
    }

    async fn record_checks(&self, number: u64) -> Result<()> {
        let outcomes = self.hub.with(|b| b.take_check_outcomes(number));
        for batch in outcomes.chunks(MAX_CHECKS_PER_BATCH) {
            match self
                .sender
                .send(
                    "record_device_checks",
                    &[ix::record_device_checks(self.me(), number, batch)],
                )
                .await
            {
                Ok(_) => {
                    self.metrics
                        .epoch_duties
                        .with_label_values(&["checks"])
                        .inc();
                }
                Err(ClientError::Program { name, .. }) => {
                    tracing::warn!("recording {} device check(s) refused: {name}", batch.len())
                }
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }

    /// Publishes and posts the device rewards of ended epoch `number`,
    /// unless a root is already posted for it or nobody earned any.
    async fn post_rewards(&self, number: u64) -> Result<()> {
        if self.hub.with(|b| b.device_reports.contains_key(&number)) {
            return Ok(());
        }
        let client = self.sender.client();
        let epoch: Epoch = client.expect_account(&pda::epoch(number)).await?;
        if epoch.has_device_root() || epoch.emission.devices == 0 {
            self.hub
                .with(|b| b.device_reports.insert(number, String::new()));
            return Ok(());
        }
        let models: GpuModels = client.expect_account(&pda::gpu_models()).await?;
        let earned: Vec<(Pubkey, u64)> = self.hub.with(|b| b.earners(number));
        let mut devices = Vec::new();
        let mut owners: HashMap<Pubkey, Pubkey> = HashMap::new();
        for (key, uptime) in earned {
            let Some(device) = client.account::<Device>(&key).await? else {
                continue;
            };
            let owner = match owners.get(&device.provider) {
                Some(owner) => *owner,
                None => {
                    let Some(provider) = client.account::<Provider>(&device.provider).await? else {
                        continue;
                    };
                    owners.insert(device.provider, provider.authority);
                    provider.authority
                }
            };
            let multiplier = models
                .models
                .iter()
                .find(|m| m.code == device.model)
                .map_or(10_000, |m| m.reward_multiplier);
            devices.push((key, owner, uptime, device.gpu_count, multiplier));
        }
        devices.sort_by_key(|d| d.0);
        let report = share_rewards(number, epoch.emission.devices, &devices);
        if report.total == 0 {
            self.hub
                .with(|b| b.device_reports.insert(number, String::new()));
            return Ok(());
        }
        let bytes = serde_json::to_vec_pretty(&report).expect("reports serialize");
        let hash = api::blob_hash(&bytes);
        self.blobs.put(&hash, bytes).await?;
        // Published before its root is posted.
        self.hub
            .with(|b| b.device_reports.insert(number, hash.clone()));
        let args = PostDeviceRewardsArgs {
            epoch: number,
            root: api::from_hex32(&report.root).expect("a hex root"),
            total: report.total,
        };
        match self
            .sender
            .send(
                "post_device_rewards",
                &[ix::post_device_rewards(self.me(), args)],
            )
            .await
        {
            Ok(_) => {
                self.metrics
                    .epoch_duties
                    .with_label_values(&["rewards"])
                    .inc();
                tracing::info!(
                    "epoch {number}: device rewards of {} IO to {} device(s) posted; report {hash}",
                    report.total,
                    report.rewards.len()
                );
            }
            Err(ClientError::Program { name, .. }) => {
                tracing::info!("epoch {number}: device rewards not posted: {name}");
                self.hub
                    .with(|b| b.device_reports.insert(number, String::new()));
            }
            Err(other) => return Err(other.into()),
        }
        Ok(())
    }
}
