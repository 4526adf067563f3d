//! Decoding of program accounts from raw account data (as returned by
//! `getAccountInfo`), discriminator checked.

use anchor_lang::{AccountDeserialize, Discriminator};
use std::fmt;

pub use io_compute::state::{Config, Device, GpuModels, Provider, StakePosition};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The data does not start with the expected account discriminator.
    WrongAccountType { expected: &'static str },
    Malformed {
        account: &'static str,
        reason: String,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::WrongAccountType { expected } => {
                write!(f, "account is not a {expected}")
            }
            DecodeError::Malformed { account, reason } => {
                write!(f, "malformed {account} account: {reason}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes an account of type `T`, checking its discriminator.
pub fn decode<T: AccountDeserialize + Discriminator>(data: &[u8]) -> Result<T, DecodeError> {
    let name = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("account");
    if !data.starts_with(T::DISCRIMINATOR) {
        return Err(DecodeError::WrongAccountType { expected: name });
    }
    T::try_deserialize(&mut &data[..]).map_err(|e| DecodeError::Malformed {
        account: name,
        reason: e.to_string(),
    })
}
