//! Epoch duties on a running network: the device with a live worker is
//! checked (its rows opened and verified) and the outcome recorded on the
//! chain; the keeper advances the epoch when chain time says it is due,
//! publishes the ended epoch's device-reward report and posts its root;
//! the report recomputes to that root, and the provider claims the reward
//! with the report's proof.

use io_compute::state::{Config, Device, Epoch, Tokenomics};
use io_compute_sdk::{
    api,
    merkle::{DeviceReward, DeviceRewardTree},
    pda,
};
use io_compute_testkit::{until, Network};
use io_keeper::epochs::{CheckPlan, DeviceRewardReport};
use solana_sdk::signer::Signer;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_checked_epochs_advance_and_rewards_are_claimable() {
    let n = Network::start("epochs", 2).await;
    let mut config = n.keeper_config(100);
    config.live_only = true;
    config.check = CheckPlan {
        n: 64,
        steps: 4,
        fixed_ms: 10_000,
        ..CheckPlan::default()
    };
    let keeper = io_keeper::start(config).await.unwrap();
    let url = format!("http://{}", keeper.addr);
    let stop = CancellationToken::new();
    // Only device 0 has a worker: only it is checked and rewarded.
    n.start_worker(0, &url, stop.clone());
    let first: u64 = n
        .chain
        .expect_account::<Tokenomics>(&pda::tokenomics())
        .await
        .unwrap()
        .current_epoch;
    until("device 0's check on the chain", 60, async || {
        let device: Device = n.chain.expect_account(&n.devices[0]).await.unwrap();
        (device.last_check_epoch == Some(first)).then_some(())
    })
    .await;
    let checked: Device = n.chain.expect_account(&n.devices[0]).await.unwrap();
    assert_eq!(checked.failed_checks, 0, "it passed");
    let unchecked: Device = n.chain.expect_account(&n.devices[1]).await.unwrap();
    assert_eq!(unchecked.last_check_epoch, None);
    // A cluster goes to the live, checked device; the silent one is never
    // matched.
    let lease = n.rent(0, 1).await;
    assert_eq!(lease.devices[0].device, n.devices[0]);
    n.open_lease(1, 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let waiting: io_compute::state::Lease = n.chain.expect_account(&pda::lease(1)).await.unwrap();
    assert_eq!(waiting.status, io_compute::state::LeaseStatus::Open);

    // The epoch ends (chain time): the keeper advances it and posts the
    // rewards of the one that ended.
    let config: Config = n.chain.expect_account(&pda::config()).await.unwrap();
    n.net
        .bank()
        .warp_clock(config.tokenomics_params.epoch_length_secs)
        .await
        .unwrap();
    let ended: Epoch = until("the device rewards of the ended epoch", 60, async || {
        let epoch: Epoch = n.chain.expect_account(&pda::epoch(first)).await.unwrap();
        epoch.has_device_root().then_some(epoch)
    })
    .await;
    let tokenomics: Tokenomics = n.chain.expect_account(&pda::tokenomics()).await.unwrap();
    assert_eq!(tokenomics.current_epoch, first + 1);
    let report: DeviceRewardReport =
        reqwest::get(format!("{url}/v1/epochs/{first}/device-rewards"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(report.rewards.len(), 1);
    let reward = &report.rewards[0];
    assert_eq!(reward.device, n.devices[0].to_string());
    assert_eq!(reward.owner, n.owner.pubkey().to_string());
    assert_eq!(
        reward.amount, ended.emission.devices,
        "the only earner takes it all"
    );
    assert_eq!(ended.device_rewards_total, report.total);
    // Anyone recomputes the root from the report.
    let tree = DeviceRewardTree::new(
        first,
        report
            .rewards
            .iter()
            .map(|r| DeviceReward {
                device: r.device.parse().unwrap(),
                owner: r.owner.parse().unwrap(),
                amount: r.amount,
            })
            .collect(),
    );
    assert_eq!(tree.root(), ended.device_root);
    assert_eq!(api::hex(&tree.root()), report.root);

    // After the dispute window the provider claims with the report's proof.
    n.net
        .bank()
        .warp_clock(config.market_params.dispute_window_secs + 1)
        .await
        .unwrap();
    assert_eq!(n.claim_device_reward(first, reward).await, reward.amount);
    stop.cancel();
    keeper.shutdown().await.unwrap();
}
