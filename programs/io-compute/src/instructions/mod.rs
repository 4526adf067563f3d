pub mod admin;
pub mod keeper;
pub mod provider;
pub mod reward_payout;
pub mod staking;
pub mod tokenomics;

pub use admin::*;
pub use keeper::*;
pub use provider::*;
pub use reward_payout::*;
pub use staking::*;
pub use tokenomics::*;
