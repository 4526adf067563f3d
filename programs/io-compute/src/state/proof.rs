use crate::{
    constants::MAX_OPEN_DISPUTES, error::IoComputeError, math::SafeMath, merkle::Hash32,
    receipt::UsageAttestation,
};
use anchor_lang::prelude::*;

const _: () = assert!(crate::gemm::CHUNK_K == 64, "GemmChallenge max_len");

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum ProofStatus {
    /// Waiting for its unlock time; disputable.
    Locked,
    /// Frozen until the arbiter has resolved every open dispute.
    Disputed,
    /// Every dispute on it was rejected: payable from its unlock time and
    /// never disputed again (a proof's state only moves forward); a GEMM
    /// fraud proof can still void it before its unlock time.
    Cleared,
}

/// The arbiter's decision on a disputed proof.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The proof stands.
    Rejected,
    /// The proof was wrong because of the device (its worker signed it):
    /// the provider's pool is slashed.
    ProviderAtFault,
    /// The proof was wrong because of its keeper: the keeper's bond is
    /// slashed, not the provider, and the period can be posted again (M6).
    KeeperAtFault,
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
    /// GPU-microseconds used in the period.
    pub device_time_us: u64,
    pub job_count: u32,
    /// Merkle root of the period's job receipts, as the worker signed it.
    pub receipts_root: [u8; 32],
    /// The worker key that signed the period's attestation.
    pub worker: Pubkey,
    /// GEMM challenges open on it; it cannot be finalized while any is.
    pub open_challenges: u8,
    /// IOSD owed to the provider before its fee.
    pub amount_due: u64,
    /// amount_due plus the client fee on it, held back in the lease.
    pub reserved: u64,
    pub posted_at: i64,
    pub unlock_at: i64,
    pub status: ProofStatus,
    /// Disputes open on it (at most `MAX_OPEN_DISPUTES`), each a `Dispute`
    /// account holding its challenger's bond.
    pub open_disputes: u8,
    pub bump: u8,
}

impl UsageProof {
    /// A Locked proof of the period `worker` attested (of a device of
    /// `provider`), posted by `keeper_authority`, payable from `unlock_at`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        period: &UsageAttestation,
        provider: Pubkey,
        keeper_authority: Pubkey,
        worker: Pubkey,
        amount_due: u64,
        reserved: u64,
        now: i64,
        unlock_at: i64,
        bump: u8,
    ) -> Self {
        Self {
            lease: period.lease,
            device: period.device,
            provider,
            keeper_authority,
            seq: period.seq,
            period_start: period.period_start,
            period_end: period.period_end,
            device_time_us: period.device_time_us,
            job_count: period.job_count,
            receipts_root: period.receipts_root,
            worker,
            open_challenges: 0,
            amount_due,
            reserved,
            posted_at: now,
            unlock_at,
            status: ProofStatus::Locked,
            open_disputes: 0,
            bump,
        }
    }

    /// It can take one more dispute: Locked or already Disputed by others,
    /// strictly before its unlock time, within the open-dispute limit.
    pub fn require_disputable(&self, now: i64) -> Result<()> {
        require!(
            self.status != ProofStatus::Cleared,
            IoComputeError::ProofAlreadyCleared
        );
        require!(now < self.unlock_at, IoComputeError::DisputeWindowClosed);
        require!(
            self.open_disputes < MAX_OPEN_DISPUTES,
            IoComputeError::TooManyDisputes
        );
        Ok(())
    }

    /// A challenger disputes it (see `require_disputable`).
    pub fn open_dispute(&mut self, now: i64) -> Result<()> {
        self.require_disputable(now)?;
        self.open_disputes += 1;
        self.status = ProofStatus::Disputed;
        Ok(())
    }

    /// One dispute was rejected; the proof is Cleared once none is left.
    pub fn reject_dispute(&mut self) -> Result<()> {
        self.open_disputes = self.open_disputes.safe_sub(1)?;
        if self.open_disputes == 0 {
            self.status = ProofStatus::Cleared;
        }
        Ok(())
    }
}

