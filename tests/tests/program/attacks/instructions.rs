//! The sweeps: every instruction through every attack class.

use super::*;
use io_compute::{
    constants::*,
    state::{GpuModel, Verdict},
    UpdateDeviceArgs,
};
use std::collections::BTreeSet;

/// A provider with device 0, a withdrawable position (nonce 0), an active
/// position (nonce 1), a position whose lockup has ended (nonce 3), a
/// co-staker ready to stake, and a stranger ready to
/// register. Returns one valid call per instruction, and accounts of the
/// same types as the calls' (another provider, device, position, lease,
/// epoch) for the sweep's twin substitutions.
async fn valid_calls(env: &mut TestEnv) -> (Vec<Call>, Vec<Pubkey>) {
    let admin = env.admin.insecure_clone();
    let owner = registered_provider(env).await;
    let provider = provider_key(&owner);
    let source = env.give_io(&owner.pubkey(), 300 * ONE_IO).await;
    for nonce in [0, 1] {
        env.ok(
            ix::stake(owner.pubkey(), source, stake_args(nonce, 100 * ONE_IO, 0)),
            &owner,
        )
        .await;
    }
    env.ok(
        ix::stake(
            owner.pubkey(),
            source,
            stake_args(3, 10 * ONE_IO, SECONDS_PER_DAY),
        ),
        &owner,
    )
    .await;
    env.ok(ix::request_unstake(owner.pubkey(), provider, 0), &owner)
        .await;
    env.advance_time(14 * SECONDS_PER_DAY).await;
    env.ok(
        ix::add_device(owner.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Offline)),
        &owner,
    )
    .await;
    let backer = env.wallet().await;
    let backer_source = env.give_io(&backer.pubkey(), 10 * ONE_IO).await;
    let newcomer = env.wallet().await;
    let leaver = registered_provider(env).await;
    // Tokenomics and market: a client with IOSD and an Open lease (id 0),
    // and epoch 0 closed so that position 1 has rewards to claim.
    env.with_price(100_000_000).await;
    let (client, client_iosd) = env.iosd_holder(100 * ONE_IO).await;
    let client_io = env.give_io(&client.pubkey(), 10 * ONE_IO).await;
    let lease = lease_spec(1, 1, 500_000);
    // Lease 1, a twin, is another client's.
    let (other_client, other_iosd) = env.iosd_holder(10 * ONE_IO).await;
    for (id, who, source) in [(0, &client, client_iosd), (1, &other_client, other_iosd)] {
        env.ok(
            ix::create_lease(who.pubkey(), source, id, lease.clone()),
            who,
        )
        .await;
    }
    env.ok(ix::advance_epoch(admin.pubkey(), 0), &admin).await;
    // Twins: another provider with a device and a position.
    let (other, _) = staked_provider(env, 10 * ONE_IO).await;
    env.ok(
        ix::add_device(other.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Offline)),
        &other,
    )
    .await;
    let other_provider = provider_key(&other);
    let twins = vec![
        other_provider,
        pda::device(&other_provider, 0),
        pda::stake_position(&other.pubkey(), &other_provider, 0),
        pda::stake_position(&owner.pubkey(), &provider, 0),
        pda::stake_position(&owner.pubkey(), &provider, 1),
        pda::lease(0),
        pda::lease(1),
        pda::epoch(0),
        pda::epoch(1),
    ];
    let keeper = env.admit_keeper().await;
    // A staker heavy enough to propose, staked before the proposal starts.
    let (whale, _) = co_staker(env, provider, 20_000 * ONE_IO).await;
    env.advance_time(1).await;
    env.ok(
        ix::init_governance(admin.pubkey(), Default::default()),
        &admin,
    )
    .await;
    let owner_iosd = env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
    let model = GpuModel {
        code: gpu::model_code("B200").unwrap(),
        reward_multiplier: 150_000,
        ref_fp32_tflops_x100: 8_000,
        ref_bf16_tflops_x100: 225_000,
    };
    let price = UpdateDeviceArgs {
        price_per_gpu_hour: Some(1),
        status: None,
        worker: None,
    };
    let calls = vec![
        call(
            "close_provider",
            ix::close_provider(leaver.pubkey()),
            &[&leaver],
        ),
        call(
            "set_gpu_models",
            ix::set_gpu_models(admin.pubkey(), vec![model]),
            &[&admin],
        ),
        call(
            "slash",
            ix::slash(admin.pubkey(), provider, ONE_IO),
            &[&admin],
        )
        .free(provider),
        call(
            "register_provider",
            ix::register_provider(newcomer.pubkey(), profile("new")),
            &[&newcomer],
        )
        .creates(&[PROVIDER_SEED, newcomer.pubkey().as_ref()]),
        call(
            "update_provider",
            ix::update_provider(owner.pubkey(), profile("renamed")),
            &[&owner],
        ),
        call(
            "add_device",
            ix::add_device(owner.pubkey(), 1, spec("RTX4090", 1, DeviceStatus::Offline)),
            &[&owner],
        )
        .creates(&[DEVICE_SEED, provider.as_ref(), &1u32.to_le_bytes()]),
        call(
            "update_device",
            ix::update_device(owner.pubkey(), 0, price),
            &[&owner],
        ),
        call(
            "remove_device",
            ix::remove_device(owner.pubkey(), 0),
            &[&owner],
        ),
        call(
            "stake",
            ix::stake(owner.pubkey(), source, stake_args(2, ONE_IO, 0)),
            &[&owner],
        )
        .creates(&[
            STAKE_SEED,
            owner.pubkey().as_ref(),
            provider.as_ref(),
            &2u64.to_le_bytes(),
        ]),
        call(
            "co_stake",
            ix::co_stake(
                backer.pubkey(),
                provider,
                backer_source,
                stake_args(0, ONE_IO, 0),
            ),
            &[&backer],
        )
        .creates(&[
            STAKE_SEED,
            backer.pubkey().as_ref(),
            provider.as_ref(),
            &0u64.to_le_bytes(),
        ]),
        call(
            "request_unstake",
            ix::request_unstake(owner.pubkey(), provider, 1),
            &[&owner],
        ),
        call(
            "withdraw",
            ix::withdraw(owner.pubkey(), provider, 0, source),
            &[&owner],
        ),
        call(
            "expire_lockup",
            ix::expire_lockup(owner.pubkey(), provider, 3),
            &[],
        )
        .free(pda::stake_position(&owner.pubkey(), &provider, 3)),
        call(
            "update_price",
            ix::update_price(admin.pubkey(), 100_000_000, 0, -8),
            &[&admin],
        ),
        call(
            "burn_io_for_iosd",
            ix::burn_io_for_iosd(
                client.pubkey(),
                client_io,
                client_iosd,
                pda::price_feed(),
                1,
                io_compute::BurnArgs::ExactIn {
                    io: ONE_IO,
                    min_iosd: 0,
                },
            ),
            &[&client],
        ),
        call(
            "advance_epoch",
            ix::advance_epoch(admin.pubkey(), 1),
            &[&admin],
        ),
        call(
            "create_lease",
            ix::create_lease(client.pubkey(), client_iosd, 2, lease),
            &[&client],
        )
        .creates(&[LEASE_SEED, &2u64.to_le_bytes()]),
        call(
            "top_up_lease",
            ix::top_up_lease(client.pubkey(), 0, client_iosd, 1_000),
            &[&client],
        ),
        call(
            "claim_rewards",
            ix::claim_rewards(owner.pubkey(), provider, 1, source, owner_iosd),
            &[&owner],
        ),
        call(
            "cancel_lease",
            ix::cancel_lease(client.pubkey(), 0, client_iosd),
            &[&client],
        ),
        call(
            "set_oracle",
            ix::set_oracle(
                admin.pubkey(),
                io_compute::state::OracleConfig::default_for(admin.pubkey()),
            ),
            &[&admin],
        ),
        call(
            "create_proposal",
            ix::create_proposal(
                whale.pubkey(),
                provider,
                0,
                0,
                io_compute::CreateProposalArgs {
                    description: "sweep".into(),
                    changes: vec![io_compute::state::ParamChange::ProviderFeeBps(300)],
                    call: None,
                },
            ),
            &[&whale],
        )
        .creates(&[PROPOSAL_SEED, &0u64.to_le_bytes()]),
        call(
            "post_device_rewards",
            ix::post_device_rewards(
                keeper.pubkey(),
                io_compute::PostDeviceRewardsArgs {
                    epoch: 0,
                    root: [1; 32],
                    total: 1,
                },
            ),
            &[&keeper],
        ),
    ];
    (calls, twins)
}

