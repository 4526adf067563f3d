//! Invariant fuzzing on a real bank: random sequences of instructions by
//! several actors (two providers, two co-stakers, a client, two keepers,
//! the arbiter, the deployer and governance) with random amounts and clock
//! jumps. After every step every vault equals what is recorded against it,
//! supplies match their records, emissions stay within schedule + net,
//! states only move forward, every parameter is within its bounds, no
//! proposal made before the handover runs, no keeper or challenger ends up
//! richer than its honest share, and every
//! failure is a clean program or token error (never a panic or a runtime
//! fault). At the end, time passes, everyone exits, and every token is back
//! with its owner.
//!
//! `IOC_FUZZ_CASES` sets the number of sequences (default 64, under a
//! minute, for CI; the long mode is `IOC_FUZZ_CASES=10000`).

use crate::{invariants, *};
use io_compute::{
    state::{
        Dispute, Epoch, Keeper, Lease, Market, ParamChange, Proposal, ProposalState, Provider,
        Tokenomics, UsageProof, VoteChoice,
    },
    BurnArgs, CreateLeaseWithIoArgs, PostUsageProofArgs,
};
use io_compute_sdk::ix::ProofKeys;
use proptest::prelude::*;
use solana_sdk::{
    instruction::{Instruction, InstructionError},
    transaction::TransactionError,
};
use std::collections::{BTreeMap, HashMap};

const STAKERS: usize = 4; // providers 0 and 1, co-stakers 2 and 3

#[derive(Clone, Debug)]
enum Op {
    Stake {
        who: usize,
        provider: usize,
        io: u64,
        locked: bool,
    },
    Unstake {
        position: usize,
    },
    Withdraw {
        position: usize,
    },
    Claim {
        position: usize,
    },
    Slash {
        provider: usize,
        bps: u64,
    },
    AdvanceEpoch,
    Burn {
        io: u64,
    },
    CreateLease {
        hours: u32,
        with_io: bool,
    },
    TopUp {
        lease: usize,
        iosd: u64,
    },
    ClaimCommission {
        provider: usize,
    },
    Assign {
        lease: usize,
        device: usize,
    },
    /// The keeper posts what the lease's first device served, after
    /// `elapsed` more seconds of use.
    /// The period holds one integer GEMM job, computed right or (when
    /// `forged`) with C[0][0] off by one.
    Post {
        lease: usize,
        elapsed: i64,
        forged: bool,
    },
    /// A co-staker proves C[0][0] of the proof's job wrong (or checks it).
    GemmFraud {
        proof: usize,
    },
    Finalize {
        proof: usize,
    },
    /// A challenger (0: the client, 1: co-staker 2) disputes a proof with
    /// the minimum bond; several may dispute one proof.
    Dispute {
        proof: usize,
        by: usize,
    },
    /// The arbiter resolves that challenger's dispute: rejects (0), blames
    /// the provider (1) or the keeper (2).
    Resolve {
        proof: usize,
        by: usize,
        verdict: u8,
    },
    /// Anyone returns that challenger's bond once the proof is voided.
    RefundDispute {
        proof: usize,
        by: usize,
    },
    /// A staker proposes with one of its positions: a provider, client or
    /// IO-client fee (bounded or not), or (kind 3) a slash of a provider's
    /// pool signed by governance through its PDA.
    Propose {
        position: usize,
        kind: u8,
        value: u16,
    },
    Vote {
        proposal: usize,
        position: usize,
        choice: u8,
    },
    /// Anyone ends a proposal's vote, first waiting for its end if `wait`.
    FinalizeProposal {
        proposal: usize,
        wait: bool,
    },
    /// Anyone runs a passed proposal, first waiting out its timelock if
    /// `wait`.
    ExecuteProposal {
        proposal: usize,
        wait: bool,
    },
    /// The deployer hands the config authority to governance and the
    /// signing roles to their successors.
    HandOver,
    /// The other keeper takes a lease over (after its keeper's silence).
    TakeOver {
        lease: usize,
    },
    /// A provider removes its device and adds it back (a new index).
    CycleDevice {
        device: usize,
    },
    /// A keeper posts the last closed epoch's device rewards to device 0,
    /// `bps` of that epoch's device emission.
    PostRoot {
        keeper: usize,
        bps: u64,
    },
    ClaimRoot {
        root: usize,
    },
    VoidRoot {
        root: usize,
    },
    ExpireRoot {
        root: usize,
    },
    CloseLease {
        lease: usize,
    },
    CancelLease {
        lease: usize,
    },
    Jump {
        secs: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..STAKERS, 0..2usize, 1u64..3_000, any::<bool>())
            .prop_map(|(who, provider, io, locked)| Op::Stake { who, provider, io, locked }),
        1 => (0..16usize).prop_map(|position| Op::Unstake { position }),
        1 => (0..16usize).prop_map(|position| Op::Withdraw { position }),
        1 => (0..16usize).prop_map(|position| Op::Claim { position }),
        1 => (0..2usize, 1u64..3_000).prop_map(|(provider, bps)| Op::Slash { provider, bps }),
        2 => Just(Op::AdvanceEpoch),
        1 => (1u64..200).prop_map(|io| Op::Burn { io }),
        2 => (1u32..4, any::<bool>()).prop_map(|(hours, with_io)| Op::CreateLease { hours, with_io }),
        1 => (0..6usize, 1u64..2_000_000).prop_map(|(lease, iosd)| Op::TopUp { lease, iosd }),
        1 => (0..2usize).prop_map(|provider| Op::ClaimCommission { provider }),
        3 => (0..6usize, 0..2usize).prop_map(|(lease, device)| Op::Assign { lease, device }),
        3 => (0..6usize, 0i64..7_200, any::<bool>())
            .prop_map(|(lease, elapsed, forged)| Op::Post { lease, elapsed, forged }),
        1 => (0..8usize).prop_map(|proof| Op::GemmFraud { proof }),
        2 => (0..8usize).prop_map(|proof| Op::Finalize { proof }),
        1 => (0..8usize, 0..2usize).prop_map(|(proof, by)| Op::Dispute { proof, by }),
        1 => (0..8usize, 0..2usize, 0u8..3)
            .prop_map(|(proof, by, verdict)| Op::Resolve { proof, by, verdict }),
        1 => (0..8usize, 0..2usize).prop_map(|(proof, by)| Op::RefundDispute { proof, by }),
        2 => (0..16usize, 0u8..4, 0u16..1_500)
            .prop_map(|(position, kind, value)| Op::Propose { position, kind, value }),
        2 => (0..4usize, 0..16usize, 0u8..3)
            .prop_map(|(proposal, position, choice)| Op::Vote { proposal, position, choice }),
        2 => (0..4usize, any::<bool>())
            .prop_map(|(proposal, wait)| Op::FinalizeProposal { proposal, wait }),
        2 => (0..4usize, any::<bool>())
            .prop_map(|(proposal, wait)| Op::ExecuteProposal { proposal, wait }),
        3 => Just(Op::HandOver),
        1 => (0..6usize).prop_map(|lease| Op::TakeOver { lease }),
        1 => (0..2usize).prop_map(|device| Op::CycleDevice { device }),
        1 => (0..2usize, 1u64..=10_000).prop_map(|(keeper, bps)| Op::PostRoot { keeper, bps }),
        1 => (0..4usize).prop_map(|root| Op::ClaimRoot { root }),
        1 => (0..4usize).prop_map(|root| Op::VoidRoot { root }),
        1 => (0..4usize).prop_map(|root| Op::ExpireRoot { root }),
        1 => (0..6usize).prop_map(|lease| Op::CloseLease { lease }),
        1 => (0..6usize).prop_map(|lease| Op::CancelLease { lease }),
        2 => (1i64..2 * SECONDS_PER_DAY).prop_map(|secs| Op::Jump { secs }),
    ]
}

