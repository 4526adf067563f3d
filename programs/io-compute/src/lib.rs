//! IO Compute: on-chain settlement for a decentralized GPU cloud.
//!
//! This file is the table of contents: each instruction delegates to its own
//! file under `instructions/<role>/`.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod gemm;
pub mod init;
pub mod instructions;
pub mod math;
pub mod merkle;
#[cfg(not(target_os = "solana"))]
pub mod native;
pub mod oracle;
pub mod state;
pub mod vault;

pub use instructions::*;
pub use state::*;

declare_id!("BnF6zjTSa3YKgvjG3NcG9zk1cbd57tonik4oKKbzB2K1");

#[program]
pub mod io_compute {
    use super::*;

    // ---- admin ------------------------------------------------------------

    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        Initialize::handle(ctx, args)
    }

    pub fn set_gpu_models(ctx: Context<SetGpuModels>, args: SetGpuModelsArgs) -> Result<()> {
        SetGpuModels::handle(ctx, args)
    }

    pub fn slash(ctx: Context<Slash>, args: SlashArgs) -> Result<()> {
        Slash::handle(ctx, args)
    }

    pub fn set_oracle(ctx: Context<SetOracle>, args: OracleConfig) -> Result<()> {
        SetOracle::handle(ctx, args)
    }

    pub fn init_tokenomics(ctx: Context<InitTokenomics>, args: TokenomicsParams) -> Result<()> {
        InitTokenomics::handle(ctx, args)
    }

    pub fn admit_keeper(ctx: Context<AdmitKeeper>, args: AdmitKeeperArgs) -> Result<()> {
        AdmitKeeper::handle(ctx, args)
    }

    pub fn remove_keeper(ctx: Context<RemoveKeeper>) -> Result<()> {
        RemoveKeeper::handle(ctx)
    }

    pub fn init_governance(ctx: Context<InitGovernance>, args: GovernanceParams) -> Result<()> {
        InitGovernance::handle(ctx, args)
    }

    pub fn hand_over_authority(ctx: Context<HandOverAuthority>) -> Result<()> {
        HandOverAuthority::handle(ctx)
    }

    pub fn resolve_dispute(ctx: Context<ResolveDispute>, args: ResolveDisputeArgs) -> Result<()> {
        ResolveDispute::handle(ctx, args)
    }

    // ---- provider ---------------------------------------------------------

    pub fn register_provider(ctx: Context<RegisterProvider>, args: ProviderProfile) -> Result<()> {
        RegisterProvider::handle(ctx, args)
    }

    pub fn update_provider(ctx: Context<UpdateProvider>, args: ProviderProfile) -> Result<()> {
        UpdateProvider::handle(ctx, args)
    }

    pub fn close_provider(ctx: Context<CloseProvider>) -> Result<()> {
        CloseProvider::handle(ctx)
    }

    pub fn add_device(ctx: Context<AddDevice>, args: DeviceSpec) -> Result<()> {
        AddDevice::handle(ctx, args)
    }

    pub fn update_device(ctx: Context<UpdateDevice>, args: UpdateDeviceArgs) -> Result<()> {
        UpdateDevice::handle(ctx, args)
    }

    pub fn remove_device(ctx: Context<RemoveDevice>) -> Result<()> {
        RemoveDevice::handle(ctx)
    }

    pub fn claim_commission(ctx: Context<ClaimCommission>) -> Result<()> {
        ClaimCommission::handle(ctx)
    }

    // ---- staking ----------------------------------------------------------

    pub fn stake(ctx: Context<Stake>, args: StakeArgs) -> Result<()> {
        Stake::handle(ctx, args)
    }

    pub fn co_stake(ctx: Context<Stake>, args: StakeArgs) -> Result<()> {
        CoStake::handle(ctx, args)
    }

    pub fn request_unstake(ctx: Context<RequestUnstake>) -> Result<()> {
        RequestUnstake::handle(ctx)
    }

    pub fn withdraw(ctx: Context<Withdraw>) -> Result<()> {
        Withdraw::handle(ctx)
    }

    pub fn claim_rewards(ctx: Context<ClaimRewards>) -> Result<()> {
        ClaimRewards::handle(ctx)
    }

    // ---- tokenomics -------------------------------------------------------

    pub fn update_price(ctx: Context<UpdatePrice>, args: UpdatePriceArgs) -> Result<()> {
        UpdatePrice::handle(ctx, args)
    }

    pub fn burn_io_for_iosd(ctx: Context<BurnIoForIosd>, args: BurnArgs) -> Result<()> {
        BurnIoForIosd::handle(ctx, args)
    }

    pub fn advance_epoch(ctx: Context<AdvanceEpoch>) -> Result<()> {
        AdvanceEpoch::handle(ctx)
    }

    pub fn claim_device_reward(
        ctx: Context<ClaimDeviceReward>,
        args: ClaimDeviceRewardArgs,
    ) -> Result<()> {
        ClaimDeviceReward::handle(ctx, args)
    }

    // ---- client -----------------------------------------------------------

    pub fn create_lease(ctx: Context<CreateLease>, spec: LeaseSpec) -> Result<()> {
        CreateLease::handle(ctx, spec)
    }

    pub fn create_lease_with_io(
        ctx: Context<CreateLeaseWithIo>,
        args: CreateLeaseWithIoArgs,
    ) -> Result<()> {
        CreateLeaseWithIo::handle(ctx, args)
    }

    pub fn top_up_lease(ctx: Context<TopUpLease>, args: TopUpLeaseArgs) -> Result<()> {
        TopUpLease::handle(ctx, args)
    }

    pub fn cancel_lease(ctx: Context<CancelLease>) -> Result<()> {
        CancelLease::handle(ctx)
    }

    pub fn dispute_proof(ctx: Context<DisputeProof>, args: DisputeProofArgs) -> Result<()> {
        DisputeProof::handle(ctx, args)
    }

    pub fn close_lease<'info>(ctx: Context<'info, CloseLease<'info>>) -> Result<()> {
        CloseLease::handle(ctx)
    }

    // ---- market -----------------------------------------------------------

    pub fn finalize_proof(ctx: Context<FinalizeProof>) -> Result<()> {
        FinalizeProof::handle(ctx)
    }

    pub fn open_gemm_challenge(
        ctx: Context<OpenGemmChallenge>,
        args: OpenGemmChallengeArgs,
    ) -> Result<()> {
        OpenGemmChallenge::handle(ctx, args)
    }

    pub fn submit_gemm_operand(
        ctx: Context<SubmitGemmOperand>,
        args: SubmitGemmOperandArgs,
    ) -> Result<()> {
        SubmitGemmOperand::handle(ctx, args)
    }

    pub fn prove_gemm_fraud(ctx: Context<ProveGemmFraud>, args: ProveGemmFraudArgs) -> Result<()> {
        ProveGemmFraud::handle(ctx, args)
    }

    // ---- keeper -----------------------------------------------------------

    pub fn assign_devices<'info>(
        ctx: Context<'info, AssignDevices<'info>>,
        device_count: u8,
    ) -> Result<()> {
        AssignDevices::handle(ctx, device_count)
    }

    pub fn post_usage_proof(ctx: Context<PostUsageProof>, args: PostUsageProofArgs) -> Result<()> {
        PostUsageProof::handle(ctx, args)
    }

    pub fn post_device_rewards(
        ctx: Context<PostDeviceRewards>,
        args: PostDeviceRewardsArgs,
    ) -> Result<()> {
        PostDeviceRewards::handle(ctx, args)
    }

    // ---- governance -------------------------------------------------------

    pub fn create_proposal(ctx: Context<CreateProposal>, args: CreateProposalArgs) -> Result<()> {
        CreateProposal::handle(ctx, args)
    }

    pub fn cast_vote(ctx: Context<CastVote>, choice: VoteChoice) -> Result<()> {
        CastVote::handle(ctx, choice)
    }

    pub fn relinquish_vote(ctx: Context<RelinquishVote>) -> Result<()> {
        RelinquishVote::handle(ctx)
    }

    pub fn finalize_proposal(ctx: Context<FinalizeProposal>) -> Result<()> {
        FinalizeProposal::handle(ctx)
    }

    pub fn execute_proposal(ctx: Context<ExecuteProposal>) -> Result<()> {
        ExecuteProposal::handle(ctx)
    }

    pub fn cancel_proposal(ctx: Context<CancelProposal>) -> Result<()> {
        CancelProposal::handle(ctx)
    }
}
