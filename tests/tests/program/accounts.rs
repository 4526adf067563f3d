//! Account substitution for every instruction: each mutation is applied to a
//! call that would otherwise succeed, and must fail with its specific error
//! and change nothing.

use crate::*;
use anchor_lang::error::ErrorCode as AnchorError;
use io_compute::{error::IoComputeError, state::GpuModel, UpdateDeviceArgs};
use solana_sdk::instruction::Instruction;

struct Call {
    name: &'static str,
    ix: Instruction,
    signers: Vec<Keypair>,
    /// Accounts the signers choose freely (which provider the authority
    /// slashes): another of the same type is another valid call, not an
    /// attack.
    free: Vec<Pubkey>,
    /// Accounts the instruction checks by address or seeds instead of type,
    /// with the error that refuses a stand-in.
    by_address: Vec<(Pubkey, u32)>,
}

fn call(name: &'static str, ix: Instruction, signers: &[&Keypair]) -> Call {
    Call {
        name,
        ix,
        signers: signers.iter().map(|k| k.insecure_clone()).collect(),
        free: Vec::new(),
        by_address: Vec::new(),
    }
}

impl Call {
    fn free(mut self, key: Pubkey) -> Self {
        self.free.push(key);
        self
    }

    fn by_address(mut self, key: Pubkey, error: AnchorError) -> Self {
        self.by_address.push((key, error as u32));
        self
    }
}

/// A provider with device 0, a withdrawable position (nonce 0), an active
/// position (nonce 1), a co-staker ready to stake, and a stranger ready to
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
    };
    let calls = vec![
        call(
            "set_gpu_models",
            ix::set_gpu_models(admin.pubkey(), vec![model]),
            &[&admin],
        ),
        call(
            "slash",
            ix::slash(admin.pubkey(), provider, pda::treasury_io_vault(), ONE_IO),
            &[&admin],
        )
        .free(provider),
        call(
            "register_provider",
            ix::register_provider(newcomer.pubkey(), profile("new")),
            &[&newcomer],
        ),
        call(
            "update_provider",
            ix::update_provider(owner.pubkey(), profile("renamed")),
            &[&owner],
        ),
        call(
            "add_device",
            ix::add_device(owner.pubkey(), 1, spec("RTX4090", 1, DeviceStatus::Offline)),
            &[&owner],
        ),
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
        ),
        call(
            "co_stake",
            ix::co_stake(
                backer.pubkey(),
                provider,
                backer_source,
                stake_args(0, ONE_IO, 0),
            ),
            &[&backer],
        ),
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
        ),
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
                },
            ),
            &[&whale],
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
            &[&keeper],
        ),
    ];
    (calls, twins)
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

fn program_error(e: IoComputeError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + e as u32
}

/// Tries every mutation of a valid call: each signer left out, the fixed
/// substitutions below, and for every program account in the call an
/// account of another type (type cosplay), an account of another program,
/// and an account of the same type at another address (`twins`: a
/// position of another owner, another lease, another epoch...). Each must
/// fail with its error and change nothing.
struct Sweep {
    twins: Vec<Pubkey>,
    checked: usize,
}

impl Sweep {
    fn new(twins: Vec<Pubkey>) -> Self {
        Self { twins, checked: 0 }
    }