struct World {
    env: TestEnv,
    stakers: Vec<Keypair>,
    providers: [Pubkey; 2],
    devices: [Pubkey; 2],
    /// Index of each provider's current device.
    device_index: [u32; 2],
    keepers: [Keypair; 2],
    /// Device-reward roots posted: (epoch, tree).
    roots: Vec<(u64, io_compute_sdk::merkle::DeviceRewardTree)>,
    client: Keypair,
    client_io: Pubkey,
    client_iosd: Pubkey,
    /// (owner index, provider index, nonce)
    positions: Vec<(usize, usize, u64)>,
    next_nonce: [[u64; 2]; STAKERS],
    leases: Vec<u64>,
    proofs: Vec<ProofKeys>,
    /// Each proof's job and the C its receipt commits to.
    jobs: Vec<(io_compute_sdk::gemm::GemmJob, Vec<i64>)>,
    /// Ids of the proposals created.
    proposals: Vec<u64>,
    /// Votes cast and not relinquished: (proposal id, position index).
    votes: Vec<(u64, usize)>,
    /// The deployer handed over: the roles sign with `successor(n)`.
    handed_over: bool,
    /// The furthest state each lease, proof and proposal has been seen in (see
    /// `lease_rank`, `proof_rank`): states only move forward.
    ranks: HashMap<Pubkey, u8>,
    failures: usize,
    /// Transactions that went through, by operation: shows which states a
    /// run reached.
    accepted: BTreeMap<String, usize>,
    current: String,
}

impl World {
    async fn new() -> Self {
        let mut env = TestEnv::initialized().await;
        env.with_price(100_000_000).await;
        let keepers = [env.admit_keeper().await, env.admit_keeper().await];
        let mut stakers = Vec::new();
        let mut providers = [Pubkey::default(); 2];
        let mut devices = [Pubkey::default(); 2];
        for i in 0..STAKERS {
            let wallet = env.wallet().await;
            env.give_io(&wallet.pubkey(), 100_000 * ONE_IO).await;
            if i < 2 {
                let mut profile = profile("fuzz");
                profile.co_stake_share_bps = 5_000;
                env.ok(ix::register_provider(wallet.pubkey(), profile), &wallet)
                    .await;
                providers[i] = provider_key(&wallet);
                devices[i] = pda::device(&providers[i], 0);
            }
            stakers.push(wallet);
        }
        let (client, client_iosd) = env.iosd_holder(1_000 * ONE_IO).await;
        let client_io = env.give_io(&client.pubkey(), 10_000 * ONE_IO).await;
        let mut world = Self {
            env,
            stakers,
            providers,
            devices,
            device_index: [0; 2],
            keepers,
            roots: Vec::new(),
            client,
            client_io,
            client_iosd,
            positions: Vec::new(),
            next_nonce: [[0; 2]; STAKERS],
            leases: Vec::new(),
            proofs: Vec::new(),
            jobs: Vec::new(),
            proposals: Vec::new(),
            votes: Vec::new(),
            handed_over: false,
            ranks: HashMap::new(),
            failures: 0,
            accepted: BTreeMap::new(),
            current: String::new(),
        };
        // Each provider stakes enough for one idle RTX4090 at 0.45 IOSD/GPU-h.
        for p in 0..2 {
            world
                .apply(Op::Stake {
                    who: p,
                    provider: p,
                    io: 1_000,
                    locked: false,
                })
                .await;
            let owner = world.stakers[p].insecure_clone();
            let mut device = spec("RTX4090", 1, DeviceStatus::Idle);
            device.price_per_gpu_hour = 450_000;
            world
                .env
                .ok(ix::add_device(owner.pubkey(), 0, device), &owner)
                .await;
        }
        // Governance quick enough for a sequence to see proposals pass and
        // run: an hour's vote, a 10-minute timelock, a 1 % quorum, 100 IO
        // of weight to propose.
        let admin = world.env.admin.insecure_clone();
        let params = io_compute::state::GovernanceParams {
            voting_period_secs: 3_600,
            timelock_secs: 600,
            quorum_bps: 100,
            approval_bps: 5_000,
            min_weight_to_propose: 100 * ONE_IO,
        };
        world
            .env
            .ok(ix::init_governance(admin.pubkey(), params), &admin)
            .await;
        world
    }

