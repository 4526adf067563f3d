//! The market's whole cycle with the keeper as its own process: a staked
//! provider's worker; a client's cluster paid in IO; jobs; proofs; the time
//! lock passes; finalized; the epoch advances; device and staking rewards
//! claimed; a governance vote changes the provider fee; the next cluster
//! pays the new fee. Every IOSD base unit is then accounted for: the
//! wallets and vaults that hold IOSD hold the whole supply, and the escrow
//! vault holds exactly what the leases keep in escrow. And a proof voided
//! by an upheld dispute: counted, its reservation freed, nothing lost.

use io_compute::{
    state::{
        Config, Epoch, Lease, LeaseSpec, ParamChange, Proposal, Tokenomics, Verdict, VoteChoice,
    },
    CreateLeaseWithIoArgs, CreateProposalArgs, HandOverAuthorityArgs,
};
use io_compute_sdk::{
    api::{self, SubmitJobs},
    client::Client,
    gpu, ix,
    ix::ProofKeys,
    job::{GemmDtype, GemmInputs, GemmSpec, Job, JobSpec},
    pda,
};
use io_compute_testkit::{
    all_succeeded, free_port, run_jobs, settled, spawn_keeper, tiny_jobs, until, wait_ready,
    Network,
};
use io_keeper::epochs::DeviceRewardReport;
use solana_sdk::signer::{keypair::Keypair, Signer};
use tokio_util::sync::CancellationToken;

/// Runs four jobs on `lease`, waits for their proof(s), lets the lock pass
/// and the keeper finalize; returns the provider's IOSD gain and what the
/// proofs owed.
async fn run_and_settle(n: &Network, url: &str, lease: u64, first_seed: u64) -> (u64, u64) {
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
    n.finalize_proofs(lease).await
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
    let (gained, owed) = run_and_settle(&n, &url, 0, 0).await;
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
    let (gained, owed) = run_and_settle(&n, &url, 1, 100).await;
    assert_eq!(gained, owed, "the provider is paid exactly, at the new fee");

    n.assert_iosd_conserved(&[0, 1]).await;
    stop.cancel();
}

/// A proof voided by an upheld dispute: the keeper counts it as voided on
/// /metrics (not as finalized), the escrow it reserved is free again, and
/// every IOSD base unit is still accounted for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voided_proof_is_counted_and_its_reservation_freed() {
    let n = Network::start("voided", 1).await;
    let keeper = io_keeper::start(n.keeper_config(4)).await.unwrap();
    let url = format!("http://{}", keeper.addr);
    let stop = CancellationToken::new();
    n.start_worker(0, &url, stop.clone());
    n.rent(0, 1).await;
    let client = n.jobs_client(&url);
    // Jobs long enough (milliseconds of device time) to owe base units.
    let jobs = (0..4)
        .map(|seed| {
            Job::new(JobSpec::Gemm(GemmSpec {
                m: 512,
                n: 512,
                k: 512,
                dtype: GemmDtype::F32,
                allow_tf32: false,
                inputs: GemmInputs::Seed { seed },
            }))
        })
        .collect();
    let ids = run_jobs(&client, 0, jobs).await;
    settled(&n, &client, &ids).await;
    let reserved = n.proofs(0).await[0].reserved;
    assert!(reserved > 0);

    // The client disputes with the minimum bond; the arbiter upholds it.
    let keys = ProofKeys {
        lease_id: 0,
        device: n.devices[0],
        provider: pda::provider(&n.owner.pubkey()),
        seq: 0,
        keeper_authority: n.keeper_key.pubkey(),
    };
    let bond = io_compute::constants::DEFAULT_MIN_DISPUTE_BOND;
    let client_io = pda::associated_token(&n.client_key.pubkey(), &pda::io_mint());
    n.give_io(n.client_key.pubkey(), bond).await;
    n.client
        .send(
            &[ix::dispute_proof(
                n.client_key.pubkey(),
                keys,
                client_io,
                bond,
            )],
            &[],
        )
        .await
        .unwrap();
    n.chain
        .send(
            &[ix::resolve_dispute(
                n.keeper_key.pubkey(),
                keys,
                n.client_key.pubkey(),
                client_io,
                Verdict::ProviderAtFault,
            )],
            &[],
        )
        .await
        .unwrap();
    assert!(n.proofs(0).await.is_empty(), "the proof is closed");
    let metrics = until("the voided proof counted", 30, async || {
        let text = reqwest::get(format!("{url}/metrics"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.contains("keeper_proofs_total{step=\"voided\"} 1")
            .then_some(text)
    })
    .await;
    assert!(
        !metrics.contains("keeper_proofs_total{step=\"finalized\"}"),
        "{metrics}"
    );
    let lease: Lease = n.chain.expect_account(&pda::lease(0)).await.unwrap();
    assert_eq!(lease.reserved, 0, "the voided proof's reservation is free");
    assert_eq!(lease.paid_out, 0, "nothing was paid for it");
    n.assert_iosd_conserved(&[0]).await;
    stop.cancel();
    keeper.shutdown().await.unwrap();
}
