mod config;
mod device;
mod gpu_models;
mod provider;
mod stake_position;

pub use config::*;
pub use device::*;
pub use gpu_models::*;
pub use provider::*;
pub use stake_position::*;
