//! Bonded keepers and their reports.

use super::*;

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
