use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{client_fee, validate_price, validate_region, Bps},
};
use anchor_lang::prelude::*;

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
            Bps(self.min_reliability_bps).is_valid(),
            IoComputeError::InvalidParameter
        );
        Ok(())
    }

    /// The deposit for this spec at `fee_bps`: budget + client fee (rounded
    /// up). Fails on an invalid spec.
    pub fn deposit(&self, fee_bps: u16) -> Result<u64> {
        self.validate()?;
        let budget = self.budget()?;
        budget.safe_add(client_fee(budget, fee_bps)?)
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
    /// A new, unassigned lease holding `deposit` in escrow.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        id: u64,
        client: Pubkey,
        spec: LeaseSpec,
        payment: Payment,
        client_fee_bps: u16,
        deposit: u64,
        now: i64,
        bump: u8,
    ) -> Self {
        Self {
            id,
            client,
            spec,
            payment,
            client_fee_bps,
            status: LeaseStatus::Open,
            deposited: deposit,
            escrow: deposit,
            reserved: 0,
            paid_out: 0,
            fees: 0,
            refunded: 0,
            devices: Vec::new(),
            open_proofs: 0,
            start: 0,
            end: 0,
            created_at: now,
            bump,
        }
    }

    /// The lease's books balance: every deposited unit is in escrow, paid to
    /// providers, taken as fees or refunded, and what is held back for
    /// proofs is in escrow. Checked at the end of every instruction that
    /// changes a lease.
    pub fn invariant(&self) -> Result<()> {
        let accounted = (self.escrow as u128)
            + (self.paid_out as u128)
            + (self.fees as u128)
            + (self.refunded as u128);
        require!(
            accounted == self.deposited as u128 && self.reserved <= self.escrow,
            IoComputeError::LeaseBooksUnbalanced
        );
        require!(
            self.devices.len() <= MAX_LEASE_GPUS as usize
                && (self.open_proofs > 0 || self.reserved == 0),
            IoComputeError::LeaseBooksUnbalanced
        );
        Ok(())
    }

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
            IoComputeError::LeaseBooksUnbalanced
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

/// IOSD due for `device_time_us` GPU-microseconds at `price_per_gpu_hour`,
/// rounded down (once per proof period, over the sum of its jobs).
pub fn amount_due(device_time_us: u64, price_per_gpu_hour: u64) -> Result<u64> {
    to_u64(mul_div_floor(
        device_time_us as u128,
        price_per_gpu_hour as u128,
        US_PER_HOUR as u128,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(escrow: u64) -> Lease {
        let spec = LeaseSpec {
            model: [0; GPU_MODEL_CODE_LEN],
            gpu_count: 1,
            region: String::new(),
            hours: 1,
            max_price_per_gpu_hour: 1,
            min_reliability_bps: 0,
        };
        let mut lease = Lease::open(0, Pubkey::default(), spec, Payment::Iosd, 250, escrow, 0, 0);
        lease.status = LeaseStatus::Active;
        lease
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
        l.invariant().unwrap();
    }

    #[test]
    fn invariant_refuses_unbalanced_books() {
        let mut l = lease(1_000);
        l.invariant().unwrap();
        l.paid_out = 1;
        assert_eq!(
            l.invariant().unwrap_err(),
            IoComputeError::LeaseBooksUnbalanced.into(),
            "a unit paid out that never left escrow"
        );
        l.paid_out = 0;
        l.reserve(600).unwrap();
        l.escrow = 599;
        l.refunded = 401;
        assert_eq!(
            l.invariant().unwrap_err(),
            IoComputeError::LeaseBooksUnbalanced.into(),
            "more held back than is in escrow"
        );
        let mut l = lease(1_000);
        l.reserved = 1;
        assert!(l.invariant().is_err(), "a reservation with no open proof");
    }

    #[test]
    fn amounts_round_for_the_protocol() {
        // 0.45 IOSD per GPU-hour for 2 GPU-hours.
        assert_eq!(amount_due(7_200_000_000, 450_000).unwrap(), 900_000);
        // 1 µs at 1 IOSD/GPU-hour is 0.000000277 base units: nothing.
        assert_eq!(amount_due(1, 1_000_000).unwrap(), 0);
        // 200 µs at 10,000 IOSD/GPU-hour: 555.5 base units, not 0 and not
        // the 2,777 of a whole millisecond.
        assert_eq!(amount_due(200, 10_000_000_000).unwrap(), 555);
        // Ten thousand 200 µs jobs at 2 IOSD/GPU-hour: 2 s of GPU time.
        assert_eq!(amount_due(10_000 * 200, 2_000_000).unwrap(), 1_111);
        assert_eq!(client_fee(900_000, 250).unwrap(), 22_500);
        assert_eq!(client_fee(1, 250).unwrap(), 1, "fees round up");
        assert_eq!(client_fee(0, 250).unwrap(), 0);
    }
}
