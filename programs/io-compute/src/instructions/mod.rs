pub mod admin;
pub mod provider;
pub mod staking;

pub use admin::*;
pub use provider::*;
pub use staking::*;
