//! Governance: IO stakers vote bounded parameter changes; a passed fee
//! change is paid by the next lease settlement.

use crate::market::{market, usage, HOUR};
use crate::*;
use io_compute::{
    error::IoComputeError,
    events::ProofFinalized,
    state::{
        GovernanceParams, ParamChange, Proposal, ProposalState, StakePosition, Verdict, VoteChoice,
    },
    CreateProposalArgs,
};

fn propose(changes: Vec<ParamChange>) -> CreateProposalArgs {
    CreateProposalArgs {
        description: "raise the provider fee to 5 %".into(),
        changes,
        call: None,
    }
}

async fn next_proposal_id(env: &mut TestEnv) -> u64 {
    env.account::<io_compute::state::Governance>(&pda::governance())
        .await
        .next_proposal_id
}

/// A staker with `io` IO behind `provider` (no lockup), created one second
/// before now so it can vote on what is proposed next.
async fn voter(env: &mut TestEnv, provider: Pubkey, io: u64) -> Keypair {
    let (voter, _) = co_staker(env, provider, io).await;
    env.advance_time(1).await;
    voter
}

#[tokio::test]
async fn a_passed_fee_change_is_paid_by_the_next_settlement() {
    let mut env = TestEnv::initialized().await;
    let mut m = market(&mut env).await;
    let admin = env.admin.insecure_clone();
    let provider = m.provider();
    env.ok(
        ix::init_governance(admin.pubkey(), GovernanceParams::default()),
        &admin,
    )
    .await;
    env.ok(
        ix::hand_over_authority(admin.pubkey(), successor_roles()),
        &admin,
    )
    .await;
    assert_eq!(env.config().await.authority, pda::governance());
    // The old admin can no longer change anything directly.
    env.rejects(
        ix::set_gpu_models(admin.pubkey(), io_compute_sdk::gpu::default_models()),
        &admin,
        &[pda::gpu_models()],
    )
    .await
    .assert_error(IoComputeError::NotConfigAuthority);

    // 20,000 IO behind the provider (which holds 5,000 more): the quorum
    // is 10 % of 25,000 IO.
    let whale = voter(&mut env, provider, 20_000 * ONE_IO).await;
    let id = next_proposal_id(&mut env).await;
    env.ok(
        ix::create_proposal(
            whale.pubkey(),
            provider,
            0,
            id,
            propose(vec![ParamChange::ProviderFeeBps(500)]),
        ),
        &whale,
    )
    .await;
    let p: Proposal = env.account(&pda::proposal(id)).await;
    assert_eq!(p.quorum_weight, 2_500 * ONE_IO as u128);

    // Stake, then vote: the position is stuck until the vote is released.
    env.ok(
        ix::cast_vote(whale.pubkey(), id, provider, 0, VoteChoice::Yes),
        &whale,
    )
    .await;
    let position = pda::stake_position(&whale.pubkey(), &provider, 0);
    let watch = [pda::proposal(id), position];
    env.rejects(
        ix::request_unstake(whale.pubkey(), provider, 0),
        &whale,
        &watch,
    )
    .await
    .assert_error(IoComputeError::PositionHasActiveVotes);
    env.rejects(
        ix::cast_vote(whale.pubkey(), id, provider, 0, VoteChoice::Yes),
        &whale,
        &watch,
    )
    .await
    .assert_error(IoComputeError::AlreadyVoted);
    // A position opened after the proposal started has no weight for it.
    let late = env.wallet().await;
    let late_source = env.give_io(&late.pubkey(), 50_000 * ONE_IO).await;
    env.ok(
        ix::co_stake(
            late.pubkey(),
            provider,
            late_source,
            stake_args(0, 50_000 * ONE_IO, 0),
        ),
        &late,
    )
    .await;
    env.rejects(
        ix::cast_vote(late.pubkey(), id, provider, 0, VoteChoice::No),
        &late,
        &watch,
    )
    .await
    .assert_error(IoComputeError::PositionCreatedAfterProposal);
    // Not executable yet: still voting.
    env.expect_rejected(&[ix::execute_proposal(id)], &[], &watch)
        .await
        .assert_error(IoComputeError::InvalidProposalState);
    env.expect_rejected(&[ix::finalize_proposal(id)], &[], &watch)
        .await
        .assert_error(IoComputeError::VotingNotEnded);

    let p: Proposal = env.account(&pda::proposal(id)).await;
    env.set_time(p.voting_end).await;
    env.rejects(
        ix::cast_vote(late.pubkey(), id, provider, 0, VoteChoice::No),
        &late,
        &watch,
    )
    .await
    .assert_error(IoComputeError::VotingEnded);
    env.send(&[ix::finalize_proposal(id)], &[])
        .await
        .assert_ok();
    let p: Proposal = env.account(&pda::proposal(id)).await;
    assert_eq!(
        (p.state, p.yes),
        (ProposalState::Succeeded, 20_000 * ONE_IO as u128)
    );
    env.set_time(p.finalized_at + 2 * SECONDS_PER_DAY - 1).await;
    env.expect_rejected(
        &[ix::execute_proposal(id)],
        &[],
        &[pda::config(), pda::proposal(id)],
    )
    .await
    .assert_error(IoComputeError::TimelockNotPassed);
    env.set_time(p.finalized_at + 2 * SECONDS_PER_DAY).await;
    env.send(&[ix::execute_proposal(id)], &[]).await.assert_ok();
    assert_eq!(env.config().await.market_params.provider_fee_bps, 500);
    let p: Proposal = env.account(&pda::proposal(id)).await;
    assert_eq!(p.state, ProposalState::Executed);

    // After the end the vote is released and the position can leave.
    env.ok(ix::relinquish_vote(whale.pubkey(), id, provider, 0), &whale)
        .await;
    let pos: StakePosition = env.account(&position).await;
    assert_eq!(pos.active_votes, 0);
    env.ok(ix::request_unstake(whale.pubkey(), provider, 0), &whale)
        .await;

    // The next settlement pays the new 5 % provider fee: 0.9 IOSD due,
    // 45,000 fee, plus the 2.5 % client fee.
    let keeper = m.keeper.insecure_clone();
    let lease = m.create(&mut env, lease_spec(2, 1, PRICE_MAX)).await;
    env.ok(
        ix::assign_devices(keeper.pubkey(), lease, &m.devices[..1], &[provider]),
        &keeper,
    )
    .await;
    let start = env.now().await;
    env.set_time(start + HOUR).await;
    env.ok(
        post_usage_proof(
            keeper.pubkey(),
            lease,
            m.devices[0],
            usage(0, start, start + HOUR, 7_200_000),
        ),
        &keeper,
    )
    .await;
    env.advance_time(SECONDS_PER_DAY).await;
    let cranker = env.wallet().await;
    let outcome = env
        .ok(
            ix::finalize_proof(cranker.pubkey(), m.keys(lease, 0, 0), m.provider_iosd),
            &cranker,
        )
        .await;
    let settled = &outcome.events::<ProofFinalized>()[0];
    assert_eq!((settled.payout, settled.fee), (855_000, 45_000 + 22_500));
}

