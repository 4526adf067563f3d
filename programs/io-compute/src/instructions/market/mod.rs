pub mod finalize_proof;
pub mod open_gemm_challenge;
pub mod prove_gemm_fraud;
pub mod submit_gemm_operand;

pub use finalize_proof::*;
pub use open_gemm_challenge::*;
pub use prove_gemm_fraud::*;
pub use submit_gemm_operand::*;
