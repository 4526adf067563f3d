//! The protocol's accounting invariants, checked after steps by the reward,
//! market and fuzz tests.

use crate::*;
use io_compute::state::{Epoch, Lease, Market, Provider, Tokenomics, REWARD_IO, REWARD_IOSD};

const GENESIS: u64 = io_compute::constants::DEFAULT_GENESIS_SUPPLY;

/// Rewards and supplies:
/// - each reward vault holds exactly what its pools received less what they
///   paid, and no pool paid more than it received (devices: more than was
///   allocated to posted roots, nor allocated more than emitted);
/// - every epoch emitted at most its schedule plus its net emission, and
///   the emissions add up to the recorded total;
/// - IO supply == genesis - burned + emitted; IOSD supply == minted - burned;
/// - the `providers`' weights (all of them) add up to the global weight.
pub async fn assert_reward_invariants(env: &mut TestEnv, providers: &[Pubkey]) {
    let t: Tokenomics = env.account(&pda::tokenomics()).await;
    let s = &t.stakers;
    for token in [REWARD_IO, REWARD_IOSD] {
        assert!(s.paid[token] <= s.funded[token], "stakers' pool overpaid");
    }
    let d = &t.devices;
    assert!(d.paid <= d.allocated && d.allocated <= d.funded, "{d:?}");
    assert_eq!(
        env.token_balance(&pda::rewards_vault()).await,
        (s.funded[REWARD_IO] - s.paid[REWARD_IO]) + (d.funded - d.paid),
        "IO rewards vault"
    );
    assert_eq!(
        env.token_balance(&pda::rewards_iosd_vault()).await,
        s.funded[REWARD_IOSD] - s.paid[REWARD_IOSD],
        "IOSD rewards vault"
    );
    let mut emitted = 0;
    for n in 0..t.current_epoch {
        let e: Epoch = env.account(&pda::epoch(n)).await;
        assert!(e.emission.emitted <= e.emission.scheduled + e.emission.net);
        assert_eq!(e.emission.emitted, e.emission.stakers + e.emission.devices);
        assert!(e.device_rewards_claimed <= e.device_rewards_total);
        emitted += e.emission.emitted;
    }
    assert_eq!(emitted, t.total_io_emitted, "emissions add up");
    assert_eq!(
        env.mint_supply(&pda::io_mint()).await,
        GENESIS - t.total_io_burned + t.total_io_emitted,
        "IO supply"
    );
    assert_eq!(
        env.mint_supply(&pda::iosd_mint()).await,
        t.total_iosd_minted - t.total_fees_burned,
        "IOSD supply"
    );
    let mut weight = 0;
    for provider in providers {
        if env.exists(provider).await {
            let p: Provider = env.account(provider).await;
            assert_eq!(p.rewards.weight, p.stake.reward_weight().unwrap());
            weight += p.rewards.weight;
        }
    }
    assert_eq!(weight, s.total_weight, "provider weights add up");
}

/// The escrow vault holds exactly the leases' escrow (`leases`: every id
/// ever created), every lease balances (deposited == escrow + paid out +
/// fees + refunded, reserved <= escrow), and IOSD supply == minted - burned.
pub async fn assert_escrow_invariants(env: &mut TestEnv, leases: &[u64]) {
    let market: Market = env.account(&pda::market()).await;
    let mut sum = 0;
    for id in leases {
        if env.exists(&pda::lease(*id)).await {
            let l: Lease = env.account(&pda::lease(*id)).await;
            assert_eq!(
                l.deposited,
                l.escrow + l.paid_out + l.fees + l.refunded,
                "lease {id}"
            );
            assert!(l.reserved <= l.escrow);
            sum += l.escrow;
        }
    }
    assert_eq!(market.escrow_total, sum, "market escrow total");
    assert_eq!(
        env.token_balance(&pda::escrow_vault()).await,
        sum,
        "escrow vault"
    );
    let t: Tokenomics = env.account(&pda::tokenomics()).await;
    assert_eq!(
        env.mint_supply(&pda::iosd_mint()).await,
        t.total_iosd_minted - t.total_fees_burned,
        "IOSD supply"
    );
}