    async fn check(&mut self, env: &mut TestEnv, call: &Call) {
        let watch = writable(&call.ix);
        let in_call = |key: &Pubkey| call.ix.accounts.iter().any(|m| m.pubkey == *key);

        // Missing signature: one signer's key without its signature.
        for (i, signer) in call.signers.iter().enumerate() {
            let mut unsigned = call.ix.clone();
            unsigned
                .accounts
                .iter_mut()
                .filter(|m| m.pubkey == signer.pubkey())
                .for_each(|m| m.is_signer = false);
            let others: Vec<&Keypair> = call
                .signers
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, k)| k)
                .collect();
            let outcome = self
                .rejected(env, call, "missing signer", unsigned, &others, &watch)
                .await;
            self.expect(
                call,
                "missing signer",
                &outcome,
                &[AnchorError::AccountNotSigner as u32],
            );
        }

        // (what, the account replaced, its stand-in, the error expected)
        let fixed = [
            (
                "fake token program",
                spl_token_interface::ID,
                io_compute::ID,
                AnchorError::InvalidProgramId as u32,
            ),
            (
                "fake system program",
                solana_system_interface::program::ID,
                spl_token_interface::ID,
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
        for (what, from, to, expected) in fixed {
            // A stand-in already in the list would be a duplicate, not a fake.
            if in_call(&to) {
                continue;
            }
            if let Some(fake) = replace(&call.ix, from, to) {
                let outcome = self.send(env, call, what, fake, &watch).await;
                self.expect(call, what, &outcome, &[expected]);
            }
        }

        let cosplayers = [
            pda::config(),
            pda::gpu_models(),
            pda::tokenomics(),
            pda::market(),
            pda::price_feed(),
        ];
        let foreigners = [
            pda::io_mint(),
            pda::iosd_mint(),
            pda::treasury_io_vault(),
            pda::escrow_vault(),
        ];
        let mut program_accounts = Vec::new();
        for meta in &call.ix.accounts {
            if program_accounts.contains(&meta.pubkey) {
                continue;
            }
            if let Some(account) = env.raw_account(&meta.pubkey).await {
                if account.owner == io_compute::ID && account.lamports > 0 {
                    program_accounts.push(meta.pubkey);
                }
            }
        }
        for key in program_accounts {
            let kind = discriminator(env, &key).await;
            let mut own = own_checks(&kind);
            own.extend(
                call.by_address
                    .iter()
                    .filter(|(k, _)| *k == key)
                    .map(|(_, e)| *e),
            );
            let cosplay_error = [
                &[AnchorError::AccountDiscriminatorMismatch as u32],
                &own[..],
            ]
            .concat();
            let foreign_error =
                [&[AnchorError::AccountOwnedByWrongProgram as u32], &own[..]].concat();
            // Type cosplay: a program account of another type.
            let mut cosplayer = None;
            for candidate in cosplayers {
                if !in_call(&candidate) && discriminator(env, &candidate).await != kind {
                    cosplayer = Some(candidate);
                    break;
                }
            }
            let cosplayer = cosplayer.expect("a program account of another type");
            let fake = replace(&call.ix, key, cosplayer).unwrap();
            let what = format!("{key} cosplayed by {cosplayer}");
            let outcome = self.send(env, call, &what, fake, &watch).await;
            self.expect(call, &what, &outcome, &cosplay_error);

            // Owner substitution: an account of another program.
            let foreigner = *foreigners.iter().find(|k| !in_call(k)).unwrap();
            let fake = replace(&call.ix, key, foreigner).unwrap();
            let what = format!("{key} replaced by {foreigner}");
            let outcome = self.send(env, call, &what, fake, &watch).await;
            self.expect(call, &what, &outcome, &foreign_error);

            // Same type, other address: seeds, has_one or the program's own
            // checks must tell them apart.
            let mut twin = None;
            for candidate in self.twins.clone() {
                if call.free.contains(&key) {
                    break;
                }
                if !in_call(&candidate)
                    && env.exists(&candidate).await
                    && discriminator(env, &candidate).await == kind
                {
                    twin = Some(candidate);
                    break;
                }
            }
            if let Some(twin) = twin {
                let fake = replace(&call.ix, key, twin).unwrap();
                let what = format!("{key} swapped for its twin {twin}");
                let outcome = self.send(env, call, &what, fake, &watch).await;
                let code = outcome.custom_code();
                assert!(
                    matches!(
                        code,
                        Some(c) if c >= anchor_lang::error::ERROR_CODE_OFFSET
                            || [
                                AnchorError::ConstraintHasOne as u32,
                                AnchorError::ConstraintRaw as u32,
                                AnchorError::ConstraintSeeds as u32,
                                AnchorError::ConstraintAddress as u32,
                            ]
                            .contains(&c)
                    ),
                    "{}: {key} swapped for its twin {twin} -> {:?}",
                    call.name,
                    outcome.result
                );
                self.checked += 1;
            }
        }
    }

    /// Sends a mutated call: it must fail and leave `watch` unchanged.
    async fn send(
        &mut self,
        env: &mut TestEnv,
        call: &Call,
        what: &str,
        ix: Instruction,
        watch: &[Pubkey],
    ) -> TxOutcome {
        let signers: Vec<&Keypair> = call.signers.iter().collect();
        self.rejected(env, call, what, ix, &signers, watch).await
    }

    async fn rejected(
        &mut self,
        env: &mut TestEnv,
        call: &Call,
        what: &str,
        ix: Instruction,
        signers: &[&Keypair],
        watch: &[Pubkey],
    ) -> TxOutcome {
        let before = env.snapshot(watch).await;
        let outcome = env.send(&[ix], signers).await;
        assert!(
            outcome.result.is_err(),
            "{}: {what} was accepted\n{}",
            call.name,
            outcome.logs.join("\n")
        );
        let after = env.snapshot(watch).await;
        TestEnv::assert_unchanged(&before, &after);
        outcome
    }

    /// The call failed with one of `expected`.
    #[track_caller]
    fn expect(&mut self, call: &Call, what: &str, outcome: &TxOutcome, expected: &[u32]) {
        assert!(
            outcome.custom_code().is_some_and(|c| expected.contains(&c)),
            "{}: {what} -> {:?}, expected one of {expected:?}\n{}",
            call.name,
            outcome.result,
            outcome.logs.join("\n")
        );
        self.checked += 1;
    }

    /// Sweeps the call, then sends it as built: it must succeed, so the
    /// mutations are what failed.
    async fn then_send(&mut self, env: &mut TestEnv, call: Call) -> TxOutcome {
        self.check(env, &call).await;
        let signers: Vec<&Keypair> = call.signers.iter().collect();
        let outcome = env.send(&[call.ix], &signers).await;
        assert!(
            outcome.result.is_ok(),
            "{}: {:?}\n{}",
            call.name,
            outcome.result,
            outcome.logs.join("\n")
        );
        outcome
    }
}

