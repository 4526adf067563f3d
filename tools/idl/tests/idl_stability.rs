//! The committed IDL against the IDL of `b39f350` (before the code was
//! reorganized by subject and before trust model v2): docs and names may
//! change freely, but an instruction's discriminator, argument layout and
//! account list (order, writable, signer), and an account's discriminator
//! and Borsh layout, change only where `CHANGED` says so and why; a client
//! built against the old IDL breaks exactly there. And every instruction
//! carries a doc.

use serde_json::Value;
use std::{collections::BTreeMap, path::PathBuf};

/// Layout changes made on purpose: (instruction or account, why). An
/// instruction listed here may also be new or gone.
const CHANGED: &[(&str, &str)] = &[
    (
        "Config",
        "slash_destination removed: slashes always go to the IO treasury",
    ),
    (
        "Device",
        "worker key, open-proof count, last checked epoch and failed checks (trust model v2)",
    ),
    (
        "UsageProof",
        "device time in microseconds, the signing worker key, open GEMM challenges; one challenger and bond replaced by an open-dispute count (several disputes per proof)",
    ),
    (
        "GemmChallenge",
        "chunked running dot product, claimed element, expiry (k up to 16,384)",
    ),
    ("add_device", "the device spec names the worker key"),
    ("update_device", "the worker key can be rotated"),
    (
        "post_usage_proof",
        "device time in microseconds; reads the instructions sysvar for the worker's signature",
    ),
    (
        "open_gemm_challenge",
        "receipt v2 (kind, dtype, shape, device time); the proof is written (frozen)",
    ),
    ("submit_gemm_operand", "replaced by submit_gemm_evidence"),
    (
        "submit_gemm_evidence",
        "new: the claimed element or the next operand chunk",
    ),
    (
        "prove_gemm_fraud",
        "no arguments (the evidence is in the challenge); other disputes are refunded by refund_dispute",
    ),
    (
        "dispute_proof",
        "the challenger pays for its Dispute account (one per challenger, several per proof)",
    ),
    ("refund_dispute", "new: a dispute of a voided proof gets its bond back"),
    ("Dispute", "new: one challenger's bonded dispute of a usage proof"),
    (
        "execute_proposal_call",
        "new: governance signs a passed proposal's role instruction with its PDA",
    ),
    (
        "create_proposal",
        "an optional role instruction (GovernanceCall) instead of changes",
    ),
    ("Proposal", "an optional role instruction (GovernanceCall)"),
    (
        "abandon_gemm_challenge",
        "new: ends a challenge without a verdict",
    ),
    (
        "Provider",
        "own and co-stake share classes (own stake takes the first loss, H1); share-cut announcement time (H6)",
    ),
    (
        "Governance",
        "first executable proposal id: proposals made before the handover never run (H5)",
    ),
    (
        "hand_over_authority",
        "writes the governance account (first executable proposal id); names the arbiter, keeper admin and price authority (H5, M2)",
    ),
    (
        "PriceFeed",
        "the hour-long change window's opening price and time (M1)",
    ),
    ("expire_lockup", "new: a lockup's reward multiplier ends with it (M4)"),
    (
        "Lease",
        "per-device entries (price, proof seq, proven until), its keeper, close time and holdback (H2, item 5)",
    ),
    (
        "Keeper",
        "its API endpoint; device-reward roots disputable until",
    ),
    ("admit_keeper", "the keeper's endpoint"),
    ("update_keeper", "new: a keeper moves its API"),
    ("take_over_lease", "new: another keeper serves a lease whose keeper is gone or silent"),
    ("assign_devices", "reads the config (the keeper's minimum bond)"),
    ("post_device_rewards", "reads the config (the keeper's minimum bond)"),
    (
        "resolve_dispute",
        "a verdict: rejected, the provider's fault or the keeper's (M6); resolves one Dispute account",
    ),
    (
        "Epoch",
        "device-reward claim window: unlock time and claim deadline (H4)",
    ),
    (
        "Tokenomics",
        "the stakers' index carries its remainder (M3)",
    ),
    (
        "void_device_rewards",
        "new: the arbiter voids a device-reward root in its window (H4)",
    ),
    (
        "expire_device_rewards",
        "new: unclaimed device rewards go back to the pool (H4)",
    ),
    ("top_up_keeper_bond", "new: a keeper adds to its bond"),
    (
        "record_device_checks",
        "new: device-check outcomes per device and epoch; failures jail (item 6)",
    ),
    ("Proposal", "ParamChange gains price authority, oracle source, epoch length and GPU model (M2)"),
    ("execute_proposal", "writes the GPU model table (GpuModel changes, M2)"),
    ("create_proposal", "ParamChange gains price authority, oracle source, epoch length and GPU model (M2)"),
];

