//! The CPU backend against an f64 reference, the worker's GEMM job path and
//! its bad inputs, Freivalds' power and false-positive rate, all on fresh
//! random inputs.

use half::{bf16, f16};
use io_compute_sdk::{
    gemm::GemmJob,
    inputs::InputError,
    job::{commitments, GemmDtype, GemmInputs, GemmSpec, JobError, Matrix, Product},
    verify::{reference_f64, ErrorModel, SAFETY_FACTOR},
};
use io_worker::{
    backend::{cpu::CpuBackend, Backend, BackendError, Dims},
    gemm::{self, JobFailure},
};
use rand::Rng;
use sha2::{Digest, Sha256};

fn spec(m: u32, k: u32, n: u32, dtype: GemmDtype, seed: u64) -> GemmSpec {
    GemmSpec {
        m,
        n,
        k,
        dtype,
        allow_tf32: false,
        inputs: GemmInputs::Seed { seed },
    }
}

fn dims(s: &GemmSpec) -> Dims {
    (s.m as usize, s.k as usize, s.n as usize)
}

fn no_blobs(_: &str) -> Option<Vec<u8>> {
    None
}

/// Every dtype against the f64 reference, element by element, within the
/// dtype's bound (not a relative error), on shapes with odd sizes; integer
/// results equal the program's wrapping arithmetic exactly.
#[test]
fn every_dtype_matches_the_f64_reference_within_its_bound() {
    let cpu = CpuBackend::new();
    let mut rng = rand::rng();
    for &(m, k, n) in &[
        (1, 1, 1),
        (7, 129, 3),
        (64, 64, 64),
        (33, 1000, 17),
        (200, 300, 100),
    ] {
        for dtype in GemmDtype::ALL {
            let s = spec(m, k, n, dtype, rng.random());
            let (a, b) = gemm::operands(&s, &no_blobs).unwrap();
            let out = gemm::run(&cpu, &s, &a, &b).unwrap();
            let (exact, abs) = reference_f64(dims(&s), &a, &b);
            let got = out.product.to_f64();
            let model = ErrorModel::of(dtype, false);
            for e in 0..got.len() {
                let bound = model.element_bound(k as usize, got[e], abs[e]);
                assert!(
                    (got[e] - exact[e]).abs() <= bound,
                    "{} {m}x{k}x{n} element {e}: {} vs {} (bound {bound:e})",
                    dtype.name(),
                    got[e],
                    exact[e]
                );
            }
            if let (Matrix::I32(av), Matrix::I32(bv), Product::I64(c)) = (&a, &b, &out.product) {
                let job = GemmJob::new(m as usize, k as usize, n as usize, av.clone(), bv.clone());
                assert_eq!(c, &job.multiply(), "exact integer product");
                let receipt = job.receipt([0; 32], c, 1);
                assert_eq!(
                    (out.input_root, out.output_root),
                    (receipt.input_root, receipt.output_root),
                    "the commitments the program's fraud proof reads"
                );
            }
        }
    }
}

