pub mod assign_devices;
pub mod cancel_lease;
pub mod close_lease;
pub mod create_lease;
pub mod create_lease_with_io;
pub mod devices;
pub mod refund;
pub mod top_up_lease;

pub use assign_devices::*;
pub use cancel_lease::*;
pub use close_lease::*;
pub use create_lease::*;
pub use create_lease_with_io::*;
pub use devices::*;
pub use refund::*;
pub use top_up_lease::*;