/// One challenger's dispute of a usage proof [dispute, proof, challenger],
/// holding its IO bond. The arbiter's verdict closes it: rejected, the bond
/// goes to the provider; upheld, it comes back with the reward. When the
/// proof is voided another way (another dispute upheld, a GEMM fraud proof)
/// anyone may close it and its bond goes back to its challenger.
#[account]
#[derive(InitSpace, Debug)]
pub struct Dispute {
    pub proof: Pubkey,
    pub challenger: Pubkey,
    pub bond: u64,
    pub opened_at: i64,
    pub bump: u8,
}

/// Evidence gathered over several transactions for a GEMM fraud proof
/// [gemm_challenge, proof, prover]: the disputed job's roots and shape, the
/// chosen element (i, j), and the running dot product of row i of A and
/// column j of B, one chunk at a time, each chunk proven under the job's
/// input root. While it is open the usage proof cannot be finalized.
#[account]
#[derive(InitSpace, Debug)]
pub struct GemmChallenge {
    pub proof: Pubkey,
    pub prover: Pubkey,
    pub input_root: [u8; 32],
    pub output_root: [u8; 32],
    pub k: u32,
    pub i: u32,
    pub j: u32,
    /// The chunk the next operands must belong to; equal to the number of
    /// chunks once every product is summed.
    pub next_chunk: u32,
    /// Sum (wrapping) of the chunk products so far.
    pub partial_sum: i64,
    /// Chunk `next_chunk` of row i of A, until its B chunk arrives.
    #[max_len(64)] // gemm::CHUNK_K
    pub a_chunk: Vec<i32>,
    /// Chunk `next_chunk` of column j of B, until its A chunk arrives.
    #[max_len(64)]
    pub b_chunk: Vec<i32>,
    /// C[i][j] as the job's output root commits it, once shown.
    pub claimed: Option<i64>,
    /// After this anyone may abandon the challenge, unfreezing the proof.
    pub expires_at: i64,
    pub bump: u8,
}

impl GemmChallenge {
    /// Records one piece of verified evidence; once both chunks of
    /// `next_chunk` are in, adds their product to the partial sum and
    /// moves on.
    pub fn add(&mut self, evidence: GemmEvidence) {
        match evidence {
            GemmEvidence::ARow { values, .. } => self.a_chunk = values,
            GemmEvidence::BCol { values, .. } => self.b_chunk = values,
            GemmEvidence::C { value } => self.claimed = Some(value),
        }
        if !self.a_chunk.is_empty() && !self.b_chunk.is_empty() {
            let product = crate::gemm::dot(&self.a_chunk, &self.b_chunk);
            self.partial_sum = self.partial_sum.wrapping_add(product);
            self.a_chunk.clear();
            self.b_chunk.clear();
            self.next_chunk = self.next_chunk.saturating_add(1);
        }
    }

    /// Every chunk of the dot product has been summed.
    pub fn is_complete(&self) -> bool {
        self.next_chunk == crate::gemm::chunk_count(self.k)
    }

    /// The Merkle leaf `evidence` must prove and the root it proves under,
    /// or None when it is out of order or of the wrong length.
    pub fn leaf_of(&self, evidence: &GemmEvidence) -> Option<(Hash32, Hash32)> {
        use crate::gemm;
        let chunk_fits = |chunk: u32, values: &[i32]| {
            chunk == self.next_chunk
                && !self.is_complete()
                && values.len() == gemm::chunk_len(self.k, chunk) as usize
        };
        match evidence {
            GemmEvidence::ARow { chunk, values } => chunk_fits(*chunk, values)
                .then(|| (gemm::a_chunk_leaf(self.i, *chunk, values), self.input_root)),
            GemmEvidence::BCol { chunk, values } => chunk_fits(*chunk, values)
                .then(|| (gemm::b_chunk_leaf(self.j, *chunk, values), self.input_root)),
            GemmEvidence::C { value } => {
                Some((gemm::c_leaf(self.i, self.j, *value), self.output_root))
            }
        }
    }
}

/// One step of a GEMM fraud proof's evidence, each proven by Merkle path.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum GemmEvidence {
    /// Chunk `chunk` of row i of A, under the input root.
    ARow { chunk: u32, values: Vec<i32> },
    /// Chunk `chunk` of column j of B, under the input root.
    BCol { chunk: u32, values: Vec<i32> },
    /// C[i][j] as the output root commits it.
    C { value: i64 },
}
