pub mod advance_epoch;
pub mod burn_io_for_iosd;
pub mod update_price;

pub use advance_epoch::*;
pub use burn_io_for_iosd::*;
pub use update_price::*;
