//! Property test of the staker reward accounting: random sequences of
//! stakes, unstakes, withdrawals, slashes, share changes, emissions and
//! claims over several providers, run through the same state methods the
//! instructions call. Claims never exceed what the pool received, and once
//! everything is claimed only rounding dust remains.

use anchor_lang::prelude::Pubkey;
use io_compute::{
    constants::{MAX_LOCKUP_SECS, REWARD_INDEX_SCALE},
    state::*,
};
use proptest::prelude::*;

const PROVIDERS: usize = 3;

#[derive(Clone, Debug)]
enum Op {
    Stake {
        provider: usize,
        amount: u64,
        lockup: i64,
        co: bool,
    },
    Unstake(usize),
    ExpireLockup(usize),
    Withdraw(usize),
    Slash {
        provider: usize,
        bps: u64,
    },
    Fund {
        token: usize,
        amount: u64,
    },
    Claim(usize),
    ClaimCommission(usize),
    SetShare {
        provider: usize,
        bps: u16,
        wait: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let amount = prop_oneof![1u64..1_000, 1_000_000_000u64..10_000_000_000_000_000];
    prop_oneof![
        4 => (0..PROVIDERS, amount, prop_oneof![Just(0), Just(MAX_LOCKUP_SECS), 0..MAX_LOCKUP_SECS], any::<bool>())
            .prop_map(|(provider, amount, lockup, co)| Op::Stake { provider, amount, lockup, co }),
        2 => (0usize..64).prop_map(Op::Unstake),
        1 => (0usize..64).prop_map(Op::ExpireLockup),
        1 => (0usize..64).prop_map(Op::Withdraw),
        1 => (0..PROVIDERS, 1u64..=10_000).prop_map(|(provider, bps)| Op::Slash { provider, bps }),
        4 => (0usize..2, 1u64..100_000_000_000_000).prop_map(|(token, amount)| Op::Fund { token, amount }),
        3 => (0usize..64).prop_map(Op::Claim),
        1 => (0..PROVIDERS).prop_map(Op::ClaimCommission),
        1 => (0..PROVIDERS, 0u16..=10_000, 0i64..5_000_000)
            .prop_map(|(provider, bps, wait)| Op::SetShare { provider, bps, wait }),
    ]
}

fn provider() -> Provider {
    let profile = ProviderProfile {
        name: "p".into(),
        region: "us-east".into(),
        endpoint: "https://p".into(),
        co_stake_share_bps: 5_000,
    };
    Provider::new(Pubkey::new_unique(), profile, 0, 0)
}

struct World {
    now: i64,
    pool: StakerRewardPool,
    providers: Vec<Provider>,
    /// (provider index, position); withdrawn positions are removed.
    positions: Vec<(usize, StakePosition)>,
    accruals: u64,
}

impl World {
    fn claim(&mut self, i: usize) {
        let (p, position) = &mut self.positions[i];
        let provider = &mut self.providers[*p];
        let owed = provider
            .take_position_rewards(&self.pool, position, self.now)
            .unwrap();
        self.accruals += 1;
        for (token, amount) in owed.into_iter().enumerate() {
            if amount > 0 {
                self.pool.record_payment(token, amount).unwrap();
            }
        }
    }

