//! The committed IDL against the IDL of `b39f350` (before the code was
//! reorganized by subject): the reorganization may add docs and rename
//! things, but every instruction and account keeps its discriminator, every
//! instruction its argument layout and account list (order, writable,
//! signer), and every account its Borsh layout. The one intended layout
//! change is listed in `INTENDED`. And every instruction carries a doc.

use serde_json::Value;
use std::{collections::BTreeMap, path::PathBuf};

/// Layout changes made on purpose: (account type, what changed).
const INTENDED: &[(&str, &str)] = &[(
    "Config",
    "slash_destination removed: slashes always go to the IO treasury",
)];

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

#[test]
fn discriminators_and_layouts_match_the_baseline() {
    let (old, new) = (
        load("idl/baseline/io_compute.b39f350.json"),
        load("idl/io_compute.json"),
    );
    let (old_types, new_types) = (by_name(&old["types"]), by_name(&new["types"]));

    let (old_ix, new_ix) = (by_name(&old["instructions"]), by_name(&new["instructions"]));
    assert_eq!(
        old_ix.keys().collect::<Vec<_>>(),
        new_ix.keys().collect::<Vec<_>>(),
        "the same instructions"
    );
    for (name, before) in &old_ix {
        let after = new_ix[name];
        assert_eq!(before["discriminator"], after["discriminator"], "{name}");
        let args = |ix: &Value, types| fields_layout(Some(&ix["args"]), types);
        assert_eq!(
            args(before, &old_types),
            args(after, &new_types),
            "{name}: arguments"
        );
        assert_eq!(
            account_flags(before),
            account_flags(after),
            "{name}: accounts"
        );
    }

    let (old_acc, new_acc) = (by_name(&old["accounts"]), by_name(&new["accounts"]));
    assert_eq!(
        old_acc.keys().collect::<Vec<_>>(),
        new_acc.keys().collect::<Vec<_>>(),
        "the same account types"
    );
    for (name, before) in &old_acc {
        assert_eq!(
            before["discriminator"], new_acc[name]["discriminator"],
            "{name}"
        );
        let (was, is) = (
            type_layout(old_types[name], &old_types),
            type_layout(new_types[name], &new_types),
        );
        if INTENDED.iter().any(|(account, _)| account == name) {
            assert_ne!(was, is, "{name} was listed as changed but is not");
        } else {
            assert_eq!(was, is, "{name}: account layout");
        }
    }
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