    /// Position (owner, provider, nonce) votes `choice` on proposal `id`.
    async fn vote(&mut self, id: u64, position: (usize, usize, u64), choice: VoteChoice) {
        let (owner, provider, nonce) = position;
        let voter = self.stakers[owner].insecure_clone();
        let ix = ix::cast_vote(voter.pubkey(), id, self.providers[provider], nonce, choice);
        if self.send(&[ix], &[&voter]).await {
            let index = self
                .positions
                .iter()
                .position(|p| *p == position)
                .expect("a known position");
            self.votes.push((id, index));
        }
    }

    async fn governance(&mut self) -> io_compute::state::Governance {
        self.env.account(&pda::governance()).await
    }

    /// The arbiter: the deployer until the handover, then its successor.
    fn arbiter(&self) -> Keypair {
        if self.handed_over {
            successor(0)
        } else {
            self.env.admin.insecure_clone()
        }
    }

    /// The price authority, as `arbiter`.
    fn price_authority(&self) -> Keypair {
        if self.handed_over {
            successor(2)
        } else {
            self.env.admin.insecure_clone()
        }
    }

    /// Sends; a failure must be a clean error (a program, Anchor or token
    /// error code), never a runtime fault.
    async fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> bool {
        let outcome = self.env.send(instructions, signers).await;
        match &outcome.result {
            Ok(()) => {
                *self.accepted.entry(self.current.clone()).or_default() += 1;
                true
            }
            Err(TransactionError::InstructionError(_, InstructionError::Custom(_))) => {
                self.failures += 1;
                false
            }
            Err(other) => panic!("unexpected failure {other:?}\n{}", outcome.logs.join("\n")),
        }
    }

    async fn now(&mut self) -> i64 {
        self.env.now().await
    }

