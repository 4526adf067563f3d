pub mod post_device_rewards;

pub use post_device_rewards::*;
