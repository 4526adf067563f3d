//! The browser and the Rust sdk are held to the same bytes: the web app's
//! unit tests (app/src/lib/*.test.ts) check the same vectors file.

use anchor_lang::prelude::Pubkey;
use io_compute::receipt::{receipt_leaf, receipt_message, Dtype, JobKind, JobReceipt};
use io_compute_sdk::{api, pda, request::SignedRequest};
use serde_json::Value;
use solana_keypair::Keypair;
use solana_signer::Signer;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../app/src/test/vectors.json")).unwrap()
}

fn keypair(seed: &Value) -> Keypair {
    Keypair::new_from_array([seed.as_u64().unwrap() as u8; 32])
}

fn key(value: &Value) -> Pubkey {
    value.as_str().unwrap().parse().unwrap()
}

#[test]
fn a_signed_request_is_the_same_in_the_browser() {
    let v = vectors();
    let signer = keypair(&v["signer_seed"]);
    let audience = keypair(&v["audience_seed"]).pubkey();
    assert_eq!(signer.pubkey(), key(&v["signer"]));
    assert_eq!(audience, key(&v["audience"]));
    let r = &v["request"];
    let nonce = u128::from_str_radix(r["nonce"].as_str().unwrap(), 16).unwrap();
    let body = r["body"].as_str().unwrap().as_bytes();
    let (method, path) = (r["method"].as_str().unwrap(), r["path"].as_str().unwrap());
    let timestamp = r["timestamp"].as_i64().unwrap();
    let signed =
        SignedRequest::sign_with_nonce(&signer, &audience, method, path, body, timestamp, nonce);
    assert_eq!(
        api::hex(signed.signature.as_ref()),
        r["signature_hex"].as_str().unwrap()
    );
    signed
        .verify(&audience, "POST", path, body, timestamp, 30)
        .unwrap();
}

#[test]
fn addresses_and_receipts_are_the_same_in_the_browser() {
    let v = vectors();
    let signer = keypair(&v["signer_seed"]);
    let audience = keypair(&v["audience_seed"]).pubkey();
    let provider = pda::provider(&audience);
    let lease = pda::lease(3);
    let device = pda::device(&provider, 0);
    let p = &v["pdas"];
    assert_eq!(lease, key(&p["lease_3"]));
    assert_eq!(device, key(&p["device_0_of_audience_provider"]));
    assert_eq!(pda::io_mint(), key(&p["io_mint"]));
    assert_eq!(
        pda::stake_position(&signer.pubkey(), &provider, 2),
        key(&p["stake_signer_audience_provider_2"])
    );
    assert_eq!(
        pda::usage_proof(&lease, &device, 5),
        key(&p["usage_proof_lease_3_device_seq_5"])
    );

    let r = &v["receipt"];
    let hash = |field: &str| api::from_hex32(r[field].as_str().unwrap()).unwrap();
    let receipt = JobReceipt {
        job_id: hash("job_id"),
        kind: JobKind::Gemm,
        dtype: Dtype::I32,
        m: 4,
        n: 4,
        k: 4,
        input_root: hash("input_root"),
        output_root: hash("output_root"),
        device_time_us: r["device_time_us"].as_u64().unwrap(),
    };
    assert_eq!(
        (r["kind"].as_str(), r["dtype"].as_str()),
        (Some("gemm"), Some("i32"))
    );
    assert_eq!(
        api::hex(&receipt_leaf(&lease, &device, &receipt)),
        r["leaf"].as_str().unwrap()
    );
    let signature = signer.sign_message(&receipt_message(&lease, &device, &receipt));
    assert_eq!(
        api::hex(signature.as_ref()),
        r["signature_hex"].as_str().unwrap()
    );
}
