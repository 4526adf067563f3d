//! The keeper's verification of worker results, on results the worker's
//! own code produced: over a thousand honest float GEMMs of random shapes
//! pass (no false positive), and every kind of lie is caught: an integer
//! element off by one, a float element far above its bound, a receipt
//! signed by another key or naming another job, an MLP layer altered.

use io_compute_sdk::{
    api,
    job::{
        Activation, GemmDtype, GemmInputs, GemmSpec, Job, JobSpec, MlpInferSpec, MlpInput,
        MlpLayer, Product,
    },
    mlp::Weights,
    worker_key::sign_receipt,
};
use io_keeper::verifier::{verify, Submission, Verdict};
use io_worker::{backend::cpu::CpuBackend, run::execute};
use rand::{Rng, SeedableRng};
use solana_sdk::{
    pubkey::Pubkey,
    signer::{keypair::Keypair, Signer},
};
use std::{collections::HashMap, sync::Mutex};

struct Bench {
    cpu: CpuBackend,
    worker: Keypair,
    lease: Pubkey,
    device: Pubkey,
    /// The keeper's blob store, as the verifier sees it.
    blobs: Mutex<HashMap<String, Vec<u8>>>,
}

impl Bench {
    fn new() -> Self {
        Self {
            cpu: CpuBackend::new(),
            worker: Keypair::new(),
            lease: Pubkey::new_unique(),
            device: Pubkey::new_unique(),
            blobs: Mutex::default(),
        }
    }

    /// Runs `job` as the worker does and stores its outputs; then the
    /// verdict on what `tamper` made of it.
    fn check(
        &self,
        job: &Job,
        tamper: impl FnOnce(&mut io_worker::run::Finished, &mut Pubkey, &mut [u8; 32]),
    ) -> Verdict {
        let id: [u8; 32] = rand::random();
        let fetch = |hash: &str| self.get(hash);
        let mut finished = execute(
            &self.cpu,
            &self.worker,
            &self.lease,
            &self.device,
            id,
            &job.spec,
            &fetch,
        )
        .unwrap();
        let (mut signer, mut job_id) = (self.worker.pubkey(), id);
        tamper(&mut finished, &mut signer, &mut job_id);
        let store = |bytes: &Vec<u8>| {
            let hash = api::blob_hash(bytes);
            self.put(&hash, bytes);
            hash
        };
        let outputs: Vec<String> = finished.outputs.iter().map(store).collect();
        let layers: Vec<String> = finished.layers.iter().map(store).collect();
        verify(
            job,
            &Submission {
                lease: self.lease,
                device: self.device,
                worker: signer,
                job_id,
                receipt: &finished.receipt.receipt,
                signature: &finished.receipt.signature,
                outputs: &outputs,
                layers: &layers,
            },
            &|hash| self.get(hash),
        )
    }

    fn get(&self, hash: &str) -> Option<Vec<u8>> {
        self.blobs.lock().unwrap().get(hash).cloned()
    }

    fn put(&self, hash: &str, bytes: &[u8]) {
        self.blobs
            .lock()
            .unwrap()
            .insert(hash.to_string(), bytes.to_vec());
    }
}

fn gemm(dtype: GemmDtype, (m, k, n): (u32, u32, u32), seed: u64) -> Job {
    Job::new(JobSpec::Gemm(GemmSpec {
        m,
        n,
        k,
        dtype,
        allow_tf32: false,
        inputs: GemmInputs::Seed { seed },
    }))
}

#[test]
fn a_thousand_honest_float_results_pass() {
    let bench = Bench::new();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(rand::random());
    let dtypes = [GemmDtype::F32, GemmDtype::Bf16, GemmDtype::F16];
    for trial in 0..1_020u64 {
        let dims = (
            rng.random_range(1..48),
            rng.random_range(1..160),
            rng.random_range(1..48),
        );
        let job = gemm(dtypes[trial as usize % 3], dims, rng.random());
        assert_eq!(bench.check(&job, |_, _, _| {}), Verdict::Valid, "{job:?}");
    }
}

