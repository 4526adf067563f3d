use crate::{
    constants::*,
    error::IoComputeError,
    math::{mul_div_floor, to_u64, SafeMath},
    state::{client_fee, validate_price, validate_region, Bps, Device, DeviceStatus, Provider},
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
    /// Ended: devices released, unreserved escrow refunded except the
    /// holdback for unproven time; proofs for periods before the close
    /// still post until `holdback_until`, and posted proofs still settle.
    Closed,
}

/// One device serving a lease, with the terms it was matched at and its
/// proof sequence for this lease: a closed lease's late proofs never clash
/// with the device's next lease.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct LeaseDevice {
    pub device: Pubkey,
    pub gpu_count: u8,
    /// IOSD base units per GPU-hour, fixed at assignment.
    pub price_per_gpu_hour: u64,
    /// The sequence number its next usage proof for this lease carries.
    pub next_proof_seq: u32,
    /// End of its last proven period (the lease's start before any).
    pub proven_until: i64,
}

impl LeaseDevice {
    /// What `secs` seconds of this device cost the client: the amount due
    /// for all its GPUs plus the client fee, at the lease's rate.
    pub fn cost_of(&self, secs: i64, client_fee_bps: u16) -> Result<u64> {
        let device_time_us = (secs.max(0) as u64)
            .safe_mul(US_PER_SECOND)?
            .safe_mul(self.gpu_count as u64)?;
        let due = amount_due(device_time_us, self.price_per_gpu_hour)?;
        due.safe_add(client_fee(due, client_fee_bps)?)
    }
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
    /// The matcher's rule, the same on-chain (`assign_devices`) and in the
    /// keeper: an Idle device of the model, from a provider in the region
    /// (when one is asked for) whose stake covers its devices, at or under
    /// the maximum price, at least as reliable as asked.
    pub fn accepts(&self, device: &Device, provider: &Provider) -> Result<()> {
        require!(
            device.status == DeviceStatus::Idle,
            IoComputeError::DeviceNotIdle
        );
        require!(device.model == self.model, IoComputeError::ModelMismatch);
        require!(
            self.region.is_empty() || provider.region == self.region,
            IoComputeError::RegionMismatch
        );
        require!(
            device.price_per_gpu_hour <= self.max_price_per_gpu_hour,
            IoComputeError::PriceAboveMax
        );
        require!(
            device.reliability_bps >= self.min_reliability_bps,
            IoComputeError::ReliabilityTooLow
        );
        provider.require_meets_active_stake()
    }

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
    pub devices: Vec<LeaseDevice>,
    /// Usage proofs posted and not yet finalized or voided.
    pub open_proofs: u32,
    pub start: i64,
    pub end: i64,
    /// The keeper authority serving the lease: the one that assigned it,
    /// or one that took it over.
    pub keeper: Pubkey,
    /// When that keeper last assigned or posted for it; another keeper may
    /// take the lease over after `KEEPER_SILENCE_SECS` of silence.
    pub keeper_active_at: i64,
    /// When the lease closed (0 while open or active).
    pub closed_at: i64,
    /// Escrow held back at the close for the unproven time before it
    /// (price x GPUs x time since each device's last proof, plus fee),
    /// kept from the refund until its proofs post or `holdback_until`.
    pub holdback: u64,
    pub holdback_until: i64,
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
            keeper: Pubkey::default(),
            keeper_active_at: 0,
            closed_at: 0,
            holdback: 0,
            holdback_until: 0,
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
            accounted == self.deposited as u128
                && (self.reserved as u128) + (self.holdback as u128) <= self.escrow as u128,
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

    /// Escrow neither reserved for posted proofs nor held back for
    /// unproven time.
    pub fn available(&self) -> Result<u64> {
        self.escrow.safe_sub(self.reserved)?.safe_sub(self.holdback)
    }

