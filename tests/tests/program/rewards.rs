//! Emissions, staker rewards, keepers and device rewards, and the IO
//! emission circuit breaker, with the reward accounting checked after every
//! step.

use crate::invariants::assert_reward_invariants;
use crate::*;
use io_compute::{
    constants::{MAX_LOCKUP_SECS, SECONDS_PER_MONTH},
    error::IoComputeError,
    events::{CommissionClaimed, RewardsClaimed},
    state::{
        Epoch, EpochEmission, Provider, StakePosition, Tokenomics, TokenomicsParams, REWARD_IO,
    },
    BurnArgs, ClaimDeviceRewardArgs, InitializeArgs, PostDeviceRewardsArgs,
};
use io_compute_sdk::merkle::{DeviceReward, DeviceRewardTree};

const GENESIS: u64 = io_compute::constants::DEFAULT_GENESIS_SUPPLY;

/// 8,800 IO a day for stakers and devices, half each; no decay in the
/// first month; a breaker that never trips unless a test lowers it.
fn round_params() -> TokenomicsParams {
    let mut params = default_tokenomics();
    params.emission.initial_monthly_emission = 264_000 * ONE_IO;
    params.emission.stakers_bps = 5_000;
    params.emission.io_emission_cap = 1_000_000 * ONE_IO;
    params
}

async fn current_epoch(env: &mut TestEnv) -> u64 {
    env.account::<Tokenomics>(&pda::tokenomics())
        .await
        .current_epoch
}

/// Moves the clock to the end of the current epoch and closes it.
async fn advance(env: &mut TestEnv) -> TxOutcome {
    let n = current_epoch(env).await;
    let epoch: Epoch = env.account(&pda::epoch(n)).await;
    let end = epoch.start + env.config().await.tokenomics_params.epoch_length_secs;
    if env.now().await < end {
        env.set_time(end).await;
    }
    let payer = env.admin.insecure_clone();
    env.send(&[ix::advance_epoch(payer.pubkey(), n)], &[&payer])
        .await
}

/// The emission schedule, epoch by epoch, against its formula written out
/// independently here: a month's emission decays by `decay` (rounded down
/// each month), an epoch gets its month's emission pro rata to its length,
/// plus the average burn of the last 7 epochs up to the net cap.
#[tokio::test]
async fn emission_schedule_follows_the_formula() {
    const DECAY_BPS: u64 = 1_000;
    const CAP: u64 = 50 * ONE_IO;
    let length = 10 * SECONDS_PER_DAY;
    let mut params = round_params();
    params.epoch_length_secs = length;
    params.emission.initial_monthly_emission = 3_000 * ONE_IO;
    params.emission.monthly_decay_bps = DECAY_BPS as u16;
    params.emission.net_emission_cap = CAP;
    params.emission.stakers_bps = 3_000;
    // The breaker at the most a window can emit (its hard bounds are
    // relative to the schedule).
    params.emission.io_emission_cap = params.max_emissions().unwrap().1;
    let mut env = TestEnv::initialized_with(params).await;
    env.with_price(100_000_000).await;
    let (owner, _) = staked_provider(&mut env, 1_000 * ONE_IO).await;
    let providers = [provider_key(&owner)];
    let burner = env.wallet().await;
    let io = env.give_io(&burner.pubkey(), 1_000 * ONE_IO).await;
    let iosd = env.ata(&burner.pubkey(), &pda::iosd_mint()).await;

    // IO burned per epoch: under the cap at first, over it, then out of the
    // 7-epoch window again.
    let burns: [u64; 10] = [140, 0, 700, 0, 0, 0, 0, 0, 0, 0].map(|io| io * ONE_IO);
    let monthly = |month: i64| {
        (0..month).fold(3_000 * ONE_IO as u128, |m, _| {
            m * (10_000 - DECAY_BPS as u128) / 10_000
        })
    };
    for (n, burn) in burns.iter().enumerate() {
        if *burn > 0 {
            let admin = env.admin.insecure_clone();
            env.ok(ix::update_price(admin.pubkey(), 100_000_000, 0, -8), &admin)
                .await;
            let args = BurnArgs::ExactIn {
                io: *burn,
                min_iosd: 0,
            };
            let burn_ix =
                ix::burn_io_for_iosd(burner.pubkey(), io, iosd, pda::price_feed(), n as u64, args);
            env.ok(burn_ix, &burner).await;
        }
        let supply_before = env.mint_supply(&pda::io_mint()).await;
        let outcome = advance(&mut env).await;
        outcome.assert_ok();

        let month = (n as i64 * length) / SECONDS_PER_MONTH;
        let scheduled = (monthly(month) * length as u128 / SECONDS_PER_MONTH as u128) as u64;
        let window = &burns[n.saturating_sub(6)..=n];
        let net = (window.iter().sum::<u64>() / 7).min(CAP);
        let emitted = scheduled + net;
        let stakers = emitted * 3 / 10;
        let expected = EpochEmission {
            scheduled,
            net,
            emitted,
            stakers,
            devices: emitted - stakers,
        };
        let epoch: Epoch = env.account(&pda::epoch(n as u64)).await;
        assert_eq!(epoch.emission, expected, "epoch {n}");
        assert_eq!(
            env.mint_supply(&pda::io_mint()).await - supply_before,
            emitted,
            "epoch {n} minted"
        );
        let event = &outcome.events::<io_compute::events::EpochAdvanced>()[0];
        assert_eq!(event.emission, expected);
        assert_reward_invariants(&mut env, &providers).await;
    }
    // Spot-check the table's corners: the net cap bit in epoch 2, the burn
    // of epoch 0 left the window at epoch 7, and month 3 decayed 3 times.
    let e2: Epoch = env.account(&pda::epoch(2)).await;
    assert_eq!(e2.emission.net, CAP);
    let e9: Epoch = env.account(&pda::epoch(9)).await;
    assert_eq!(e9.emission.net, 0);
    assert_eq!(
        e9.emission.scheduled,
        2_187 * ONE_IO / 3,
        "3,000 x 0.9^3 a month, a third of it"
    );
}