    async fn apply(&mut self, op: Op) {
        let name = format!("{op:?}");
        self.current = name[..name.find([' ', '{']).unwrap_or(name.len())].to_string();
        let admin = self.env.admin.insecure_clone();
        let keeper = self.keepers[0].insecure_clone();
        let client = self.client.insecure_clone();
        let price = self.price_authority();
        let arbiter = self.arbiter();
        match op {
            Op::Stake {
                who,
                provider,
                io,
                locked,
            } => {
                let owner = self.stakers[who].insecure_clone();
                let nonce = self.next_nonce[who][provider];
                let source = pda::associated_token(&owner.pubkey(), &pda::io_mint());
                let lockup = if locked { 30 * SECONDS_PER_DAY } else { 0 };
                let args = stake_args(nonce, io * ONE_IO, lockup);
                let ix = if who == provider {
                    ix::stake(owner.pubkey(), source, args)
                } else {
                    ix::co_stake(owner.pubkey(), self.providers[provider], source, args)
                };
                if self.send(&[ix], &[&owner]).await {
                    self.next_nonce[who][provider] += 1;
                    self.positions.push((who, provider, nonce));
                }
            }
            Op::Unstake { position } | Op::Withdraw { position } | Op::Claim { position } => {
                let Some((who, provider, nonce)) = nth(&self.positions, position) else {
                    return;
                };
                let owner = self.stakers[who].insecure_clone();
                let (o, p) = (owner.pubkey(), self.providers[provider]);
                let io = pda::associated_token(&o, &pda::io_mint());
                let iosd = self.env.ata(&o, &pda::iosd_mint()).await;
                let ixs = match op {
                    Op::Unstake { .. } => vec![ix::request_unstake(o, p, nonce)],
                    Op::Claim { .. } => vec![ix::claim_rewards(o, p, nonce, io, iosd)],
                    _ => {
                        // Claim first when anything is owed (withdraw waits
                        // for it); claiming nothing is refused.
                        let key = pda::stake_position(&o, &p, nonce);
                        if !self.env.exists(&key).await {
                            return;
                        }
                        let owed = self
                            .env
                            .account::<io_compute::state::StakePosition>(&key)
                            .await
                            .rewards_owed;
                        let mut ixs = Vec::new();
                        if owed != [0, 0] {
                            ixs.push(ix::claim_rewards(o, p, nonce, io, iosd));
                        }
                        ixs.push(ix::withdraw(o, p, nonce, io));
                        ixs
                    }
                };
                self.send(&ixs, &[&owner]).await;
            }
            Op::Slash { provider, bps } => {
                let p: Provider = self.env.account(&self.providers[provider]).await;
                let amount = p.stake.amount().unwrap() * bps / 10_000;
                let ix = ix::slash(admin.pubkey(), self.providers[provider], amount);
                self.send(&[ix], &[&admin]).await;
            }
            Op::AdvanceEpoch => {
                let t: Tokenomics = self.env.account(&pda::tokenomics()).await;
                let e: Epoch = self.env.account(&pda::epoch(t.current_epoch)).await;
                let end = e.start + SECONDS_PER_DAY;
                if self.now().await < end {
                    self.env.set_time(end).await;
                }
                self.send(
                    &[ix::advance_epoch(admin.pubkey(), t.current_epoch)],
                    &[&admin],
                )
                .await;
            }
            Op::Burn { io } => {
                let t: Tokenomics = self.env.account(&pda::tokenomics()).await;
                let args = BurnArgs::ExactIn {
                    io: io * ONE_IO,
                    min_iosd: 0,
                };
                let ixs = [
                    ix::update_price(price.pubkey(), 100_000_000, 0, -8),
                    ix::burn_io_for_iosd(
                        client.pubkey(),
                        self.client_io,
                        self.client_iosd,
                        pda::price_feed(),
                        t.current_epoch,
                        args,
                    ),
                ];
                self.send(&ixs, &[&price, &client]).await;
            }
            Op::CreateLease { hours, with_io } => {
                let m: Market = self.env.account(&pda::market()).await;
                let id = m.next_lease_id;
                let spec = lease_spec(1, hours, 500_000);
                let sent = if with_io {
                    let t: Tokenomics = self.env.account(&pda::tokenomics()).await;
                    let args = CreateLeaseWithIoArgs {
                        spec,
                        max_io: 1_000 * ONE_IO,
                    };
                    let ixs = [
                        ix::update_price(price.pubkey(), 100_000_000, 0, -8),
                        ix::create_lease_with_io(
                            client.pubkey(),
                            self.client_io,
                            id,
                            pda::price_feed(),
                            t.current_epoch,
                            args,
                        ),
                    ];
                    self.send(&ixs, &[&price, &client]).await
                } else {
                    let ix = ix::create_lease(client.pubkey(), self.client_iosd, id, spec);
                    self.send(&[ix], &[&client]).await
                };
                if sent {
                    self.leases.push(id);
                }
            }
            Op::TopUp { lease, iosd } => {
                let Some(id) = nth(&self.leases, lease) else {
                    return;
                };
                let ix = ix::top_up_lease(client.pubkey(), id, self.client_iosd, iosd);
                self.send(&[ix], &[&client]).await;
            }
            Op::ClaimCommission { provider } => {
                let owner = self.stakers[provider].insecure_clone();
                let o = owner.pubkey();
                let io = pda::associated_token(&o, &pda::io_mint());
                let iosd = self.env.ata(&o, &pda::iosd_mint()).await;
                self.send(&[ix::claim_commission(o, io, iosd)], &[&owner])
                    .await;
            }
            Op::Assign { lease, device } => {
                let Some(id) = nth(&self.leases, lease) else {
                    return;
                };
                let ix = ix::assign_devices(
                    keeper.pubkey(),
                    id,
                    &[self.devices[device]],
                    &[self.providers[device]],
                );
                self.send(&[ix], &[&keeper]).await;
            }
            Op::Post {
                lease,
                elapsed,
                forged,
            } => {
                self.env.advance_time(elapsed).await;
                let Some(id) = nth(&self.leases, lease) else {
                    return;
                };
                let Some(l) = self.lease(id).await else {
                    return;
                };
                let Some(&entry) = l.devices.first() else {
                    return;
                };
                let device = entry.device;
                let now = self.now().await;
                let start = l.start.max(entry.proven_until);
                let end = now.min(l.end);
                if end <= start {
                    return;
                }
                let job = io_compute_sdk::gemm::GemmJob::new(
                    2,
                    70,
                    2,
                    (0..140).map(|x| x * 3 - 100 + id as i32).collect(),
                    (0..140).map(|x| 50 - x).collect(),
                );
                let mut c = job.multiply();
                if forged {
                    c[0] += 1;
                }
                let receipt = job.receipt([entry.next_proof_seq as u8; 32], &c, 1_000);
                let tree =
                    io_compute_sdk::merkle::receipts_tree(&pda::lease(id), &device, &[receipt]);
                let args = PostUsageProofArgs {
                    seq: entry.next_proof_seq,
                    period_start: start,
                    period_end: end,
                    device_time_us: (end - start) as u64 * 1_000_000,
                    job_count: 1,
                    receipts_root: tree.root(),
                };
                let keeper = self.keeper_of(&l);
                if self
                    .send(
                        &post_usage_proof(keeper.pubkey(), id, device, args),
                        &[&keeper],
                    )
                    .await
                {
                    let d: io_compute::state::Device = self.env.account(&device).await;
                    let provider = d.provider;
                    self.proofs.push(ProofKeys {
                        lease_id: id,
                        device,
                        provider,
                        seq: entry.next_proof_seq,
                        keeper_authority: keeper.pubkey(),
                    });
                    self.jobs.push((job, c));
                }
            }
            Op::Finalize { proof } => {
                let Some(keys) = nth(&self.proofs, proof) else {
                    return;
                };
                let p: Provider = self.env.account(&keys.provider).await;
                let dest = self.env.ata(&p.authority, &pda::iosd_mint()).await;
                self.send(&[ix::finalize_proof(admin.pubkey(), keys, dest)], &[&admin])
                    .await;
            }
            Op::Dispute { proof, by } => {
                let Some(keys) = nth(&self.proofs, proof) else {
                    return;
                };
                let challenger = self.challenger(by);
                let io = pda::associated_token(&challenger.pubkey(), &pda::io_mint());
                let bond = io_compute::constants::DEFAULT_MIN_DISPUTE_BOND;
                let ix = ix::dispute_proof(challenger.pubkey(), keys, io, bond);
                self.send(&[ix], &[&challenger]).await;
            }
            Op::Resolve { proof, by, verdict } => {
                let Some(keys) = nth(&self.proofs, proof) else {
                    return;
                };
                let challenger = self.challenger(by).pubkey();
                if !self
                    .env
                    .exists(&pda::dispute(&keys.proof(), &challenger))
                    .await
                    || !self.env.exists(&keys.proof()).await
                {
                    return;
                }
                use io_compute::state::Verdict;
                let verdict = [
                    Verdict::Rejected,
                    Verdict::ProviderAtFault,
                    Verdict::KeeperAtFault,
                ][verdict as usize];
                let p: Provider = self.env.account(&keys.provider).await;
                let k: Keeper = self.env.account(&pda::keeper(&keys.keeper_authority)).await;
                let dest = if verdict == Verdict::Rejected {
                    pda::associated_token(&p.authority, &pda::io_mint())
                } else {
                    pda::associated_token(&challenger, &pda::io_mint())
                };
                let ix = ix::resolve_dispute(arbiter.pubkey(), keys, challenger, dest, verdict);
                let outcome = self.env.send(&[ix], &[&arbiter]).await;
                assert!(outcome.result.is_ok(), "the arbiter can always resolve");
                *self.accepted.entry(self.current.clone()).or_default() += 1;
                // The challenger's honest share: half of the 10 % taken from
                // the provider's own stake (never co-stakers'), or half of
                // the 10 % taken from the keeper's bond.
                let resolved = &outcome.events::<io_compute::events::DisputeResolved>()[0];
                let bound = match verdict {
                    Verdict::Rejected => 0,
                    Verdict::ProviderAtFault => {
                        let slashed = p.stake.amount().unwrap() / 10;
                        slashed.min(p.stake.own.amount) / 2
                    }
                    Verdict::KeeperAtFault => k.bond / 10 / 2,
                };
                assert!(
                    resolved.challenger_reward <= bound,
                    "challenger paid {} over its honest share {bound}",
                    resolved.challenger_reward
                );
            }
            Op::RefundDispute { proof, by } => {
                let Some(keys) = nth(&self.proofs, proof) else {
                    return;
                };
                let challenger = self.challenger(by).pubkey();
                let io = pda::associated_token(&challenger, &pda::io_mint());
                let ix = ix::refund_dispute(keys.proof(), challenger, io);
                self.send(&[ix], &[]).await;
            }
            Op::GemmFraud { proof } => {
                if self.proofs.is_empty() {
                    return;
                }
                let i = proof % self.proofs.len();
                let keys = self.proofs[i];
                let (job, c) = self.jobs[i].clone();
                if !self.env.exists(&keys.proof()).await {
                    return;
                }
                let prover = self.stakers[2].insecure_clone();
                let prover_io = pda::associated_token(&prover.pubkey(), &pda::io_mint());
                let receipt = job.receipt([keys.seq as u8; 32], &c, 1_000);
                let open = ix::open_gemm_challenge(
                    prover.pubkey(),
                    keys.proof(),
                    io_compute::OpenGemmChallengeArgs {
                        receipt,
                        receipt_proof: vec![],
                        i: 0,
                        j: 0,
                    },
                );
                if !self.send(&[open], &[&prover]).await {
                    return;
                }
                for step in job.fraud_evidence(&c, 0, 0) {
                    let ix = ix::submit_gemm_evidence(prover.pubkey(), keys.proof(), step);
                    assert!(self.send(&[ix], &[&prover]).await, "evidence is accepted");
                }
                let p: Provider = self.env.account(&keys.provider).await;
                let prove = ix::prove_gemm_fraud(prover.pubkey(), keys, prover_io);
                let outcome = self.env.send(&[prove], &[&prover]).await;
                assert!(
                    outcome.result.is_ok(),
                    "a completed challenge always proves"
                );
                *self.accepted.entry(self.current.clone()).or_default() += 1;
                let checked = &outcome.events::<io_compute::events::GemmFraudChecked>()[0];
                let forged = c[0] != job.multiply()[0];
                assert_eq!(checked.fraud, forged, "exactly the forged element is fraud");
                if let Some(resolved) = outcome
                    .events::<io_compute::events::DisputeResolved>()
                    .first()
                {
                    let bound = (p.stake.amount().unwrap() / 10).min(p.stake.own.amount) / 2;
                    assert!(
                        resolved.challenger_reward <= bound,
                        "prover paid {} over its honest share {bound}",
                        resolved.challenger_reward
                    );
                }
            }
            Op::Propose {
                position,
                kind,
                value,
            } => {
                let Some((owner, provider, nonce)) = nth(&self.positions, position) else {
                    return;
                };
                let proposer = self.stakers[owner].insecure_clone();
                let id = self.governance().await.next_proposal_id;
                // A second passes, so that positions staked just now can
                // vote on it.
                self.env.advance_time(1).await;
                let (changes, call) = match kind {
                    0 => (vec![ParamChange::ProviderFeeBps(value)], None),
                    1 => (vec![ParamChange::ClientFeeBps(value)], None),
                    2 => (vec![ParamChange::ClientFeeBpsIo(value)], None),
                    _ => {
                        let target = self.providers[value as usize % 2];
                        let p: Provider = self.env.account(&target).await;
                        let amount = p.stake.amount().unwrap() * (value as u64 % 3_000) / 10_000;
                        let slash = ix::slash(pda::governance(), target, amount);
                        (Vec::new(), Some(ix::governance_call(&slash)))
                    }
                };
                let args = io_compute::CreateProposalArgs {
                    description: format!("fuzz {id}"),
                    changes,
                    call,
                };
                let ix = ix::create_proposal(
                    proposer.pubkey(),
                    self.providers[provider],
                    nonce,
                    id,
                    args,
                );
                if self.send(&[ix], &[&proposer]).await {
                    self.proposals.push(id);
                    // Its proposer votes for it, as proposers do.
                    self.vote(id, (owner, provider, nonce), VoteChoice::Yes)
                        .await;
                }
            }
            Op::Vote {
                proposal,
                position,
                choice,
            } => {
                let (Some(id), Some((owner, provider, nonce))) = (
                    nth(&self.proposals, proposal),
                    nth(&self.positions, position),
                ) else {
                    return;
                };
                let choice =
                    [VoteChoice::Yes, VoteChoice::No, VoteChoice::Abstain][choice as usize];
                self.vote(id, (owner, provider, nonce), choice).await;
            }
            Op::FinalizeProposal { proposal, wait } => {
                let Some(id) = nth(&self.proposals, proposal) else {
                    return;
                };
                let p: Proposal = self.env.account(&pda::proposal(id)).await;
                if wait && self.now().await < p.voting_end {
                    self.env.set_time(p.voting_end).await;
                }
                self.send(&[ix::finalize_proposal(id)], &[]).await;
            }
            Op::ExecuteProposal { proposal, wait } => {
                let Some(id) = nth(&self.proposals, proposal) else {
                    return;
                };
                let p: Proposal = self.env.account(&pda::proposal(id)).await;
                let unlock = p.finalized_at + p.timelock_secs;
                if wait && p.state == ProposalState::Succeeded && self.now().await < unlock {
                    self.env.set_time(unlock).await;
                }
                let ix = match &p.call {
                    Some(call) => ix::execute_proposal_call(id, call),
                    None => ix::execute_proposal(id),
                };
                self.send(&[ix], &[]).await;
            }
            Op::HandOver => {
                let ix = ix::hand_over_authority(admin.pubkey(), successor_roles());
                if self.send(&[ix], &[&admin]).await {
                    self.handed_over = true;
                }
            }
            Op::TakeOver { lease } => {
                let Some(id) = nth(&self.leases, lease) else {
                    return;
                };
                let Some(l) = self.lease(id).await else {
                    return;
                };
                let current = self.keeper_of(&l);
                let other = if current.pubkey() == self.keepers[0].pubkey() {
                    self.keepers[1].insecure_clone()
                } else {
                    self.keepers[0].insecure_clone()
                };
                let ix = ix::take_over_lease(other.pubkey(), id, current.pubkey());
                self.send(&[ix], &[&other]).await;
            }
            Op::CycleDevice { device } => {
                let owner = self.stakers[device].insecure_clone();
                let index = self.device_index[device];
                if !self
                    .send(&[ix::remove_device(owner.pubkey(), index)], &[&owner])
                    .await
                {
                    return;
                }
                let p: Provider = self.env.account(&self.providers[device]).await;
                let mut spec = spec("RTX4090", 1, DeviceStatus::Idle);
                spec.price_per_gpu_hour = 450_000;
                let next = p.next_device_index;
                if self
                    .send(&[ix::add_device(owner.pubkey(), next, spec)], &[&owner])
                    .await
                {
                    self.device_index[device] = next;
                    self.devices[device] = pda::device(&self.providers[device], next);
                }
            }
            Op::PostRoot { keeper, bps } => {
                let t: Tokenomics = self.env.account(&pda::tokenomics()).await;
                let Some(epoch) = t.current_epoch.checked_sub(1) else {
                    return;
                };
                let e: Epoch = self.env.account(&pda::epoch(epoch)).await;
                let amount = e.emission.devices * bps / 10_000;
                let tree = io_compute_sdk::merkle::DeviceRewardTree::new(
                    epoch,
                    vec![io_compute_sdk::merkle::DeviceReward {
                        device: self.devices[0],
                        owner: self.stakers[0].pubkey(),
                        amount: amount.max(1),
                    }],
                );
                let k = self.keepers[keeper].insecure_clone();
                let args = io_compute::PostDeviceRewardsArgs {
                    epoch,
                    root: tree.root(),
                    total: tree.total(),
                };
                if self
                    .send(&[ix::post_device_rewards(k.pubkey(), args)], &[&k])
                    .await
                {
                    self.roots.push((epoch, tree));
                }
            }
            Op::ClaimRoot { root } | Op::VoidRoot { root } | Op::ExpireRoot { root } => {
                if self.roots.is_empty() {
                    return;
                }
                let (epoch, tree) = &self.roots[root % self.roots.len()];
                let (epoch, reward, proof) = (*epoch, tree.rewards[0], tree.proof(0));
                let e: Epoch = self.env.account(&pda::epoch(epoch)).await;
                let ix = match op {
                    Op::ClaimRoot { .. } => {
                        let dest = pda::associated_token(&reward.owner, &pda::io_mint());
                        let args = io_compute::ClaimDeviceRewardArgs {
                            epoch,
                            amount: reward.amount,
                            proof,
                        };
                        let ix = ix::claim_device_reward(admin.pubkey(), reward.device, dest, args);
                        (ix, admin)
                    }
                    Op::VoidRoot { .. } => {
                        let ix =
                            ix::void_device_rewards(arbiter.pubkey(), epoch, e.device_root_keeper);
                        (ix, arbiter)
                    }
                    _ => {
                        self.send(&[ix::expire_device_rewards(epoch)], &[]).await;
                        return;
                    }
                };
                let (ix, signer) = ix;
                self.send(&[ix], &[&signer]).await;
            }
            Op::CloseLease { lease } => {
                let Some(id) = nth(&self.leases, lease) else {
                    return;
                };
                let Some(l) = self.lease(id).await else {
                    return;
                };
                let (devices, providers) = self.lease_devices(&l).await;
                let ix = ix::close_lease(
                    client.pubkey(),
                    client.pubkey(),
                    id,
                    self.client_iosd,
                    &devices,
                    &providers,
                );
                self.send(&[ix], &[&client]).await;
            }
            Op::CancelLease { lease } => {
                let Some(id) = nth(&self.leases, lease) else {
                    return;
                };
                self.send(
                    &[ix::cancel_lease(client.pubkey(), id, self.client_iosd)],
                    &[&client],
                )
                .await;
            }
            Op::Jump { secs } => self.env.advance_time(secs).await,
        }
    }