const PRICE_MAX: u64 = 500_000;

#[tokio::test]
async fn governance_guards() {
    let mut env = TestEnv::initialized().await;
    let (owner, _) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    let provider = provider_key(&owner);
    let admin = env.admin.insecure_clone();
    env.ok(
        ix::init_governance(admin.pubkey(), GovernanceParams::default()),
        &admin,
    )
    .await;
    let whale = voter(&mut env, provider, 20_000 * ONE_IO).await;
    let watch = [pda::governance(), pda::proposal(0)];

    // Every change is bounded: a 10.01 % fee, fees summing past 10 %, and a
    // fee split that does not add up are refused at creation.
    for change in [
        ParamChange::ProviderFeeBps(1_001),
        ParamChange::ClientFeeBps(900),
        ParamChange::FeeSplit(io_compute::state::FeeSplit {
            treasury_bps: 5_000,
            stakers_bps: 5_000,
            burn_bps: 1,
        }),
        ParamChange::DisputeWindowSecs(0),
        ParamChange::Governance(GovernanceParams {
            approval_bps: 4_999,
            ..GovernanceParams::default()
        }),
        // L1: an IO breaker under one epoch's emission would stop epochs
        // for good; one far above what a window can emit would never bite;
        // caps and bonds have hard ceilings.
        ParamChange::Emission(io_compute::state::EmissionParams {
            io_emission_cap: ONE_IO,
            ..io_compute_tests::default_tokenomics().emission
        }),
        ParamChange::Emission(io_compute::state::EmissionParams {
            io_emission_cap: u64::MAX,
            ..io_compute_tests::default_tokenomics().emission
        }),
        ParamChange::IosdMintCap {
            cap: u64::MAX,
            window_secs: 86_400,
        },
        ParamChange::MinDisputeBond(u64::MAX),
        ParamChange::MinKeeperBond(u64::MAX),
        ParamChange::MinStakePerGpu(u64::MAX),
    ] {
        env.rejects(
            ix::create_proposal(whale.pubkey(), provider, 0, 0, propose(vec![change])),
            &whale,
            &watch,
        )
        .await
        .assert_error(IoComputeError::ChangeOutOfBounds);
    }
    env.rejects(
        ix::create_proposal(whale.pubkey(), provider, 0, 0, propose(vec![])),
        &whale,
        &watch,
    )
    .await
    .assert_error(IoComputeError::InvalidProposal);
    // 1,000 IO weighs too little to propose.
    env.rejects(
        ix::create_proposal(
            owner.pubkey(),
            provider,
            0,
            0,
            propose(vec![ParamChange::ProviderFeeBps(300)]),
        ),
        &owner,
        &watch,
    )
    .await
    .assert_error(IoComputeError::WeightTooLowToPropose);

    // Cancel: by the proposer, before any vote.
    let fee = || propose(vec![ParamChange::ProviderFeeBps(300)]);
    env.ok(
        ix::create_proposal(whale.pubkey(), provider, 0, 0, fee()),
        &whale,
    )
    .await;
    env.rejects(
        ix::cancel_proposal(owner.pubkey(), 0),
        &owner,
        &[pda::proposal(0)],
    )
    .await
    .assert_error(IoComputeError::CannotCancel);
    env.ok(ix::cancel_proposal(whale.pubkey(), 0), &whale).await;
    assert!(!env.exists(&pda::proposal(0)).await);

    // Quorum missed: only the 1,000 IO owner votes (under 10 % of 21,000).
    env.advance_time(1).await;
    env.ok(
        ix::create_proposal(whale.pubkey(), provider, 0, 1, fee()),
        &whale,
    )
    .await;
    env.ok(
        ix::cast_vote(owner.pubkey(), 1, provider, 0, VoteChoice::Yes),
        &owner,
    )
    .await;
    env.rejects(
        ix::cancel_proposal(whale.pubkey(), 1),
        &whale,
        &[pda::proposal(1)],
    )
    .await
    .assert_error(IoComputeError::CannotCancel);
    // A vote relinquished while voting leaves the tally.
    env.ok(
        ix::cast_vote(whale.pubkey(), 1, provider, 0, VoteChoice::No),
        &whale,
    )
    .await;
    env.ok(ix::relinquish_vote(whale.pubkey(), 1, provider, 0), &whale)
        .await;
    let p: Proposal = env.account(&pda::proposal(1)).await;
    assert_eq!((p.yes, p.no, p.vote_count), (1_000 * ONE_IO as u128, 0, 1));
    env.set_time(p.voting_end).await;
    env.send(&[ix::finalize_proposal(1)], &[]).await.assert_ok();
    let p: Proposal = env.account(&pda::proposal(1)).await;
    assert_eq!(p.state, ProposalState::Defeated);
    env.advance_time(2 * SECONDS_PER_DAY).await;
    env.expect_rejected(
        &[ix::execute_proposal(1)],
        &[],
        &[pda::config(), pda::proposal(1)],
    )
    .await
    .assert_error(IoComputeError::InvalidProposalState);

    // Passed, but governance was never handed the authority.
    env.ok(
        ix::create_proposal(whale.pubkey(), provider, 0, 2, fee()),
        &whale,
    )
    .await;
    env.ok(
        ix::cast_vote(whale.pubkey(), 2, provider, 0, VoteChoice::Yes),
        &whale,
    )
    .await;
    let p: Proposal = env.account(&pda::proposal(2)).await;
    env.set_time(p.voting_end).await;
    env.send(&[ix::finalize_proposal(2)], &[]).await.assert_ok();
    env.advance_time(2 * SECONDS_PER_DAY).await;
    env.expect_rejected(
        &[ix::execute_proposal(2)],
        &[],
        &[pda::config(), pda::proposal(2)],
    )
    .await
    .assert_error(IoComputeError::GovernanceNotInControl);

    // M2: no signing role may stay with the deployer at the handover.
    for roles in [
        io_compute::HandOverAuthorityArgs {
            arbiter: admin.pubkey(),
            ..successor_roles()
        },
        io_compute::HandOverAuthorityArgs {
            keeper_admin: admin.pubkey(),
            ..successor_roles()
        },
        io_compute::HandOverAuthorityArgs {
            price_authority: Pubkey::default(),
            ..successor_roles()
        },
    ] {
        env.rejects(
            ix::hand_over_authority(admin.pubkey(), roles),
            &admin,
            &[pda::config()],
        )
        .await
        .assert_error(IoComputeError::RoleStaysWithDeployer);
    }
    // H5: after the handover, a proposal passed before it never executes.
    env.ok(
        ix::hand_over_authority(admin.pubkey(), successor_roles()),
        &admin,
    )
    .await;
    let config = env.config().await;
    assert_eq!(
        (
            config.arbiter,
            config.keeper_admin,
            config.oracle.price_authority
        ),
        (
            successor(0).pubkey(),
            successor(1).pubkey(),
            successor(2).pubkey()
        )
    );
    env.expect_rejected(
        &[ix::execute_proposal(2)],
        &[],
        &[pda::config(), pda::proposal(2)],
    )
    .await
    .assert_error(IoComputeError::ProposalPredatesHandover);
    assert_eq!(env.config().await.market_params.provider_fee_bps, 200);

    // A proposal passed after it expires a week after its timelock.
    env.ok(
        ix::create_proposal(whale.pubkey(), provider, 0, 3, fee()),
        &whale,
    )
    .await;
    env.ok(
        ix::cast_vote(whale.pubkey(), 3, provider, 0, VoteChoice::Yes),
        &whale,
    )
    .await;
    let p: Proposal = env.account(&pda::proposal(3)).await;
    env.set_time(p.voting_end).await;
    env.send(&[ix::finalize_proposal(3)], &[]).await.assert_ok();
    let p: Proposal = env.account(&pda::proposal(3)).await;
    let unlock = p.finalized_at + p.timelock_secs;
    env.set_time(unlock + io_compute::constants::PROPOSAL_EXECUTION_WINDOW_SECS)
        .await;
    env.expect_rejected(
        &[ix::execute_proposal(3)],
        &[],
        &[pda::config(), pda::proposal(3)],
    )
    .await
    .assert_error(IoComputeError::ProposalExpired);
    // One second earlier it would have run.
    env.set_time(unlock + io_compute::constants::PROPOSAL_EXECUTION_WINDOW_SECS - 1)
        .await;
    env.send(&[ix::execute_proposal(3)], &[]).await.assert_ok();
    assert_eq!(env.config().await.market_params.provider_fee_bps, 300);

    // M2: every role and the GPU table are reachable by proposal after the
    // handover: a new price authority and a new GPU model.
    let new_authority = Pubkey::new_unique();
    let b300 = io_compute::state::GpuModel {
        code: io_compute_sdk::gpu::model_code("B300").unwrap(),
        reward_multiplier: 180_000,
        ref_fp32_tflops_x100: 8_000,
        ref_bf16_tflops_x100: 250_000,
    };
    let roles = propose(vec![
        ParamChange::PriceAuthority(new_authority),
        ParamChange::GpuModel(b300),
        ParamChange::EpochLength(2 * SECONDS_PER_DAY),
    ]);
    env.ok(
        ix::create_proposal(whale.pubkey(), provider, 0, 4, roles),
        &whale,
    )
    .await;
    env.ok(
        ix::cast_vote(whale.pubkey(), 4, provider, 0, VoteChoice::Yes),
        &whale,
    )
    .await;
    let p: Proposal = env.account(&pda::proposal(4)).await;
    env.set_time(p.voting_end).await;
    env.send(&[ix::finalize_proposal(4)], &[]).await.assert_ok();
    let p: Proposal = env.account(&pda::proposal(4)).await;
    env.set_time(p.finalized_at + p.timelock_secs).await;
    env.send(&[ix::execute_proposal(4)], &[]).await.assert_ok();
    let config = env.config().await;
    assert_eq!(config.oracle.price_authority, new_authority);
    assert_eq!(
        config.tokenomics_params.epoch_length_secs,
        2 * SECONDS_PER_DAY
    );
    let table: io_compute::state::GpuModels = env.account(&pda::gpu_models()).await;
    assert_eq!(table.find(&b300.code).unwrap(), &b300);
    // A role is never handed to the default key.
    env.rejects(
        ix::create_proposal(
            whale.pubkey(),
            provider,
            0,
            5,
            propose(vec![ParamChange::Arbiter(Pubkey::default())]),
        ),
        &whale,
        &[pda::governance()],
    )
    .await
    .assert_error(IoComputeError::ChangeOutOfBounds);
}

