//! One error enum for the whole program. Every message says what was wrong and,
//! where it helps, what to do about it.

use anchor_lang::prelude::*;

#[error_code]
pub enum IoComputeError {
    // ---- generic ----------------------------------------------------------
    #[msg("Arithmetic overflow: the amount is too large for the protocol's integer range")]
    MathOverflow,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Signer is not the protocol's config authority")]
    NotConfigAuthority,

    #[msg("Account already exists")]
    AccountAlreadyExists,

    // ---- initialize -------------------------------------------------------
    #[msg("Only the program's upgrade authority may initialize the protocol")]
    NotUpgradeAuthority,
    #[msg("The program data account does not belong to this program")]
    InvalidProgramData,
    #[msg(
        "The program is not deployed with the upgradeable loader; it cannot be initialized safely"
    )]
    ProgramNotUpgradeable,
    #[msg("Genesis supply must be greater than zero and at most the maximum supply")]
    InvalidGenesisSupply,
    #[msg("Protocol parameter is outside its allowed range")]
    InvalidParameter,

    // ---- GPU models -------------------------------------------------------
    #[msg("GPU model code must be 1-16 characters of A-Z, 0-9 or '-'")]
    InvalidGpuModelCode,
    #[msg("GPU reward multiplier must be between 0.01x (100) and 100x (1_000_000)")]
    InvalidGpuMultiplier,
    #[msg("GPU model reference TFLOP/s must be greater than zero")]
    InvalidGpuReferenceTflops,
    #[msg("GPU model table is full (32 models); update an existing model instead")]
    GpuModelTableFull,
    #[msg("The same GPU model code appears twice in one update")]
    DuplicateGpuModel,
    #[msg("Unknown GPU model code; list the models with `ioc network stats` or ask governance to add it")]
    UnknownGpuModel,
    #[msg("An update must name between 1 and 32 GPU models")]
    InvalidGpuModelBatch,

    // ---- providers --------------------------------------------------------
    #[msg("Provider name must be 1-32 bytes of printable text")]
    InvalidProviderName,
    #[msg("Region code must be 1-16 characters of a-z, 0-9 or '-'")]
    InvalidRegion,
    #[msg("Endpoint must be an http:// or https:// URL of at most 128 bytes")]
    InvalidEndpoint,
    #[msg("Co-stake reward share must be at most 10000 bps (100%)")]
    InvalidCoStakeShare,
    #[msg("Provider still has devices; remove them before closing")]
    ProviderHasDevices,
    #[msg("Provider still has stake positions; they must be withdrawn before closing")]
    ProviderHasStake,
    #[msg("Signer is not the provider's authority")]
    NotProviderAuthority,

    // ---- devices ----------------------------------------------------------
    #[msg("GPU count must be between 1 and 16")]
    InvalidGpuCount,
    #[msg("VRAM must be greater than zero GB")]
    InvalidVram,
    #[msg("Price per GPU-hour must be between 1 IOSD base unit and 10,000 IOSD")]
    InvalidPrice,
    #[msg("A provider may only set a device to Idle or Offline")]
    InvalidDeviceStatus,
    #[msg("Device is leased; wait until its lease ends")]
    DeviceLeased,
    #[msg("Provider's effective stake is below the minimum stake its active devices need; stake more IO or set devices Offline")]
    InsufficientProviderStake,
    #[msg("Device does not belong to this provider")]
    DeviceProviderMismatch,

    // ---- staking ----------------------------------------------------------
    #[msg("Lockup must be between 0 and 365 days (31536000 seconds)")]
    InvalidLockup,
    #[msg("The provider's own authority must use `stake`, not `co_stake`")]
    CoStakeBySelf,
    #[msg("Only the provider's authority may use `stake`; third parties use `co_stake`")]
    StakeByNonAuthority,
    #[msg("Position is still locked; request unstake after its lockup ends")]
    LockupNotEnded,
    #[msg("Position is already unstaking")]
    AlreadyUnstaking,
    #[msg("Position is not unstaking; request unstake first")]
    NotUnstaking,
    #[msg("Cooldown has not ended; withdraw after it does")]
    CooldownNotEnded,
    #[msg("Unstaking would drop the provider below the minimum stake of its leased devices")]
    UnstakeBreaksMinimumStake,
    #[msg("Position has active governance votes; relinquish them or wait until the proposals end")]
    PositionHasActiveVotes,
    #[msg("Signer does not own this stake position")]
    NotPositionOwner,
    #[msg("Position does not belong to this provider")]
    PositionProviderMismatch,
    #[msg("Provider's stake was fully slashed; existing positions must withdraw before new stake is accepted")]
    StakePoolWiped,
    #[msg("Stake too small: it would buy zero pool shares")]
    StakeTooSmall,
    #[msg("Source token account holds less than the amount")]
    InsufficientBalance,
    #[msg("Slash amount exceeds the provider's staked IO")]
    SlashExceedsStake,

    // ---- oracle and tokenomics ---------------------------------------------
    #[msg("Oracle account data is not a price update this program can read")]
    OracleMalformed,
    #[msg("Oracle price is zero or negative (after subtracting twice its confidence)")]
    OraclePriceNotPositive,
    #[msg("Oracle price is older than the configured maximum age; post a fresh price update")]
    OracleStale,
    #[msg("Oracle confidence interval is too wide relative to the price")]
    OracleTooUncertain,
    #[msg("Oracle price update is for another feed than the configured IO/USD feed")]
    OracleWrongFeed,
    #[msg("Oracle account is not owned by the Pyth receiver program")]
    OracleWrongOwner,
    #[msg("Pyth price update is only partially verified; post it with full verification")]
    OracleNotFullyVerified,
    #[msg("Account is not the configured price feed")]
    OracleWrongAccount,
    #[msg("Signer is not the price authority")]
    NotPriceAuthority,
    #[msg("Price moved more than the maximum change allowed within an hour")]
    PriceChangeTooLarge,
    #[msg("Price exponent must stay the same across updates and lie in -18..=0")]
    InvalidPriceExponent,
    #[msg("Result is below your minimum (or above your maximum); the price moved, try again")]
    SlippageExceeded,
    #[msg(
        "IOSD circuit breaker: too much IOSD minted in the current window; wait for it to decay"
    )]
    IosdBreakerTripped,
    #[msg("The current epoch has not ended yet")]
    EpochNotEnded,

    #[msg("IO emission circuit breaker: this epoch's emission would exceed the window's cap; advance again once the window has decayed")]
    EmissionBreakerTripped,
    #[msg("Fee split must sum to exactly 10,000 bps (treasury + stakers + burn)")]
    InvalidFeeSplit,
    #[msg("Reward pool would pay out more than it received")]
    RewardPoolExhausted,
    #[msg("Nothing to claim yet")]
    NothingToClaim,
    #[msg("Position has unclaimed rewards; claim them before withdrawing")]
    UnclaimedRewards,
    #[msg("Provider has unclaimed co-stake commission; claim it before closing")]
    UnclaimedCommission,

    // ---- keepers and device rewards -----------------------------------------
    #[msg("Signer is not an admitted keeper")]
    NotAdmittedKeeper,
    #[msg("Signer is not the keeper admin")]
    NotKeeperAdmin,
    #[msg("Signer is not the arbiter")]
    NotArbiter,
    #[msg("Keeper bond is below the minimum")]
    KeeperBondTooSmall,
    #[msg("Keeper has usage proofs that have not settled; remove it once they have")]
    KeeperHasOpenProofs,
    #[msg("Device rewards can only be posted for an epoch that has ended")]
    EpochNotClosed,
    #[msg("Device rewards for this epoch were already posted")]
    DeviceRewardsAlreadyPosted,
    #[msg("Device rewards exceed the unallocated device reward pool")]
    DeviceRewardsExceedPool,
    #[msg("No device rewards have been posted for this epoch yet")]
    DeviceRewardsNotPosted,
    #[msg("Merkle proof does not lead to the epoch's device reward root")]
    InvalidMerkleProof,
    #[msg("This device's reward for this epoch was already claimed")]
    DeviceRewardAlreadyClaimed,
    #[msg("Claims would exceed the total posted for this epoch")]
    DeviceRewardsExhausted,
    #[msg("Destination token account is not owned by the reward's recipient")]
    WrongRewardDestination,

    // ---- market -----------------------------------------------------------
    #[msg("Lease hours must be between 1 and 8,760")]
    InvalidLeaseHours,
    #[msg("Lease is not Open (it already has devices, or has ended)")]
    LeaseNotOpen,
    #[msg("Lease is not Active")]
    LeaseNotActive,
    #[msg("Lease is closed")]
    LeaseClosed,
    #[msg("Signer is not the lease's client")]
    NotLeaseClient,
    #[msg("Only the client may close a lease before its end")]
    LeaseNotEnded,
    #[msg("Device is not Idle")]
    DeviceNotIdle,
    #[msg("Device's GPU model is not the lease's")]
    ModelMismatch,
    #[msg("Device's provider is not in the lease's region")]
    RegionMismatch,
    #[msg("Device's price per GPU-hour is above the lease's maximum")]
    PriceAboveMax,
    #[msg("Device's reliability is below the lease's minimum")]
    ReliabilityTooLow,
    #[msg("Assigned devices' GPUs do not add up to the lease's GPU count")]
    GpuCountMismatch,
    #[msg("The same account is passed twice")]
    DuplicateAccount,
    #[msg("Account is not one of the lease's devices or their providers")]
    LeaseAccountMismatch,
    #[msg("Device does not serve this lease")]
    DeviceNotInLease,
    #[msg("Proof sequence number must be exactly the device's next one")]
    ProofSeqMismatch,
    #[msg("Proof period must lie within the lease, after the device's last proof, and not in the future")]
    InvalidProofPeriod,
    #[msg("Device time exceeds the period length times the device's GPUs")]
    DeviceTimeExceedsPeriod,
    #[msg("Lease escrow cannot cover this proof; the client must top up")]
    EscrowExhausted,
    #[msg("Proof is still time-locked; finalize at or after unlock_at")]
    ProofLocked,
    #[msg("Proof is disputed; it cannot be finalized until the dispute is resolved")]
    ProofDisputed,
    #[msg("The dispute window of this proof has closed")]
    DisputeWindowClosed,
    #[msg("A proposal of changes runs with execute_proposal, a proposal of a role instruction with execute_proposal_call")]
    WrongProposalKind,
    #[msg("Dispute bond is below the minimum")]
    DisputeBondTooSmall,
    #[msg("Destination is not owned by the party it pays")]
    WrongPayee,
    #[msg("GEMM operand is empty, longer than 128, or of another length than the other operand")]
    InvalidGemmOperand,
    #[msg("Submit both the row of A and the column of B before proving fraud")]
    GemmOperandsMissing,
    #[msg(
        "This proof has as many open disputes as it can hold (8); wait for the arbiter's verdicts"
    )]
    TooManyDisputes,

    // ---- governance -------------------------------------------------------
    #[msg("A proposal changes a parameter beyond the program's hard bounds")]
    ChangeOutOfBounds,
    #[msg("A proposal needs 1 to 4 changes and a description of at most 200 bytes")]
    InvalidProposal,
    #[msg("Position's voting weight is below the minimum to propose")]
    WeightTooLowToPropose,
    #[msg("Voting on this proposal has ended")]
    VotingEnded,
    #[msg("Voting on this proposal has not ended yet")]
    VotingNotEnded,
    #[msg("This position already voted on this proposal")]
    AlreadyVoted,
    #[msg("Position was created after the proposal started and has no weight for it")]
    PositionCreatedAfterProposal,
    #[msg("Position is unstaking and cannot vote")]
    PositionUnstaking,
    #[msg("Proposal is not in the state this needs")]
    InvalidProposalState,
    #[msg("The timelock after the vote has not passed yet")]
    TimelockNotPassed,
    #[msg("Governance is not the config authority yet; hand over first")]
    GovernanceNotInControl,
    #[msg("Only the proposer may cancel, and only before any vote")]
    CannotCancel,

    // ---- accounts ---------------------------------------------------------
    #[msg("Token account has the wrong mint")]
    WrongMint,
    #[msg("Account is not the protocol vault it claims to be")]
    WrongVault,

    // ---- trust model v2 ---------------------------------------------------
    #[msg("The instruction before this one must be the Ed25519 program verifying the device's worker signature")]
    WorkerSignatureMissing,
    #[msg("The Ed25519 instruction verifies another key or another message than this device's worker attestation")]
    WorkerSignatureMismatch,
    #[msg("A worker key must be set (not the default key)")]
    InvalidWorkerKey,
    #[msg(
        "Device has usage proofs that are not settled yet; wait until they finalize or are voided"
    )]
    DeviceHasOpenProofs,
    #[msg("Provider has devices with open usage proofs; wait until they settle")]
    ProviderHasOpenProofs,
    #[msg("Only integer (i32) GEMM jobs with 1 <= k <= 16,384 can be proven wrong on-chain; float jobs are verified by the keeper")]
    JobNotProvable,
    #[msg("Element (i, j) is outside the job's m x n output")]
    GemmElementOutOfRange,
    #[msg("Submit the operand chunks in order, each of the length the job's k gives it")]
    GemmChunkOutOfOrder,
    #[msg(
        "A GEMM challenge is open on this proof; it cannot be finalized until the challenge ends"
    )]
    ProofUnderChallenge,
    #[msg("This GEMM challenge is still within its time; only its prover may abandon it now")]
    GemmChallengeStillOpen,
    #[msg("The GEMM challenge's time is over; it can only be abandoned")]
    GemmChallengeExpired,
    #[msg("The disputed proof still stands; the arbiter's verdict settles this dispute")]
    DisputedProofStillOpen,
    #[msg("This proposal was created before governance took over; make a new one")]
    ProposalPredatesHandover,
    #[msg("This proposal's execution window has passed; make a new one")]
    ProposalExpired,
    #[msg("Only the lease's keeper may post its proofs (another keeper may take it over once it is gone or silent)")]
    NotLeaseKeeper,
    #[msg("The closed lease's holdback has ended; its unproven time went back to the client")]
    HoldbackExpired,
    #[msg("The keeper's bond is under the minimum; top it up or leave")]
    KeeperBondDepleted,
    #[msg("The lease's keeper is still serving it; take over only after it is gone or silent")]
    KeeperStillServing,
    #[msg("Every dispute of this proof was rejected; it is not disputed again (a GEMM fraud proof can still void it)")]
    ProofAlreadyCleared,
    #[msg("This epoch's device rewards are still in their dispute window; claim after it")]
    DeviceRewardsLocked,
    #[msg("This epoch's device-reward claims have closed; the unclaimed rewards went back to the pool")]
    DeviceRewardsExpired,
    #[msg("Device-reward claims for this epoch are still open")]
    DeviceClaimsStillOpen,
    #[msg("At the handover the arbiter, keeper admin and price authority must go to other keys than the deployer's")]
    RoleStaysWithDeployer,
    #[msg("This device's check for this epoch is recorded already")]
    DeviceAlreadyChecked,
    #[msg("Pass one device account per outcome, at most 20, each once")]
    InvalidCheckBatch,
    #[msg("Device checks are recorded for the current epoch only")]
    WrongCheckEpoch,
    #[msg("This device is jailed for failed checks; it earns no rewards until it passes one")]
    DeviceJailed,
    #[msg("A governance call runs one role instruction of this program (resolve_dispute, void_device_rewards, admit_keeper, remove_keeper, update_price, slash, set_oracle, set_gpu_models), with at most 20 accounts and 160 bytes of data, and never names its proposal or writes the governance account")]
    InvalidGovernanceCall,
    #[msg("Pass the proposal's call accounts, in its order, after the fixed accounts")]
    CallAccountsMismatch,

    // ---- invariants (a failure here is a program bug; report it) ----------
    #[msg("Lease books do not balance: deposited != escrow + paid out + fees + refunded, or more reserved than escrowed")]
    LeaseBooksUnbalanced,
    #[msg("Provider stake pool is inconsistent: shares, positions or reward weight out of step")]
    ProviderBooksUnbalanced,
}