/// Errors besides Anchor's with which the program refuses a stand-in for
/// an account of this type: the accounts it checks itself. The price feed
/// is checked by address where it is read (the source may be a Pyth
/// account) and by seeds where it is created; keeper records are loaded
/// by hand so that a wallet that is not a keeper is told so.
fn own_checks(kind: &[u8]) -> Vec<u32> {
    use anchor_lang::Discriminator;
    use io_compute::state::{Keeper, PriceFeed};
    if kind == PriceFeed::DISCRIMINATOR {
        vec![
            program_error(IoComputeError::OracleWrongAccount),
            AnchorError::ConstraintSeeds as u32,
        ]
    } else if kind == Keeper::DISCRIMINATOR {
        vec![program_error(IoComputeError::NotAdmittedKeeper)]
    } else {
        vec![]
    }
}

async fn discriminator(env: &mut TestEnv, key: &Pubkey) -> Vec<u8> {
    env.raw_account(key)
        .await
        .map(|a| a.data[..8.min(a.data.len())].to_vec())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_instruction_rejects_substituted_accounts() {
    let mut env = TestEnv::initialized().await;
    let (calls, twins) = valid_calls(&mut env).await;
    let mut sweep = Sweep::new(twins);
    for call in &calls {
        sweep.check(&mut env, call).await;
    }
    eprintln!("substitution sweep: {} mutations refused", sweep.checked);
    assert!(
        sweep.checked >= 100,
        "only {} mutations checked",
        sweep.checked
    );

    // Every call is valid as built: the mutations above are what failed.
    for call in calls {
        let signers: Vec<&Keypair> = call.signers.iter().collect();
        env.send(&[call.ix], &signers).await.assert_ok();
    }
}

/// The instructions that need earlier steps (a keeper, an assigned lease,
/// a posted, disputed and challenged proof, a device-reward root, a
/// proposal through its life), each swept right before it is sent, with a
/// twin of every account it touches (another provider, device, lease,
/// keeper, proof, epoch, proposal and vote).
#[tokio::test]
async fn lifecycle_instructions_reject_substituted_accounts() {
    use io_compute::{
        merkle::JobReceipt,
        state::{GemmOperand, LeaseSpec, ParamChange, Proposal, VoteChoice},
        ClaimDeviceRewardArgs, CreateProposalArgs, OpenGemmChallengeArgs, PostDeviceRewardsArgs,
        PostUsageProofArgs, ProveGemmFraudArgs, SubmitGemmOperandArgs,
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
    let lease_spec = LeaseSpec {
        model: gpu::model_code("RTX4090").unwrap(),
        gpu_count: 1,
        region: String::new(),
        hours: 2,
        max_price_per_gpu_hour: 500_000,
        min_reliability_bps: 0,
    };
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
        keeper: keeper.pubkey(),
    };
    let other_keys = ProofKeys {
        lease_id: 1,
        device: other_device,
        provider: other_provider,
        seq: 0,
        keeper: other_keeper.pubkey(),
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
                ix::admit_keeper(admin.pubkey(), keeper.pubkey(), bond_source, bond),
                &[&admin, &keeper],
            ),
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
    let receipt = JobReceipt {
        job_id: [1; 32],
        input_hash: job.input_tree().root(),
        output_root: job.output_tree(&c).root(),
        gpu_ms: 1_000,
        worker_signature: [1; 64],
    };
    let receipts = receipts_tree(&[receipt]);
    let start = env.now().await;
    env.set_time(start + 600).await;
    let usage = PostUsageProofArgs {
        seq: 0,
        period_start: start,
        period_end: start + 600,
        gpu_ms: 600_000,
        job_count: 1,
        receipts_root: receipts.root(),
    };
    env.ok(
        ix::post_usage_proof(other_keeper.pubkey(), 1, other_device, usage.clone()),
        &other_keeper,
    )
    .await;
    sweep
        .then_send(
            &mut env,
            call(
                "post_usage_proof",
                ix::post_usage_proof(keeper.pubkey(), 0, device, usage),
                &[&keeper],
            ),
        )
        .await;
    let client_io = env.ata(&client.pubkey(), &pda::io_mint()).await;
    sweep
        .then_send(
            &mut env,
            call(
                "dispute_proof",
                ix::dispute_proof(client.pubkey(), keys, client_io, 0),
                &[&client],
            ),
        )
        .await;
    sweep
        .then_send(
            &mut env,
            call(
                "resolve_dispute",
                ix::resolve_dispute(admin.pubkey(), keys, client.pubkey(), owner_io, false),
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
            ),
        )
        .await;
    for (operand, values, index) in [
        (GemmOperand::ARow, job.a_row(i), job.a_row_index(i)),
        (GemmOperand::BCol, job.b_col(j), job.b_col_index(j)),
    ] {
        let args = SubmitGemmOperandArgs {
            operand,
            values,
            proof: job.input_tree().proof(index),
        };
        sweep
            .then_send(
                &mut env,
                call(
                    "submit_gemm_operand",
                    ix::submit_gemm_operand(prover.pubkey(), keys.proof(), args),
                    &[&prover],
                ),
            )
            .await;
    }
    let element = job.c_index(i, j);
    sweep
        .then_send(
            &mut env,
            call(
                "prove_gemm_fraud",
                ix::prove_gemm_fraud(
                    prover.pubkey(),
                    keys,
                    prover_io,
                    ProveGemmFraudArgs {
                        claimed: c[element],
                        proof: job.output_tree(&c).proof(element),
                    },
                ),
                &[&prover],
            ),
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
        vec![DeviceReward {
            device,
            owner: owner.pubkey(),
            amount: ONE_IO,
        }],
    );
    env.ok(
        ix::post_device_rewards(
            other_keeper.pubkey(),
            PostDeviceRewardsArgs {
                epoch: 0,
                root: tree.root(),
                total: ONE_IO,
            },
        ),
        &other_keeper,
    )
    .await;
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
            // Only the device's address goes into the leaf (a removed
            // device's reward stays claimable); the receipt's seeds bind it.
            .by_address(device, AnchorError::ConstraintSeeds),
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

    // Governance: proposal 0 through its life, 1 a twin, 2 cancelled.
    env.ok(
        ix::init_governance(admin.pubkey(), Default::default()),
        &admin,
    )
    .await;
    for id in 0..3 {
        let args = CreateProposalArgs {
            description: format!("proposal {id}"),
            changes: vec![ParamChange::ProviderFeeBps(300)],
        };
        env.ok(
            ix::create_proposal(whale.pubkey(), provider, 0, id, args),
            &whale,
        )
        .await;
    }
    env.ok(
        ix::cast_vote(whale.pubkey(), 1, provider, 0, VoteChoice::No),
        &whale,
    )
    .await;
    sweep
        .then_send(
            &mut env,
            call(
                "cast_vote",
                ix::cast_vote(whale.pubkey(), 0, provider, 0, VoteChoice::Yes),
                &[&whale],
            ),
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
    // Proposals execute once governance holds the config authority.
    sweep
        .then_send(
            &mut env,
            call(
                "hand_over_authority",
                ix::hand_over_authority(admin.pubkey()),
                &[&admin],
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
    assert_eq!(env.config().await.market.provider_fee_bps, 300);
    eprintln!("lifecycle sweep: {} mutations refused", sweep.checked);
    assert!(
        sweep.checked >= 100,
        "only {} mutations checked",
        sweep.checked
    );
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