/// Every instruction of the IDL goes through every attack class that
/// applies to it, in one of three sweeps.
#[tokio::test]
async fn every_instruction_resists_each_attack_class() {
    let mut swept = BTreeSet::new();
    // The setup sweep has no program accounts to substitute yet, nor twins.
    for (name, sweep, least) in [
        ("setup", setup_sweep().await, 0),
        ("one-state", one_state_sweep().await, 5),
        ("lifecycle", lifecycle_sweep().await, 5),
    ] {
        sweep.report(name, least);
        swept.extend(sweep.names());
    }
    let idl: serde_json::Value =
        serde_json::from_str(include_str!("../../../../idl/io_compute.json")).unwrap();
    let all: BTreeSet<&str> = idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let missing: Vec<_> = all.difference(&swept).collect();
    assert!(missing.is_empty(), "not swept: {missing:?}");
}

/// The one-time setup: `initialize` on an empty bank, `init_tokenomics`
/// after it.
async fn setup_sweep() -> Sweep {
    let mut env = TestEnv::new().await;
    let admin = env.admin.insecure_clone();
    let mut sweep = Sweep::new(vec![]);
    sweep
        .then_send(
            &mut env,
            call(
                "initialize",
                ix::initialize(admin.pubkey(), admin.pubkey(), default_init_args()),
                &[&admin],
            )
            .creates(&[CONFIG_SEED]),
        )
        .await;
    env.ok(
        ix::set_gpu_models(admin.pubkey(), gpu::default_models()),
        &admin,
    )
    .await;
    sweep
        .then_send(
            &mut env,
            call(
                "init_tokenomics",
                ix::init_tokenomics(admin.pubkey(), default_tokenomics()),
                &[&admin],
            )
            .creates(&[TOKENOMICS_SEED]),
        )
        .await;
    sweep
}

