use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, LeaseCancelled},
    instructions::lease::refund::*,
    state::*,
};
use anchor_lang::prelude::*;

/// The client cancels a lease no device has been assigned to: the whole
/// deposit comes back and the record closes.
#[derive(Accounts)]
pub struct CancelLease<'info> {
    #[account(mut)]
    pub client: Signer<'info>,
    #[account(
        mut, close = client,
        seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump,
        has_one = client @ IoComputeError::NotLeaseClient,
        constraint = lease.status == LeaseStatus::Open @ IoComputeError::LeaseNotOpen,
    )]
    pub lease: Box<Account<'info, Lease>>,
    pub refund: LeaseRefund<'info>,
}

impl CancelLease<'_> {
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let refunded = accounts.refund.refund(&mut accounts.lease)?;
        emit_event(LeaseCancelled {
            lease: accounts.lease.key(),
            id: accounts.lease.id,
            refunded,
        });
        Ok(())
    }
}