/// Nothing is minted past the maximum supply, and with nobody staking the
/// stakers' share is not minted at all.
#[tokio::test]
async fn emissions_stop_at_the_maximum_supply() {
    let mut env = TestEnv::new().await;
    let headroom = 10_000 * ONE_IO;
    env.initialize(InitializeArgs {
        io_max_supply: GENESIS + headroom,
        ..default_init_args()
    })
    .await
    .assert_ok();
    let admin = env.admin.insecure_clone();
    env.ok(ix::init_tokenomics(admin.pubkey(), round_params()), &admin)
        .await;

    // Nobody stakes: only the devices' half of 8,800 IO is minted.
    advance(&mut env).await.assert_ok();
    let e0: Epoch = env.account(&pda::epoch(0)).await;
    assert_eq!(
        e0.emission,
        EpochEmission {
            scheduled: 8_800 * ONE_IO,
            net: 0,
            emitted: 4_400 * ONE_IO,
            stakers: 0,
            devices: 4_400 * ONE_IO,
        }
    );
    assert_reward_invariants(&mut env, &[]).await;
    // 5,600 IO of headroom left: the next epoch is cut to it, then nothing.
    advance(&mut env).await.assert_ok();
    let e1: Epoch = env.account(&pda::epoch(1)).await;
    assert_eq!(
        (e1.emission.emitted, e1.emission.devices),
        (2_800 * ONE_IO, 2_800 * ONE_IO),
        "half of the 5,600 IO that fit"
    );
    let (owner, _) = staked_provider(&mut env, 100 * ONE_IO).await;
    advance(&mut env).await.assert_ok();
    let e2: Epoch = env.account(&pda::epoch(2)).await;
    assert_eq!(e2.emission.emitted, 2_800 * ONE_IO, "the rest, shared");
    assert_eq!(e2.emission.stakers, 1_400 * ONE_IO);
    assert_eq!(
        env.mint_supply(&pda::io_mint()).await,
        GENESIS + headroom,
        "4,400 + 2,800 + 2,800: exactly the headroom"
    );
    advance(&mut env).await.assert_ok();
    let e3: Epoch = env.account(&pda::epoch(3)).await;
    assert_eq!(e3.emission.emitted, 0);
    assert_eq!(e3.emission.scheduled, 8_800 * ONE_IO);
    assert_reward_invariants(&mut env, &[provider_key(&owner)]).await;
}

