pub mod init_tokenomics;
pub mod initialize;
pub mod set_gpu_models;
pub mod set_oracle;
pub mod slash;

pub use init_tokenomics::*;
pub use initialize::*;
pub use set_gpu_models::*;
pub use set_oracle::*;
pub use slash::*;
