use crate::{
    constants::*,
    error::IoComputeError,
    events::{emit_event, UsageProofPosted},
    math::SafeMath,
    pda_create,
    receipt::UsageAttestation,
    signature,
    state::*,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PostUsageProofArgs {
    /// Exactly the device's next proof sequence number in this lease.
    pub seq: u32,
    pub period_start: i64,
    pub period_end: i64,
    /// GPU-microseconds used in the period, at most its length x GPUs.
    pub device_time_us: u64,
    pub job_count: u32,
    /// Merkle root of the period's job receipts.
    pub receipts_root: [u8; 32],
}

impl PostUsageProofArgs {
    /// What the worker of `device` signs for this period of `lease`.
    pub fn attestation(&self, lease: Pubkey, device: Pubkey) -> UsageAttestation {
        UsageAttestation {
            lease,
            device,
            seq: self.seq,
            period_start: self.period_start,
            period_end: self.period_end,
            device_time_us: self.device_time_us,
            job_count: self.job_count,
            receipts_root: self.receipts_root,
        }
    }
}

/// The lease's keeper posts the time-locked usage proof of one of its
/// devices for one period. The instruction before it must be the Ed25519
/// program verifying the device worker's signature over the period's
/// `UsageAttestation` (these same fields), so only what the worker signed
/// is ever posted. On a closed lease, periods before the close still post
/// until its holdback ends. The amount due (GPU-µs x the price the device
/// was matched at, rounded down) plus the client fee on it is reserved from
/// the lease's escrow; nothing moves before `unlock_at`.
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
        constraint = lease.status != LeaseStatus::Open @ IoComputeError::LeaseNotActive,
        constraint = lease.keeper == keeper_authority.key() @ IoComputeError::NotLeaseKeeper,
    )]
    pub lease: Box<Account<'info, Lease>>,
    #[account(
        mut,
        seeds = [DEVICE_SEED, device.provider.as_ref(), &device.index.to_le_bytes()],
        bump = device.bump,
    )]
    pub device: Box<Account<'info, Device>>,
    /// CHECK: created as `UsageProof` by the handler.
    #[account(
        mut,
        seeds = [USAGE_PROOF_SEED, lease.key().as_ref(), device.key().as_ref(), &args.seq.to_le_bytes()],
        bump,
    )]
    pub proof: UncheckedAccount<'info>,
    /// CHECK: the instructions sysvar (address checked), read for the
    /// worker's Ed25519 signature.
    #[account(address = solana_sdk_ids::sysvar::instructions::ID)]
    pub instructions: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl PostUsageProof<'_> {
    pub fn validate(&self, args: &PostUsageProofArgs) -> Result<()> {
        Keeper::load(
            &self.keeper,
            self.keeper_authority.key,
            self.config.staking.min_keeper_bond,
        )?;
        let lease = &self.lease;
        let entry = &lease.devices[lease.device_entry(&self.device.key())?];
        require!(
            args.seq == entry.next_proof_seq,
            IoComputeError::ProofSeqMismatch
        );
        let now = Clock::get()?.unix_timestamp;
        // A closed lease takes only the time before its close, and only
        // while its holdback lasts.
        let last_end = if lease.status == LeaseStatus::Closed {
            require!(now < lease.holdback_until, IoComputeError::HoldbackExpired);
            lease.closed_at.min(lease.end)
        } else {
            lease.end
        };
        require!(
            args.period_start >= lease.start
                && args.period_start >= entry.proven_until
                && args.period_end > args.period_start
                && args.period_end <= last_end
                && args.period_end <= now,
            IoComputeError::InvalidProofPeriod
        );
        let most = (args.period_end.safe_sub(args.period_start)? as u128)
            .safe_mul(US_PER_SECOND as u128)?
            .safe_mul(entry.gpu_count as u128)?;
        require!(
            args.device_time_us as u128 <= most,
            IoComputeError::DeviceTimeExceedsPeriod
        );
        signature::require_signed(
            &self.instructions,
            &self.device.worker,
            &args
                .attestation(self.lease.key(), self.device.key())
                .message(),
        )
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: PostUsageProofArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let mut keeper = Keeper::load(
            &accounts.keeper,
            accounts.keeper_authority.key,
            accounts.config.staking.min_keeper_bond,
        )?;
        keeper.open_proofs = keeper.open_proofs.safe_add(1)?;
        keeper.store(&accounts.keeper)?;
        let lease = &mut accounts.lease;
        let device = &mut accounts.device;
        let i = lease.device_entry(&device.key())?;
        let entry = &mut lease.devices[i];
        let amount_due = amount_due(args.device_time_us, entry.price_per_gpu_hour)?;
        entry.next_proof_seq = entry.next_proof_seq.safe_add(1)?;
        entry.proven_until = args.period_end;
        let reserved = amount_due.safe_add(lease.client_fee(amount_due)?)?;
        lease.reserve(reserved)?;
        lease.keeper_active_at = now;
        lease.invariant()?;
        device.open_proof()?;
        let worker = device.worker;
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
                &args.attestation(lease_key, device_key),
                device.provider,
                accounts.keeper_authority.key(),
                worker,
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
            period_start: args.period_start,
            period_end: args.period_end,
            device_time_us: args.device_time_us,
            job_count: args.job_count,
            receipts_root: args.receipts_root,
            worker,
            amount_due,
            reserved,
            unlock_at,
        });
        Ok(())
    }
}