/// The IO breaker: an emission up to the cap passes, one more epoch inside
/// the window fails and mints nothing, and the window decays with time.
#[tokio::test]
async fn io_emission_breaker_caps_and_decays() {
    // The cap is one epoch's largest emission (8,800 IO with no net
    // emission): the least governance may set, so the breaker can never
    // stop epochs for good.
    let mut params = round_params();
    params.emission.net_emission_cap = 0;
    params.emission.io_emission_cap = 8_800 * ONE_IO;
    params.emission.io_emission_window_secs = 2 * SECONDS_PER_DAY as u32;
    let mut env = TestEnv::initialized_with(params).await;
    let (owner, _) = staked_provider(&mut env, ONE_IO).await;
    let providers = [provider_key(&owner)];
    let day = SECONDS_PER_DAY;

    // Exactly the cap (8,800 IO, half for stakers, half for devices).
    advance(&mut env).await.assert_ok();
    let supply = env.mint_supply(&pda::io_mint()).await;
    // A day later half the window has decayed: 4,400 + 8,800 > 8,800.
    env.set_time(GENESIS_TIME + 2 * day).await;
    let cranker = env.wallet().await;
    let watch = [
        pda::tokenomics(),
        pda::epoch(1),
        pda::io_mint(),
        pda::rewards_vault(),
    ];
    env.rejects(ix::advance_epoch(cranker.pubkey(), 1), &cranker, &watch)
        .await
        .assert_error(IoComputeError::EmissionBreakerTripped);
    assert_eq!(env.mint_supply(&pda::io_mint()).await, supply);
    assert!(!env.exists(&pda::epoch(2)).await);
    // One second before the window has fully decayed: still over.
    env.set_time(GENESIS_TIME + 3 * day - 1).await;
    env.rejects(ix::advance_epoch(cranker.pubkey(), 1), &cranker, &watch)
        .await
        .assert_error(IoComputeError::EmissionBreakerTripped);
    env.set_time(GENESIS_TIME + 3 * day).await;
    env.ok(ix::advance_epoch(cranker.pubkey(), 1), &cranker)
        .await;
    assert_eq!(
        env.mint_supply(&pda::io_mint()).await,
        supply + 8_800 * ONE_IO
    );
    assert_reward_invariants(&mut env, &providers).await;
}

struct Staker {
    owner: Keypair,
    provider: Pubkey,
    nonce: u64,
    io: Pubkey,
    iosd: Pubkey,
}

impl Staker {
    async fn new(env: &mut TestEnv, owner: Keypair, provider: Pubkey, nonce: u64) -> Self {
        let io = env.ata(&owner.pubkey(), &pda::io_mint()).await;
        let iosd = env.ata(&owner.pubkey(), &pda::iosd_mint()).await;
        Self {
            owner,
            provider,
            nonce,
            io,
            iosd,
        }
    }

    fn claim_ix(&self) -> solana_sdk::instruction::Instruction {
        ix::claim_rewards(
            self.owner.pubkey(),
            self.provider,
            self.nonce,
            self.io,
            self.iosd,
        )
    }

    /// Claims and returns the IO paid, checking the event and the balance.
    async fn claim(&self, env: &mut TestEnv) -> u64 {
        let before = env.token_balance(&self.io).await;
        let outcome = env.ok(self.claim_ix(), &self.owner).await;
        let paid = env.token_balance(&self.io).await - before;
        assert_eq!(
            outcome.events::<RewardsClaimed>(),
            vec![RewardsClaimed {
                position: pda::stake_position(&self.owner.pubkey(), &self.provider, self.nonce),
                owner: self.owner.pubkey(),
                provider: self.provider,
                io: paid,
                iosd: 0,
            }]
        );
        paid
    }
}

async fn claim_commission(env: &mut TestEnv, authority: &Keypair, io: Pubkey, iosd: Pubkey) -> u64 {
    let before = env.token_balance(&io).await;
    let outcome = env
        .ok(
            ix::claim_commission(authority.pubkey(), io, iosd),
            authority,
        )
        .await;
    let paid = env.token_balance(&io).await - before;
    assert_eq!(
        outcome.events::<CommissionClaimed>(),
        vec![CommissionClaimed {
            provider: pda::provider(&authority.pubkey()),
            authority: authority.pubkey(),
            io: paid,
            iosd: 0,
        }]
    );
    paid
}

