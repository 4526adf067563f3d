//! io-compute-sdk: everything an off-chain client needs to talk to the
//! io-compute program: PDAs, instruction builders by subject, account
//! decoding, typed account filters, governance parameter names, SPL token
//! reading, the default GPU model table, job specs with their seeded
//! operands, and Freivalds' check with the float error bound. Instruction data and account types come from the
//! program crate itself, so nothing is re-declared here.

pub mod accounts;
pub mod amount;
pub mod api;
#[cfg(feature = "rpc")]
pub mod client;
pub mod device_check;
pub mod events;
pub mod filters;
pub mod gemm;
pub mod gov;
pub mod gpu;
pub mod inputs;
pub mod ix;
pub mod job;
#[cfg(feature = "rpc")]
pub mod keeper_client;
pub mod lookup;
pub mod merkle;
pub mod mlp;
pub mod oracle;
pub mod pda;
pub mod request;
pub mod token;
pub mod verify;
pub mod worker_key;

pub use io_compute::{self as program, ID as PROGRAM_ID};
