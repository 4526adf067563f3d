pub mod add_device;
pub mod claim_commission;
pub mod close_provider;
pub mod register_provider;
pub mod remove_device;
pub mod update_device;
pub mod update_provider;

pub use add_device::*;
pub use claim_commission::*;
pub use close_provider::*;
pub use register_provider::*;
pub use remove_device::*;
pub use update_device::*;
pub use update_provider::*;