/// Creates `args` as `whale` (position 0 behind `provider`), votes yes,
/// finalizes and waits out the timelock: the proposal is executable.
async fn pass(
    env: &mut TestEnv,
    whale: &Keypair,
    provider: Pubkey,
    args: CreateProposalArgs,
) -> u64 {
    let id = next_proposal_id(env).await;
    env.ok(
        ix::create_proposal(whale.pubkey(), provider, 0, id, args),
        whale,
    )
    .await;
    env.ok(
        ix::cast_vote(whale.pubkey(), id, provider, 0, VoteChoice::Yes),
        whale,
    )
    .await;
    let p: Proposal = env.account(&pda::proposal(id)).await;
    env.set_time(p.voting_end).await;
    env.send(&[ix::finalize_proposal(id)], &[])
        .await
        .assert_ok();
    env.advance_time(p.timelock_secs).await;
    id
}

fn call_proposal(role_ix: &solana_sdk::instruction::Instruction) -> CreateProposalArgs {
    CreateProposalArgs {
        description: "governance acts in its role".into(),
        changes: Vec::new(),
        call: Some(ix::governance_call(role_ix)),
    }
}

/// Item 10: where a role's holder must sign, governance holds the role
/// through its PDA. A proposal makes governance the arbiter; a second
/// proposal's call resolves a dispute, the program signing as governance;
/// a third admits a keeper, the keeper co-signing the execution. Calls are
/// role instructions only, run once, with exactly their accounts, and a
/// proposal of changes and a proposal of a call each run on their own path.
#[tokio::test]
async fn governance_holds_roles_through_its_pda() {
    let mut m = crate::fraud::market_with(1_000 * ONE_IO, 0).await;
    let proof = m
        .post(&[crate::fraud::job(2, 64, 2, 3).receipt([1; 32], &[0; 4], 1)])
        .await;
    let keys = m.keys(0);
    let client = m.client.insecure_clone();
    let bond = io_compute::constants::DEFAULT_MIN_DISPUTE_BOND;
    let env = &mut m.env;
    let client_io = env.give_io(&client.pubkey(), bond).await;
    env.ok(
        ix::dispute_proof(client.pubkey(), keys, client_io, bond),
        &client,
    )
    .await;
    let admin = env.admin.insecure_clone();
    env.ok(
        ix::init_governance(admin.pubkey(), GovernanceParams::default()),
        &admin,
    )
    .await;
    env.ok(
        ix::hand_over_authority(admin.pubkey(), successor_roles()),
        &admin,
    )
    .await;
    let whale = voter(env, m.provider, 20_000 * ONE_IO).await;
    let governance = pda::governance();
    let resolve = ix::resolve_dispute(
        governance,
        keys,
        client.pubkey(),
        client_io,
        Verdict::ProviderAtFault,
    );

    // Only role instructions, never naming the proposal itself.
    let id = next_proposal_id(env).await;
    for bad in [
        ix::finalize_proof(governance, keys, client_io),
        ix::execute_proposal(id),
    ] {
        env.rejects(
            ix::create_proposal(whale.pubkey(), m.provider, 0, id, call_proposal(&bad)),
            &whale,
            &[pda::proposal(id)],
        )
        .await
        .assert_error(IoComputeError::InvalidGovernanceCall);
    }
    let mut both = call_proposal(&resolve);
    both.changes = vec![ParamChange::ProviderFeeBps(300)];
    env.rejects(
        ix::create_proposal(whale.pubkey(), m.provider, 0, id, both),
        &whale,
        &[pda::proposal(id)],
    )
    .await
    .assert_error(IoComputeError::InvalidProposal);

    // Governance becomes the arbiter.
    let to_governance = pass(
        env,
        &whale,
        m.provider,
        propose(vec![ParamChange::Arbiter(governance)]),
    )
    .await;
    let call = ix::governance_call(&resolve);
    env.expect_rejected(
        &[ix::execute_proposal_call(to_governance, &call)],
        &[],
        &[pda::proposal(to_governance)],
    )
    .await
    .assert_error(IoComputeError::WrongProposalKind);
    env.send(&[ix::execute_proposal(to_governance)], &[])
        .await
        .assert_ok();
    assert_eq!(env.config().await.arbiter, governance);
    // The arbiter before it can no longer resolve.
    let old = successor(0);
    env.rejects(
        ix::resolve_dispute(
            old.pubkey(),
            keys,
            client.pubkey(),
            client_io,
            Verdict::Rejected,
        ),
        &old,
        &[proof],
    )
    .await
    .assert_error(IoComputeError::NotArbiter);

    // Governance resolves the dispute by vote.
    let ruling = pass(env, &whale, m.provider, call_proposal(&resolve)).await;
    let p: Proposal = env.account(&pda::proposal(ruling)).await;
    assert_eq!(p.call, Some(call.clone()));
    env.expect_rejected(&[ix::execute_proposal(ruling)], &[], &[proof])
        .await
        .assert_error(IoComputeError::WrongProposalKind);
    let mut shuffled = ix::execute_proposal_call(ruling, &call);
    let n = shuffled.accounts.len();
    shuffled.accounts.swap(n - 1, n - 2);
    env.expect_rejected(&[shuffled], &[], &[proof])
        .await
        .assert_error(IoComputeError::CallAccountsMismatch);
    let outcome = env
        .send(&[ix::execute_proposal_call(ruling, &call)], &[])
        .await;
    outcome.assert_ok();
    // 10 % of the pool's 21,000 IO, the provider's own 1,000 first; the
    // reward is half of that part.
    let resolved = &outcome.events::<io_compute::events::DisputeResolved>()[0];
    assert_eq!(
        (
            resolved.verdict,
            resolved.provider_slashed,
            resolved.challenger_reward
        ),
        (Verdict::ProviderAtFault, 2_100 * ONE_IO, 500 * ONE_IO)
    );
    assert!(!env.exists(&proof).await);
    assert_eq!(env.token_balance(&client_io).await, bond + 500 * ONE_IO);
    let p: Proposal = env.account(&pda::proposal(ruling)).await;
    assert_eq!(p.state, ProposalState::Executed);
    env.expect_rejected(&[ix::execute_proposal_call(ruling, &call)], &[], &[])
        .await
        .assert_error(IoComputeError::InvalidProposalState);

    // Governance as keeper admin: the admitted keeper co-signs the
    // execution (it pays its bond and its record's rent).
    let to_admin = pass(
        env,
        &whale,
        m.provider,
        propose(vec![ParamChange::KeeperAdmin(governance)]),
    )
    .await;
    env.send(&[ix::execute_proposal(to_admin)], &[])
        .await
        .assert_ok();
    let keeper = env.wallet().await;
    let keeper_bond = io_compute::constants::DEFAULT_MIN_KEEPER_BOND;
    let keeper_io = env.give_io(&keeper.pubkey(), keeper_bond).await;
    let admit = ix::admit_keeper(
        governance,
        keeper.pubkey(),
        keeper_io,
        keeper_bond,
        "https://keeper.example.org",
    );
    let admission = pass(env, &whale, m.provider, call_proposal(&admit)).await;
    let call = ix::governance_call(&admit);
    env.ok(ix::execute_proposal_call(admission, &call), &keeper)
        .await;
    let record: io_compute::state::Keeper = env.account(&pda::keeper(&keeper.pubkey())).await;
    assert_eq!(
        (record.bond, record.endpoint.as_str()),
        (keeper_bond, "https://keeper.example.org")
    );
}
