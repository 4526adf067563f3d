use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_ceil, mul_div_floor, to_u64, SafeMath},
    state::{validate_price, validate_region},
};
use anchor_lang::prelude::*;

/// Market parameters in `Config` (later set by governance), each with hard
/// bounds checked in `validate`.
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
                && self.min_dispute_bond > 0
                && self.dispute_slash_bps as u64 <= BPS_DENOMINATOR
                && self.challenger_reward_bps as u64 <= BPS_DENOMINATOR,
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

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum Payment {
    /// IOSD moved from the client's account.
    Iosd,
    /// IO burned at the oracle price, IOSD minted straight into escrow.
    Io,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum LeaseStatus {
    /// Paid, waiting for devices.
    Open,
    /// Devices assigned; running until `end`.
    Active,
    /// Ended: devices released, unreserved escrow refunded; posted proofs
    /// still settle.
    Closed,
}

/// What the client asks for.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct LeaseSpec {
    pub model: [u8; GPU_MODEL_CODE_LEN],
    /// GPUs in the cluster, 1 to 16, from one or more devices.
    pub gpu_count: u8,
    /// A region code, or empty for any region.
    #[max_len(MAX_REGION_LEN)]
    pub region: String,
    pub hours: u32,
    /// IOSD base units per GPU-hour.
    pub max_price_per_gpu_hour: u64,
    /// Least device reliability accepted (bps).
    pub min_reliability_bps: u16,
}

impl LeaseSpec {
    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=MAX_LEASE_GPUS).contains(&self.gpu_count),
            IoComputeError::InvalidGpuCount
        );
        if !self.region.is_empty() {
            validate_region(&self.region)?;
        }
        require!(
            (1..=MAX_LEASE_HOURS).contains(&self.hours),
            IoComputeError::InvalidLeaseHours
        );
        validate_price(self.max_price_per_gpu_hour)?;
        require!(
            self.min_reliability_bps as u64 <= BPS_DENOMINATOR,
            IoComputeError::InvalidParameter
        );
        Ok(())
    }

    /// gpu_count x hours x max price: the most the GPUs can cost.
    pub fn budget(&self) -> Result<u64> {
        to_u64(
            (self.gpu_count as u128)
                .safe_mul(self.hours as u128)?
                .safe_mul(self.max_price_per_gpu_hour as u128)?,
        )
    }
}

const _: () = assert!(MAX_LEASE_GPUS == 16, "Lease.devices max_len");
const _: () = assert!(crate::gemm::MAX_FRAUD_K == 128, "GemmChallenge max_len");

/// A client's GPU cluster [lease, id].
///
/// Its IOSD sits in the escrow vault: `deposited == escrow + paid_out +
/// fees + refunded` at all times, and `reserved <= escrow` is held back for
/// posted proofs.
#[account]
#[derive(InitSpace, Debug)]
pub struct Lease {
    pub id: u64,
    pub client: Pubkey,
    pub spec: LeaseSpec,
    pub payment: Payment,
    /// Client fee rate, fixed at creation.
    pub client_fee_bps: u16,
    pub status: LeaseStatus,
    pub deposited: u64,
    pub escrow: u64,
    pub reserved: u64,
    pub paid_out: u64,
    pub fees: u64,
    pub refunded: u64,
    #[max_len(16)] // MAX_LEASE_GPUS: at most one device per GPU
    pub devices: Vec<Pubkey>,
    /// Usage proofs posted and not yet finalized or voided.
    pub open_proofs: u32,
    pub start: i64,
    pub end: i64,
    pub created_at: i64,
    pub bump: u8,
}

impl Lease {
    /// The client fee on `amount` at this lease's rate, rounded up.
    pub fn client_fee(&self, amount: u64) -> Result<u64> {
        client_fee(amount, self.client_fee_bps)
    }

    /// Escrow not held back for proofs.
    pub fn available(&self) -> Result<u64> {
        self.escrow.safe_sub(self.reserved)
    }

    pub fn deposit(&mut self, amount: u64) -> Result<()> {
        self.deposited = self.deposited.safe_add(amount)?;
        self.escrow = self.escrow.safe_add(amount)?;
        Ok(())
    }

    /// Holds `amount` back for a proof, or fails with `EscrowExhausted`.
    pub fn reserve(&mut self, amount: u64) -> Result<()> {
        require!(amount <= self.available()?, IoComputeError::EscrowExhausted);
        self.reserved = self.reserved.safe_add(amount)?;
        self.open_proofs = self.open_proofs.safe_add(1)?;
        Ok(())
    }

    /// Releases a voided proof's reservation back to the available escrow.
    pub fn release(&mut self, amount: u64) -> Result<()> {
        self.reserved = self.reserved.safe_sub(amount)?;
        self.open_proofs = self.open_proofs.safe_sub(1)?;
        Ok(())
    }

    /// Settles a finalized proof's reservation: `payout` to the provider and
    /// `fee` to the protocol.
    pub fn settle(&mut self, reserved: u64, payout: u64, fee: u64) -> Result<()> {
        require!(
            payout.safe_add(fee)? == reserved,
            IoComputeError::MathOverflow
        );
        self.release(reserved)?;
        self.escrow = self.escrow.safe_sub(reserved)?;
        self.paid_out = self.paid_out.safe_add(payout)?;
        self.fees = self.fees.safe_add(fee)?;
        Ok(())
    }

