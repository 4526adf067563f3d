//! Bonded keepers and their reports.

use super::*;

/// `admit_keeper`: signed by the keeper admin and the keeper, whose
/// `bond_source` pays the bond and whose API is at `endpoint`.
pub fn admit_keeper(
    authority: Pubkey,
    keeper_authority: Pubkey,
    bond_source: Pubkey,
    bond: u64,
    endpoint: &str,
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
            args: AdmitKeeperArgs {
                bond,
                endpoint: endpoint.to_string(),
            },
        },
    )
}

/// `remove_keeper`: `authority` is the keeper admin or the keeper itself.
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
            config: pda::config(),
            tokenomics: pda::tokenomics(),
            epoch: pda::epoch(args.epoch),
        },
        instruction::PostDeviceRewards { args },
    )
}

/// `update_keeper`: the keeper's API moves to `endpoint`.
pub fn update_keeper(keeper_authority: Pubkey, endpoint: &str) -> Instruction {
    build(
        accounts::UpdateKeeper {
            keeper_authority,
            keeper: pda::keeper(&keeper_authority),
        },
        instruction::UpdateKeeper {
            args: UpdateKeeperArgs {
                endpoint: endpoint.to_string(),
            },
        },
    )
}

/// `void_device_rewards` by the arbiter: `keeper_authority` posted the
/// epoch's root.
pub fn void_device_rewards(arbiter: Pubkey, epoch: u64, keeper_authority: Pubkey) -> Instruction {
    build(
        accounts::VoidDeviceRewards {
            arbiter,
            config: pda::config(),
            tokenomics: pda::tokenomics(),
            epoch: pda::epoch(epoch),
            keeper: pda::keeper(&keeper_authority),
            bond_vault: pda::bond_vault(),
            treasury_io_vault: pda::treasury_io_vault(),
            io_mint: pda::io_mint(),
            vault_authority: pda::vault_authority(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::VoidDeviceRewards {
            args: VoidDeviceRewardsArgs { epoch },
        },
    )
}

/// `top_up_keeper_bond`: `bond_source` (an IO account of the keeper) adds
/// `amount` to its bond.
pub fn top_up_keeper_bond(
    keeper_authority: Pubkey,
    bond_source: Pubkey,
    amount: u64,
) -> Instruction {
    build(
        accounts::TopUpKeeperBond {
            keeper_authority,
            config: pda::config(),
            keeper: pda::keeper(&keeper_authority),
            bond_source,
            bond_vault: pda::bond_vault(),
            io_mint: pda::io_mint(),
            token_program: TOKEN_PROGRAM,
        },
        instruction::TopUpKeeperBond {
            args: TopUpKeeperBondArgs { amount },
        },
    )
}

/// `record_device_checks`: one outcome per device, in order.
pub fn record_device_checks(
    keeper_authority: Pubkey,
    epoch: u64,
    checks: &[(Pubkey, CheckOutcome)],
) -> Instruction {
    let mut ix = build(
        accounts::RecordDeviceChecks {
            keeper_authority,
            keeper: pda::keeper(&keeper_authority),
            config: pda::config(),
            tokenomics: pda::tokenomics(),
        },
        instruction::RecordDeviceChecks {
            args: RecordDeviceChecksArgs {
                epoch,
                outcomes: checks.iter().map(|(_, outcome)| *outcome).collect(),
            },
        },
    );
    ix.accounts.extend(
        checks
            .iter()
            .map(|(device, _)| AccountMeta::new(*device, false)),
    );
    ix
}
