//! One event per state change; every transfer of value emits one.

use crate::{
    constants::GPU_MODEL_CODE_LEN,
    state::{
        DeviceStatus, EpochEmission, GovernanceCall, GovernanceParams, LeaseSpec, ParamChange,
        Payment, ProposalState, StakeKind, TokenomicsParams, Verdict, VoteChoice,
    },
};
use anchor_lang::prelude::*;

/// Logs an event as `Program data: <base64>`, exactly as `emit!` does
/// on-chain. Anchor compiles `emit!` to nothing off-chain, so natively the
/// event goes through the runtime's syscall stub instead, and tests and the
/// localnet see every event a real cluster would.
pub fn emit_event<E: anchor_lang::Event>(event: E) {
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    solana_sysvar::program_stubs::sol_log_data(&[&data]);
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolInitialized {
    pub authority: Pubkey,
    pub io_mint: Pubkey,
    pub iosd_mint: Pubkey,
    pub genesis_destination: Pubkey,
    pub genesis_supply: u64,
    pub io_max_supply: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuModelSet {
    pub code: [u8; GPU_MODEL_CODE_LEN],
    pub reward_multiplier: u32,
    pub ref_fp32_tflops_x100: u32,
    pub ref_bf16_tflops_x100: u32,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRegistered {
    pub provider: Pubkey,
    pub authority: Pubkey,
    pub name: String,
    pub region: String,
    pub endpoint: String,
    pub co_stake_share_bps: u16,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUpdated {
    pub provider: Pubkey,
    pub name: String,
    pub region: String,
    pub endpoint: String,
    /// The share in effect now.
    pub co_stake_share_bps: u16,
    /// A lower share announced and when it applies (0: none).
    pub pending_co_stake_share_bps: u16,
    pub pending_share_effective_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderClosed {
    pub provider: Pubkey,
    pub authority: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAdded {
    pub device: Pubkey,
    pub provider: Pubkey,
    pub index: u32,
    pub model: [u8; GPU_MODEL_CODE_LEN],
    pub gpu_count: u8,
    pub vram_gb: u16,
    pub price_per_gpu_hour: u64,
    pub status: DeviceStatus,
    pub stake_requirement: u64,
    pub worker: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceUpdated {
    pub device: Pubkey,
    pub price_per_gpu_hour: u64,
    pub status: DeviceStatus,
    pub worker: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRemoved {
    pub device: Pubkey,
    pub provider: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staked {
    pub position: Pubkey,
    pub owner: Pubkey,
    pub provider: Pubkey,
    pub kind: StakeKind,
    pub amount: u64,
    pub shares: u128,
    pub lockup_end: i64,
    pub multiplier: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnstakeRequested {
    pub position: Pubkey,
    pub owner: Pubkey,
    pub provider: Pubkey,
    pub cooldown_end: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawn {
    pub position: Pubkey,
    pub owner: Pubkey,
    pub provider: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSlashed {
    pub provider: Pubkey,
    pub amount: u64,
    pub destination: Pubkey,
    /// Provider pool left after the slash.
    pub remaining_stake: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OracleSet {
    pub source: crate::state::OracleSource,
    pub pyth_feed_id: [u8; 32],
    pub price_authority: Pubkey,
    pub max_age_secs: u32,
    pub max_conf_bps: u16,
    pub max_change_bps: u16,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceUpdated {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenomicsInitialized {
    pub params: TokenomicsParams,
    pub epoch_start: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoBurnedForIosd {
    pub owner: Pubkey,
    pub destination: Pubkey,
    pub epoch: u64,
    pub io_burned: u64,
    pub iosd_minted: u64,
    /// The conservative price used: mantissa x 10^expo USD per IO.
    pub price: i64,
    pub expo: i32,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochAdvanced {
    pub epoch: u64,
    pub start: i64,
    /// IO burned and IOSD minted in the epoch that ended.
    pub previous_io_burned: u64,
    pub previous_iosd_minted: u64,
    /// What the ended epoch emitted.
    pub emission: EpochEmission,
    /// The stakers' IO reward index after the emission.
    pub reward_index: u128,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockupExpired {
    pub position: Pubkey,
    pub provider: Pubkey,
    /// The multiplier it earned with until now; it is 1x from here on.
    pub previous_multiplier: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardsClaimed {
    pub position: Pubkey,
    pub owner: Pubkey,
    pub provider: Pubkey,
    pub io: u64,
    pub iosd: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissionClaimed {
    pub provider: Pubkey,
    pub authority: Pubkey,
    pub io: u64,
    pub iosd: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperAdmitted {
    pub keeper: Pubkey,
    pub authority: Pubkey,
    pub bond: u64,
    pub endpoint: String,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceChecksRecorded {
    pub epoch: u64,
    pub keeper: Pubkey,
    pub passed: u8,
    pub failed: u8,
    pub missed: u8,
    /// Devices jailed, and released from jail, by this batch.
    pub jailed: u8,
    pub released: u8,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperBondToppedUp {
    pub keeper: Pubkey,
    pub amount: u64,
    /// The bond after it.
    pub bond: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperUpdated {
    pub keeper: Pubkey,
    pub endpoint: String,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseTakenOver {
    pub lease: Pubkey,
    pub previous_keeper: Pubkey,
    pub keeper: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperRemoved {
    pub keeper: Pubkey,
    pub authority: Pubkey,
    pub bond_returned: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRewardsPosted {
    pub epoch: u64,
    pub keeper: Pubkey,
    pub root: [u8; 32],
    pub total: u64,
    /// Device pool left unallocated after this root.
    pub pool_available: u64,
    /// Claims open at this time.
    pub unlock_at: i64,
    pub claims_until: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRewardsVoided {
    pub epoch: u64,
    pub keeper: Pubkey,
    /// IO returned to the device pool.
    pub returned: u64,
    pub keeper_bond_slashed: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRewardsExpired {
    pub epoch: u64,
    /// Unclaimed IO returned to the device pool.
    pub returned: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRewardClaimed {
    pub epoch: u64,
    pub device: Pubkey,
    pub owner: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseCreated {
    pub lease: Pubkey,
    pub id: u64,
    pub client: Pubkey,
    pub spec: LeaseSpec,
    pub payment: Payment,
    /// IOSD put into escrow: budget plus client fee.
    pub deposit: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseToppedUp {
    pub lease: Pubkey,
    pub amount: u64,
    pub escrow: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseCancelled {
    pub lease: Pubkey,
    pub id: u64,
    pub refunded: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseActivated {
    pub lease: Pubkey,
    pub id: u64,
    pub keeper: Pubkey,
    pub devices: Vec<Pubkey>,
    pub start: i64,
    pub end: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseClosed {
    pub lease: Pubkey,
    pub id: u64,
    pub refunded: u64,
    /// Escrow still held back for unproven time, and until when.
    pub holdback: u64,
    pub holdback_until: i64,
    /// True when this call ended the lease and released its devices.
    pub devices_released: bool,
    /// True when nothing is left and the record was closed.
    pub record_closed: bool,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageProofPosted {
    pub proof: Pubkey,
    pub lease: Pubkey,
    pub device: Pubkey,
    pub seq: u32,
    pub period_start: i64,
    pub period_end: i64,
    pub device_time_us: u64,
    pub job_count: u32,
    pub receipts_root: [u8; 32],
    /// The worker key whose attestation the proof carries.
    pub worker: Pubkey,
    pub amount_due: u64,
    /// amount_due plus the client fee on it, held back in the lease.
    pub reserved: u64,
    pub unlock_at: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofFinalized {
    pub proof: Pubkey,
    pub lease: Pubkey,
    pub device: Pubkey,
    pub provider: Pubkey,
    /// IOSD paid to the provider.
    pub payout: u64,
    /// Client fee on the amount plus the provider fee, split below.
    pub fee: u64,
    pub fee_to_treasury: u64,
    pub fee_to_stakers: u64,
    pub fee_burned: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofDisputed {
    pub proof: Pubkey,
    pub lease: Pubkey,
    pub dispute: Pubkey,
    pub challenger: Pubkey,
    pub bond: u64,
    /// Disputes open on the proof with this one.
    pub open_disputes: u8,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeResolved {
    pub proof: Pubkey,
    pub lease: Pubkey,
    /// The bonded dispute resolved, or the GEMM fraud prover.
    pub challenger: Pubkey,
    pub verdict: Verdict,
    /// IO taken from the provider's stake pool.
    pub provider_slashed: u64,
    /// The challenger's part of the slash.
    pub challenger_reward: u64,
    /// IO taken from the posting keeper's bond.
    pub keeper_bond_slashed: u64,
    /// The challenger's bond: back to it when upheld, to the provider when
    /// rejected.
    pub bond: u64,
}

/// A dispute whose proof was voided another way was closed; its bond went
/// back to its challenger.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRefunded {
    pub dispute: Pubkey,
    pub proof: Pubkey,
    pub challenger: Pubkey,
    pub bond: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemmFraudChecked {
    pub proof: Pubkey,
    pub prover: Pubkey,
    pub i: u32,
    pub j: u32,
    pub claimed: i64,
    pub computed: i64,
    /// True: the claim was wrong and the proof is voided.
    pub fraud: bool,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceInitialized {
    pub params: GovernanceParams,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityHandedOver {
    pub previous: Pubkey,
    pub governance: Pubkey,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalCreated {
    pub proposal: Pubkey,
    pub id: u64,
    pub proposer: Pubkey,
    pub changes: Vec<ParamChange>,
    pub call: Option<GovernanceCall>,
    pub voting_end: i64,
    pub quorum_weight: u128,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteCast {
    pub proposal: Pubkey,
    pub position: Pubkey,
    pub voter: Pubkey,
    pub choice: VoteChoice,
    pub weight: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRelinquished {
    pub proposal: Pubkey,
    pub position: Pubkey,
    /// Weight taken off the tally (0 once voting has ended).
    pub weight_removed: u64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalFinalized {
    pub proposal: Pubkey,
    pub id: u64,
    pub state: ProposalState,
    pub yes: u128,
    pub no: u128,
    pub abstain: u128,
    pub quorum_weight: u128,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalExecuted {
    pub proposal: Pubkey,
    pub id: u64,
    pub changes: Vec<ParamChange>,
    /// The role instruction governance signed, for a call proposal.
    pub call: Option<GovernanceCall>,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalCancelled {
    pub proposal: Pubkey,
    pub id: u64,
}
