//! Protocol set-up by the config authority.

use super::*;

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

/// `slash`: the IO goes to the IO treasury vault.
pub fn slash(authority: Pubkey, provider: Pubkey, amount: u64) -> Instruction {
    build(
        accounts::Slash {
            authority,
            config: pda::config(),
            provider,
            tokenomics: pda::tokenomics(),
            stake_vault: pda::stake_vault(),
            treasury_io_vault: pda::treasury_io_vault(),
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::Slash {
            args: SlashArgs { amount },
        },
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
