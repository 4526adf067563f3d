//! io-worker: the program a GPU provider runs on each machine. It turns the
//! machine's GPUs (or its CPU) into work the keeper dispatches and the
//! program pays for: GEMM jobs (f32, bf16, f16 and provable integer), MLP
//! inference with per-layer commitments, clients' own CUDA kernels (in a
//! child process) and device checks, each result checked by the worker itself and committed to
//! in a receipt its worker key signs.

pub mod backend;
pub mod bench;
pub mod config;
pub mod device_check;
pub mod gemm;
pub mod identity;
pub mod kernel;
pub mod mlp;
pub mod receipt;
pub mod register;
pub mod run;