    fn claim_commission(&mut self, p: usize) {
        let provider = &mut self.providers[p];
        let owed = provider.take_commission(&self.pool, self.now).unwrap();
        self.accruals += 1;
        for (token, amount) in owed.into_iter().enumerate() {
            if amount > 0 {
                self.pool.record_payment(token, amount).unwrap();
            }
        }
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Stake {
                provider: p,
                amount,
                lockup,
                co,
            } => {
                let kind = if co {
                    StakeKind::CoStake
                } else {
                    StakeKind::Own
                };
                let multiplier = StakePosition::multiplier_for_lockup(lockup).unwrap();
                let provider = &mut self.providers[p];
                // Refusals (a wiped pool, dust) are the program's errors too.
                let Ok(shares) =
                    provider.stake_in(&mut self.pool, amount, multiplier, kind, self.now)
                else {
                    return;
                };
                provider.invariant().unwrap();
                let position = StakePosition::new(
                    Pubkey::new_unique(),
                    Pubkey::default(),
                    &provider.rewards,
                    0,
                    kind,
                    amount,
                    shares,
                    lockup,
                    self.now,
                    0,
                )
                .unwrap();
                self.positions.push((p, position));
            }
            Op::Unstake(i) => {
                let Some((p, position)) = self.positions.get_mut(i) else {
                    return;
                };
                if position.is_unstaking() {
                    return;
                }
                let provider = &mut self.providers[*p];
                // Lockups are not the subject here: unstake at their end.
                self.now = self.now.max(position.lockup_end);
                provider
                    .unstake_position(&mut self.pool, position, 0, self.now)
                    .unwrap();
                provider.invariant().unwrap();
            }
            Op::Withdraw(i) => {
                if self
                    .positions
                    .get(i)
                    .is_none_or(|(_, pos)| !pos.is_unstaking())
                {
                    return;
                }
                self.now = self.now.max(self.positions[i].1.cooldown_end);
                self.claim(i);
                let (p, position) = self.positions.remove(i);
                position.require_withdrawable(self.now).unwrap();
                let provider = &mut self.providers[p];
                provider
                    .withdraw_shares(&mut self.pool, position.shares, position.kind, self.now)
                    .unwrap();
                provider.invariant().unwrap();
            }
            Op::Slash { provider: p, bps } => {
                let provider = &mut self.providers[p];
                let amount =
                    (provider.stake.amount().unwrap() as u128 * bps as u128 / 10_000) as u64;
                if amount == 0 {
                    return;
                }
                provider
                    .apply_slash(&mut self.pool, amount, self.now)
                    .unwrap();
                provider.invariant().unwrap();
            }
            Op::ExpireLockup(i) => {
                let Some((p, position)) = self.positions.get_mut(i) else {
                    return;
                };
                if !position.lockup_expired(self.now.max(position.lockup_end)) {
                    return;
                }
                self.now = self.now.max(position.lockup_end);
                let provider = &mut self.providers[*p];
                provider
                    .expire_lockup(&mut self.pool, position, self.now)
                    .unwrap();
                provider.invariant().unwrap();
            }
            Op::Fund { token, amount } => {
                self.pool.fund(token, amount).unwrap();
            }
            Op::Claim(i) => {
                if i < self.positions.len() {
                    self.claim(i);
                }
            }
            Op::ClaimCommission(p) => self.claim_commission(p),
            Op::SetShare {
                provider: p,
                bps,
                wait,
            } => {
                self.now += wait;
                let provider = &mut self.providers[p];
                let profile = ProviderProfile {
                    name: provider.name.clone(),
                    region: provider.region.clone(),
                    endpoint: provider.endpoint.clone(),
                    co_stake_share_bps: bps,
                };
                provider
                    .update_profile(&self.pool, profile, self.now)
                    .unwrap();
            }
        }
    }

    fn check(&self) {
        for token in 0..REWARD_TOKENS {
            assert!(self.pool.paid[token] <= self.pool.funded[token]);
        }
        let weights: u128 = self.providers.iter().map(|p| p.rewards.weight).sum();
        assert_eq!(weights, self.pool.total_weight);
        for (p, provider) in self.providers.iter().enumerate() {
            let mine = self.positions.iter().filter(|(q, _)| *q == p);
            for kind in [StakeKind::Own, StakeKind::CoStake] {
                let weighted: u128 = mine
                    .clone()
                    .filter(|(_, pos)| pos.kind == kind)
                    .map(|(_, pos)| pos.weighted_shares().unwrap())
                    .sum();
                assert_eq!(weighted, provider.stake.class(kind).weighted_shares);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn claims_never_exceed_the_pool_and_leave_only_dust(ops in prop::collection::vec(op(), 1..80)) {
        let mut world = World {
            now: 0,
            pool: StakerRewardPool::default(),
            providers: (0..PROVIDERS).map(|_| provider()).collect(),
            positions: Vec::new(),
            accruals: 0,
        };
        for op in ops {
            world.apply(op);
            world.check();
        }
        // Claim everything left.
        for i in 0..world.positions.len() {
            world.claim(i);
        }
        for p in 0..PROVIDERS {
            world.claim_commission(p);
        }
        world.check();
        // What stays unpaid is what the index carries have not distributed
        // yet (each under one index quantum) plus a few base units of
        // rounding per accrual; it no longer grows with the number of
        // fundings (M3).
        for token in 0..REWARD_TOKENS {
            let carried: u128 = world.pool.carry[token]
                + world
                    .providers
                    .iter()
                    .map(|p| p.rewards.own_carry[token] + p.rewards.co_carry[token])
                    .sum::<u128>();
            let slack = (carried / REWARD_INDEX_SCALE) as u64
                + 2 * PROVIDERS as u64
                + world.accruals * 4
                + 16;
            let unpaid = world.pool.funded[token] - world.pool.paid[token];
            prop_assert!(
                unpaid <= slack,
                "token {token}: {unpaid} unpaid of {} funded (slack {slack})",
                world.pool.funded[token]
            );
        }
    }
}