    /// The entry of `device` in this lease.
    pub fn device_entry(&self, device: &Pubkey) -> Result<usize> {
        self.devices
            .iter()
            .position(|d| d.device == *device)
            .ok_or_else(|| error!(IoComputeError::DeviceNotInLease))
    }

    /// Closes an Active lease at `now`: holds back the cost of every
    /// device's unproven time (capped at what is available) until
    /// `now + grace_secs`.
    pub fn end_at(&mut self, now: i64, grace_secs: i64) -> Result<()> {
        let until = now.min(self.end);
        let mut holdback = 0u64;
        for entry in &self.devices {
            let from = entry.proven_until.max(self.start);
            holdback =
                holdback.safe_add(entry.cost_of(until.safe_sub(from)?, self.client_fee_bps)?)?;
        }
        self.holdback = holdback.min(self.available()?);
        self.holdback_until = now.safe_add(grace_secs)?;
        self.closed_at = now;
        self.status = LeaseStatus::Closed;
        Ok(())
    }

    /// Past its grace period the holdback goes back to the client.
    pub fn expire_holdback(&mut self, now: i64) {
        if self.status == LeaseStatus::Closed && now >= self.holdback_until {
            self.holdback = 0;
        }
    }

    pub fn deposit(&mut self, amount: u64) -> Result<()> {
        self.deposited = self.deposited.safe_add(amount)?;
        self.escrow = self.escrow.safe_add(amount)?;
        Ok(())
    }

    /// Holds `amount` back for a proof, or fails with `EscrowExhausted`. On
    /// a closed lease the holdback pays for it first.
    pub fn reserve(&mut self, amount: u64) -> Result<()> {
        let from_holdback = amount.min(self.holdback);
        self.holdback = self.holdback.safe_sub(from_holdback)?;
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
    fn closing_holds_back_the_unproven_time_until_proven_or_expired() {
        // Two devices at 1 IOSD per GPU-hour: 2 GPUs proven for the first
        // hour, 1 GPU never proven; closed 90 minutes in.
        let mut l = lease(10_000_000);
        l.start = 0;
        l.end = 2 * 3_600;
        let entry = |gpu_count, proven_until| LeaseDevice {
            device: Pubkey::new_unique(),
            gpu_count,
            price_per_gpu_hour: 1_000_000,
            next_proof_seq: 0,
            proven_until,
        };
        l.devices = vec![entry(2, 3_600), entry(1, 0)];
        l.end_at(5_400, 600).unwrap();
        // 2 GPUs x 30 min + 1 GPU x 90 min = 2.5 GPU-hours, + 2.5 % fee.
        assert_eq!(l.holdback, 2_500_000 + 62_500);
        assert_eq!(l.available().unwrap(), 10_000_000 - 2_562_500);
        l.invariant().unwrap();
        // A proof for the unproven time draws on the holdback first.
        l.reserve(1_025_000).unwrap();
        assert_eq!((l.holdback, l.reserved), (1_537_500, 1_025_000));
        assert_eq!(l.available().unwrap(), 10_000_000 - 2_562_500);
        l.expire_holdback(5_999);
        assert_eq!(l.holdback, 1_537_500, "not before the grace ends");
        l.expire_holdback(6_000);
        assert_eq!(l.holdback, 0);
        assert_eq!(l.available().unwrap(), 10_000_000 - 1_025_000);
    }

    #[test]
    fn holdback_never_exceeds_what_is_available() {
        let mut l = lease(1_000);
        l.start = 0;
        l.end = 3_600;
        l.devices = vec![LeaseDevice {
            device: Pubkey::new_unique(),
            gpu_count: 16,
            price_per_gpu_hour: 10_000_000,
            next_proof_seq: 0,
            proven_until: 0,
        }];
        l.reserve(400).unwrap();
        l.end_at(3_600, 600).unwrap();
        assert_eq!(l.holdback, 600);
        l.invariant().unwrap();
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