/// The instructions that are valid from one state: all are checked, then
/// all are sent as built.
async fn one_state_sweep() -> Sweep {
    let mut env = TestEnv::initialized().await;
    let (calls, twins) = valid_calls(&mut env).await;
    let mut sweep = Sweep::new(twins);
    for call in &calls {
        sweep.check(&mut env, call).await;
    }
    for call in calls {
        sweep.send_valid(&mut env, call).await;
    }
    sweep
}

/// The instructions that need earlier steps (a keeper, an assigned lease,
/// a posted, disputed and challenged proof, a device-reward root, a
/// proposal through its life), each swept right before it is sent, with a
/// twin of every account it touches (another provider, device, lease,
/// keeper, proof, epoch, proposal and vote).
async fn lifecycle_sweep() -> Sweep {
    use io_compute::{
        state::{ParamChange, Proposal, VoteChoice},
        ClaimDeviceRewardArgs, CreateLeaseWithIoArgs, CreateProposalArgs, OpenGemmChallengeArgs,
        PostDeviceRewardsArgs, PostUsageProofArgs,
    };
    use io_compute_sdk::{
        gemm::GemmJob,
        ix::ProofKeys,
        merkle::{receipts_tree, DeviceReward, DeviceRewardTree},
    };

    let mut env = TestEnv::initialized().await;
    env.with_price(100_000_000).await;
    let admin = env.admin.insecure_clone();
    let (owner, owner_io) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    let (other, _) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    for who in [&owner, &other] {
        env.ok(
            ix::add_device(who.pubkey(), 0, spec("RTX4090", 1, DeviceStatus::Idle)),
            who,
        )
        .await;
    }
    let (provider, other_provider) = (provider_key(&owner), provider_key(&other));
    let (device, other_device) = (pda::device(&provider, 0), pda::device(&other_provider, 0));
    let owner_iosd = env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
    // A co-staker heavy enough to propose and pass proposals alone.
    let (whale, whale_source) = co_staker(&mut env, provider, 20_000 * ONE_IO).await;
    let whale_iosd = env.ata(&whale.pubkey(), &pda::iosd_mint()).await;
    // The twin keeper is admitted as usual, the swept one by the sweep.
    let other_keeper = env.admit_keeper().await;
    let keeper = env.wallet().await;
    let bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND;
    let bond_source = env.give_io(&keeper.pubkey(), bond).await;
    let (client, client_iosd) = env.iosd_holder(100 * ONE_IO).await;
    let (other_client, other_iosd) = env.iosd_holder(100 * ONE_IO).await;
    let lease_spec = lease_spec(1, 2, 500_000);
    for (id, who, source) in [(0, &client, client_iosd), (1, &other_client, other_iosd)] {
        env.ok(
            ix::create_lease(who.pubkey(), source, id, lease_spec.clone()),
            who,
        )
        .await;
    }
    let keys = ProofKeys {
        lease_id: 0,
        device,
        provider,
        seq: 0,
        keeper_authority: keeper.pubkey(),
    };
    let other_keys = ProofKeys {
        lease_id: 1,
        device: other_device,
        provider: other_provider,
        seq: 0,
        keeper_authority: other_keeper.pubkey(),
    };
    let whale_position = pda::stake_position(&whale.pubkey(), &provider, 0);
    let mut sweep = Sweep::new(vec![
        other_provider,
        other_device,
        pda::lease(1),
        pda::keeper(&other_keeper.pubkey()),
        other_keys.proof(),
        pda::stake_position(&owner.pubkey(), &provider, 0),
        pda::stake_position(&other.pubkey(), &other_provider, 0),
        pda::epoch(0),
        pda::epoch(1),
        pda::proposal(1),
        pda::vote(&pda::proposal(1), &whale_position),
    ]);

    // Keeper and market.
    sweep
        .then_send(
            &mut env,
            call(
                "admit_keeper",
                ix::admit_keeper(
                    admin.pubkey(),
                    keeper.pubkey(),
                    bond_source,
                    bond,
                    "https://keeper.example.com",
                ),
                &[&admin, &keeper],
            )
            .creates(&[KEEPER_SEED, keeper.pubkey().as_ref()]),
        )
        .await;
    sweep
        .then_send(
            &mut env,
            call(
                "update_keeper",
                ix::update_keeper(keeper.pubkey(), "https://keeper-2.example.com"),
                &[&keeper],
            ),
        )
        .await;
    let current_epoch = env
        .account::<io_compute::state::Tokenomics>(&pda::tokenomics())
        .await
        .current_epoch;
    sweep
        .then_send(
            &mut env,
            call(
                "record_device_checks",
                ix::record_device_checks(
                    keeper.pubkey(),
                    current_epoch,
                    &[(device, io_compute::state::CheckOutcome::Pass)],
                ),
                &[&keeper],
            )
            // Which devices a keeper checks is its choice.
            .free(device),
        )
        .await;
    let client_io = env
        .give_io(&client.pubkey(), 100 * ONE_IO + DEFAULT_MIN_DISPUTE_BOND)
        .await;
    let paid_in_io = CreateLeaseWithIoArgs {
        spec: lease_spec.clone(),
        max_io: 100 * ONE_IO,
    };
    sweep
        .then_send(
            &mut env,
            call(
                "create_lease_with_io",
                ix::create_lease_with_io(
                    client.pubkey(),
                    client_io,
                    2,
                    pda::price_feed(),
                    0,
                    paid_in_io,
                ),
                &[&client],
            )
            .creates(&[LEASE_SEED, &2u64.to_le_bytes()]),
        )
        .await;
    env.ok(
        ix::assign_devices(other_keeper.pubkey(), 1, &[other_device], &[other_provider]),
        &other_keeper,
    )
    .await;
    sweep
        .then_send(
            &mut env,
            call(
                "assign_devices",
                ix::assign_devices(keeper.pubkey(), 0, &[device], &[provider]),
                &[&keeper],
            ),
        )
        .await;
    // One GEMM job in the period, computed right.
    let a = (0..16).map(|x| x * 3 - 20).collect();
    let b = (0..16).map(|x| 7 - x).collect();
    let job = GemmJob::new(4, 4, 4, a, b);
    let c = job.multiply();
    let receipt = job.receipt([1; 32], &c, 1_000);
    let receipts = receipts_tree(&pda::lease(0), &device, &[receipt]);
    let start = env.now().await;
    env.set_time(start + 600).await;
    let usage = PostUsageProofArgs {
        seq: 0,
        period_start: start,
        period_end: start + 600,
        device_time_us: 600_000_000,
        job_count: 1,
        receipts_root: receipts.root(),
    };
    env.ok(
        post_usage_proof(other_keeper.pubkey(), 1, other_device, usage.clone()),
        &other_keeper,
    )
    .await;
    sweep
        .then_send(
            &mut env,
            call_after(
                "post_usage_proof",
                post_usage_proof(keeper.pubkey(), 0, device, usage),
                &[&keeper],
            )
            .creates(&[
                USAGE_PROOF_SEED,
                pda::lease(0).as_ref(),
                device.as_ref(),
                &0u32.to_le_bytes(),
            ]),
        )
        .await;
    sweep
        .then_send(
            &mut env,
            call(
                "dispute_proof",
                ix::dispute_proof(client.pubkey(), keys, client_io, DEFAULT_MIN_DISPUTE_BOND),
                &[&client],
            )
            .creates(&[
                DISPUTE_SEED,
                keys.proof().as_ref(),
                client.pubkey().as_ref(),
            ]),
        )
        .await;
    // Two disputes of the other keeper's proof: one is upheld later, the
    // other refunded.
    let mut other_disputers = Vec::new();
    for _ in 0..2 {
        let disputer = env.wallet().await;
        let io = env
            .give_io(&disputer.pubkey(), DEFAULT_MIN_DISPUTE_BOND)
            .await;
        env.ok(
            ix::dispute_proof(disputer.pubkey(), other_keys, io, DEFAULT_MIN_DISPUTE_BOND),
            &disputer,
        )
        .await;
        other_disputers.push((disputer, io));
    }
    sweep
        .then_send(
            &mut env,
            call(
                "resolve_dispute",
                ix::resolve_dispute(
                    admin.pubkey(),
                    keys,
                    client.pubkey(),
                    owner_io,
                    Verdict::Rejected,
                ),
                &[&admin],
            ),
        )
        .await;
    // A GEMM challenge of C[1][2] (which is right: it changes nothing).
    let (i, j) = (1, 2);
    let prover = env.wallet().await;
    let prover_io = env.ata(&prover.pubkey(), &pda::io_mint()).await;
    sweep
        .then_send(
            &mut env,
            call(
                "open_gemm_challenge",
                ix::open_gemm_challenge(
                    prover.pubkey(),
                    keys.proof(),
                    OpenGemmChallengeArgs {
                        receipt,
                        receipt_proof: receipts.proof(0),
                        i: i as u32,
                        j: j as u32,
                    },
                ),
                &[&prover],
            )
            .creates(&[
                GEMM_CHALLENGE_SEED,
                keys.proof().as_ref(),
                prover.pubkey().as_ref(),
            ]),
        )
        .await;
    for args in job.fraud_evidence(&c, i, j) {
        sweep
            .then_send(
                &mut env,
                call(
                    "submit_gemm_evidence",
                    ix::submit_gemm_evidence(prover.pubkey(), keys.proof(), args),
                    &[&prover],
                ),
            )
            .await;
    }
    sweep
        .then_send(
            &mut env,
            call(
                "prove_gemm_fraud",
                ix::prove_gemm_fraud(prover.pubkey(), keys, prover_io),
                &[&prover],
            ),
        )
        .await;
    // Another challenge, abandoned by its prover.
    env.ok(
        ix::open_gemm_challenge(
            prover.pubkey(),
            keys.proof(),
            OpenGemmChallengeArgs {
                receipt,
                receipt_proof: receipts.proof(0),
                i: 0,
                j: 0,
            },
        ),
        &prover,
    )
    .await;
    sweep
        .then_send(
            &mut env,
            call(
                "abandon_gemm_challenge",
                ix::abandon_gemm_challenge(prover.pubkey(), keys.proof(), prover.pubkey()),
                &[&prover],
            )
            .by_address_as(keys.proof(), IoComputeError::LeaseAccountMismatch),
        )
        .await;
    let proof: io_compute::state::UsageProof = env.account(&keys.proof()).await;
    env.set_time(proof.unlock_at).await;
    sweep
        .then_send(
            &mut env,
            call(
                "finalize_proof",
                ix::finalize_proof(prover.pubkey(), keys, owner_iosd),
                &[&prover],
            ),
        )
        .await;
    sweep
        .then_send(
            &mut env,
            call(
                "close_lease",
                ix::close_lease(
                    client.pubkey(),
                    client.pubkey(),
                    0,
                    client_iosd,
                    &[device],
                    &[provider],
                ),
                &[&client],
            ),
        )
        .await;
    // Silent for 6 hours, the lease's keeper can be replaced.
    env.advance_time(KEEPER_SILENCE_SECS).await;
    sweep
        .then_send(
            &mut env,
            call(
                "take_over_lease",
                ix::take_over_lease(other_keeper.pubkey(), 0, keeper.pubkey()),
                &[&other_keeper],
            )
            .by_address(pda::keeper(&keeper.pubkey()), AnchorError::ConstraintSeeds),
        )
        .await;
    let keeper_io = env.ata(&keeper.pubkey(), &pda::io_mint()).await;
    sweep
        .then_send(
            &mut env,
            call(
                "remove_keeper",
                ix::remove_keeper(admin.pubkey(), keeper.pubkey(), keeper_io),
                &[&admin],
            ),
        )
        .await;

    // Rewards: a device-reward root for epoch 0, then claims.
    let epoch: io_compute::state::Epoch = env.account(&pda::epoch(0)).await;
    env.set_time(epoch.start + SECONDS_PER_DAY).await;
    env.ok(ix::advance_epoch(admin.pubkey(), 0), &admin).await;
    let tree = DeviceRewardTree::new(
        0,
        vec![
            DeviceReward {
                device,
                owner: owner.pubkey(),
                amount: ONE_IO,
            },
            DeviceReward {
                device: other_device,
                owner: other.pubkey(),
                amount: ONE_IO,
            },
        ],
    );
    let post_root = ix::post_device_rewards(
        other_keeper.pubkey(),
        PostDeviceRewardsArgs {
            epoch: 0,
            root: tree.root(),
            total: tree.total(),
        },
    );
    // Posted, voided by the arbiter, the keeper's bond topped up, posted
    // again.
    env.ok(post_root.clone(), &other_keeper).await;
    sweep
        .then_send(
            &mut env,
            call(
                "void_device_rewards",
                ix::void_device_rewards(admin.pubkey(), 0, other_keeper.pubkey()),
                &[&admin],
            ),
        )
        .await;
    let top_up = DEFAULT_MIN_KEEPER_BOND / 10;
    let other_keeper_io = env.give_io(&other_keeper.pubkey(), top_up).await;
    sweep
        .then_send(
            &mut env,
            call(
                "top_up_keeper_bond",
                ix::top_up_keeper_bond(other_keeper.pubkey(), other_keeper_io, top_up),
                &[&other_keeper],
            ),
        )
        .await;
    env.ok(post_root, &other_keeper).await;
    let epoch0: io_compute::state::Epoch = env.account(&pda::epoch(0)).await;
    env.set_time(epoch0.device_root_unlock_at).await;
    sweep
        .then_send(
            &mut env,
            call(
                "claim_device_reward",
                ix::claim_device_reward(
                    prover.pubkey(),
                    device,
                    owner_io,
                    ClaimDeviceRewardArgs {
                        epoch: 0,
                        amount: ONE_IO,
                        proof: tree.proof(0),
                    },
                ),
                &[&prover],
            )
            .creates(&[DEVICE_CLAIM_SEED, &0u64.to_le_bytes(), device.as_ref()])
            // Only the device's address goes into the leaf (a removed
            // device's reward stays claimable); the receipt's seeds bind it.
            .by_address(device, AnchorError::ConstraintSeeds),
        )
        .await;
    // The other device's reward is never claimed: it expires to the pool.
    env.set_time(epoch0.device_claims_until).await;
    sweep
        .then_send(
            &mut env,
            call("expire_device_rewards", ix::expire_device_rewards(0), &[]).free(pda::epoch(0)),
        )
        .await;
    // The co-staker's claim settles the provider's commission on it.
    env.ok(
        ix::claim_rewards(whale.pubkey(), provider, 0, whale_source, whale_iosd),
        &whale,
    )
    .await;
    sweep
        .then_send(
            &mut env,
            call(
                "claim_commission",
                ix::claim_commission(owner.pubkey(), owner_io, owner_iosd),
                &[&owner],
            ),
        )
        .await;

    // The arbiter upholds one dispute of the other keeper's proof; the
    // other dispute's bond goes back.
    let [(upheld, upheld_io), (refunded, refunded_io)] =
        <[_; 2]>::try_from(other_disputers).expect("two disputers");
    env.ok(
        ix::resolve_dispute(
            admin.pubkey(),
            other_keys,
            upheld.pubkey(),
            upheld_io,
            Verdict::ProviderAtFault,
        ),
        &admin,
    )
    .await;
    sweep
        .then_send(
            &mut env,
            call(
                "refund_dispute",
                ix::refund_dispute(other_keys.proof(), refunded.pubkey(), refunded_io),
                &[],
            )
            .by_address_as(other_keys.proof(), IoComputeError::LeaseAccountMismatch),
        )
        .await;

    // Governance: proposal 0 through its life, 1 a twin, 2 cancelled.
    sweep
        .then_send(
            &mut env,
            call(
                "init_governance",
                ix::init_governance(admin.pubkey(), Default::default()),
                &[&admin],
            )
            .creates(&[GOVERNANCE_SEED]),
        )
        .await;
    // Proposals execute once governance holds the config authority, and
    // only those made after it took over.
    sweep
        .then_send(
            &mut env,
            call(
                "hand_over_authority",
                ix::hand_over_authority(admin.pubkey(), successor_roles()),
                &[&admin],
            ),
        )
        .await;
    for id in 0..3 {
        let args = CreateProposalArgs {
            description: format!("proposal {id}"),
            changes: vec![ParamChange::ProviderFeeBps(300)],
            call: None,
        };
        env.ok(
            ix::create_proposal(whale.pubkey(), provider, 0, id, args),
            &whale,
        )
        .await;
    }
    // Proposal 3 has governance sign a role instruction of its own (it is
    // the config authority now).
    let model_call = ix::governance_call(&ix::set_gpu_models(
        pda::governance(),
        vec![io_compute_sdk::gpu::default_models()[0]],
    ));
    let args = CreateProposalArgs {
        description: "proposal 3".into(),
        changes: Vec::new(),
        call: Some(model_call.clone()),
    };
    env.ok(
        ix::create_proposal(whale.pubkey(), provider, 0, 3, args),
        &whale,
    )
    .await;
    for (id, choice) in [(1, VoteChoice::No), (3, VoteChoice::Yes)] {
        env.ok(
            ix::cast_vote(whale.pubkey(), id, provider, 0, choice),
            &whale,
        )
        .await;
    }
    sweep
        .then_send(
            &mut env,
            call(
                "cast_vote",
                ix::cast_vote(whale.pubkey(), 0, provider, 0, VoteChoice::Yes),
                &[&whale],
            )
            .creates(&[
                VOTE_SEED,
                pda::proposal(0).as_ref(),
                whale_position.as_ref(),
            ]),
        )
        .await;
    sweep
        .then_send(
            &mut env,
            call(
                "cancel_proposal",
                ix::cancel_proposal(whale.pubkey(), 2),
                &[&whale],
            ),
        )
        .await;
    let proposal: Proposal = env.account(&pda::proposal(0)).await;
    env.set_time(proposal.voting_end).await;
    // Anyone may finalize or execute any proposal.
    sweep
        .then_send(
            &mut env,
            call("finalize_proposal", ix::finalize_proposal(0), &[]).free(pda::proposal(0)),
        )
        .await;
    let proposal: Proposal = env.account(&pda::proposal(0)).await;
    env.set_time(proposal.finalized_at + 2 * SECONDS_PER_DAY)
        .await;
    sweep
        .then_send(
            &mut env,
            call("execute_proposal", ix::execute_proposal(0), &[]).free(pda::proposal(0)),
        )
        .await;
    env.send(&[ix::finalize_proposal(3)], &[]).await.assert_ok();
    let proposal: Proposal = env.account(&pda::proposal(3)).await;
    env.set_time(proposal.finalized_at + 2 * SECONDS_PER_DAY)
        .await;
    sweep
        .then_send(
            &mut env,
            call(
                "execute_proposal_call",
                ix::execute_proposal_call(3, &model_call),
                &[],
            )
            .free(pda::proposal(3))
            // The call's accounts are checked against the proposal's.
            .by_address_as(pda::gpu_models(), IoComputeError::CallAccountsMismatch),
        )
        .await;
    sweep
        .then_send(
            &mut env,
            call(
                "relinquish_vote",
                ix::relinquish_vote(whale.pubkey(), 0, provider, 0),
                &[&whale],
            ),
        )
        .await;
    assert_eq!(env.config().await.market_params.provider_fee_bps, 300);
    sweep
}
