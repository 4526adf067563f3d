use anchor_lang::prelude::*;

const _: () = assert!(crate::gemm::MAX_FRAUD_K == 128, "GemmChallenge max_len");

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
    pub keeper_authority: Pubkey,
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

impl UsageProof {
    /// A Locked proof of `period` on `device` (of `provider`) for `lease`,
    /// payable from `unlock_at`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        lease: Pubkey,
        device: Pubkey,
        provider: Pubkey,
        keeper_authority: Pubkey,
        period: &ProofPeriod,
        amount_due: u64,
        reserved: u64,
        now: i64,
        unlock_at: i64,
        bump: u8,
    ) -> Self {
        Self {
            lease,
            device,
            provider,
            keeper_authority,
            seq: period.seq,
            period_start: period.period_start,
            period_end: period.period_end,
            gpu_ms: period.gpu_ms,
            job_count: period.job_count,
            receipts_root: period.receipts_root,
            amount_due,
            reserved,
            posted_at: now,
            unlock_at,
            status: ProofStatus::Locked,
            challenger: Pubkey::default(),
            bond: 0,
            bump,
        }
    }
}

/// What a keeper claims for one period of one device: the fields of
/// `post_usage_proof`'s arguments that the proof records as they are.
pub struct ProofPeriod {
    pub seq: u32,
    pub period_start: i64,
    pub period_end: i64,
    pub gpu_ms: u64,
    pub job_count: u32,
    pub receipts_root: [u8; 32],
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
