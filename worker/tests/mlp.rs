//! MLP inference on the CPU backend: every layer within f32's bound of the
//! f64 reference computed from the worker's own previous layer (as the
//! keeper checks it), the keeper's per-layer Freivalds check passing on
//! honest layers and finding exactly the tampered one, and bad weights
//! refused with a reason.

use io_compute_sdk::{
    inputs::InputError,
    job::{Activation, JobError, MlpInferSpec, MlpInput, MlpLayer},
    mlp::{activate, check_layer, layer_commitment, Weights},
    verify::ErrorModel,
};
use io_worker::{backend::cpu::CpuBackend, gemm::hex, mlp};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A random network of `sizes` (inputs, hidden..., outputs) with its blob
/// store.
fn network(sizes: &[u32], batch: u32, seed: u64) -> (MlpInferSpec, HashMap<String, Vec<u8>>) {
    let mut rng = rand::rng();
    let mut store = HashMap::new();
    let mut layers = Vec::new();
    for pair in sizes.windows(2) {
        let (inputs, outputs) = (pair[0] as usize, pair[1] as usize);
        let scale = 1.0 / (inputs as f32).sqrt();
        let weights = Weights {
            inputs,
            outputs,
            w: (0..inputs * outputs)
                .map(|_| rng.random_range(-scale..scale))
                .collect(),
            bias: (0..outputs).map(|_| rng.random_range(-0.1..0.1)).collect(),
        };
        let blob = weights.to_blob();
        let hash = hex(&Sha256::digest(&blob));
        store.insert(hash.clone(), blob);
        layers.push(MlpLayer {
            weights: hash,
            inputs: pair[0],
            outputs: pair[1],
        });
    }
    let spec = MlpInferSpec {
        layers,
        activation: Activation::Relu,
        batch,
        input: MlpInput::Seed { seed },
    };
    (spec, store)
}

#[test]
fn every_layer_checks_and_a_tampered_one_is_found() {
    let cpu = CpuBackend::new();
    let (spec, store) = network(&[96, 257, 64, 10], 33, 5);
    let fetch = |h: &str| store.get(h).cloned();
    let (x0, x0_hash, weights) = mlp::operands(&spec, &fetch).unwrap();
    let out = mlp::run(&cpu, &spec, &x0, &x0_hash, &weights).unwrap();
    assert_eq!(out.layers.len(), 3);
    let model = ErrorModel::of(io_compute_sdk::job::GemmDtype::F32, false);
    let mut x = x0.clone();
    for (l, (w, z)) in weights.iter().zip(&out.layers).enumerate() {
        assert_eq!(z.len(), 33 * w.outputs);
        // f64 reference of this layer from the worker's own input to it.
        for i in 0..33 {
            for j in 0..w.outputs {
                let (mut exact, mut abs) = (w.bias[j] as f64, w.bias[j].abs() as f64);
                for p in 0..w.inputs {
                    let term = x[i * w.inputs + p] as f64 * w.w[p * w.outputs + j] as f64;
                    exact += term;
                    abs += term.abs();
                }
                let got = z[i * w.outputs + j] as f64;
                let bound = model.element_bound(w.inputs + 1, got, abs);
                assert!(
                    (got - exact).abs() <= bound,
                    "layer {l} [{i}][{j}]: {got} vs {exact}"
                );
            }
        }
        assert_eq!(out.commitments[l], layer_commitment(l as u32, z));
        assert!(
            check_layer(&x, 33, w, z, 16, l as u64).is_ok(),
            "honest layer {l}"
        );
        x = activate(Activation::Relu, z);
    }
    // Layer 1 tampered: its own check fails, the others still pass.
    let mut tampered = out.layers.clone();
    tampered[1][70] += 1.0;
    let inputs = [
        x0.clone(),
        activate(Activation::Relu, &out.layers[0]),
        activate(Activation::Relu, &out.layers[1]),
    ];
    let verdicts: Vec<bool> = (0..3)
        .map(|l| check_layer(&inputs[l], 33, &weights[l], &tampered[l], 16, 9).is_ok())
        .collect();
    assert_eq!(verdicts, [true, false, true]);
    assert_ne!(layer_commitment(1, &tampered[1]), out.commitments[1]);
}

#[test]
fn bad_weights_and_shapes_are_job_errors() {
    let (spec, store) = network(&[8, 4, 2], 3, 1);
    let fetch = |h: &str| store.get(h).cloned();
    // A blob that is not what its hash says.
    let forged = |h: &str| {
        store.get(h).cloned().map(|mut b| {
            b[0] ^= 0xff;
            b
        })
    };
    let err = mlp::operands(&spec, &forged).unwrap_err();
    assert!(matches!(err, InputError::HashMismatch { .. }), "{err}");
    // Layers that do not chain.
    let mut broken = spec.clone();
    broken.layers[1].inputs = 5;
    let err = mlp::operands(&broken, &fetch).unwrap_err();
    assert!(
        matches!(err, InputError::Spec(JobError::BadMlp { layer: 1 })),
        "{err}"
    );
    // A weight blob of the wrong size for its layer.
    let short: Vec<u8> = vec![0; 12];
    let short_hash = hex(&Sha256::digest(&short));
    let mut wrong = spec.clone();
    wrong.layers[0].weights = short_hash.clone();
    let with_short = |h: &str| {
        if h == short_hash {
            Some(short.clone())
        } else {
            fetch(h)
        }
    };
    let err = mlp::operands(&wrong, &with_short).unwrap_err();
    assert!(
        matches!(
            err,
            InputError::Spec(JobError::WrongLength { which: 'W', .. })
        ),
        "{err}"
    );
    // Infinite weights.
    let inf = Weights {
        inputs: 8,
        outputs: 4,
        w: vec![f32::INFINITY; 32],
        bias: vec![0.0; 4],
    }
    .to_blob();
    let inf_hash = hex(&Sha256::digest(&inf));
    let mut infinite = spec.clone();
    infinite.layers[0].weights = inf_hash.clone();
    let with_inf = |h: &str| {
        if h == inf_hash {
            Some(inf.clone())
        } else {
            fetch(h)
        }
    };
    let err = mlp::operands(&infinite, &with_inf).unwrap_err();
    assert!(err.to_string().contains("NaN or infinity"), "{err}");
}
