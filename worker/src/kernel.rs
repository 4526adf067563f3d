//! `cuda_kernel` jobs: a client's own CUDA C, compiled with NVRTC and run
//! in a child process (`io-worker kernel-child`), so that a kernel that
//! faults, corrupts its context or never returns costs only that child:
//! the worker kills it at the job's timeout and reports why. A worker on
//! the CPU backend refuses these jobs.

use crate::{
    backend::BackendKind,
    gemm::{fetch_blob, JobFailure},
};
use base64::{engine::general_purpose::STANDARD, Engine};
use io_compute_sdk::job::CudaKernelSpec;
use serde::{Deserialize, Serialize};
use std::{
    io::{Read, Write},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// What the parent sends the child on stdin (one JSON document).
#[derive(Serialize, Deserialize)]
pub struct ChildInput {
    pub spec: CudaKernelSpec,
    /// Each buffer's initial contents (base64), or None for zeros.
    pub buffers: Vec<Option<String>>,
}

/// What the child prints on stdout when the kernel ran.
#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
pub struct ChildOutput {
    /// The output buffers' contents (base64), in buffer order.
    pub outputs: Vec<String>,
    pub device_time_us: u64,
}

/// Why a supervised child produced no result.
#[derive(thiserror::Error, Debug, PartialEq, Eq)]
pub enum ChildFailure {
    #[error("the kernel did not finish within {0} ms and was killed")]
    Timeout(u64),
    #[error("the kernel's process died ({0})")]
    Crashed(String),
    #[error("the kernel failed: {0}")]
    Failed(String),
}

/// A finished kernel job.
#[derive(Debug, PartialEq, Eq)]
pub struct KernelOutcome {
    pub outputs: Vec<Vec<u8>>,
    pub device_time_us: u64,
}

/// Runs `command` with `input` on its stdin, killing it after `timeout`;
/// its stdout when it exits with success, otherwise why not (its last
/// stderr line, its exit code or signal, or the timeout).
pub fn supervise(
    mut command: Command,
    input: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, ChildFailure> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ChildFailure::Crashed(format!("cannot start: {e}")))?;
    // Feed and drain on threads, so a child that stops reading or writes a
    // lot cannot block the supervisor.
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let mut stderr = child.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err);
        err
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| ChildFailure::Crashed(e.to_string()))?
        {
            break status;
        }
        if started.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ChildFailure::Timeout(timeout.as_millis() as u64));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = feeder.join();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if status.success() {
        return Ok(out);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Err(ChildFailure::Crashed(format!("signal {signal}")));
        }
    }
    let last = err
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Err(ChildFailure::Failed(if last.is_empty() {
        format!("exit status {status}")
    } else {
        last.to_string()
    }))
}

/// Runs `spec` in a child `io-worker kernel-child` on a GPU worker, with
/// input buffers from `fetch` (checked against their hashes and sizes).
pub fn run(
    backend: BackendKind,
    spec: &CudaKernelSpec,
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<KernelOutcome, JobFailure> {
    spec.validate()?;
    if backend != BackendKind::Cuda {
        return Err(JobFailure::NeedsGpu);
    }
    let mut buffers = Vec::with_capacity(spec.buffers.len());
    for (index, buffer) in spec.buffers.iter().enumerate() {
        buffers.push(match &buffer.input {
            None => None,
            Some(hash) => {
                let bytes = fetch_blob(hash, fetch)?;
                if bytes.len() as u64 != buffer.bytes {
                    return Err(JobFailure::BufferSize {
                        index,
                        got: bytes.len() as u64,
                        expected: buffer.bytes,
                    });
                }
                Some(STANDARD.encode(bytes))
            }
        });
    }
    let input = serde_json::to_vec(&ChildInput {
        spec: spec.clone(),
        buffers,
    })
    .expect("serializable");
    let exe = std::env::current_exe()
        .map_err(|e| JobFailure::Kernel(ChildFailure::Crashed(e.to_string())))?;
    let mut command = Command::new(exe);
    command.arg("--backend").arg("gpu").arg("kernel-child");
    let out = supervise(command, &input, Duration::from_millis(spec.timeout_ms))
        .map_err(JobFailure::Kernel)?;
    let parsed: ChildOutput = serde_json::from_slice(&out)
        .map_err(|e| JobFailure::Kernel(ChildFailure::Failed(format!("unreadable result: {e}"))))?;
    let outputs = parsed
        .outputs
        .iter()
        .map(|b| STANDARD.decode(b))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| JobFailure::Kernel(ChildFailure::Failed(format!("unreadable output: {e}"))))?;
    Ok(KernelOutcome {
        outputs,
        device_time_us: parsed.device_time_us,
    })
}
