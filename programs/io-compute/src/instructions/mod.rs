pub mod admin;
pub mod client;
pub mod keeper;
pub mod lease_devices;
pub mod market;
pub mod provider;
pub mod reward_payout;
pub mod staking;
pub mod tokenomics;

pub use admin::*;
pub use client::*;
pub use keeper::*;
pub use market::*;
pub use provider::*;
pub use reward_payout::*;
pub use staking::*;
pub use tokenomics::*;
