//! Account types and the values inside them, one subject a file; each type
//! owns its state transitions and invariants.

mod config;
mod device;
mod device_rewards;
mod fees;
mod governance;
mod gpu_models;
mod keeper;
mod lease;
mod market;
mod oracle;
mod proof;
mod provider;
mod provider_profile;
mod stake_pool;
mod stake_position;
mod staker_rewards;
mod tokenomics;

pub use config::*;
pub use device::*;
pub use device_rewards::*;
pub use fees::*;
pub use governance::*;
pub use gpu_models::*;
pub use keeper::*;
pub use lease::*;
pub use market::*;
pub use oracle::*;
pub use proof::*;
pub use provider::*;
pub use provider_profile::*;
pub use stake_pool::*;
pub use stake_position::*;
pub use staker_rewards::*;
pub use tokenomics::*;