fn changed(name: &str) -> bool {
    CHANGED.iter().any(|(item, _)| *item == name)
}

fn load(path: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn by_name(items: &Value) -> BTreeMap<String, &Value> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["name"].as_str().unwrap().to_string(), item))
        .collect()
}

/// The Borsh layout of `ty` with every name dropped and every defined type
/// expanded: two types with equal layouts encode the same bytes.
fn layout(ty: &Value, types: &BTreeMap<String, &Value>) -> Value {
    match ty {
        Value::String(_) => ty.clone(),
        Value::Object(map) => {
            if let Some(defined) = map.get("defined") {
                let name = defined["name"].as_str().unwrap();
                return type_layout(types[name], types);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), layout(v, types)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| layout(v, types)).collect()),
        other => other.clone(),
    }
}

fn fields_layout(fields: Option<&Value>, types: &BTreeMap<String, &Value>) -> Value {
    let Some(fields) = fields.and_then(Value::as_array) else {
        return Value::Null;
    };
    Value::Array(
        fields
            .iter()
            .map(|f| match f.get("type") {
                Some(ty) => layout(ty, types),
                // A tuple field is the type itself.
                None => layout(f, types),
            })
            .collect(),
    )
}

fn type_layout(def: &Value, types: &BTreeMap<String, &Value>) -> Value {
    let ty = &def["type"];
    match ty["kind"].as_str().unwrap() {
        "struct" => fields_layout(ty.get("fields"), types),
        "enum" => Value::Array(
            ty["variants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| fields_layout(v.get("fields"), types))
                .collect(),
        ),
        other => panic!("unexpected type kind {other}"),
    }
}

fn account_flags(ix: &Value) -> Vec<(bool, bool)> {
    // Nested account groups are flattened by the IDL generator already.
    ix["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["writable"].as_bool().unwrap_or(false),
                a["signer"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// Compares `old` and `new` items by name: unlisted ones must be present
/// in both and equal under `same`; listed ones must differ.
fn compare<'a>(
    what: &str,
    old: &BTreeMap<String, &'a Value>,
    new: &BTreeMap<String, &'a Value>,
    same: impl Fn(&Value, &Value) -> bool,
) {
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        let equal = match (old.get(name), new.get(name)) {
            (Some(before), Some(after)) => same(before, after),
            _ => false,
        };
        if changed(name) {
            assert!(!equal, "{what} {name} is listed as changed but is not");
        } else {
            assert!(equal, "{what} {name} changed without a reason in CHANGED");
        }
    }
}

#[test]
fn layouts_change_only_where_listed() {
    let (old, new) = (
        load("idl/baseline/io_compute.b39f350.json"),
        load("idl/io_compute.json"),
    );
    let (old_types, new_types) = (by_name(&old["types"]), by_name(&new["types"]));
    let args = |ix: &Value, types| fields_layout(Some(&ix["args"]), types);
    compare(
        "instruction",
        &by_name(&old["instructions"]),
        &by_name(&new["instructions"]),
        |before, after| {
            before["discriminator"] == after["discriminator"]
                && args(before, &old_types) == args(after, &new_types)
                && account_flags(before) == account_flags(after)
        },
    );
    compare(
        "account",
        &by_name(&old["accounts"]),
        &by_name(&new["accounts"]),
        |before, after| {
            let name = before["name"].as_str().unwrap();
            before["discriminator"] == after["discriminator"]
                && type_layout(old_types[name], &old_types)
                    == type_layout(new_types[name], &new_types)
        },
    );
}

#[test]
fn config_lost_only_the_slash_destination() {
    let (old, new) = (
        load("idl/baseline/io_compute.b39f350.json"),
        load("idl/io_compute.json"),
    );
    let names = |idl: &Value| -> Vec<String> {
        let config = by_name(&idl["types"])["Config"];
        config["type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let mut expected = names(&old);
    expected.retain(|n| n != "slash_destination");
    let renamed = |n: String| match n.as_str() {
        "market" => "market_params".to_string(),
        "tokenomics" => "tokenomics_params".to_string(),
        _ => n,
    };
    let expected: Vec<String> = expected.into_iter().map(renamed).collect();
    assert_eq!(names(&new), expected);
}

#[test]
fn every_instruction_has_a_doc() {
    let idl = load("idl/io_compute.json");
    let undocumented: Vec<&str> = idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ix| {
            ix["docs"].as_array().is_none_or(|docs| {
                docs.iter()
                    .all(|d| d.as_str().unwrap_or("").trim().is_empty())
            })
        })
        .map(|ix| ix["name"].as_str().unwrap())
        .collect();
    assert!(
        undocumented.is_empty(),
        "instructions without a doc: {undocumented:?}"
    );
}