/// Two providers, one with a 4x co-staker keeping 80 % of its rewards:
/// every payout is exact, a slash lowers the provider's weight at once, an
/// unstaking position stops earning and must claim before it withdraws, and
/// a lower co-stake share only applies after its notice.
#[tokio::test]
async fn staker_rewards_follow_weight_multiplier_and_co_stake_share() {
    let mut env = TestEnv::initialized_with(round_params()).await;
    let admin = env.admin.insecure_clone();
    let io = |whole: u64| whole * ONE_IO;

    // Provider A: 1,000 IO of its own at 1x; co-staker C: 1,000 IO at 4x.
    let a = env.wallet().await;
    let mut profile_a = profile("alpha");
    profile_a.co_stake_share_bps = 8_000;
    env.ok(ix::register_provider(a.pubkey(), profile_a.clone()), &a)
        .await;
    let a_source = env.give_io(&a.pubkey(), io(1_000)).await;
    env.ok(
        ix::stake(a.pubkey(), a_source, stake_args(0, io(1_000), 0)),
        &a,
    )
    .await;
    let provider_a = provider_key(&a);
    let c = env.wallet().await;
    let c_source = env.give_io(&c.pubkey(), io(1_000)).await;
    env.ok(
        ix::co_stake(
            c.pubkey(),
            provider_a,
            c_source,
            stake_args(0, io(1_000), MAX_LOCKUP_SECS),
        ),
        &c,
    )
    .await;
    // Provider B: 3,000 IO at 1x.
    let (b, _) = staked_provider(&mut env, io(3_000)).await;
    let provider_b = provider_key(&b);
    let providers = [provider_a, provider_b];
    let a_own = Staker::new(&mut env, a.insecure_clone(), provider_a, 0).await;
    let c_pos = Staker::new(&mut env, c.insecure_clone(), provider_a, 0).await;
    let b_own = Staker::new(&mut env, b.insecure_clone(), provider_b, 0).await;
    assert_reward_invariants(&mut env, &providers).await;

    // Nothing earned yet.
    env.rejects(a_own.claim_ix(), &a, &[provider_a])
        .await
        .assert_error(IoComputeError::NothingToClaim);

    // Epoch 0: 4,400 IO for stakers over weights A 5 (1 + 4) and B 3.
    advance(&mut env).await.assert_ok();
    assert_eq!(
        a_own.claim(&mut env).await,
        io(550),
        "A's own: 2,750 - 2,200"
    );
    assert_eq!(c_pos.claim(&mut env).await, io(1_760), "80 % of C's 2,200");
    assert_eq!(
        claim_commission(&mut env, &a, a_own.io, a_own.iosd).await,
        io(440),
        "20 % of C's 2,200"
    );
    assert_eq!(b_own.claim(&mut env).await, io(1_650), "3/8 of 4,400");
    assert_reward_invariants(&mut env, &providers).await;
    let t: Tokenomics = env.account(&pda::tokenomics()).await;
    assert_eq!(t.stakers.paid[REWARD_IO], t.stakers.funded[REWARD_IO]);

    // 2,500 of B's 3,000 IO are slashed: its weight drops at once (0.5 vs
    // A's 5), so epoch 1 pays 800 IO per thousand of weight.
    env.ok(ix::slash(admin.pubkey(), provider_b, io(2_500)), &admin)
        .await;
    assert_reward_invariants(&mut env, &providers).await;
    advance(&mut env).await.assert_ok();
    assert_eq!(a_own.claim(&mut env).await, io(800));
    assert_eq!(c_pos.claim(&mut env).await, io(2_560));
    assert_eq!(
        claim_commission(&mut env, &a, a_own.io, a_own.iosd).await,
        io(640)
    );

    // B unstakes: its 400 IO of epoch 1 are kept for it, and it earns no
    // more. It must claim before withdrawing.
    env.ok(ix::request_unstake(b.pubkey(), provider_b, 0), &b)
        .await;
    assert_reward_invariants(&mut env, &providers).await;
    let pos_b: StakePosition = env
        .account(&pda::stake_position(&b.pubkey(), &provider_b, 0))
        .await;
    // B's own index steps by 400 IO per 3e16 weighted shares, rounded down,
    // so one base unit stays in the pool.
    assert_eq!(pos_b.rewards_owed, [io(400) - 1, 0]);

    // A announces a lower share (50 %): it does not apply for 30 days.
    let announced_at = env.now().await;
    let mut lower = profile_a.clone();
    lower.co_stake_share_bps = 5_000;
    env.ok(ix::update_provider(a.pubkey(), lower), &a).await;
    let pa: Provider = env.account(&provider_a).await;
    assert_eq!(
        (
            pa.co_stake_share_bps,
            pa.pending_co_stake_share_bps,
            pa.pending_share_effective_at
        ),
        (8_000, 5_000, announced_at + 30 * SECONDS_PER_DAY)
    );

    // Epoch 2: A alone earns all 4,400 IO, still at 80 %.
    advance(&mut env).await.assert_ok();
    assert_eq!(a_own.claim(&mut env).await, io(880));
    assert_eq!(c_pos.claim(&mut env).await, io(2_816));
    assert_eq!(
        claim_commission(&mut env, &a, a_own.io, a_own.iosd).await,
        io(704)
    );

    env.advance_time(14 * SECONDS_PER_DAY).await;
    let withdraw = ix::withdraw(b.pubkey(), provider_b, 0, b_own.io);
    env.rejects(withdraw.clone(), &b, &[provider_b, b_own.io])
        .await
        .assert_error(IoComputeError::UnclaimedRewards);
    assert_eq!(b_own.claim(&mut env).await, io(400) - 1);
    env.ok(withdraw, &b).await;
    assert_eq!(
        env.token_balance(&b_own.io).await,
        io(1_650 + 400 + 500) - 1
    );
    assert_reward_invariants(&mut env, &providers).await;

    // Past the notice the lower share applies, from the next accrual on.
    env.set_time(announced_at + 30 * SECONDS_PER_DAY).await;
    env.rejects(
        ix::claim_commission(a.pubkey(), a_own.io, a_own.iosd),
        &a,
        &[provider_a],
    )
    .await
    .assert_error(IoComputeError::NothingToClaim);
    let pa: Provider = env.account(&provider_a).await;
    assert_eq!(
        (pa.co_stake_share_bps, pa.pending_share_effective_at),
        (8_000, announced_at + 30 * SECONDS_PER_DAY),
        "a failed claim changes nothing"
    );
    let now = env.now().await;
    env.ok(ix::update_provider(a.pubkey(), profile("alpha")), &a)
        .await;
    let pa: Provider = env.account(&provider_a).await;
    assert_eq!(
        (
            pa.co_stake_share_bps,
            pa.pending_co_stake_share_bps,
            pa.pending_share_effective_at
        ),
        (5_000, 2_000, now + 30 * SECONDS_PER_DAY),
        "the notice ended and 50 % applies; a further cut to 20 % waits its own notice"
    );
    advance(&mut env).await.assert_ok();
    assert_eq!(a_own.claim(&mut env).await, io(880));
    assert_eq!(c_pos.claim(&mut env).await, io(1_760), "50 % of 3,520");
    assert_eq!(
        claim_commission(&mut env, &a, a_own.io, a_own.iosd).await,
        io(1_760)
    );
    assert_reward_invariants(&mut env, &providers).await;

    // Someone else cannot claim a position, and a provider with unclaimed
    // commission cannot close.
    let stranger = env.wallet().await;
    let mut steal = ix::claim_rewards(stranger.pubkey(), provider_a, 0, a_own.io, a_own.iosd);
    swap_account(
        &mut steal,
        &pda::stake_position(&stranger.pubkey(), &provider_a, 0),
        pda::stake_position(&c.pubkey(), &provider_a, 0),
    );
    env.rejects(steal, &stranger, &[provider_a])
        .await
        .assert_anchor_error(anchor_lang::error::ErrorCode::ConstraintSeeds);
}

