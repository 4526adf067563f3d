//! Instruction builders. Account lists come from the program's generated
//! `accounts::*` structs and data from `instruction::*`, with every PDA
//! derived here, so a caller names only the keys it chooses.

use crate::pda;
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, system_program, InstructionData,
    ToAccountMetas,
};
use io_compute::{
    accounts, instruction,
    state::{DeviceSpec, GpuModel, OracleConfig, ProviderProfile, TokenomicsParams},
    AdmitKeeperArgs, BurnArgs, ClaimDeviceRewardArgs, InitializeArgs, PostDeviceRewardsArgs,
    SetGpuModelsArgs, SlashArgs, StakeArgs, UpdateDeviceArgs, UpdatePriceArgs, ID,
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
            vault_authority: pda::vault_authority(),
            io_mint,
            iosd_mint: pda::iosd_mint(),
            stake_vault: pda::stake_vault(),
            rewards_vault: pda::rewards_vault(),
            treasury_io_vault: pda::treasury_io_vault(),
            escrow_vault: pda::escrow_vault(),
            treasury_iosd_vault: pda::treasury_iosd_vault(),
            rewards_iosd_vault: pda::rewards_iosd_vault(),
            keeper_bond_vault: pda::keeper_bond_vault(),
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
        },
        instruction::BurnIoForIosd { args },
    )
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
            keeper_bond_vault: pda::keeper_bond_vault(),
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
            keeper_bond_vault: pda::keeper_bond_vault(),
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