/// Seeded or uploaded, the operands are the same job; an upload that does
/// not match its hash, a missing blob, NaN, out-of-range integers, a wrong
/// length or an unknown version are job errors with a reason, and a job
/// larger than memory is refused before anything is allocated.
#[test]
fn bad_input_is_a_job_error_with_a_reason() {
    let cpu = CpuBackend::new();
    let seeded = spec(4, 3, 2, GemmDtype::F32, 5);
    let (a, b) = gemm::operands(&seeded, &no_blobs).unwrap();
    let hash = |b: &[u8]| gemm::hex(&Sha256::digest(b));
    let (a_bytes, b_bytes) = (a.to_le_bytes(), b.to_le_bytes());
    let store = |h: &str| {
        [&a_bytes, &b_bytes]
            .into_iter()
            .find(|blob| hash(blob) == h)
            .cloned()
    };
    let mut uploaded = seeded.clone();
    uploaded.inputs = GemmInputs::Content {
        a: hash(&a_bytes),
        b: hash(&b_bytes),
    };
    assert_eq!(
        gemm::operands(&uploaded, &store).unwrap(),
        (a.clone(), b.clone())
    );

    let forged = |h: &str| {
        store(h).map(|mut blob| {
            blob[0] ^= 1;
            blob
        })
    };
    let err = gemm::operands(&uploaded, &forged).unwrap_err();
    assert!(matches!(err, InputError::HashMismatch { .. }), "{err}");
    let err = gemm::operands(&uploaded, &no_blobs).unwrap_err();
    assert!(err.to_string().contains("is not available"), "{err}");

    let nan: Vec<u8> = [f32::NAN; 12]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let with_nan = |h: &str| {
        if h == hash(&nan) {
            Some(nan.clone())
        } else {
            store(h)
        }
    };
    let mut nan_job = uploaded.clone();
    nan_job.inputs = GemmInputs::Content {
        a: hash(&nan),
        b: hash(&b_bytes),
    };
    let err = gemm::operands(&nan_job, &with_nan).unwrap_err();
    assert!(
        matches!(
            err,
            InputError::Spec(JobError::NotFinite {
                which: 'A',
                index: 0
            })
        ),
        "{err}"
    );

    let mut short = uploaded.clone();
    short.m = 5;
    let err = gemm::operands(&short, &store).unwrap_err();
    assert!(
        matches!(
            err,
            InputError::Spec(JobError::WrongLength {
                which: 'A',
                got: 12,
                expected: 15
            })
        ),
        "{err}"
    );

    let wide: Vec<u8> = [300i32; 6].iter().flat_map(|x| x.to_le_bytes()).collect();
    let mut int_job = spec(2, 3, 2, GemmDtype::I32, 0);
    int_job.inputs = GemmInputs::Content {
        a: hash(&wide),
        b: hash(&wide),
    };
    let err = gemm::operands(&int_job, &|_| Some(wide.clone())).unwrap_err();
    assert!(err.to_string().contains("[-128, 127]"), "{err}");

    let huge = spec(65_536, 65_536, 65_536, GemmDtype::F32, 1);
    let (small_a, small_b) = gemm::operands(&spec(1, 1, 1, GemmDtype::F32, 1), &no_blobs).unwrap();
    let err = gemm::run(&cpu, &huge, &small_a, &small_b).unwrap_err();
    assert!(
        matches!(err, JobFailure::Backend(BackendError::OutOfMemory { .. })),
        "{err}"
    );

    let mut future = io_compute_sdk::job::Job::new(io_compute_sdk::job::JobSpec::Gemm(seeded));
    future.version = 9;
    assert!(future
        .validate()
        .unwrap_err()
        .to_string()
        .contains("version 9"));
}

/// A product with one element corrupted by at least 100 times its bound (or
/// by 1 for integers) survives a round with probability at most 1/2: over
/// many trials with 4 rounds, at most about 1/16 survive, and with 16
/// rounds none does.
#[test]
fn freivalds_catches_a_corrupted_element() {
    let cpu = CpuBackend::new();
    let mut rng = rand::rng();
    for dtype in GemmDtype::ALL {
        let s = spec(24, 40, 32, dtype, rng.random());
        let (a, b) = gemm::operands(&s, &no_blobs).unwrap();
        let c = cpu.gemm(dims(&s), &a, &b, false).unwrap();
        let (_, abs) = reference_f64(dims(&s), &a, &b);
        let model = ErrorModel::of(dtype, false);
        let (trials, mut survived4, mut survived16) = (400, 0, 0);
        for trial in 0..trials {
            let e = rng.random_range(0..c.len());
            // 100 times what Freivalds allows in the element's row (the sum
            // of the row's element bounds, with the safety factor).
            let row = e / 32;
            let values = c.to_f64();
            let row_bound: f64 = (row * 32..(row + 1) * 32)
                .map(|x| model.element_bound(40, values[x], abs[x]))
                .sum();
            let wrong = corrupt(&c, e, 100.0 * SAFETY_FACTOR * row_bound);
            let seed = rng.random();
            let check = |rounds| {
                cpu.freivalds(dims(&s), &a, &b, &wrong, model, rounds, seed)
                    .unwrap()
            };
            survived4 += check(4).is_ok() as u32;
            survived16 += check(16).is_ok() as u32;
            assert!(
                cpu.freivalds(dims(&s), &a, &b, &c, model, 16, trial)
                    .unwrap()
                    .is_ok(),
                "the honest product passes"
            );
        }
        // Expected at most 400/16 = 25; 50 is over five standard deviations.
        assert!(
            survived4 <= 50,
            "{}: {survived4} of {trials} survived 4 rounds",
            dtype.name()
        );
        assert_eq!(survived16, 0, "{}: survived 16 rounds", dtype.name());
    }
}

/// Element `e` of `c` moved by `by` (at least 1 for integers).
fn corrupt(c: &Product, e: usize, by: f64) -> Product {
    let mut c = c.clone();
    match &mut c {
        Product::F32(v) => v[e] += by as f32,
        Product::Bf16(v) => v[e] = bf16::from_f64(v[e].to_f64() + by),
        Product::F16(v) => v[e] = f16::from_f64(v[e].to_f64() + by),
        Product::I64(v) => v[e] += 1,
    }
    c
}

