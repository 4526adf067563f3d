use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, UsageProofPosted},
    math::SafeMath,
    pda_create,
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PostUsageProofArgs {
    /// Exactly the device's `next_proof_seq`.
    pub seq: u32,
    pub period_start: i64,
    pub period_end: i64,
    /// GPU-milliseconds used in the period, at most its length x GPUs.
    pub gpu_ms: u64,
    pub job_count: u32,
    /// Merkle root of the period's job receipts.
    pub receipts_root: [u8; 32],
}

/// An admitted keeper posts the time-locked usage proof of one device for
/// one period of a lease. The amount due (GPU-ms x the device's price,
/// rounded down) plus the client fee on it is reserved from the lease's
/// escrow; nothing moves before `unlock_at`.
#[derive(Accounts)]
#[instruction(args: PostUsageProofArgs)]
pub struct PostUsageProof<'info> {
    /// Pays the proof's rent and gets it back when the proof closes.
    #[account(mut)]
    pub keeper_authority: Signer<'info>,
    /// CHECK: the signer's `Keeper` record, checked by `Keeper::load`.
    #[account(mut)]
    pub keeper: UncheckedAccount<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        mut, seeds = [LEASE_SEED, &lease.id.to_le_bytes()], bump = lease.bump,
        constraint = lease.status == LeaseStatus::Active @ IoComputeError::LeaseNotActive,
    )]
    pub lease: Box<Account<'info, Lease>>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.provider.as_ref(), &device.index.to_le_bytes()],
        bump = device.bump,
        constraint = device.current_lease == lease.key() @ IoComputeError::DeviceNotInLease,
    )]
    pub device: Box<Account<'info, Device>>,
    /// CHECK: created as `UsageProof` by the handler.
    #[account(
        mut,
        seeds = [USAGE_PROOF_SEED, lease.key().as_ref(), device.key().as_ref(), &args.seq.to_le_bytes()],
        bump,
    )]
    pub proof: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl PostUsageProof<'_> {
    pub fn validate(&self, args: &PostUsageProofArgs) -> Result<()> {
        Keeper::load(&self.keeper, self.keeper_authority.key)?;
        require!(
            args.seq == self.device.next_proof_seq,
            IoComputeError::ProofSeqMismatch
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            args.period_start >= self.lease.start
                && args.period_start >= self.device.last_proof_end
                && args.period_end > args.period_start
                && args.period_end <= self.lease.end
                && args.period_end <= now,
            IoComputeError::InvalidProofPeriod
        );
        let most = (args.period_end.safe_sub(args.period_start)? as u128)
            .safe_mul(MS_PER_SECOND as u128)?
            .safe_mul(self.device.gpu_count as u128)?;
        require!(
            args.gpu_ms as u128 <= most,
            IoComputeError::GpuMsExceedsPeriod
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: PostUsageProofArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let mut keeper = Keeper::load(&accounts.keeper, accounts.keeper_authority.key)?;
        keeper.open_proofs = keeper.open_proofs.safe_add(1)?;
        keeper.store(&accounts.keeper)?;
        let lease = &mut accounts.lease;
        let device = &mut accounts.device;
        let amount_due = amount_due(args.gpu_ms, device.price_per_gpu_hour)?;
        let reserved = amount_due.safe_add(lease.client_fee(amount_due)?)?;
        lease.reserve(reserved)?;
        lease.invariant()?;
        device.next_proof_seq = device.next_proof_seq.safe_add(1)?;
        device.last_proof_end = args.period_end;
        let unlock_at = now.safe_add(accounts.config.market_params.dispute_window_secs)?;
        let bump = ctx.bumps.proof;
        let (lease_key, device_key) = (lease.key(), device.key());
        pda_create::create_program_account(
            &accounts.keeper_authority,
            &accounts.proof,
            8 + UsageProof::INIT_SPACE,
            &[
                USAGE_PROOF_SEED,
                lease_key.as_ref(),
                device_key.as_ref(),
                &args.seq.to_le_bytes(),
                &[bump],
            ],
            &UsageProof::new(
                lease_key,
                device_key,
                device.provider,
                accounts.keeper_authority.key(),
                &ProofPeriod {
                    seq: args.seq,
                    period_start: args.period_start,
                    period_end: args.period_end,
                    gpu_ms: args.gpu_ms,
                    job_count: args.job_count,
                    receipts_root: args.receipts_root,
                },
                amount_due,
                reserved,
                now,
                unlock_at,
                bump,
            ),
        )?;
        emit_event(UsageProofPosted {
            proof: accounts.proof.key(),
            lease: lease_key,
            device: device_key,
            seq: args.seq,
            gpu_ms: args.gpu_ms,
            amount_due,
            reserved,
            unlock_at,
        });
        Ok(())
    }
}