    /// Takes everything available for a refund to the client.
    pub fn take_refund(&mut self) -> Result<u64> {
        let refund = self.available()?;
        self.escrow = self.escrow.safe_sub(refund)?;
        self.refunded = self.refunded.safe_add(refund)?;
        Ok(refund)
    }

    pub fn is_settled(&self) -> bool {
        self.status == LeaseStatus::Closed && self.open_proofs == 0 && self.escrow == 0
    }
}

/// The client fee on `amount` at `fee_bps`, rounded up.
pub fn client_fee(amount: u64, fee_bps: u16) -> Result<u64> {
    to_u64(mul_div_ceil(
        amount as u128,
        fee_bps as u128,
        BPS_DENOMINATOR as u128,
    )?)
}

/// IOSD due for `gpu_ms` GPU-milliseconds at `price_per_gpu_hour`, rounded
/// down.
pub fn amount_due(gpu_ms: u64, price_per_gpu_hour: u64) -> Result<u64> {
    to_u64(mul_div_floor(
        gpu_ms as u128,
        price_per_gpu_hour as u128,
        MS_PER_HOUR as u128,
    )?)
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum ProofStatus {
    /// Waiting for its unlock time; disputable.
    Locked,
    /// Frozen until the arbiter resolves the dispute.
    Disputed,
}

/// A keeper's time-locked claim that a device served a lease for a period
/// [usage_proof, lease, device, seq]. No money moves before `unlock_at`;
/// finalizing or voiding closes it.
#[account]
#[derive(InitSpace, Debug)]
pub struct UsageProof {
    pub lease: Pubkey,
    pub device: Pubkey,
    pub provider: Pubkey,
    /// The keeper authority that posted it; gets the rent back.
    pub keeper: Pubkey,
    pub seq: u32,
    pub period_start: i64,
    pub period_end: i64,
    pub gpu_ms: u64,
    pub job_count: u32,
    /// Merkle root of the period's job receipts.
    pub receipts_root: [u8; 32],
    /// IOSD owed to the provider before its fee.
    pub amount_due: u64,
    /// amount_due plus the client fee on it, held back in the lease.
    pub reserved: u64,
    pub posted_at: i64,
    pub unlock_at: i64,
    pub status: ProofStatus,
    /// The disputing party (default key when none) and its IO bond.
    pub challenger: Pubkey,
    pub bond: u64,
    pub bump: u8,
}

/// Evidence gathered over several transactions for a GEMM fraud proof
/// [gemm_challenge, proof, prover]: the disputed job's roots, the chosen
/// element (i, j), then a row of A and a column of B proven under the
/// input root.
#[account]
#[derive(InitSpace, Debug)]
pub struct GemmChallenge {
    pub proof: Pubkey,
    pub prover: Pubkey,
    pub input_root: [u8; 32],
    pub output_root: [u8; 32],
    pub i: u32,
    pub j: u32,
    #[max_len(128)] // gemm::MAX_FRAUD_K
    pub a_row: Vec<i32>,
    #[max_len(128)]
    pub b_col: Vec<i32>,
    pub bump: u8,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GemmOperand {
    /// Row i of A.
    ARow,
    /// Column j of B.
    BCol,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(escrow: u64) -> Lease {
        Lease {
            id: 0,
            client: Pubkey::default(),
            spec: LeaseSpec {
                model: [0; GPU_MODEL_CODE_LEN],
                gpu_count: 1,
                region: String::new(),
                hours: 1,
                max_price_per_gpu_hour: 1,
                min_reliability_bps: 0,
            },
            payment: Payment::Iosd,
            client_fee_bps: 250,
            status: LeaseStatus::Active,
            deposited: escrow,
            escrow,
            reserved: 0,
            paid_out: 0,
            fees: 0,
            refunded: 0,
            devices: Vec::new(),
            open_proofs: 0,
            start: 0,
            end: 0,
            created_at: 0,
            bump: 0,
        }
    }

    #[test]
    fn reservations_never_exceed_escrow_and_accounting_balances() {
        let mut l = lease(1_000);
        l.reserve(600).unwrap();
        assert!(
            l.reserve(401).is_err(),
            "one unit over the available escrow"
        );
        l.reserve(400).unwrap();
        assert_eq!(l.available().unwrap(), 0);
        l.settle(600, 585, 15).unwrap();
        l.release(400).unwrap();
        assert_eq!(l.take_refund().unwrap(), 400);
        l.status = LeaseStatus::Closed;
        assert!(l.is_settled());
        assert_eq!(
            l.deposited,
            l.escrow + l.paid_out + l.fees + l.refunded,
            "deposit == escrow + payout + fees + refund"
        );
        assert!(l.settle(1, 1, 1).is_err(), "parts must add up");
    }

    #[test]
    fn amounts_round_for_the_protocol() {
        // 0.45 IOSD per GPU-hour for 2 GPU-hours.
        assert_eq!(amount_due(7_200_000, 450_000).unwrap(), 900_000);
        // 1 ms at 1 IOSD/GPU-hour is 0.000277 base units: nothing.
        assert_eq!(amount_due(1, 1_000_000).unwrap(), 0);
        assert_eq!(client_fee(900_000, 250).unwrap(), 22_500);
        assert_eq!(client_fee(1, 250).unwrap(), 1, "fees round up");
        assert_eq!(client_fee(0, 250).unwrap(), 0);
    }
}
