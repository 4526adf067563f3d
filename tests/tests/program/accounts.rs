//! Account substitution for every instruction: each mutation is applied to a
//! call that would otherwise succeed, and must fail with its specific error
//! and change nothing.

use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::{state::GpuModel, UpdateDeviceArgs};
use solana_sdk::instruction::Instruction;

struct Call {
    name: &'static str,
    ix: Instruction,
    signer: Keypair,
}

/// A provider with device 0, a withdrawable position (nonce 0), an active
/// position (nonce 1), a co-staker ready to stake, and a stranger ready to
/// register. Returns one valid call per instruction.
async fn valid_calls(env: &mut TestEnv) -> Vec<Call> {
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
    // Tokenomics and market: a client with IOSD and an Open lease (id 0),
    // and epoch 0 closed so that position 1 has rewards to claim.
    env.with_price(100_000_000).await;
    let (client, client_iosd) = env.iosd_holder(100 * ONE_IO).await;
    let client_io = env.give_io(&client.pubkey(), 10 * ONE_IO).await;
    let lease = io_compute::state::LeaseSpec {
        model: gpu::model_code("RTX4090").unwrap(),
        gpu_count: 1,
        region: String::new(),
        hours: 1,
        max_price_per_gpu_hour: 500_000,
        min_reliability_bps: 0,
    };
    env.ok(
        ix::create_lease(client.pubkey(), client_iosd, 0, lease.clone()),
        &client,
    )
    .await;
    env.ok(ix::advance_epoch(admin.pubkey(), 0), &admin).await;
    let keeper = env.admit_keeper().await;
    // A staker heavy enough to propose, staked before the proposal starts.
    let whale = env.wallet().await;
    let whale_source = env.give_io(&whale.pubkey(), 20_000 * ONE_IO).await;
    env.ok(
        ix::co_stake(
            whale.pubkey(),
            provider,
            whale_source,
            stake_args(0, 20_000 * ONE_IO, 0),
        ),
        &whale,
    )
    .await;
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
    };
    let call = |name, ix, signer: &Keypair| Call {
        name,
        ix,
        signer: signer.insecure_clone(),
    };
    vec![
        call(
            "set_gpu_models",
            ix::set_gpu_models(admin.pubkey(), vec![model]),
            &admin,
        ),
        call(
            "slash",
            ix::slash(admin.pubkey(), provider, pda::treasury_io_vault(), ONE_IO),
            &admin,
        ),
        call(
            "register_provider",
            ix::register_provider(newcomer.pubkey(), profile("new")),
            &newcomer,
        ),
        call(
            "update_provider",
            ix::update_provider(owner.pubkey(), profile("renamed")),
            &owner,
        ),
        call(
            "add_device",
            ix::add_device(owner.pubkey(), 1, spec("RTX4090", 1, DeviceStatus::Offline)),
            &owner,
        ),
        call(
            "update_device",
            ix::update_device(owner.pubkey(), 0, price),
            &owner,
        ),
        call(
            "remove_device",
            ix::remove_device(owner.pubkey(), 0),
            &owner,
        ),
        call(
            "stake",
            ix::stake(owner.pubkey(), source, stake_args(2, ONE_IO, 0)),
            &owner,
        ),
        call(
            "co_stake",
            ix::co_stake(
                backer.pubkey(),
                provider,
                backer_source,
                stake_args(0, ONE_IO, 0),
            ),
            &backer,
        ),
        call(
            "request_unstake",
            ix::request_unstake(owner.pubkey(), provider, 1),
            &owner,
        ),
        call(
            "withdraw",
            ix::withdraw(owner.pubkey(), provider, 0, source),
            &owner,
        ),
        call(
            "update_price",
            ix::update_price(admin.pubkey(), 100_000_000, 0, -8),
            &admin,
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
            &client,
        ),
        call(
            "advance_epoch",
            ix::advance_epoch(admin.pubkey(), 1),
            &admin,
        ),
        call(
            "create_lease",
            ix::create_lease(client.pubkey(), client_iosd, 1, lease),
            &client,
        ),
        call(
            "top_up_lease",
            ix::top_up_lease(client.pubkey(), 0, client_iosd, 1_000),
            &client,
        ),
        call(
            "claim_rewards",
            ix::claim_rewards(owner.pubkey(), provider, 1, source, owner_iosd),
            &owner,
        ),
        call(
            "cancel_lease",
            ix::cancel_lease(client.pubkey(), 0, client_iosd),
            &client,
        ),
        call(
            "set_oracle",
            ix::set_oracle(
                admin.pubkey(),
                io_compute::state::OracleConfig::default_for(admin.pubkey()),
            ),
            &admin,
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
                },
            ),
            &whale,
        ),
        call(
            "cast_vote",
            ix::cast_vote(
                whale.pubkey(),
                0,
                provider,
                0,
                io_compute::state::VoteChoice::Yes,
            ),
            &whale,
        ),
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
            &keeper,
        ),
    ]
}

fn writable(ix: &Instruction) -> Vec<Pubkey> {
    ix.accounts
        .iter()
        .filter(|m| m.is_writable)
        .map(|m| m.pubkey)
        .collect()
}

