//! A client's cluster (an on-chain lease) and its escrow.

use super::*;
use tokenomics::burn_accounts;

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
            config: pda::config(),
            lease: pda::lease(id),
        },
        instruction::AssignDevices {
            device_count: devices.len() as u8,
        },
    );
    with_devices(ix, devices, providers)
}

/// `take_over_lease`: `keeper_authority` takes lease `id` over from
/// `current_keeper` (its keeper authority).
pub fn take_over_lease(keeper_authority: Pubkey, id: u64, current_keeper: Pubkey) -> Instruction {
    build(
        accounts::TakeOverLease {
            keeper_authority,
            keeper: pda::keeper(&keeper_authority),
            config: pda::config(),
            lease: pda::lease(id),
            current_keeper: pda::keeper(&current_keeper),
        },
        instruction::TakeOverLease {},
    )
}
