//! cuda_kernel jobs: the child-process supervision that keeps a faulting
//! or hanging kernel from taking the worker down, the CPU worker's refusal,
//! and spec validation. (The kernel itself runs only on a GPU.)

use io_compute_sdk::{
    inputs::InputError,
    job::{CudaKernelSpec, JobError, KernelBuffer},
};
use io_worker::{
    backend::BackendKind,
    gemm::JobFailure,
    kernel::{self, supervise, ChildFailure, ChildInput},
};
use std::{process::Command, time::Duration};

fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(script);
    c
}

fn spec() -> CudaKernelSpec {
    CudaKernelSpec {
        source:
            r#"extern "C" __global__ void fill(float* out) { out[threadIdx.x] = threadIdx.x; }"#
                .into(),
        entry: "fill".into(),
        grid: [1, 1, 1],
        block: [32, 1, 1],
        buffers: vec![KernelBuffer {
            bytes: 128,
            input: None,
            output: true,
        }],
        timeout_ms: 10_000,
        cross_check: false,
    }
}

#[test]
fn a_child_that_hangs_crashes_or_fails_is_reported_not_fatal() {
    let second = Duration::from_secs(1);
    assert_eq!(supervise(sh("cat"), b"echo", second).unwrap(), b"echo");
    let started = std::time::Instant::now();
    assert_eq!(
        supervise(sh("sleep 30"), b"", Duration::from_millis(300)),
        Err(ChildFailure::Timeout(300))
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "killed at its timeout"
    );
    assert_eq!(
        supervise(sh("kill -SEGV $$"), b"", second),
        Err(ChildFailure::Crashed("signal 11".into()))
    );
    assert_eq!(
        supervise(sh("echo 'compile error: x' >&2; exit 3"), b"", second),
        Err(ChildFailure::Failed("compile error: x".into()))
    );
    // A child that writes a lot and never reads its input does not block.
    assert_eq!(
        supervise(
            sh("head -c 1000000 /dev/zero"),
            &vec![0u8; 1 << 20],
            10 * second
        )
        .unwrap()
        .len(),
        1_000_000
    );
}

/// The worker's own child on a machine without CUDA: the reason comes
/// back, the parent goes on.
#[test]
fn the_kernel_child_without_a_gpu_says_why() {
    let input = serde_json::to_vec(&ChildInput {
        spec: spec(),
        buffers: vec![None],
    })
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_io-worker"));
    child
        .env("RUST_LOG", "error")
        .args(["--backend", "gpu", "kernel-child"]);
    match supervise(child, &input, Duration::from_secs(30)) {
        Err(ChildFailure::Failed(why)) => assert!(why.contains("no GPU backend"), "{why}"),
        other => panic!("expected a failure with its reason, got {other:?}"),
    }
}

#[test]
fn a_cpu_worker_refuses_kernels_and_bad_specs_are_named() {
    let err = kernel::run(BackendKind::Cpu, &spec(), &|_| None).unwrap_err();
    assert!(matches!(err, JobFailure::NeedsGpu));
    assert_eq!(
        err.to_string(),
        "cuda_kernel jobs need a GPU; this worker runs on the CPU"
    );
    for broken in [
        CudaKernelSpec {
            entry: "fill; rm -rf /".into(),
            ..spec()
        },
        CudaKernelSpec {
            block: [64, 32, 1],
            ..spec()
        },
        CudaKernelSpec {
            buffers: vec![],
            ..spec()
        },
        CudaKernelSpec {
            timeout_ms: 0,
            ..spec()
        },
    ] {
        let err = kernel::run(BackendKind::Cuda, &broken, &|_| None).unwrap_err();
        assert!(
            matches!(err, JobFailure::Spec(JobError::BadKernel)),
            "{err}"
        );
    }
    // An input buffer whose blob is missing.
    let mut with_input = spec();
    with_input.buffers[0].input = Some("00".repeat(32));
    let err = kernel::run(BackendKind::Cuda, &with_input, &|_| None).unwrap_err();
    assert!(
        matches!(err, JobFailure::Input(InputError::MissingBlob(_))),
        "{err}"
    );
    // One of the wrong size for its buffer.
    let short = vec![0u8; 64];
    let hash = io_worker::gemm::hex(&<sha2::Sha256 as sha2::Digest>::digest(&short));
    with_input.buffers[0].input = Some(hash);
    let err = kernel::run(BackendKind::Cuda, &with_input, &|_| Some(short.clone())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "kernel buffer 0 is 128 bytes; its blob has 64"
    );
}
