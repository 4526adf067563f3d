pub mod admit_keeper;
pub mod init_tokenomics;
pub mod initialize;
pub mod remove_keeper;
pub mod resolve_dispute;
pub mod set_gpu_models;
pub mod set_oracle;
pub mod slash;

pub use admit_keeper::*;
pub use init_tokenomics::*;
pub use initialize::*;
pub use remove_keeper::*;
pub use resolve_dispute::*;
pub use set_gpu_models::*;
pub use set_oracle::*;
pub use slash::*;
