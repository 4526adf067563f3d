//! Instruction builders. Account lists come from the program's generated
//! `accounts::*` structs and data from `instruction::*`, with every PDA
//! derived here, so a caller names only the keys it chooses.

use crate::pda;
use anchor_lang::{
    prelude::{AccountMeta, Pubkey},
    solana_program::instruction::Instruction,
    system_program, InstructionData, ToAccountMetas,
};
use io_compute::{
    accounts, instruction,
    state::{
        DeviceSpec, GovernanceParams, GpuModel, LeaseSpec, OracleConfig, ProviderProfile,
        TokenomicsParams, VoteChoice,
    },
    AdmitKeeperArgs, BurnArgs, ClaimDeviceRewardArgs, CreateLeaseWithIoArgs, CreateProposalArgs,
    DisputeProofArgs, InitializeArgs, OpenGemmChallengeArgs, PostDeviceRewardsArgs,
    PostUsageProofArgs, ProveGemmFraudArgs, ResolveDisputeArgs, SetGpuModelsArgs, SlashArgs,
    StakeArgs, SubmitGemmOperandArgs, TopUpLeaseArgs, UpdateDeviceArgs, UpdatePriceArgs, ID,
};

const TOKEN_PROGRAM: Pubkey = spl_token_interface::ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `initialize`: the genesis supply goes to `genesis_owner`'s IO associated
/// token account, created by this instruction.
pub fn initialize(authority: Pubkey, genesis_owner: Pubkey, args: InitializeArgs) -> Instruction {
    let io_mint = pda::io_mint();
    build(
        accounts::Initialize {
            authority,
            config: pda::config(),
            gpu_models: pda::gpu_models(),
            market: pda::market(),
            vault_authority: pda::vault_authority(),
            io_mint,
            iosd_mint: pda::iosd_mint(),
            stake_vault: pda::stake_vault(),
            rewards_vault: pda::rewards_vault(),
            treasury_io_vault: pda::treasury_io_vault(),
            escrow_vault: pda::escrow_vault(),
            treasury_iosd_vault: pda::treasury_iosd_vault(),
            rewards_iosd_vault: pda::rewards_iosd_vault(),
            bond_vault: pda::bond_vault(),
            genesis_owner,
            genesis_token: pda::associated_token(&genesis_owner, &io_mint),
            program: ID,
            program_data: pda::program_data(),
            token_program: TOKEN_PROGRAM,
            associated_token_program: spl_associated_token_account_interface::program::ID,
            system_program: system_program::ID,
        },
        instruction::Initialize { args },
    )
}

pub fn set_gpu_models(authority: Pubkey, models: Vec<GpuModel>) -> Instruction {
    build(
        accounts::SetGpuModels {
            authority,
            config: pda::config(),
            gpu_models: pda::gpu_models(),
        },
        instruction::SetGpuModels {
            args: SetGpuModelsArgs { models },
        },
    )
}

