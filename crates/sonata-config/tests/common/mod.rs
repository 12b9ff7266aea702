//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod sonata_writer;

use sonata_config::Value;
use std::path::{Path, PathBuf};

/// `tests/fixtures/sonata` of the repository.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sonata")
}

/// A JSON file of `expected/`, parsed keeping key order.
pub fn expected(name: &str) -> Value {
    let path = fixtures().join("expected").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode_bytes_markers(v)
}

/// The generator records bmtool's Python `bytes` (h5py's variable-length
/// strings) as `{"__bytes__": "text"}`; this crate decodes them (a documented
/// difference), so compare with the decoded text.
pub fn decode_bytes_markers(v: Value) -> Value {
    match v {
        Value::Object(entries) => {
            if entries.len() == 1 && entries[0].0 == "__bytes__" {
                if let Value::Str(s) = &entries[0].1 {
                    return Value::Str(s.clone());
                }
            }
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, decode_bytes_markers(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(decode_bytes_markers).collect()),
        other => other,
    }
}

/// Replaces the generator's `<fixtures>` prefix with the fixtures folder.
pub fn fixture_path(s: &str) -> PathBuf {
    match s.strip_prefix("<fixtures>/") {
        Some(rest) => fixtures().join(rest),
        None => PathBuf::from(s),
    }
}

/// Canonical form of a path for comparisons.
pub fn canon(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Units in the last place between two doubles of the same sign.
fn ulps(a: f64, b: f64) -> u64 {
    if a == b {
        return 0;
    }
    if a.is_sign_negative() != b.is_sign_negative() {
        return u64::MAX;
    }
    a.to_bits().abs_diff(b.to_bits())
}

/// Structural equality with key order, Int-vs-Float distinction, and floats
/// equal to within one unit in the last place (serde_json's default float
/// parser is not always correctly rounded for 17-digit numbers). Returns the
/// first difference, located by a JSON path.
pub fn diff(path: &str, ours: &Value, want: &Value) -> Option<String> {
    match (ours, want) {
        (Value::Float(a), Value::Float(b)) => {
            if ulps(*a, *b) <= 1 {
                None
            } else {
                Some(format!("{path}: {a:?} != {b:?}"))
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            let ka: Vec<&String> = a.iter().map(|(k, _)| k).collect();
            let kb: Vec<&String> = b.iter().map(|(k, _)| k).collect();
            if ka != kb {
                return Some(format!("{path}: keys {ka:?} != {kb:?}"));
            }
            a.iter()
                .zip(b)
                .find_map(|((k, va), (_, vb))| diff(&format!("{path}.{k}"), va, vb))
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!("{path}: {} items != {}", a.len(), b.len()));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| diff(&format!("{path}[{i}]"), x, y))
        }
        (a, b) if a == b => None,
        (a, b) => Some(format!("{path}: {a:?} != {b:?}")),
    }
}

/// Panics with the first difference.
pub fn assert_same(what: &str, ours: &Value, want: &Value) {
    if let Some(d) = diff(what, ours, want) {
        panic!(
            "{d}\nours: {}\nwant: {}",
            serde_json::to_string_pretty(ours).unwrap(),
            serde_json::to_string_pretty(want).unwrap()
        );
    }
}

/// Serialises with serde_json and parses back keeping order.
pub fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::from_str(&serde_json::to_string(t).expect("serialise")).expect("parse")
}
