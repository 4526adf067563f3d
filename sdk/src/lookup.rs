//! Address lookup tables for leases too wide for a legacy transaction
//! (audit M7): `assign_devices` and `close_lease` name every device and
//! provider of a lease, and 16 devices from 16 providers do not fit 1,232
//! bytes. Put those addresses in a table once, then send the two
//! instructions in v0 transactions that refer to them by one-byte index.

use anchor_lang::{prelude::Pubkey, solana_program::instruction::Instruction};
use solana_address_lookup_table_interface::instruction::{
    create_lookup_table, extend_lookup_table,
};

/// The most bytes a transaction may have on the wire.
pub const TRANSACTION_SIZE_LIMIT: usize = 1_232;

/// True when `instructions`, paid by `payer`, fit one legacy transaction.
pub fn fits_legacy(instructions: &[Instruction], payer: &Pubkey) -> bool {
    let message = solana_message::Message::new(instructions, Some(payer));
    let signatures = message.header.num_required_signatures as usize;
    // compact-u16 length, the signatures, the message
    1 + 64 * signatures + message.serialize().len() <= TRANSACTION_SIZE_LIMIT
}

/// Addresses one extend instruction carries (its transaction stays under
/// the packet limit).
const ADDRESSES_PER_EXTEND: usize = 20;

/// The addresses a lease's wide instructions need from a table: its
/// devices, then their providers.
pub fn lease_addresses(devices: &[Pubkey], providers: &[Pubkey]) -> Vec<Pubkey> {
    devices.iter().chain(providers).copied().collect()
}

/// The transactions that create a lookup table owned by `authority` (paid
/// by `payer`, at a `recent_slot` of the chain) holding `addresses`: the
/// first creates it with the first addresses, each next one extends it.
/// Returns them with the table's address; the table can be used from the
/// slot after the last extension.
pub fn create_table(
    authority: Pubkey,
    payer: Pubkey,
    recent_slot: u64,
    addresses: &[Pubkey],
) -> (Vec<Vec<Instruction>>, Pubkey) {
    let (create, table) = create_lookup_table(authority, payer, recent_slot);
    let mut transactions = vec![vec![create]];
    for (i, chunk) in addresses.chunks(ADDRESSES_PER_EXTEND).enumerate() {
        let extend = extend_lookup_table(table, authority, Some(payer), chunk.to_vec());
        if i == 0 {
            transactions[0].push(extend);
        } else {
            transactions.push(vec![extend]);
        }
    }
    (transactions, table)
}
