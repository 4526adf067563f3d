pub mod admit_keeper;
pub mod post_device_rewards;
pub mod record_device_checks;
pub mod remove_keeper;
pub mod top_up_keeper_bond;
pub mod update_keeper;
pub mod void_device_rewards;

pub use admit_keeper::*;
pub use post_device_rewards::*;
pub use record_device_checks::*;
pub use remove_keeper::*;
pub use top_up_keeper_bond::*;
pub use update_keeper::*;
pub use void_device_rewards::*;
