pub mod admit_keeper;
pub mod post_device_rewards;
pub mod remove_keeper;
pub mod update_keeper;

pub use admit_keeper::*;
pub use post_device_rewards::*;
pub use remove_keeper::*;
pub use update_keeper::*;