/// `slash`: IO goes to the config's slash destination (by default the IO
/// treasury vault), passed explicitly because governance may change it.
pub fn slash(
    authority: Pubkey,
    provider: Pubkey,
    slash_destination: Pubkey,
    amount: u64,
) -> Instruction {
    build(
        accounts::Slash {
            authority,
            config: pda::config(),
            provider,
            tokenomics: pda::tokenomics(),
            stake_vault: pda::stake_vault(),
            slash_destination,
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::Slash {
            args: SlashArgs { amount },
        },
    )
}

pub fn register_provider(authority: Pubkey, profile: ProviderProfile) -> Instruction {
    build(
        accounts::RegisterProvider {
            authority,
            provider: pda::provider(&authority),
            system_program: system_program::ID,
        },
        instruction::RegisterProvider { args: profile },
    )
}

pub fn update_provider(authority: Pubkey, profile: ProviderProfile) -> Instruction {
    build(
        accounts::UpdateProvider {
            authority,
            provider: pda::provider(&authority),
            tokenomics: pda::tokenomics(),
        },
        instruction::UpdateProvider { args: profile },
    )
}

pub fn close_provider(authority: Pubkey) -> Instruction {
    build(
        accounts::CloseProvider {
            authority,
            provider: pda::provider(&authority),
        },
        instruction::CloseProvider {},
    )
}

/// `add_device`: `index` must be the provider's `next_device_index`.
pub fn add_device(authority: Pubkey, index: u32, spec: DeviceSpec) -> Instruction {
    let provider = pda::provider(&authority);
    build(
        accounts::AddDevice {
            authority,
            config: pda::config(),
            gpu_models: pda::gpu_models(),
            provider,
            device: pda::device(&provider, index),
            system_program: system_program::ID,
        },
        instruction::AddDevice { args: spec },
    )
}

pub fn update_device(authority: Pubkey, index: u32, args: UpdateDeviceArgs) -> Instruction {
    let provider = pda::provider(&authority);
    build(
        accounts::UpdateDevice {
            authority,
            provider,
            device: pda::device(&provider, index),
        },
        instruction::UpdateDevice { args },
    )
}

pub fn remove_device(authority: Pubkey, index: u32) -> Instruction {
    let provider = pda::provider(&authority);
    build(
        accounts::RemoveDevice {
            authority,
            provider,
            device: pda::device(&provider, index),
        },
        instruction::RemoveDevice {},
    )
}

fn stake_accounts(owner: Pubkey, provider: Pubkey, source: Pubkey, nonce: u64) -> accounts::Stake {
    accounts::Stake {
        owner,
        config: pda::config(),
        provider,
        tokenomics: pda::tokenomics(),
        position: pda::stake_position(&owner, &provider, nonce),
        source,
        stake_vault: pda::stake_vault(),
        io_mint: pda::io_mint(),
        token_program: TOKEN_PROGRAM,
        system_program: system_program::ID,
    }
}

/// `stake` by the provider's own authority, from `source` (an IO account).
pub fn stake(owner: Pubkey, source: Pubkey, args: StakeArgs) -> Instruction {
    let provider = pda::provider(&owner);
    build(
        stake_accounts(owner, provider, source, args.nonce),
        instruction::Stake { args },
    )
}

/// `co_stake` behind `provider` (the provider account, not its authority).
pub fn co_stake(owner: Pubkey, provider: Pubkey, source: Pubkey, args: StakeArgs) -> Instruction {
    build(
        stake_accounts(owner, provider, source, args.nonce),
        instruction::CoStake { args },
    )
}

pub fn request_unstake(owner: Pubkey, provider: Pubkey, nonce: u64) -> Instruction {
    build(
        accounts::RequestUnstake {
            owner,
            config: pda::config(),
            provider,
            tokenomics: pda::tokenomics(),
            position: pda::stake_position(&owner, &provider, nonce),
        },
        instruction::RequestUnstake {},
    )
}

pub fn withdraw(owner: Pubkey, provider: Pubkey, nonce: u64, destination: Pubkey) -> Instruction {
    build(
        accounts::Withdraw {
            owner,
            config: pda::config(),
            provider,
            tokenomics: pda::tokenomics(),
            position: pda::stake_position(&owner, &provider, nonce),
            destination,
            stake_vault: pda::stake_vault(),
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::Withdraw {},
    )
}

pub fn set_oracle(authority: Pubkey, oracle: OracleConfig) -> Instruction {
    build(
        accounts::SetOracle {
            authority,
            config: pda::config(),
            price_feed: pda::price_feed(),
            system_program: system_program::ID,
        },
        instruction::SetOracle { args: oracle },
    )
}

pub fn init_tokenomics(authority: Pubkey, params: TokenomicsParams) -> Instruction {
    build(
        accounts::InitTokenomics {
            authority,
            config: pda::config(),
            tokenomics: pda::tokenomics(),
            epoch: pda::epoch(0),
            system_program: system_program::ID,
        },
        instruction::InitTokenomics { args: params },
    )
}

pub fn update_price(price_authority: Pubkey, price: i64, conf: u64, expo: i32) -> Instruction {
    build(
        accounts::UpdatePrice {
            price_authority,
            config: pda::config(),
            price_feed: pda::price_feed(),
        },
        instruction::UpdatePrice {
            args: UpdatePriceArgs { price, conf, expo },
        },
    )
}

/// `burn_io_for_iosd`: `price` is the configured source (the authority
/// price feed PDA, or a Pyth price update account); `current_epoch` is
/// `Tokenomics.current_epoch`.
pub fn burn_io_for_iosd(
    owner: Pubkey,
    source: Pubkey,
    destination: Pubkey,
    price: Pubkey,
    current_epoch: u64,
    args: BurnArgs,
) -> Instruction {
    build(
        burn_accounts(owner, source, destination, price, current_epoch),
        instruction::BurnIoForIosd { args },
    )
}

fn burn_accounts(
    owner: Pubkey,
    source: Pubkey,
    destination: Pubkey,
    price: Pubkey,
    current_epoch: u64,
) -> accounts::BurnIoForIosd {
    accounts::BurnIoForIosd {
        owner,
        config: pda::config(),
        tokenomics: pda::tokenomics(),
        epoch: pda::epoch(current_epoch),
        price,
        io_mint: pda::io_mint(),
        iosd_mint: pda::iosd_mint(),
        source,
        destination,
        vault_authority: pda::vault_authority(),
        token_program: TOKEN_PROGRAM,
    }
}

/// `advance_epoch`: `current_epoch` is `Tokenomics.current_epoch`.
pub fn advance_epoch(cranker: Pubkey, current_epoch: u64) -> Instruction {
    build(
        accounts::AdvanceEpoch {
            cranker,
            config: pda::config(),
            tokenomics: pda::tokenomics(),
            current: pda::epoch(current_epoch),
            next: pda::epoch(current_epoch + 1),
            io_mint: pda::io_mint(),
            rewards_vault: pda::rewards_vault(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
            system_program: system_program::ID,
        },
        instruction::AdvanceEpoch {},
    )
}

fn reward_payout(io_destination: Pubkey, iosd_destination: Pubkey) -> accounts::RewardPayout {
    accounts::RewardPayout {
        config: pda::config(),
        io_destination,
        iosd_destination,
        rewards_vault: pda::rewards_vault(),
        rewards_iosd_vault: pda::rewards_iosd_vault(),
        io_mint: pda::io_mint(),
        iosd_mint: pda::iosd_mint(),
        vault_authority: pda::vault_authority(),
        token_program: TOKEN_PROGRAM,
    }
}

/// `claim_rewards`: pays the position's IO and IOSD rewards to the given
/// accounts (both must exist, whatever the amounts).
pub fn claim_rewards(
    owner: Pubkey,
    provider: Pubkey,
    nonce: u64,
    io_destination: Pubkey,
    iosd_destination: Pubkey,
) -> Instruction {
    build(
        accounts::ClaimRewards {
            owner,
            provider,
            tokenomics: pda::tokenomics(),
            position: pda::stake_position(&owner, &provider, nonce),
            payout: reward_payout(io_destination, iosd_destination),
        },
        instruction::ClaimRewards {},
    )
}

pub fn claim_commission(
    authority: Pubkey,
    io_destination: Pubkey,
    iosd_destination: Pubkey,
) -> Instruction {
    build(
        accounts::ClaimCommission {
            authority,
            provider: pda::provider(&authority),
            tokenomics: pda::tokenomics(),
            payout: reward_payout(io_destination, iosd_destination),
        },
        instruction::ClaimCommission {},
    )
}

/// `admit_keeper`: signed by the config authority and the keeper, whose
/// `bond_source` pays the bond.
pub fn admit_keeper(
    authority: Pubkey,
    keeper_authority: Pubkey,
    bond_source: Pubkey,
    bond: u64,
) -> Instruction {
    build(
        accounts::AdmitKeeper {
            authority,
            config: pda::config(),
            keeper_authority,
            keeper: pda::keeper(&keeper_authority),
            bond_source,
            bond_vault: pda::bond_vault(),
            io_mint: pda::io_mint(),
            token_program: TOKEN_PROGRAM,
            system_program: system_program::ID,
        },
        instruction::AdmitKeeper {
            args: AdmitKeeperArgs { bond },
        },
    )
}

pub fn remove_keeper(
    authority: Pubkey,
    keeper_authority: Pubkey,
    bond_destination: Pubkey,
) -> Instruction {
    build(
        accounts::RemoveKeeper {
            authority,
            config: pda::config(),
            keeper: pda::keeper(&keeper_authority),
            keeper_authority,
            bond_destination,
            bond_vault: pda::bond_vault(),
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::RemoveKeeper {},
    )
}

pub fn post_device_rewards(keeper_authority: Pubkey, args: PostDeviceRewardsArgs) -> Instruction {
    build(
        accounts::PostDeviceRewards {
            keeper_authority,
            keeper: pda::keeper(&keeper_authority),
            tokenomics: pda::tokenomics(),
            epoch: pda::epoch(args.epoch),
        },
        instruction::PostDeviceRewards { args },
    )
}

/// `claim_device_reward`: `destination` is an IO account owned by the
/// leaf's owner; `payer` pays the claim receipt's rent.
pub fn claim_device_reward(
    payer: Pubkey,
    device: Pubkey,
    destination: Pubkey,
    args: ClaimDeviceRewardArgs,
) -> Instruction {
    build(
        accounts::ClaimDeviceReward {
            payer,
            config: pda::config(),
            tokenomics: pda::tokenomics(),
            epoch: pda::epoch(args.epoch),
            device,
            claim: pda::device_claim(args.epoch, &device),
            destination,
            rewards_vault: pda::rewards_vault(),
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
            system_program: system_program::ID,
        },
        instruction::ClaimDeviceReward { args },
    )
}

/// Appends `[devices..., providers...]` as writable remaining accounts.
fn with_devices(mut ix: Instruction, devices: &[Pubkey], providers: &[Pubkey]) -> Instruction {
    ix.accounts.extend(
        devices
            .iter()
            .chain(providers)
            .map(|key| AccountMeta::new(*key, false)),
    );
    ix
}

/// `create_lease` paid in IOSD from `source`; `id` is `Market.next_lease_id`.
pub fn create_lease(client: Pubkey, source: Pubkey, id: u64, spec: LeaseSpec) -> Instruction {
    build(
        accounts::CreateLease {
            client,
            config: pda::config(),
            market: pda::market(),
            lease: pda::lease(id),
            source,
            escrow_vault: pda::escrow_vault(),
            iosd_mint: pda::iosd_mint(),
            token_program: TOKEN_PROGRAM,
            system_program: system_program::ID,
        },
        instruction::CreateLease { spec },
    )
}

/// `create_lease_with_io`: burns IO from `io_source` at the price of
/// `price` (the configured oracle account) for the deposit.
pub fn create_lease_with_io(
    client: Pubkey,
    io_source: Pubkey,
    id: u64,
    price: Pubkey,
    current_epoch: u64,
    args: CreateLeaseWithIoArgs,
) -> Instruction {
    build(
        accounts::CreateLeaseWithIo {
            client,
            market: pda::market(),
            lease: pda::lease(id),
            burn: burn_accounts(client, io_source, pda::escrow_vault(), price, current_epoch),
            system_program: system_program::ID,
        },
        instruction::CreateLeaseWithIo { args },
    )
}

pub fn top_up_lease(client: Pubkey, id: u64, source: Pubkey, amount: u64) -> Instruction {
    build(
        accounts::TopUpLease {
            client,
            config: pda::config(),
            market: pda::market(),
            lease: pda::lease(id),
            source,
            escrow_vault: pda::escrow_vault(),
            iosd_mint: pda::iosd_mint(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::TopUpLease {
            args: TopUpLeaseArgs { amount },
        },
    )
}

fn lease_refund(client_destination: Pubkey) -> accounts::LeaseRefund {
    accounts::LeaseRefund {
        config: pda::config(),
        market: pda::market(),
        client_destination,
        escrow_vault: pda::escrow_vault(),
        iosd_mint: pda::iosd_mint(),
        vault_authority: pda::vault_authority(),
        token_program: TOKEN_PROGRAM,
    }
}

pub fn cancel_lease(client: Pubkey, id: u64, destination: Pubkey) -> Instruction {
    build(
        accounts::CancelLease {
            client,
            lease: pda::lease(id),
            refund: lease_refund(destination),
        },
        instruction::CancelLease {},
    )
}

/// `close_lease`: `devices` in the lease's order, then their providers
/// (each once); both empty when the lease is already Closed.
pub fn close_lease(
    closer: Pubkey,
    client: Pubkey,
    id: u64,
    destination: Pubkey,
    devices: &[Pubkey],
    providers: &[Pubkey],
) -> Instruction {
    let ix = build(
        accounts::CloseLease {
            closer,
            client,
            lease: pda::lease(id),
            refund: lease_refund(destination),
        },
        instruction::CloseLease {},
    );
    with_devices(ix, devices, providers)
}

/// `assign_devices`: `devices`, then their providers (each once).
pub fn assign_devices(
    keeper_authority: Pubkey,
    id: u64,
    devices: &[Pubkey],
    providers: &[Pubkey],
) -> Instruction {
    let ix = build(
        accounts::AssignDevices {
            keeper_authority,
            keeper: pda::keeper(&keeper_authority),
            lease: pda::lease(id),
        },
        instruction::AssignDevices {
            device_count: devices.len() as u8,
        },
    );
    with_devices(ix, devices, providers)
}

pub fn post_usage_proof(
    keeper_authority: Pubkey,
    id: u64,
    device: Pubkey,
    args: PostUsageProofArgs,
) -> Instruction {
    let lease = pda::lease(id);
    build(
        accounts::PostUsageProof {
            keeper_authority,
            keeper: pda::keeper(&keeper_authority),
            config: pda::config(),
            lease,
            device,
            proof: pda::usage_proof(&lease, &device, args.seq),
            system_program: system_program::ID,
        },
        instruction::PostUsageProof { args },
    )
}

/// The accounts a usage proof names, as `finalize_proof` and the dispute
/// instructions need them.
#[derive(Clone, Copy, Debug)]
pub struct ProofKeys {
    pub lease_id: u64,
    pub device: Pubkey,
    pub provider: Pubkey,
    pub seq: u32,
    /// The keeper authority that posted the proof.
    pub keeper: Pubkey,
}

impl ProofKeys {
    pub fn lease(&self) -> Pubkey {
        pda::lease(self.lease_id)
    }

    pub fn proof(&self) -> Pubkey {
        pda::usage_proof(&self.lease(), &self.device, self.seq)
    }
}

/// `finalize_proof`: pays `provider_destination` (an IOSD account of the
/// provider's authority).
pub fn finalize_proof(
    cranker: Pubkey,
    keys: ProofKeys,
    provider_destination: Pubkey,
) -> Instruction {
    build(
        accounts::FinalizeProof {
            cranker,
            config: pda::config(),
            market: pda::market(),
            tokenomics: pda::tokenomics(),
            lease: keys.lease(),
            device: keys.device,
            provider: keys.provider,
            proof: keys.proof(),
            keeper: keys.keeper,
            keeper_record: pda::keeper(&keys.keeper),
            provider_destination,
            escrow_vault: pda::escrow_vault(),
            treasury_iosd_vault: pda::treasury_iosd_vault(),
            rewards_iosd_vault: pda::rewards_iosd_vault(),
            iosd_mint: pda::iosd_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::FinalizeProof {},
    )
}

/// `dispute_proof`: the bond comes from `bond_source` (an IO account of the
/// challenger; any for a zero bond).
pub fn dispute_proof(
    challenger: Pubkey,
    keys: ProofKeys,
    bond_source: Pubkey,
    bond: u64,
) -> Instruction {
    build(
        accounts::DisputeProof {
            challenger,
            config: pda::config(),
            lease: keys.lease(),
            proof: keys.proof(),
            bond_source,
            bond_vault: pda::bond_vault(),
            io_mint: pda::io_mint(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::DisputeProof {
            args: DisputeProofArgs { bond },
        },
    )
}

/// The accounts that end a disputed proof; `io_destination` is the
/// challenger's IO account when upholding, the provider authority's when
/// rejecting.
fn proof_settlement(
    keys: ProofKeys,
    challenger: Pubkey,
    io_destination: Pubkey,
) -> accounts::ProofSettlement {
    accounts::ProofSettlement {
        config: pda::config(),
        tokenomics: pda::tokenomics(),
        lease: keys.lease(),
        device: keys.device,
        provider: keys.provider,
        proof: keys.proof(),
        keeper: pda::keeper(&keys.keeper),
        challenger,
        io_destination,
        stake_vault: pda::stake_vault(),
        bond_vault: pda::bond_vault(),
        slash_destination: pda::treasury_io_vault(),
        io_mint: pda::io_mint(),
        vault_authority: pda::vault_authority(),
        token_program: TOKEN_PROGRAM,
    }
}

/// `resolve_dispute` by the arbiter (see `proof_settlement`).
pub fn resolve_dispute(
    authority: Pubkey,
    keys: ProofKeys,
    challenger: Pubkey,
    io_destination: Pubkey,
    upheld: bool,
) -> Instruction {
    build(
        accounts::ResolveDispute {
            authority,
            settlement: proof_settlement(keys, challenger, io_destination),
        },
        instruction::ResolveDispute {
            args: ResolveDisputeArgs { upheld },
        },
    )
}

/// GEMM fraud proof, step 1: `proof` is the usage proof's address.
pub fn open_gemm_challenge(
    prover: Pubkey,
    proof: Pubkey,
    args: OpenGemmChallengeArgs,
) -> Instruction {
    build(
        accounts::OpenGemmChallenge {
            prover,
            proof,
            challenge: pda::gemm_challenge(&proof, &prover),
            system_program: system_program::ID,
        },
        instruction::OpenGemmChallenge { args },
    )
}

/// GEMM fraud proof, step 2 (once for A's row, once for B's column).
pub fn submit_gemm_operand(
    prover: Pubkey,
    proof: Pubkey,
    args: SubmitGemmOperandArgs,
) -> Instruction {
    build(
        accounts::SubmitGemmOperand {
            prover,
            challenge: pda::gemm_challenge(&proof, &prover),
        },
        instruction::SubmitGemmOperand { args },
    )
}

/// GEMM fraud proof, step 3: a wrong element voids the proof, the reward
/// going to `prover_io` (an IO account of the prover).
pub fn prove_gemm_fraud(
    prover: Pubkey,
    keys: ProofKeys,
    prover_io: Pubkey,
    args: ProveGemmFraudArgs,
) -> Instruction {
    build(
        accounts::ProveGemmFraud {
            prover,
            challenge: pda::gemm_challenge(&keys.proof(), &prover),
            settlement: proof_settlement(keys, prover, prover_io),
        },
        instruction::ProveGemmFraud { args },
    )
}

pub fn init_governance(authority: Pubkey, params: GovernanceParams) -> Instruction {
    build(
        accounts::InitGovernance {
            authority,
            config: pda::config(),
            governance: pda::governance(),
            system_program: system_program::ID,
        },
        instruction::InitGovernance { args: params },
    )
}

pub fn hand_over_authority(authority: Pubkey) -> Instruction {
    build(
        accounts::HandOverAuthority {
            authority,
            config: pda::config(),
            governance: pda::governance(),
        },
        instruction::HandOverAuthority {},
    )
}

/// `create_proposal` with the proposer's position `nonce` behind
/// `provider`; `id` is `Governance.next_proposal_id`.
pub fn create_proposal(
    proposer: Pubkey,
    provider: Pubkey,
    nonce: u64,
    id: u64,
    args: CreateProposalArgs,
) -> Instruction {
    build(
        accounts::CreateProposal {
            proposer,
            config: pda::config(),
            governance: pda::governance(),
            provider,
            position: pda::stake_position(&proposer, &provider, nonce),
            stake_vault: pda::stake_vault(),
            proposal: pda::proposal(id),
            system_program: system_program::ID,
        },
        instruction::CreateProposal { args },
    )
}

pub fn cast_vote(
    voter: Pubkey,
    proposal_id: u64,
    provider: Pubkey,
    nonce: u64,
    choice: VoteChoice,
) -> Instruction {
    let proposal = pda::proposal(proposal_id);
    let position = pda::stake_position(&voter, &provider, nonce);
    build(
        accounts::CastVote {
            voter,
            proposal,
            provider,
            position,
            vote: pda::vote(&proposal, &position),
            system_program: system_program::ID,
        },
        instruction::CastVote { choice },
    )
}

pub fn relinquish_vote(
    voter: Pubkey,
    proposal_id: u64,
    provider: Pubkey,
    nonce: u64,
) -> Instruction {
    let proposal = pda::proposal(proposal_id);
    let position = pda::stake_position(&voter, &provider, nonce);
    build(
        accounts::RelinquishVote {
            voter,
            proposal,
            position,
            vote: pda::vote(&proposal, &position),
        },
        instruction::RelinquishVote {},
    )
}

pub fn finalize_proposal(id: u64) -> Instruction {
    build(
        accounts::FinalizeProposal {
            proposal: pda::proposal(id),
        },
        instruction::FinalizeProposal {},
    )
}

pub fn execute_proposal(id: u64) -> Instruction {
    build(
        accounts::ExecuteProposal {
            config: pda::config(),
            governance: pda::governance(),
            proposal: pda::proposal(id),
        },
        instruction::ExecuteProposal {},
    )
}

pub fn cancel_proposal(proposer: Pubkey, id: u64) -> Instruction {
    build(
        accounts::CancelProposal {
            proposer,
            proposal: pda::proposal(id),
        },
        instruction::CancelProposal {},
    )
}

/// The owner's associated token account for `mint`, created if missing
/// (idempotent).
pub fn create_associated_token_account(payer: Pubkey, owner: Pubkey, mint: Pubkey) -> Instruction {
    spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent(
        &payer,
        &owner,
        &mint,
        &TOKEN_PROGRAM,
    )
}

/// An SPL `transfer_checked` of `amount` IO base units.
pub fn transfer_io(from: Pubkey, to: Pubkey, owner: Pubkey, amount: u64) -> Instruction {
    spl_token_interface::instruction::transfer_checked(
        &TOKEN_PROGRAM,
        &from,
        &pda::io_mint(),
        &to,
        &owner,
        &[],
        amount,
        io_compute::constants::IO_DECIMALS,
    )
    .expect("valid transfer")
}
