use crate::{constants::*, error::IoComputeError, state::Bps};
use anchor_lang::prelude::*;

/// Market parameters in `Config`, set by governance within the hard bounds
/// checked in `validate`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct MarketParams {
    /// Client fee on a lease paid in IOSD, on top of the GPU budget (bps).
    pub client_fee_bps: u16,
    /// Client fee on a lease paid by burning IO (io.net charges none).
    pub client_fee_bps_io: u16,
    /// Fee taken from each provider payout (bps).
    pub provider_fee_bps: u16,
    /// How long a usage proof can be disputed before it pays.
    pub dispute_window_secs: i64,
    /// Least IO bond a staker posts to dispute a proof.
    pub min_dispute_bond: u64,
    /// Share of the provider's stake slashed when a dispute is upheld (bps);
    /// the keeper that posted the proof loses the same share of its bond.
    pub dispute_slash_bps: u16,
    /// Share of the provider's slash paid to the challenger (bps).
    pub challenger_reward_bps: u16,
}

impl Default for MarketParams {
    fn default() -> Self {
        Self {
            client_fee_bps: DEFAULT_CLIENT_FEE_BPS,
            client_fee_bps_io: DEFAULT_CLIENT_FEE_BPS_IO,
            provider_fee_bps: DEFAULT_PROVIDER_FEE_BPS,
            dispute_window_secs: DEFAULT_DISPUTE_WINDOW_SECS,
            min_dispute_bond: DEFAULT_MIN_DISPUTE_BOND,
            dispute_slash_bps: DEFAULT_DISPUTE_SLASH_BPS,
            challenger_reward_bps: DEFAULT_CHALLENGER_REWARD_BPS,
        }
    }
}

impl MarketParams {
    pub fn validate(&self) -> Result<()> {
        require!(
            // Client and provider fees together never exceed 10 %.
            self.client_fee_bps.max(self.client_fee_bps_io) as u32 + self.provider_fee_bps as u32
                <= MAX_FEE_BPS as u32
                && (MIN_DISPUTE_WINDOW_SECS..=MAX_DISPUTE_WINDOW_SECS)
                    .contains(&self.dispute_window_secs)
                && (1..=MAX_MIN_DISPUTE_BOND).contains(&self.min_dispute_bond)
                && Bps(self.dispute_slash_bps).is_valid()
                && Bps(self.challenger_reward_bps).is_valid(),
            IoComputeError::InvalidParameter
        );
        Ok(())
    }
}

/// Market-wide state [market]: lease ids and the escrow total.
#[account]
#[derive(InitSpace, Debug)]
pub struct Market {
    pub next_lease_id: u64,
    /// Sum of every lease's `escrow`; equals the escrow vault's balance.
    pub escrow_total: u64,
    pub total_paid_to_providers: u64,
    pub total_fees: u64,
    pub total_refunded: u64,
    pub bump: u8,
}