    async fn lease(&mut self, id: u64) -> Option<Lease> {
        if self.env.exists(&pda::lease(id)).await {
            Some(self.env.account(&pda::lease(id)).await)
        } else {
            None
        }
    }

    /// Dispute challenger `by`: the client or co-staker 2.
    fn challenger(&self, by: usize) -> Keypair {
        [&self.client, &self.stakers[2]][by].insecure_clone()
    }

    /// The keeper serving `lease` (the first one for a lease not assigned).
    fn keeper_of(&self, lease: &Lease) -> Keypair {
        let serving = self
            .keepers
            .iter()
            .find(|k| k.pubkey() == lease.keeper)
            .unwrap_or(&self.keepers[0]);
        serving.insecure_clone()
    }

    async fn lease_devices(&mut self, lease: &Lease) -> (Vec<Pubkey>, Vec<Pubkey>) {
        if lease.status != io_compute::state::LeaseStatus::Active {
            return (vec![], vec![]);
        }
        let mut providers = Vec::new();
        for entry in &lease.devices {
            let d: io_compute::state::Device = self.env.account(&entry.device).await;
            providers.push(d.provider);
        }
        (lease.devices.iter().map(|d| d.device).collect(), providers)
    }

    /// Every vault equals what is recorded against it; supplies and
    /// emissions match their records.
    async fn check(&mut self) {
        let env = &mut self.env;
        // Whatever passed, every parameter is inside its hard bounds (L1).
        env.config()
            .await
            .validate_params()
            .expect("parameters within their bounds");
        let mut pools = 0;
        for provider in self.providers {
            pools += env
                .account::<Provider>(&provider)
                .await
                .stake
                .amount()
                .unwrap();
        }
        assert_eq!(
            env.token_balance(&pda::stake_vault()).await,
            pools,
            "stake vault"
        );
        invariants::assert_reward_invariants(env, &self.providers).await;
        invariants::assert_escrow_invariants(env, &self.leases).await;
        let mut bonds = 0;
        for keeper in &self.keepers {
            let k: Keeper = env.account(&pda::keeper(&keeper.pubkey())).await;
            bonds += k.bond;
            let mut open = 0;
            for keys in &self.proofs {
                if keys.keeper_authority == keeper.pubkey() && env.exists(&keys.proof()).await {
                    open += 1;
                }
            }
            assert_eq!(k.open_proofs, open, "keeper's open proofs");
            // A keeper earns nothing on-chain: its wallet and bond together
            // never exceed what it brought.
            let wallet = env
                .token_balance(&pda::associated_token(&keeper.pubkey(), &pda::io_mint()))
                .await;
            assert!(
                wallet + k.bond <= io_compute::constants::DEFAULT_MIN_KEEPER_BOND,
                "a keeper ended richer than it came"
            );
        }
        let challengers = [self.client.pubkey(), self.stakers[2].pubkey()];
        for keys in &self.proofs {
            let mut open = 0;
            for challenger in &challengers {
                let dispute = pda::dispute(&keys.proof(), challenger);
                if env.exists(&dispute).await {
                    bonds += env.account::<Dispute>(&dispute).await.bond;
                    open += 1;
                }
            }
            // Disputes of a voided proof wait for their refund.
            if env.exists(&keys.proof()).await {
                let p: UsageProof = env.account(&keys.proof()).await;
                assert_eq!(p.open_disputes, open, "proof's open disputes");
            }
        }
        assert_eq!(
            env.token_balance(&pda::bond_vault()).await,
            bonds,
            "bond vault"
        );
        self.assert_states_move_forward().await;
    }

