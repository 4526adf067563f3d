pub mod dispute_proof;
pub mod finalize_proof;
pub mod open_gemm_challenge;
pub mod post_usage_proof;
pub mod prove_gemm_fraud;
pub mod resolve_dispute;
pub mod settlement;
pub mod submit_gemm_operand;

pub use dispute_proof::*;
pub use finalize_proof::*;
pub use open_gemm_challenge::*;
pub use post_usage_proof::*;
pub use prove_gemm_fraud::*;
pub use resolve_dispute::*;
pub use settlement::*;
pub use submit_gemm_operand::*;