/// No honest f32 or bf16 product fails Freivalds with the bound: 1,000 of
/// them, on shapes from 1 to 300 (k up to 2,048), inputs in [-1, 1) and
/// scaled up to 2^20.
#[test]
fn no_false_positive_over_a_thousand_honest_products() {
    let cpu = CpuBackend::new();
    let mut rng = rand::rng();
    for trial in 0..1_000u32 {
        let dtype = if trial % 2 == 0 {
            GemmDtype::F32
        } else {
            GemmDtype::Bf16
        };
        let (m, n) = (rng.random_range(1..=48), rng.random_range(1..=48));
        let k = if trial % 10 == 0 {
            rng.random_range(256..=2048)
        } else {
            rng.random_range(1..=300)
        };
        let s = spec(m, k, n, dtype, rng.random());
        let (a, b) = gemm::operands(&s, &no_blobs).unwrap();
        let scale = 2f32.powi(rng.random_range(0..=20));
        let a = match a {
            Matrix::F32(v) => Matrix::F32(v.into_iter().map(|x| x * scale).collect()),
            Matrix::Bf16(v) => Matrix::Bf16(
                v.into_iter()
                    .map(|x| bf16::from_f32(x.to_f32() * scale))
                    .collect(),
            ),
            other => other,
        };
        let c = cpu.gemm(dims(&s), &a, &b, false).unwrap();
        let model = ErrorModel::of(dtype, false);
        if let Err(failure) = cpu
            .freivalds(dims(&s), &a, &b, &c, model, 16, rng.random())
            .unwrap()
        {
            panic!("{} {m}x{k}x{n} (scale {scale}): {failure}", dtype.name());
        }
    }
}

/// Commitments of float jobs cover the dtype, the shape and every byte.
#[test]
fn float_commitments_bind_shape_dtype_and_bytes() {
    let s = spec(2, 2, 2, GemmDtype::F32, 3);
    let (a, b) = gemm::operands(&s, &no_blobs).unwrap();
    let c = CpuBackend::new().gemm(dims(&s), &a, &b, false).unwrap();
    let (input, output) = commitments(&s, &a, &b, &c);
    assert_eq!(commitments(&s, &a, &b, &c), (input, output));
    let mut other_dtype = s.clone();
    other_dtype.dtype = GemmDtype::Bf16;
    assert_ne!(commitments(&other_dtype, &a, &b, &c).0, input);
    let c2 = corrupt(&c, 1, 1.0);
    assert_ne!(commitments(&s, &a, &b, &c2).1, output);
    let mut wider = s.clone();
    (wider.m, wider.k) = (4, 1);
    assert_ne!(
        commitments(&wider, &a, &b, &c).0,
        input,
        "the shape is bound"
    );
}

/// A finished job's receipt, signed by the worker key: the signature checks
/// against that key only, an integer GEMM's receipt is provable on-chain
/// and its roots are the program's, a float one is not.
#[test]
fn receipts_are_signed_by_the_worker_key() {
    use io_compute_sdk::worker_key::receipt_signed_by;
    use solana_sdk::signer::{keypair::Keypair, Signer};
    let cpu = CpuBackend::new();
    let worker = Keypair::new();
    let (lease, device) = (Keypair::new().pubkey(), Keypair::new().pubkey());
    for dtype in [GemmDtype::I32, GemmDtype::F32] {
        let s = spec(8, 70, 6, dtype, 11);
        let (a, b) = gemm::operands(&s, &no_blobs).unwrap();
        let outcome = gemm::run(&cpu, &s, &a, &b).unwrap();
        let signed = io_worker::receipt::gemm(&worker, &lease, &device, [7; 32], &s, &outcome);
        let r = signed.receipt;
        assert!(receipt_signed_by(
            &worker.pubkey(),
            &lease,
            &device,
            &r,
            &signed.signature
        ));
        assert!(!receipt_signed_by(
            &Keypair::new().pubkey(),
            &lease,
            &device,
            &r,
            &signed.signature
        ));
        assert!(!receipt_signed_by(
            &worker.pubkey(),
            &device,
            &lease,
            &r,
            &signed.signature
        ));
        assert_eq!(
            (r.m, r.n, r.k, r.device_time_us),
            (8, 6, 70, outcome.device_time_us)
        );
        assert_eq!(r.is_provable(), dtype == GemmDtype::I32);
        if let (Matrix::I32(av), Matrix::I32(bv), Product::I64(c)) = (&a, &b, &outcome.product) {
            let expected = GemmJob::new(8, 70, 6, av.clone(), bv.clone()).receipt(
                [7; 32],
                c,
                r.device_time_us,
            );
            assert_eq!(r, expected);
        }
    }
}
