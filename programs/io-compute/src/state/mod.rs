mod config;
mod device;
mod gpu_models;
mod keeper;
mod market;
mod oracle;
mod provider;
mod stake_position;
mod tokenomics;

pub use config::*;
pub use device::*;
pub use gpu_models::*;
pub use keeper::*;
pub use market::*;
pub use oracle::*;
pub use provider::*;
pub use stake_position::*;
pub use tokenomics::*;