    /// Leases go Open -> Active -> Closed -> gone (or Open -> gone when
    /// cancelled) and proofs Locked -> Disputed -> Cleared -> gone, never back: a
    /// settled proof or a closed lease is never revived.
    async fn assert_states_move_forward(&mut self) {
        let mut seen = Vec::new();
        for id in &self.leases {
            let key = pda::lease(*id);
            let rank = match self.env.exists(&key).await {
                false => 3,
                true => self.env.account::<Lease>(&key).await.status as u8,
            };
            seen.push((key, rank));
        }
        for keys in &self.proofs {
            let key = keys.proof();
            let rank = match self.env.exists(&key).await {
                false => 3,
                true => self.env.account::<UsageProof>(&key).await.status as u8,
            };
            seen.push((key, rank));
        }
        // Voting -> Succeeded -> Executed, or Voting -> Defeated for good,
        // and nothing made before the handover ever executes (H5).
        let first_executable = self.governance().await.first_executable_id;
        for id in &self.proposals {
            let key = pda::proposal(*id);
            let p: Proposal = self.env.account(&key).await;
            let rank = match p.state {
                ProposalState::Voting => 0,
                ProposalState::Succeeded => 1,
                ProposalState::Executed => 2,
                ProposalState::Defeated => 3,
            };
            if p.state == ProposalState::Executed {
                assert!(
                    *id >= first_executable,
                    "proposal {id} predates the handover"
                );
            }
            seen.push((key, rank));
        }
        for (key, rank) in seen {
            let before = self.ranks.insert(key, rank).unwrap_or(0);
            assert!(
                rank >= before,
                "{key} went back from state {before} to {rank}"
            );
        }
    }

