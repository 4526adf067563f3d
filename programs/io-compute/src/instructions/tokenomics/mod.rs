pub mod advance_epoch;
pub mod burn_io_for_iosd;
pub mod claim_device_reward;
pub mod expire_device_rewards;
pub mod update_price;

pub use advance_epoch::*;
pub use burn_io_for_iosd::*;
pub use claim_device_reward::*;
pub use expire_device_rewards::*;
pub use update_price::*;
