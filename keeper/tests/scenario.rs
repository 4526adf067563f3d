//! The market's whole cycle with the keeper as its own process: a staked
//! provider's worker; a client's cluster paid in IO; jobs; proofs; the time
//! lock passes; finalized; the epoch advances; device and staking rewards
//! claimed; a governance vote changes the provider fee; the next cluster
//! pays the new fee. Every IOSD base unit is then accounted for: the
//! wallets and vaults that hold IOSD hold the whole supply, and the escrow
//! vault holds exactly what the leases keep in escrow.

use io_compute::{
    state::{
        Config, Epoch, Lease, LeaseSpec, Market, ParamChange, Proposal, Tokenomics, UsageProof,
        VoteChoice,
    },
    CreateLeaseWithIoArgs, CreateProposalArgs, HandOverAuthorityArgs,
};
use io_compute_sdk::{
    api::{self, SubmitJobs},
    client::Client,
    filters, gpu, ix, pda,
};
use io_compute_testkit::{
    all_succeeded, free_port, spawn_keeper, tiny_jobs, until, wait_ready, Network,
};
use io_keeper::epochs::DeviceRewardReport;
use solana_sdk::{
    pubkey::Pubkey,
    signer::{keypair::Keypair, Signer},
};
use tokio_util::sync::CancellationToken;

