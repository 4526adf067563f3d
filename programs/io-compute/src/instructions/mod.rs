pub mod admin;
pub mod provider;
pub mod staking;
pub mod tokenomics;

pub use admin::*;
pub use provider::*;
pub use staking::*;
pub use tokenomics::*;
