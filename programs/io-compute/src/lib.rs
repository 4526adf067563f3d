//! IO Compute: on-chain settlement for a decentralized GPU cloud.
//!
//! This file is the table of contents: each instruction delegates to its own
//! file under `instructions/<subject>/`, and its one-line doc is carried into
//! the IDL.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod gemm;
pub mod instructions;
pub mod math;
pub mod merkle;
#[cfg(not(target_os = "solana"))]
pub mod native;
pub mod oracle;
pub mod pda_create;
pub mod receipt;
pub mod signature;
pub mod state;
pub mod vault;

pub use instructions::*;
pub use state::*;

declare_id!("BnF6zjTSa3YKgvjG3NcG9zk1cbd57tonik4oKKbzB2K1");

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "IO Compute",
    project_url: "https://github.com/io-compute/io-compute",
    contacts: "email:security@io-compute.dev",
    policy: "https://github.com/io-compute/io-compute/blob/main/docs/security.md",
    source_code: "https://github.com/io-compute/io-compute",
    auditors: "None"
}

#[program]
pub mod io_compute {
    use super::*;

    // ---- admin: protocol set-up by the config authority --------------------

    /// Creates the config, the two mints and the protocol vaults; only the program's upgrade authority may call it, once.
    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        Initialize::handle(ctx, args)
    }

    /// Replaces the GPU model table (reward multiplier and reference TFLOP/s per model); config authority only.
    pub fn set_gpu_models(ctx: Context<SetGpuModels>, args: SetGpuModelsArgs) -> Result<()> {
        SetGpuModels::handle(ctx, args)
    }

    /// Sets the IO/USD price source (authority feed or Pyth account) and its staleness and confidence limits.
    pub fn set_oracle(ctx: Context<SetOracle>, args: OracleConfig) -> Result<()> {
        SetOracle::handle(ctx, args)
    }

    /// Creates the tokenomics account: emission schedule, circuit breakers, fee split and reward pools.
    pub fn init_tokenomics(ctx: Context<InitTokenomics>, args: TokenomicsParams) -> Result<()> {
        InitTokenomics::handle(ctx, args)
    }

    /// Slashes a provider's stake pool by a share, the provider's own stake first; config authority only.
    pub fn slash(ctx: Context<Slash>, args: SlashArgs) -> Result<()> {
        Slash::handle(ctx, args)
    }

    // ---- provider: GPU providers and their devices -------------------------

    /// Registers the signer as a GPU provider with a name, region and endpoint.
    pub fn register_provider(ctx: Context<RegisterProvider>, args: ProviderProfile) -> Result<()> {
        RegisterProvider::handle(ctx, args)
    }

    /// Updates a provider's profile and its co-stakers' reward share (a lower share applies after a notice period).
    pub fn update_provider(ctx: Context<UpdateProvider>, args: ProviderProfile) -> Result<()> {
        UpdateProvider::handle(ctx, args)
    }

    /// Closes a provider with no devices, no stake and no unclaimed commission; rent goes back to its authority.
    pub fn close_provider(ctx: Context<CloseProvider>) -> Result<()> {
        CloseProvider::handle(ctx)
    }

    /// Adds a device (GPU model, count, VRAM, price per GPU-hour in IOSD) to the signer's provider.
    pub fn add_device(ctx: Context<AddDevice>, args: DeviceSpec) -> Result<()> {
        AddDevice::handle(ctx, args)
    }

    /// Changes an idle device's price or takes it offline or back online.
    pub fn update_device(ctx: Context<UpdateDevice>, args: UpdateDeviceArgs) -> Result<()> {
        UpdateDevice::handle(ctx, args)
    }

    /// Removes a device that is not leased; rent goes back to the provider.
    pub fn remove_device(ctx: Context<RemoveDevice>) -> Result<()> {
        RemoveDevice::handle(ctx)
    }

    /// Pays the provider the commission it earned on its co-stakers' rewards.
    pub fn claim_commission(ctx: Context<ClaimCommission>) -> Result<()> {
        ClaimCommission::handle(ctx)
    }

    // ---- staking: IO stake behind providers --------------------------------

    /// Stakes IO behind the signer's own provider, with an optional lockup that raises the reward multiplier.
    pub fn stake(ctx: Context<Stake>, args: StakeArgs) -> Result<()> {
        Stake::handle(ctx, args)
    }

    /// Stakes IO behind another provider and earns the co-stake share of that stake's rewards.
    pub fn co_stake(ctx: Context<Stake>, args: StakeArgs) -> Result<()> {
        CoStake::handle(ctx, args)
    }

    /// Starts the cooldown on a stake position once its lockup has ended (a co-stake position made before a share cut was announced, at any time); a co-staker is never held by the provider's leases.
    pub fn request_unstake(ctx: Context<RequestUnstake>) -> Result<()> {
        RequestUnstake::handle(ctx)
    }

    /// Returns an unstaked position's IO after the cooldown and closes the position.
    pub fn withdraw(ctx: Context<Withdraw>) -> Result<()> {
        Withdraw::handle(ctx)
    }

    /// Pays a stake position its IO emission and IOSD fee rewards.
    pub fn claim_rewards(ctx: Context<ClaimRewards>) -> Result<()> {
        ClaimRewards::handle(ctx)
    }

    /// Anyone ends the reward multiplier of a position whose lockup is over; it earns at 1x from then on.
    pub fn expire_lockup(ctx: Context<ExpireLockup>) -> Result<()> {
        ExpireLockup::handle(ctx)
    }

    // ---- tokenomics: price, IOSD, epochs and emissions ---------------------

    /// Publishes the IO/USD price and confidence; price authority only.
    pub fn update_price(ctx: Context<UpdatePrice>, args: UpdatePriceArgs) -> Result<()> {
        UpdatePrice::handle(ctx, args)
    }

    /// Burns IO at the oracle price and mints the same USD value of IOSD, within the IOSD circuit breaker.
    pub fn burn_io_for_iosd(ctx: Context<BurnIoForIosd>, args: BurnArgs) -> Result<()> {
        BurnIoForIosd::handle(ctx, args)
    }

    /// Ends the current epoch once its time has passed: mints the epoch's IO emission for stakers and devices. Anyone may call.
    pub fn advance_epoch(ctx: Context<AdvanceEpoch>) -> Result<()> {
        AdvanceEpoch::handle(ctx)
    }

    /// Pays a device's epoch reward by Merkle proof against the keeper-posted root, once, after the root's dispute window and before its claims close.
    pub fn claim_device_reward(
        ctx: Context<ClaimDeviceReward>,
        args: ClaimDeviceRewardArgs,
    ) -> Result<()> {
        ClaimDeviceReward::handle(ctx, args)
    }

    /// Anyone returns an epoch's unclaimed device rewards to the device pool once its claims have closed.
    pub fn expire_device_rewards(
        ctx: Context<ExpireDeviceRewards>,
        args: ExpireDeviceRewardsArgs,
    ) -> Result<()> {
        ExpireDeviceRewards::handle(ctx, args)
    }

    // ---- lease: a client's cluster and its escrow --------------------------

    /// Opens a lease (a cluster): the client deposits IOSD for GPUs x hours x max price plus the client fee into escrow.
    pub fn create_lease(ctx: Context<CreateLease>, spec: LeaseSpec) -> Result<()> {
        CreateLease::handle(ctx, spec)
    }

    /// Opens a lease paid in IO: the IO is burned at the oracle price and the IOSD minted straight into escrow.
    pub fn create_lease_with_io(
        ctx: Context<CreateLeaseWithIo>,
        args: CreateLeaseWithIoArgs,
    ) -> Result<()> {
        CreateLeaseWithIo::handle(ctx, args)
    }

    /// Adds IOSD to a lease's escrow.
    pub fn top_up_lease(ctx: Context<TopUpLease>, args: TopUpLeaseArgs) -> Result<()> {
        TopUpLease::handle(ctx, args)
    }

    /// Cancels an open, unassigned lease and refunds its whole escrow to the client.
    pub fn cancel_lease(ctx: Context<CancelLease>) -> Result<()> {
        CancelLease::handle(ctx)
    }

    /// Closes a lease (the client at any time, anyone after its end): devices released, unproven time held back for its last proofs, the rest refunded.
    pub fn close_lease<'info>(ctx: Context<'info, CloseLease<'info>>) -> Result<()> {
        CloseLease::handle(ctx)
    }

    /// An admitted keeper records the current epoch's device checks (pass, fail, missed) for a batch of devices; repeated failures jail a device until it passes.
    pub fn record_device_checks<'info>(
        ctx: Context<'info, RecordDeviceChecks<'info>>,
        args: RecordDeviceChecksArgs,
    ) -> Result<()> {
        RecordDeviceChecks::handle(ctx, args)
    }

    /// Another keeper takes over a lease whose keeper is gone or has been silent for 6 hours.
    pub fn take_over_lease(ctx: Context<TakeOverLease>) -> Result<()> {
        TakeOverLease::handle(ctx)
    }

    /// An admitted keeper assigns matching idle devices to an open lease, which becomes active and is served by that keeper.
    pub fn assign_devices<'info>(
        ctx: Context<'info, AssignDevices<'info>>,
        device_count: u8,
    ) -> Result<()> {
        AssignDevices::handle(ctx, device_count)
    }

    // ---- proof: usage proofs: post, dispute, settle, GEMM fraud proofs -----

    /// The lease's keeper posts a device's worker-signed usage for a period of a lease; the amount due is reserved until the unlock time.
    pub fn post_usage_proof(ctx: Context<PostUsageProof>, args: PostUsageProofArgs) -> Result<()> {
        PostUsageProof::handle(ctx, args)
    }

    /// Disputes a usage proof before its unlock time with an IO bond in a dispute of its own; several challengers may dispute one proof.
    pub fn dispute_proof(ctx: Context<DisputeProof>, args: DisputeProofArgs) -> Result<()> {
        DisputeProof::handle(ctx, args)
    }

    /// Pays an undisputed usage proof after its unlock time: provider paid, fees split, proof closed. Anyone may call.
    pub fn finalize_proof(ctx: Context<FinalizeProof>) -> Result<()> {
        FinalizeProof::handle(ctx)
    }

    /// The arbiter upholds one dispute (proof voided, provider or keeper slashed, challenger rewarded) or rejects it (bond to the provider; the proof clears once none is left).
    pub fn resolve_dispute(ctx: Context<ResolveDispute>, args: ResolveDisputeArgs) -> Result<()> {
        ResolveDispute::handle(ctx, args)
    }

    /// Step 1 of a GEMM fraud proof: names an integer GEMM receipt under a proof's worker-signed root and the element of C to check; freezes the proof.
    pub fn open_gemm_challenge(
        ctx: Context<OpenGemmChallenge>,
        args: OpenGemmChallengeArgs,
    ) -> Result<()> {
        OpenGemmChallenge::handle(ctx, args)
    }

    /// Step 2 of a GEMM fraud proof (once per piece): the claimed element of C, or the next chunk of the row of A or column of B, with its Merkle proof.
    pub fn submit_gemm_evidence(
        ctx: Context<SubmitGemmEvidence>,
        args: SubmitGemmEvidenceArgs,
    ) -> Result<()> {
        SubmitGemmEvidence::handle(ctx, args)
    }

    /// Step 3 of a GEMM fraud proof: compares the summed element with the claim; a wrong result voids the proof as an upheld dispute.
    pub fn prove_gemm_fraud(ctx: Context<ProveGemmFraud>) -> Result<()> {
        ProveGemmFraud::handle(ctx)
    }

    /// Returns the bond of a dispute whose proof was voided another way (another dispute upheld, a GEMM fraud proof). Anyone may call.
    pub fn refund_dispute(ctx: Context<RefundDispute>) -> Result<()> {
        RefundDispute::handle(ctx)
    }

    /// Ends a GEMM challenge without a verdict (its prover at any time, anyone once it expired or its proof is gone), unfreezing the proof.
    pub fn abandon_gemm_challenge(ctx: Context<AbandonGemmChallenge>) -> Result<()> {
        AbandonGemmChallenge::handle(ctx)
    }

    // ---- keeper: bonded keepers and their reports --------------------------

    /// Admits a keeper: the keeper admin and the keeper sign, and the keeper's IO bond moves into the bond vault.
    pub fn admit_keeper(ctx: Context<AdmitKeeper>, args: AdmitKeeperArgs) -> Result<()> {
        AdmitKeeper::handle(ctx, args)
    }

    /// Removes a keeper with no open proofs (the keeper admin, or the keeper leaving on its own) and returns its remaining bond.
    pub fn remove_keeper(ctx: Context<RemoveKeeper>) -> Result<()> {
        RemoveKeeper::handle(ctx)
    }

    /// A keeper adds IO to its bond (back above the minimum after a slash, for example).
    pub fn top_up_keeper_bond(
        ctx: Context<TopUpKeeperBond>,
        args: TopUpKeeperBondArgs,
    ) -> Result<()> {
        TopUpKeeperBond::handle(ctx, args)
    }

    /// A keeper sets the URL of its API, where clients and workers reach it.
    pub fn update_keeper(ctx: Context<UpdateKeeper>, args: UpdateKeeperArgs) -> Result<()> {
        UpdateKeeper::handle(ctx, args)
    }

    /// Posts an ended epoch's device-reward Merkle root, at most that epoch's device emission; an admitted keeper, once per epoch, claimable after a dispute window.
    pub fn post_device_rewards(
        ctx: Context<PostDeviceRewards>,
        args: PostDeviceRewardsArgs,
    ) -> Result<()> {
        PostDeviceRewards::handle(ctx, args)
    }

    /// The arbiter voids an epoch's device-reward root within its dispute window; the keeper is slashed and the IO returns to the pool.
    pub fn void_device_rewards(
        ctx: Context<VoidDeviceRewards>,
        args: VoidDeviceRewardsArgs,
    ) -> Result<()> {
        VoidDeviceRewards::handle(ctx, args)
    }

    // ---- governance: IO holders vote on bounded parameter changes ----------

    /// Creates the governance account with its voting parameters; config authority only.
    pub fn init_governance(ctx: Context<InitGovernance>, args: GovernanceParams) -> Result<()> {
        InitGovernance::handle(ctx, args)
    }

    /// Hands the config authority to the governance PDA, for good, and the arbiter, keeper admin and price authority to other keys than the deployer's: from then on only proposals change parameters and roles.
    pub fn hand_over_authority(
        ctx: Context<HandOverAuthority>,
        args: HandOverAuthorityArgs,
    ) -> Result<()> {
        HandOverAuthority::handle(ctx, args)
    }

    /// Proposes up to four bounded parameter changes; the proposer's stake must carry enough voting weight.
    pub fn create_proposal(ctx: Context<CreateProposal>, args: CreateProposalArgs) -> Result<()> {
        CreateProposal::handle(ctx, args)
    }

    /// Votes yes, no or abstain on an active proposal with a stake position's weight.
    pub fn cast_vote(ctx: Context<CastVote>, choice: VoteChoice) -> Result<()> {
        CastVote::handle(ctx, choice)
    }

    /// Releases a stake position from a vote once the proposal has ended, so it can unstake.
    pub fn relinquish_vote(ctx: Context<RelinquishVote>) -> Result<()> {
        RelinquishVote::handle(ctx)
    }

    /// Counts an ended proposal: succeeded when quorum and approval are met, defeated otherwise. Anyone may call.
    pub fn finalize_proposal(ctx: Context<FinalizeProposal>) -> Result<()> {
        FinalizeProposal::handle(ctx)
    }

    /// Applies a succeeded proposal's changes after its timelock, checked again against the hard bounds. Anyone may call.
    pub fn execute_proposal(ctx: Context<ExecuteProposal>) -> Result<()> {
        ExecuteProposal::handle(ctx)
    }

    /// Runs a succeeded proposal's role instruction after its timelock, the program signing as governance (arbiter, keeper admin, price or config authority). Anyone may call.
    pub fn execute_proposal_call<'info>(
        ctx: Context<'info, ExecuteProposalCall<'info>>,
    ) -> Result<()> {
        ExecuteProposalCall::handle(ctx)
    }

    /// The proposer cancels its proposal before any vote is cast.
    pub fn cancel_proposal(ctx: Context<CancelProposal>) -> Result<()> {
        CancelProposal::handle(ctx)
    }
}