/// A lower share than before announced, then raised back before the notice
/// ends: the raise applies at once and cancels the announcement.
#[tokio::test]
async fn raising_the_co_stake_share_applies_at_once() {
    let mut env = TestEnv::initialized().await;
    let a = registered_provider(&mut env).await;
    let mut p = profile("acme gpus");
    p.co_stake_share_bps = 1_000;
    env.ok(ix::update_provider(a.pubkey(), p.clone()), &a).await;
    let pa: Provider = env.account(&provider_key(&a)).await;
    assert_eq!(
        (pa.co_stake_share_bps, pa.pending_co_stake_share_bps),
        (2_000, 1_000)
    );
    p.co_stake_share_bps = 9_000;
    env.ok(ix::update_provider(a.pubkey(), p), &a).await;
    let pa: Provider = env.account(&provider_key(&a)).await;
    assert_eq!(
        (
            pa.co_stake_share_bps,
            pa.pending_co_stake_share_bps,
            pa.pending_share_effective_at
        ),
        (9_000, 0, 0)
    );
}

/// Keepers post one device-reward root per ended epoch, bounded by the
/// device pool; providers claim with Merkle proofs, exactly once.
#[tokio::test]
async fn device_rewards_by_merkle_proof() {
    let mut env = TestEnv::initialized_with(round_params()).await;
    let admin = env.admin.insecure_clone();
    let keeper = env.wallet().await;
    let bond = 10_000 * ONE_IO;
    let bond_source = env.give_io(&keeper.pubkey(), bond).await;

    // Admission: the config authority and a bond of at least the minimum.
    let stranger = env.wallet().await;
    let watch = [pda::keeper(&keeper.pubkey()), bond_source];
    env.expect_rejected(
        &[ix::admit_keeper(
            stranger.pubkey(),
            keeper.pubkey(),
            bond_source,
            bond,
            "https://keeper.example.com",
        )],
        &[&stranger, &keeper],
        &watch,
    )
    .await
    .assert_error(IoComputeError::NotKeeperAdmin);
    env.expect_rejected(
        &[ix::admit_keeper(
            admin.pubkey(),
            keeper.pubkey(),
            bond_source,
            bond - 1,
            "https://keeper.example.com",
        )],
        &[&admin, &keeper],
        &watch,
    )
    .await
    .assert_error(IoComputeError::KeeperBondTooSmall);
    env.send(
        &[ix::admit_keeper(
            admin.pubkey(),
            keeper.pubkey(),
            bond_source,
            bond,
            "https://keeper.example.com",
        )],
        &[&admin, &keeper],
    )
    .await
    .assert_ok();
    assert_eq!(env.token_balance(&pda::bond_vault()).await, bond);
    assert_eq!(env.token_balance(&bond_source).await, 0);

    // Three devices of two providers earned rewards in epoch 0.
    let p1 = env.wallet().await;
    let p2 = env.wallet().await;
    let p1_io = env.ata(&p1.pubkey(), &pda::io_mint()).await;
    let p2_io = env.ata(&p2.pubkey(), &pda::io_mint()).await;
    let devices: Vec<Pubkey> = (0..3).map(|_| Pubkey::new_unique()).collect();
    let rewards = vec![
        DeviceReward {
            device: devices[0],
            owner: p1.pubkey(),
            amount: 1_000 * ONE_IO,
        },
        DeviceReward {
            device: devices[1],
            owner: p1.pubkey(),
            amount: 2_000 * ONE_IO,
        },
        DeviceReward {
            device: devices[2],
            owner: p2.pubkey(),
            amount: 1_000 * ONE_IO,
        },
    ];
    let tree = DeviceRewardTree::new(0, rewards.clone());
    let post = |epoch, total| PostDeviceRewardsArgs {
        epoch,
        root: tree.root(),
        total,
    };
    let guarded = [pda::tokenomics(), pda::epoch(0)];
    // Not before the epoch has ended.
    env.rejects(
        ix::post_device_rewards(keeper.pubkey(), post(0, 4_000 * ONE_IO)),
        &keeper,
        &guarded,
    )
    .await
    .assert_error(IoComputeError::EpochNotClosed);
    advance(&mut env).await.assert_ok();
    // Not by someone who is not a keeper.
    env.rejects(
        ix::post_device_rewards(stranger.pubkey(), post(0, 4_000 * ONE_IO)),
        &stranger,
        &guarded,
    )
    .await
    .assert_error(IoComputeError::NotAdmittedKeeper);
    let mut forged = ix::post_device_rewards(stranger.pubkey(), post(0, 4_000 * ONE_IO));
    swap_account(
        &mut forged,
        &pda::keeper(&stranger.pubkey()),
        pda::keeper(&keeper.pubkey()),
    );
    env.rejects(forged, &stranger, &guarded)
        .await
        .assert_error(IoComputeError::NotAdmittedKeeper);
    // Not more than the epoch's device emission (4,400 IO).
    env.rejects(
        ix::post_device_rewards(keeper.pubkey(), post(0, 4_400 * ONE_IO + 1)),
        &keeper,
        &guarded,
    )
    .await
    .assert_error(IoComputeError::DeviceRewardsExceedPool);
    // H4: a root the arbiter voids within its window gives its IO back to
    // the pool and costs the keeper 10 % of its bond; the epoch can be
    // posted again.
    env.ok(
        ix::post_device_rewards(keeper.pubkey(), post(0, 4_400 * ONE_IO)),
        &keeper,
    )
    .await;
    let outcome = env
        .ok(
            ix::void_device_rewards(admin.pubkey(), 0, keeper.pubkey()),
            &admin,
        )
        .await;
    let voided = &outcome.events::<io_compute::events::DeviceRewardsVoided>()[0];
    assert_eq!(
        (voided.returned, voided.keeper_bond_slashed),
        (4_400 * ONE_IO, bond / 10)
    );
    let t: Tokenomics = env.account(&pda::tokenomics()).await;
    assert_eq!(t.devices.allocated, 0);
    // The keeper is now under the minimum bond and cannot post until it
    // tops its bond up.
    let record: io_compute::state::Keeper = env.account(&pda::keeper(&keeper.pubkey())).await;
    assert_eq!(record.bond, bond - bond / 10);
    env.rejects(
        ix::post_device_rewards(keeper.pubkey(), post(0, tree.total())),
        &keeper,
        &guarded,
    )
    .await
    .assert_error(IoComputeError::KeeperBondDepleted);
    let top_up = env.give_io(&keeper.pubkey(), bond / 10).await;
    env.ok(
        ix::top_up_keeper_bond(keeper.pubkey(), top_up, bond / 10),
        &keeper,
    )
    .await;
    let outcome = env
        .ok(
            ix::post_device_rewards(keeper.pubkey(), post(0, tree.total())),
            &keeper,
        )
        .await;
    let posted = &outcome.events::<io_compute::events::DeviceRewardsPosted>()[0];
    assert_eq!(posted.pool_available, 400 * ONE_IO);
    let unlock_at = posted.unlock_at;
    env.rejects(
        ix::post_device_rewards(keeper.pubkey(), post(0, ONE_IO)),
        &keeper,
        &guarded,
    )
    .await
    .assert_error(IoComputeError::DeviceRewardsAlreadyPosted);
    assert_reward_invariants(&mut env, &[]).await;

    let cranker = env.wallet().await;
    let payer = cranker.pubkey();
    let claim = |i: usize, amount: u64, proof: Vec<[u8; 32]>, destination: Pubkey| {
        ix::claim_device_reward(
            payer,
            devices[i],
            destination,
            ClaimDeviceRewardArgs {
                epoch: 0,
                amount,
                proof,
            },
        )
    };
    let claim_watch = [
        pda::tokenomics(),
        pda::epoch(0),
        p1_io,
        p2_io,
        pda::rewards_vault(),
    ];
    // Not during the root's dispute window.
    env.rejects(
        claim(0, 1_000 * ONE_IO, tree.proof(0), p1_io),
        &cranker,
        &claim_watch,
    )
    .await
    .assert_error(IoComputeError::DeviceRewardsLocked);
    env.set_time(unlock_at).await;
    // A wrong amount, a proof of another leaf, and a destination not owned
    // by the leaf's owner all fail the proof.
    for bad in [
        claim(0, 1_001 * ONE_IO, tree.proof(0), p1_io),
        claim(0, 1_000 * ONE_IO, tree.proof(1), p1_io),
        claim(2, 1_000 * ONE_IO, tree.proof(2), p1_io),
    ] {
        env.rejects(bad, &cranker, &claim_watch)
            .await
            .assert_error(IoComputeError::InvalidMerkleProof);
    }
    // Anyone may send a claim; it pays the owner.
    for (i, reward) in rewards.iter().enumerate() {
        let destination = if reward.owner == p1.pubkey() {
            p1_io
        } else {
            p2_io
        };
        let outcome = env
            .ok(
                claim(i, reward.amount, tree.proof(i), destination),
                &cranker,
            )
            .await;
        assert_eq!(
            outcome.events::<io_compute::events::DeviceRewardClaimed>()[0].amount,
            reward.amount
        );
        assert_reward_invariants(&mut env, &[]).await;
    }
    assert_eq!(env.token_balance(&p1_io).await, 3_000 * ONE_IO);
    assert_eq!(env.token_balance(&p2_io).await, 1_000 * ONE_IO);
    env.rejects(
        claim(0, 1_000 * ONE_IO, tree.proof(0), p1_io),
        &cranker,
        &claim_watch,
    )
    .await
    .assert_error(IoComputeError::DeviceRewardAlreadyClaimed);
    let epoch0: Epoch = env.account(&pda::epoch(0)).await;
    assert_eq!(epoch0.device_rewards_claimed, epoch0.device_rewards_total);

    // H4: epoch 1's root is bounded by epoch 1's own 4,400 IO, not by the
    // 400 epoch 0 left on top of it.
    advance(&mut env).await.assert_ok();
    let single = |amount| {
        DeviceRewardTree::new(
            1,
            vec![DeviceReward {
                device: devices[0],
                owner: p1.pubkey(),
                amount,
            }],
        )
    };
    let post_1 = |tree: &DeviceRewardTree| {
        ix::post_device_rewards(
            keeper.pubkey(),
            PostDeviceRewardsArgs {
                epoch: 1,
                root: tree.root(),
                total: tree.total(),
            },
        )
    };
    env.rejects(
        post_1(&single(4_800 * ONE_IO)),
        &keeper,
        &[pda::tokenomics(), pda::epoch(1)],
    )
    .await
    .assert_error(IoComputeError::DeviceRewardsExceedPool);
    let one = single(1_400 * ONE_IO);
    let outcome = env.ok(post_1(&one), &keeper).await;
    let posted = &outcome.events::<io_compute::events::DeviceRewardsPosted>()[0];
    let claims_until = posted.claims_until;
    // Nobody claims it: once its claims close, anyone returns it to the pool.
    env.set_time(claims_until - 1).await;
    env.expect_rejected(&[ix::expire_device_rewards(1)], &[], &[pda::epoch(1)])
        .await
        .assert_error(IoComputeError::DeviceClaimsStillOpen);
    env.set_time(claims_until).await;
    let claim_1 = ix::claim_device_reward(
        cranker.pubkey(),
        devices[0],
        p1_io,
        ClaimDeviceRewardArgs {
            epoch: 1,
            amount: 1_400 * ONE_IO,
            proof: one.proof(0),
        },
    );
    env.rejects(claim_1, &cranker, &[pda::epoch(1), p1_io])
        .await
        .assert_error(IoComputeError::DeviceRewardsExpired);
    let outcome = env.send(&[ix::expire_device_rewards(1)], &[]).await;
    outcome.assert_ok();
    assert_eq!(
        outcome.events::<io_compute::events::DeviceRewardsExpired>()[0].returned,
        1_400 * ONE_IO
    );
    let t: Tokenomics = env.account(&pda::tokenomics()).await;
    assert_eq!(
        (t.devices.funded, t.devices.allocated, t.devices.paid),
        (8_800 * ONE_IO, 4_000 * ONE_IO, 4_000 * ONE_IO)
    );
    assert_reward_invariants(&mut env, &[]).await;

    // Removing the keeper returns its bond; it can post no more.
    env.ok(
        ix::remove_keeper(admin.pubkey(), keeper.pubkey(), bond_source),
        &admin,
    )
    .await;
    assert_eq!(env.token_balance(&bond_source).await, bond);
    assert_eq!(env.token_balance(&pda::bond_vault()).await, 0);
    assert!(!env.exists(&pda::keeper(&keeper.pubkey())).await);
    advance(&mut env).await.assert_ok();
    env.rejects(
        ix::post_device_rewards(
            keeper.pubkey(),
            PostDeviceRewardsArgs {
                epoch: 2,
                root: one.root(),
                total: ONE_IO,
            },
        ),
        &keeper,
        &[pda::tokenomics(), pda::epoch(2)],
    )
    .await
    .assert_error(IoComputeError::NotAdmittedKeeper);
}
