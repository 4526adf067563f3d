pub mod initialize;
pub mod set_gpu_models;
pub mod slash;

pub use initialize::*;
pub use set_gpu_models::*;
pub use slash::*;
