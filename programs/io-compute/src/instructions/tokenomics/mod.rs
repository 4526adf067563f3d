pub mod burn_io_for_iosd;
pub mod update_price;

pub use burn_io_for_iosd::*;
pub use update_price::*;