#[test]
fn every_kind_of_lie_is_caught() {
    let bench = Bench::new();
    let wrong = |verdict: Verdict, expected: &str| match verdict {
        Verdict::Wrong(why) => assert!(why.contains(expected), "{why}"),
        other => panic!("expected a lie ({expected}), got {other:?}"),
    };
    // An integer element off by one, the receipt's roots left as signed:
    // the output no longer matches its commitment.
    let int = gemm(GemmDtype::I32, (9, 33, 7), 4);
    wrong(
        bench.check(&int, |f, _, _| f.outputs[0][8] ^= 1),
        "roots do not commit",
    );
    // A float element far above its bound, committed and signed anew: only
    // Freivalds can tell.
    let float = gemm(GemmDtype::F32, (16, 64, 16), 5);
    let (worker, lease, device) = (bench.worker.insecure_clone(), bench.lease, bench.device);
    let resign = move |f: &mut io_worker::run::Finished, bump: f32| {
        let Some(Product::F32(mut c)) = Product::from_le_bytes(GemmDtype::F32, &f.outputs[0])
        else {
            unreachable!()
        };
        c[37] += bump;
        let product = Product::F32(c);
        let JobSpec::Gemm(spec) = &gemm(GemmDtype::F32, (16, 64, 16), 5).spec else {
            unreachable!()
        };
        let (a, b) = io_compute_sdk::job::seeded_operands(spec, 5);
        let (input_root, output_root) = io_compute_sdk::job::commitments(spec, &a, &b, &product);
        f.outputs[0] = product.to_le_bytes();
        f.receipt.receipt.input_root = input_root;
        f.receipt.receipt.output_root = output_root;
        f.receipt.signature = sign_receipt(&worker, &lease, &device, &f.receipt.receipt);
    };
    wrong(
        bench.check(&float, |f, _, _| resign(f, 0.5)),
        "C is not A x B",
    );
    // Within f32's bound, the same rewrite is not a lie.
    assert_eq!(
        bench.check(&float, |f, _, _| resign(f, 0.0)),
        Verdict::Valid
    );
    // Another key's signature, or another job's receipt.
    wrong(
        bench.check(&int, |_, signer, _| *signer = Pubkey::new_unique()),
        "not signed by the device's worker key",
    );
    wrong(
        bench.check(&int, |_, _, job| job[0] ^= 1),
        "names another job",
    );
    // A result whose output never arrived is not a lie, only unchecked.
    let unchecked = {
        let fetch = |_: &str| None;
        let finished = execute(
            &bench.cpu,
            &bench.worker,
            &bench.lease,
            &bench.device,
            [1; 32],
            &int.spec,
            &fetch,
        )
        .unwrap();
        verify(
            &int,
            &Submission {
                lease: bench.lease,
                device: bench.device,
                worker: bench.worker.pubkey(),
                job_id: [1; 32],
                receipt: &finished.receipt.receipt,
                signature: &finished.receipt.signature,
                outputs: &["ab".repeat(32)],
                layers: &[],
            },
            &|hash| bench.get(hash),
        )
    };
    assert!(matches!(unchecked, Verdict::Unchecked(_)), "{unchecked:?}");

    // An MLP: honest passes; a hidden layer altered is caught by its own
    // check even though the model's output is left alone.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut layers = Vec::new();
    for (inputs, outputs) in [(12usize, 20usize), (20, 6)] {
        let weights = Weights {
            inputs,
            outputs,
            w: (0..inputs * outputs)
                .map(|_| rng.random_range(-1.0..1.0))
                .collect(),
            bias: (0..outputs).map(|_| rng.random_range(-1.0..1.0)).collect(),
        };
        let blob = weights.to_blob();
        let hash = api::blob_hash(&blob);
        bench.put(&hash, &blob);
        layers.push(MlpLayer {
            weights: hash,
            inputs: inputs as u32,
            outputs: outputs as u32,
        });
    }
    let mlp = Job::new(JobSpec::MlpInfer(MlpInferSpec {
        layers,
        activation: Activation::Relu,
        batch: 5,
        input: MlpInput::Seed { seed: 11 },
    }));
    assert_eq!(bench.check(&mlp, |_, _, _| {}), Verdict::Valid);
    wrong(
        bench.check(&mlp, |f, _, _| f.layers[0][3] ^= 0x40),
        "layer 0",
    );
}
