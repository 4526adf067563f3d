//! The device check on the CPU backend. A test binary of its own, so that
//! no other test competes for the cores while it measures.

use io_compute_sdk::{
    device_check::{deadline_ms, verify_opening},
    job::{DeviceCheckSpec, Matrix, Product},
};
use io_worker::{
    backend::{cpu::CpuBackend, Backend, BackendError, DeviceInfo, Dims},
    device_check,
};
use std::time::Duration;

/// A worker slower than it claims: each product of a check takes `extra`
/// longer, chosen so the whole check runs at a given fraction of the
/// calibrated speed (a provider claiming a faster GPU than it has).
struct Throttled {
    inner: CpuBackend,
    extra: Duration,
}

impl Backend for Throttled {
    fn info(&self) -> &DeviceInfo {
        self.inner.info()
    }

    fn free_memory(&self) -> u64 {
        self.inner.free_memory()
    }

    fn gemm(
        &self,
        dims: Dims,
        a: &Matrix,
        b: &Matrix,
        tf32: bool,
    ) -> Result<Product, BackendError> {
        let c = self.inner.gemm(dims, a, b, tf32)?;
        std::thread::sleep(self.extra);
        Ok(c)
    }
}

/// A device check passes on an honest worker and its openings verify; the
/// same check on the worker throttled to 60 % of its calibrated speed
/// misses the deadline; a forged row does not verify.
#[test]
fn a_device_check_passes_honestly_and_fails_at_sixty_percent_speed() {
    let cpu = CpuBackend::new();
    // Large enough that the products, not the hashing, take the time.
    let (n, steps) = (512u32, 8u32);
    let probe = |seed| DeviceCheckSpec {
        seed,
        n,
        steps,
        deadline_ms: u64::MAX / 2,
    };
    // Calibrate: the best of three honest runs is the reference rate.
    let best = (0..3)
        .map(|i| device_check::run(&cpu, probe(100 + i)).unwrap().elapsed)
        .min()
        .unwrap();
    let reference_tflops = 2.0 * (n as f64).powi(3) * steps as f64 / best.as_secs_f64() / 1e12;
    // The keeper allows 80 % of the reference (honest runs vary) and no
    // fixed time, as the test has no network.
    let deadline = deadline_ms(n, steps, reference_tflops, 0.8, 0);
    let check = DeviceCheckSpec {
        deadline_ms: deadline,
        ..probe(rand::random())
    };
    // Honest: in time on at least two of three tries (the machine is shared).
    let honest_runs: Vec<_> = (0..3)
        .map(|_| device_check::run(&cpu, check).unwrap())
        .collect();
    let honest = &honest_runs[0];
    assert!(
        honest_runs.iter().filter(|r| r.in_time()).count() >= 2,
        "honest runs took {:?} against a deadline of {deadline} ms",
        honest_runs.iter().map(|r| r.elapsed).collect::<Vec<_>>()
    );
    assert_eq!(
        honest.roots, honest_runs[1].roots,
        "the same seed gives the same roots"
    );
    for (step, row) in [(0, 0), (steps - 1, n - 1), (steps / 2, 17)] {
        let opening = honest.open(step, row).unwrap();
        assert!(verify_opening(
            check.seed,
            n as usize,
            &honest.roots,
            &opening
        ));
        let mut forged = opening.clone();
        forged.after[3] = forged.after[3].wrapping_add(1);
        assert!(!verify_opening(
            check.seed,
            n as usize,
            &honest.roots,
            &forged
        ));
    }
    assert!(honest.open(steps, 0).is_none() && honest.open(0, n).is_none());

    // 60 % of the calibrated speed: the calibrated time over 0.6.
    let slow = Throttled {
        inner: CpuBackend::new(),
        extra: best.mul_f64(1.0 / 0.6 - 1.0) / steps,
    };
    let throttled = device_check::run(&slow, check).unwrap();
    assert!(
        !throttled.in_time(),
        "at 60 % speed it took {:?}, within the deadline of {deadline} ms",
        throttled.elapsed
    );
    assert!(throttled.elapsed > Duration::from_millis(deadline));
    assert_eq!(throttled.roots, honest.roots, "slow, not wrong");
}