fn replace(ix: &Instruction, from: Pubkey, to: Pubkey) -> Option<Instruction> {
    let mut out = ix.clone();
    let meta = out.accounts.iter_mut().find(|m| m.pubkey == from)?;
    meta.pubkey = to;
    Some(out)
}

#[tokio::test]
async fn every_instruction_rejects_substituted_accounts() {
    use anchor_lang::error::ERROR_CODE_OFFSET;
    use io_compute::error::IoComputeError;
    let program_error = |e: IoComputeError| ERROR_CODE_OFFSET + e as u32;
    // (what, the account replaced, its stand-in, the error expected)
    let substitutions = [
        (
            "foreign config",
            pda::config(),
            pda::io_mint(),
            AnchorError::AccountOwnedByWrongProgram as u32,
        ),
        (
            "cosplayed config",
            pda::config(),
            pda::gpu_models(),
            AnchorError::AccountDiscriminatorMismatch as u32,
        ),
        (
            "fake token program",
            spl_token_interface::ID,
            io_compute::ID,
            AnchorError::InvalidProgramId as u32,
        ),
        (
            "IOSD for IO mint",
            pda::io_mint(),
            pda::iosd_mint(),
            program_error(IoComputeError::WrongMint),
        ),
        (
            "other IO vault",
            pda::stake_vault(),
            pda::rewards_vault(),
            program_error(IoComputeError::WrongVault),
        ),
    ];

    let mut env = TestEnv::initialized().await;
    let calls = valid_calls(&mut env).await;
    let mut checked = 0;
    for call in &calls {
        let watch = writable(&call.ix);

        // Missing signature: the signer's key without its signature.
        let mut unsigned = call.ix.clone();
        unsigned
            .accounts
            .iter_mut()
            .filter(|m| m.pubkey == call.signer.pubkey())
            .for_each(|m| m.is_signer = false);
        let outcome = env.expect_rejected(&[unsigned], &[], &watch).await;
        assert_eq!(
            outcome.custom_code(),
            Some(AnchorError::AccountNotSigner as u32),
            "{}: missing signer -> {:?}",
            call.name,
            outcome.result
        );
        checked += 1;

        for (what, from, to, expected) in substitutions {
            // A stand-in already in the list would be a duplicate, not a fake.
            if call.ix.accounts.iter().any(|m| m.pubkey == to) {
                continue;
            }
            let Some(fake) = replace(&call.ix, from, to) else {
                continue;
            };
            let outcome = env.rejects(fake, &call.signer, &watch).await;
            assert_eq!(
                outcome.custom_code(),
                Some(expected),
                "{}: {what} -> {:?}",
                call.name,
                outcome.result
            );
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} substitutions checked");

    // Every call is valid as built: the mutations above are what failed.
    for call in calls {
        env.ok(call.ix, &call.signer).await;
    }
}

/// Close-then-revive in one transaction: an account closed by the program
/// and refunded by a system transfer in the same transaction is owned by
/// the system program, not a program account any later instruction accepts.
#[tokio::test]
async fn closed_accounts_cannot_be_revived_in_the_same_transaction() {
    let mut env = TestEnv::initialized().await;
    env.with_price(100_000_000).await;
    let (client, client_iosd) = env.iosd_holder(100 * ONE_IO).await;
    let spec = io_compute::state::LeaseSpec {
        model: gpu::model_code("RTX4090").unwrap(),
        gpu_count: 1,
        region: String::new(),
        hours: 1,
        max_price_per_gpu_hour: 500_000,
        min_reliability_bps: 0,
    };
    env.ok(
        ix::create_lease(client.pubkey(), client_iosd, 0, spec),
        &client,
    )
    .await;
    let lease = pda::lease(0);
    let revive =
        solana_system_interface::instruction::transfer(&client.pubkey(), &lease, 10_000_000);
    let outcome = env
        .expect_rejected(
            &[
                ix::cancel_lease(client.pubkey(), 0, client_iosd),
                revive,
                ix::top_up_lease(client.pubkey(), 0, client_iosd, 1),
            ],
            &[&client],
            &[lease, client_iosd, pda::escrow_vault(), pda::market()],
        )
        .await;
    assert_eq!(
        outcome.custom_code(),
        Some(AnchorError::AccountOwnedByWrongProgram as u32)
    );

    // The same with a stake position: withdraw closes it, a transfer
    // refunds it, and a claim on it is refused.
    let (owner, source) = staked_provider(&mut env, 10 * ONE_IO).await;
    let provider = provider_key(&owner);
    env.ok(ix::request_unstake(owner.pubkey(), provider, 0), &owner)
        .await;
    env.advance_time(14 * SECONDS_PER_DAY).await;
    let position = pda::stake_position(&owner.pubkey(), &provider, 0);
    let iosd = env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
    let outcome = env
        .expect_rejected(
            &[
                ix::withdraw(owner.pubkey(), provider, 0, source),
                solana_system_interface::instruction::transfer(
                    &owner.pubkey(),
                    &position,
                    10_000_000,
                ),
                ix::claim_rewards(owner.pubkey(), provider, 0, source, iosd),
            ],
            &[&owner],
            &[position, provider, source, pda::stake_vault()],
        )
        .await;
    assert_eq!(
        outcome.custom_code(),
        Some(AnchorError::AccountOwnedByWrongProgram as u32)
    );
}