    /// Far enough in the future every proof settles, every lease closes and
    /// every position withdraws: the vaults hold only rounding dust.
    async fn wind_down(&mut self) {
        self.env.advance_time(15 * SECONDS_PER_DAY).await;
        // The arbiter rejects what is still disputed; voided proofs'
        // disputes are refunded.
        for proof in 0..self.proofs.len() {
            for by in 0..2 {
                self.apply(Op::Resolve {
                    proof,
                    by,
                    verdict: 0,
                })
                .await;
                self.apply(Op::RefundDispute { proof, by }).await;
            }
            self.apply(Op::Finalize { proof }).await;
        }
        // Every proposal's vote ends; every vote is taken back so that its
        // position can leave.
        for proposal in 0..self.proposals.len() {
            self.apply(Op::FinalizeProposal {
                proposal,
                wait: false,
            })
            .await;
        }
        for (id, position) in std::mem::take(&mut self.votes) {
            let (owner, provider, nonce) = self.positions[position];
            let voter = self.stakers[owner].insecure_clone();
            let ix = ix::relinquish_vote(voter.pubkey(), id, self.providers[provider], nonce);
            assert!(
                self.send(&[ix], &[&voter]).await,
                "a vote can always be taken back"
            );
        }
        // Open leases are cancelled, Active ones closed, and closed ones
        // swept once their proofs have settled and their holdback ended.
        for lease in 0..self.leases.len() {
            self.apply(Op::CancelLease { lease }).await;
            self.apply(Op::CloseLease { lease }).await;
        }
        self.env
            .advance_time(io_compute::constants::PROOF_HOLDBACK_SECS)
            .await;
        for lease in 0..self.leases.len() {
            self.apply(Op::CloseLease { lease }).await;
        }
        self.env.advance_time(60 * SECONDS_PER_DAY).await;
        // Device-reward claims have closed: what nobody claimed goes back.
        for root in 0..self.roots.len() {
            self.apply(Op::ExpireRoot { root }).await;
        }
        for position in 0..self.positions.len() {
            self.apply(Op::Unstake { position }).await;
        }
        self.env.advance_time(15 * SECONDS_PER_DAY).await;
        for position in 0..self.positions.len() {
            self.apply(Op::Withdraw { position }).await;
        }
        for p in 0..2 {
            let provider: Provider = self.env.account(&self.providers[p]).await;
            if provider.rewards.commission != [0, 0] {
                let owner = self.stakers[p].insecure_clone();
                let o = owner.pubkey();
                let io = pda::associated_token(&o, &pda::io_mint());
                let iosd = self.env.ata(&o, &pda::iosd_mint()).await;
                assert!(
                    self.send(&[ix::claim_commission(o, io, iosd)], &[&owner])
                        .await
                );
            }
        }
        self.check().await;
        assert_eq!(
            self.env.token_balance(&pda::escrow_vault()).await,
            0,
            "escrow returned"
        );
        assert_eq!(
            self.env.token_balance(&pda::stake_vault()).await,
            0,
            "stake returned"
        );
        let t: Tokenomics = self.env.account(&pda::tokenomics()).await;
        // What stakers have not claimed is rounding dust.
        let dust = 100 * self.positions.len() as u64 + 100;
        for token in 0..2 {
            let unpaid = t.stakers.funded[token] - t.stakers.paid[token];
            assert!(unpaid <= dust, "token {token}: {unpaid} unpaid");
        }
    }
}

/// The `index`-th item, wrapping around, so that random indices mostly hit
/// objects that exist.
fn nth<T: Copy>(items: &[T], index: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[index % items.len()])
}

fn cases() -> u32 {
    std::env::var("IOC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_use(ops in prop::collection::vec(op(), 10..60)) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let mut world = World::new().await;
            world.check().await;
            let steps = ops.len();
            for op in ops {
                world.apply(op).await;
                world.check().await;
            }
            world.wind_down().await;
            // Counted by the long mode's report (docs/security.md).
            let accepted: Vec<String> =
                world.accepted.iter().map(|(op, n)| format!("{op}:{n}")).collect();
            eprintln!(
                "fuzz-case steps={steps} refused={} accepted={}",
                world.failures,
                accepted.join(",")
            );
        });
    }
}