/// The lease's proofs on the chain.
async fn proofs(n: &Network, lease: u64) -> Vec<UsageProof> {
    n.chain
        .program_accounts::<UsageProof>(&[filters::proofs_by_lease(&pda::lease(lease))])
        .await
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

/// Runs four jobs on `lease`, waits for their proof(s), lets the lock pass
/// and the keeper finalize; returns the provider's IOSD gain and what the
/// proofs owed at `fee_bps`.
async fn run_and_settle(
    n: &Network,
    url: &str,
    lease: u64,
    first_seed: u64,
    fee_bps: u16,
) -> (u64, u64) {
    let client = n.jobs_client(url);
    let submitted = client
        .submit(&SubmitJobs {
            lease,
            jobs: tiny_jobs(first_seed, 4),
        })
        .await
        .unwrap();
    let ids: Vec<String> = submitted.jobs.into_iter().map(|j| j.id).collect();
    all_succeeded(&client, &ids).await;
    let receipts: api::LeaseReceipts = until("the jobs' proof", 60, async || {
        let receipts: api::LeaseReceipts = client
            .get(&format!("/v1/leases/{lease}/receipts"))
            .await
            .ok()?;
        (receipts
            .periods
            .iter()
            .map(|p| p.receipts.len())
            .sum::<usize>()
            == 4)
            .then_some(receipts)
    })
    .await;
    assert!(!receipts.periods.is_empty());
    let owed: u64 = proofs(n, lease)
        .await
        .iter()
        .map(|p| p.amount_due - (p.amount_due as u128 * fee_bps as u128).div_ceil(10_000) as u64)
        .sum();
    let provider_iosd = pda::associated_token(&n.owner.pubkey(), &pda::iosd_mint());
    let before = n.chain.token_balance(&provider_iosd).await.unwrap_or(0);
    let config: Config = n.chain.expect_account(&pda::config()).await.unwrap();
    n.net
        .bank()
        .warp_clock(config.market_params.dispute_window_secs + 1)
        .await
        .unwrap();
    until("the proofs' finalization", 60, async || {
        proofs(n, lease).await.is_empty().then_some(())
    })
    .await;
    let gained = n.chain.token_balance(&provider_iosd).await.unwrap() - before;
    (gained, owed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_paid_in_io_settles_rewards_are_claimed_and_a_vote_changes_the_next_fee() {
    let n = Network::start("scenario", 1).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let _keeper = spawn_keeper(env!("CARGO_BIN_EXE_io-keeper"), &n, port, 4, None);
    wait_ready(&url).await;
    let stop = CancellationToken::new();
    n.start_worker(0, &url, stop.clone());
    let device = n.devices[0];
    let provider = pda::provider(&n.owner.pubkey());
    let first_epoch = n
        .chain
        .expect_account::<Tokenomics>(&pda::tokenomics())
        .await
        .unwrap()
        .current_epoch;
    // The device is checked before anything else happens this epoch.
    until("the device check", 60, async || {
        let d: io_compute::state::Device = n.chain.expect_account(&device).await.ok()?;
        (d.last_check_epoch == Some(first_epoch)).then_some(())
    })
    .await;

    // A cluster paid in IO (burned for its IOSD deposit at the oracle price).
    let spec = LeaseSpec {
        model: gpu::model_code("RTX4090").unwrap(),
        gpu_count: 1,
        region: String::new(),
        hours: 1,
        max_price_per_gpu_hour: 500_000,
        min_reliability_bps: 0,
    };
    let client_io = pda::associated_token(&n.client_key.pubkey(), &pda::io_mint());
    let io_before = n.client.token_balance(&client_io).await.unwrap();
    n.client
        .send(
            &[ix::create_lease_with_io(
                n.client_key.pubkey(),
                client_io,
                0,
                pda::price_feed(),
                first_epoch,
                CreateLeaseWithIoArgs {
                    spec: spec.clone(),
                    max_io: 100 * io_compute::constants::ONE_IO,
                },
            )],
            &[],
        )
        .await
        .unwrap();
    assert!(
        n.client.token_balance(&client_io).await.unwrap() < io_before,
        "IO was burned"
    );
    let lease = n.active_lease(0, 30).await;
    let config: Config = n.chain.expect_account(&pda::config()).await.unwrap();
    assert_eq!(lease.client_fee_bps, config.market_params.client_fee_bps_io);
    let old_fee = config.market_params.provider_fee_bps;
    let (gained, owed) = run_and_settle(&n, &url, 0, 0, old_fee).await;
    assert_eq!(gained, owed, "the provider is paid exactly, at the old fee");

    // The lock's passing ended the epoch too: the keeper advanced it and
    // posted its device rewards; after their window the provider claims.
    let ended: Epoch = until("the device rewards", 60, async || {
        let e: Epoch = n
            .chain
            .expect_account(&pda::epoch(first_epoch))
            .await
            .ok()?;
        e.has_device_root().then_some(e)
    })
    .await;
    let report: DeviceRewardReport =
        reqwest::get(format!("{url}/v1/epochs/{first_epoch}/device-rewards"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    n.net
        .bank()
        .warp_clock(config.market_params.dispute_window_secs + 1)
        .await
        .unwrap();
    assert_eq!(
        n.claim_device_reward(first_epoch, &report.rewards[0]).await,
        ended.device_rewards_total
    );
    let owner_client = Client::new(&n.url, n.owner.insecure_clone());
    let owner_io = pda::associated_token(&n.owner.pubkey(), &pda::io_mint());
    // Staking rewards of the provider's own stake.
    let before = owner_client.token_balance(&owner_io).await.unwrap();
    let owner_iosd = pda::associated_token(&n.owner.pubkey(), &pda::iosd_mint());
    owner_client
        .send(
            &[
                ix::create_associated_token_account(
                    n.owner.pubkey(),
                    n.owner.pubkey(),
                    pda::iosd_mint(),
                ),
                ix::claim_rewards(n.owner.pubkey(), provider, 0, owner_io, owner_iosd),
            ],
            &[],
        )
        .await
        .unwrap();
    assert!(
        owner_client.token_balance(&owner_io).await.unwrap() > before,
        "the staker's share of the emission was paid"
    );

    // Governance takes the config authority; the provider (the only
    // staker) proposes a lower provider fee and votes for it.
    n.chain
        .send(
            &[ix::hand_over_authority(
                n.keeper_key.pubkey(),
                HandOverAuthorityArgs {
                    arbiter: Keypair::new().pubkey(),
                    keeper_admin: Keypair::new().pubkey(),
                    price_authority: Keypair::new().pubkey(),
                },
            )],
            &[],
        )
        .await
        .unwrap();
    let new_fee = old_fee / 2;
    let id = n
        .chain
        .expect_account::<io_compute::state::Governance>(&pda::governance())
        .await
        .unwrap()
        .next_proposal_id;
    owner_client
        .send(
            &[
                ix::create_proposal(
                    n.owner.pubkey(),
                    provider,
                    0,
                    id,
                    CreateProposalArgs {
                        description: "halve the provider fee".into(),
                        changes: vec![ParamChange::ProviderFeeBps(new_fee)],
                        call: None,
                    },
                ),
                ix::cast_vote(n.owner.pubkey(), id, provider, 0, VoteChoice::Yes),
            ],
            &[],
        )
        .await
        .unwrap();
    let proposal: Proposal = n.chain.expect_account(&pda::proposal(id)).await.unwrap();
    let now = n.chain.chain_time().await.unwrap();
    n.net
        .bank()
        .warp_clock(proposal.voting_end - now + 1)
        .await
        .unwrap();
    n.chain
        .send(&[ix::finalize_proposal(id)], &[])
        .await
        .unwrap();
    let proposal: Proposal = n.chain.expect_account(&pda::proposal(id)).await.unwrap();
    let now = n.chain.chain_time().await.unwrap();
    let timelock = n
        .chain
        .expect_account::<io_compute::state::Governance>(&pda::governance())
        .await
        .unwrap()
        .params
        .timelock_secs;
    n.net
        .bank()
        .warp_clock(proposal.finalized_at + timelock - now + 1)
        .await
        .unwrap();
    n.chain
        .send(&[ix::execute_proposal(id)], &[])
        .await
        .unwrap();
    let config: Config = n.chain.expect_account(&pda::config()).await.unwrap();
    assert_eq!(config.market_params.provider_fee_bps, new_fee);

    // The next cluster pays the new fee.
    let lease: Lease = n.chain.expect_account(&pda::lease(0)).await.unwrap();
    n.client
        .send(
            &[ix::close_lease(
                n.client_key.pubkey(),
                n.client_key.pubkey(),
                0,
                n.iosd,
                &[lease.devices[0].device],
                &[provider],
            )],
            &[],
        )
        .await
        .unwrap();
    n.rent(1, 1).await;
    let (gained, owed) = run_and_settle(&n, &url, 1, 100, new_fee).await;
    assert_eq!(gained, owed, "the provider is paid exactly, at the new fee");

    // Every IOSD base unit accounted for.
    let market: Market = n.chain.expect_account(&pda::market()).await.unwrap();
    let mut escrow = 0;
    for id in [0, 1] {
        if let Some(l) = n.chain.account::<Lease>(&pda::lease(id)).await.unwrap() {
            assert_eq!(
                l.deposited,
                l.escrow + l.paid_out + l.fees + l.refunded,
                "lease {id}"
            );
            escrow += l.escrow;
        }
    }
    assert_eq!(market.escrow_total, escrow);
    assert_eq!(
        n.chain.token_balance(&pda::escrow_vault()).await.unwrap(),
        escrow
    );
    let holders: Vec<Pubkey> = vec![
        n.iosd,
        owner_iosd,
        pda::escrow_vault(),
        pda::treasury_iosd_vault(),
        pda::rewards_iosd_vault(),
    ];
    let mut held = 0;
    for key in &holders {
        held += n.chain.token_balance(key).await.unwrap_or(0);
    }
    assert_eq!(
        held,
        n.chain.mint_supply(&pda::iosd_mint()).await.unwrap(),
        "the IOSD supply is all in these wallets and vaults"
    );
    stop.cancel();
}
