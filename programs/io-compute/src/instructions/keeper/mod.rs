pub mod assign_devices;
pub mod post_device_rewards;
pub mod post_usage_proof;

pub use assign_devices::*;
pub use post_device_rewards::*;
pub use post_usage_proof::*;
