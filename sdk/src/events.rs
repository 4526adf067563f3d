//! Decoding of program events from transaction logs (`Program data: <base64>`
//! lines, one event each, discriminator first).

use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::{prelude::BASE64_STANDARD, Engine};

pub use io_compute::events::*;

const PROGRAM_DATA: &str = "Program data: ";

/// Every event of type `E` in `logs`, in order. Lines of other events and
/// undecodable lines are skipped.
pub fn decode<E: AnchorDeserialize + Discriminator>(logs: &[String]) -> Vec<E> {
    logs.iter()
        .filter_map(|line| line.strip_prefix(PROGRAM_DATA))
        .filter_map(|b64| BASE64_STANDARD.decode(b64).ok())
        .filter_map(|bytes| {
            let body = bytes.strip_prefix(E::DISCRIMINATOR)?;
            E::deserialize(&mut &body[..]).ok()
        })
        .collect()
}
