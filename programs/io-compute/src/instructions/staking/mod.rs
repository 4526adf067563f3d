pub mod claim_rewards;
pub mod co_stake;
pub mod expire_lockup;
pub mod payout;
pub mod request_unstake;
pub mod stake;
pub mod withdraw;

pub use claim_rewards::*;
pub use co_stake::*;
pub use expire_lockup::*;
pub use payout::*;
pub use request_unstake::*;
pub use stake::*;
pub use withdraw::*;
