//! One event per state change; every transfer of value emits one.

use crate::{
    constants::GPU_MODEL_CODE_LEN,
    state::{DeviceStatus, StakeKind},
};
use anchor_lang::prelude::*;

#[event]
pub struct ProtocolInitialized {
    pub authority: Pubkey,
    pub io_mint: Pubkey,
    pub iosd_mint: Pubkey,
    pub genesis_destination: Pubkey,
    pub genesis_supply: u64,
    pub io_max_supply: u64,
}

#[event]
pub struct GpuModelSet {
    pub code: [u8; GPU_MODEL_CODE_LEN],
    pub reward_multiplier: u32,
    pub ref_fp32_tflops_x100: u32,
    pub ref_bf16_tflops_x100: u32,
}

#[event]
pub struct ProviderRegistered {
    pub provider: Pubkey,
    pub authority: Pubkey,
    pub name: String,
    pub region: String,
    pub endpoint: String,
    pub co_stake_share_bps: u16,
}

#[event]
pub struct ProviderUpdated {
    pub provider: Pubkey,
    pub name: String,
    pub region: String,
    pub endpoint: String,
    pub co_stake_share_bps: u16,
}

#[event]
pub struct ProviderClosed {
    pub provider: Pubkey,
    pub authority: Pubkey,
}

#[event]
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
}

#[event]
pub struct DeviceUpdated {
    pub device: Pubkey,
    pub price_per_gpu_hour: u64,
    pub status: DeviceStatus,
}

#[event]
pub struct DeviceRemoved {
    pub device: Pubkey,
    pub provider: Pubkey,
}

#[event]
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
pub struct UnstakeRequested {
    pub position: Pubkey,
    pub owner: Pubkey,
    pub provider: Pubkey,
    pub cooldown_end: i64,
}

#[event]
pub struct Withdrawn {
    pub position: Pubkey,
    pub owner: Pubkey,
    pub provider: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
}

#[event]
pub struct ProviderSlashed {
    pub provider: Pubkey,
    pub amount: u64,
    pub destination: Pubkey,
    /// Provider pool left after the slash.
    pub remaining_stake: u64,
}
