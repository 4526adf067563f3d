//! GPU providers and their devices.

use super::*;
use staking::reward_payout;

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
