pub mod finalize_proof;

pub use finalize_proof::*;
