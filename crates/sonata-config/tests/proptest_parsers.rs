//! Property tests: the types-CSV parser and the config parser never panic, and
//! what they return is consistent (a table whose rows fit its header; an error
//! of the parser's own kind naming the file).
//!
//! CI runs a modest number of cases; set `PROPTEST_CASES` for more, e.g.
//! `PROPTEST_CASES=100000 cargo test -p sonata-config --release --test proptest_parsers`.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as PtConfig, TestRunner};
use serde_json::{json, Map, Value as Json};
use sonata_config::{Config, ErrorKind, TypesTable, Value};
use std::path::Path;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

fn runner() -> TestRunner {
    eprintln!("proptest: {} cases", cases());
    TestRunner::new(PtConfig {
        cases: cases(),
        failure_persistence: None,
        ..PtConfig::default()
    })
}

/// Pieces of CSV text, weighted toward what the parser treats specially.
fn csv_token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        2 => Just("  ".to_string()),
        3 => Just("\n".to_string()),
        1 => Just("\r\n".to_string()),
        1 => Just("\r".to_string()),
        3 => Just("\"".to_string()),
        1 => Just("\"\"".to_string()),
        2 => Just("NULL".to_string()),
        2 => Just("edge_type_id".to_string()),
        1 => Just("node_type_id".to_string()),
        1 => Just("True".to_string()),
        1 => Just("false".to_string()),
        2 => (-5i64..200).prop_map(|i| i.to_string()),
        1 => any::<f64>().prop_map(|f| f.to_string()),
        2 => "[a-z_]{1,6}",
        1 => "\\PC{1,3}",
        1 => Just("\u{feff}".to_string()),
        1 => Just("\t".to_string()),
    ]
}

fn csv_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // A header then token soup: mostly valid-looking files.
        (
            prop::sample::select(vec![
                "edge_type_id a b\n",
                "a edge_type_id\n",
                "edge_type_id\n",
                ""
            ]),
            prop::collection::vec(csv_token(), 0..40)
        )
            .prop_map(|(h, toks)| format!("{h}{}", toks.concat())),
        // Arbitrary text.
        "\\PC{0,80}",
        any::<Vec<u8>>().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn check_csv(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("prop_edge_types.csv");
    match TypesTable::parse(text, path, "edge_type_id") {
        Ok(t) => {
            let id = t.column_index("edge_type_id");
            prop_assert!(id.is_some());
            let id = id.unwrap_or(0);
            let lines = text.split('\n').count() + text.matches('\r').count() + 1;
            for r in t.rows() {
                prop_assert_eq!(r.values.len(), t.columns().len());
                prop_assert!(r.line >= 2 && r.line <= lines);
                prop_assert!(
                    matches!(r.values[id], Value::Int(i) if i == r.id)
                        || matches!(r.values[id], Value::Float(_))
                );
                prop_assert!(t.row(r.id).is_some());
            }
        }
        Err(e) => {
            prop_assert_eq!(e.kind(), ErrorKind::Csv);
            prop_assert_eq!(e.path(), path);
            prop_assert!(e.to_string().starts_with("prop_edge_types.csv: line "));
        }
    }
    Ok(())
}

#[test]
fn types_csv_parser_never_panics() {
    let mut runner = runner();
    runner
        .run(&csv_text(), |text| check_csv(&text))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Strings full of manifest syntax.
fn config_string() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(vec!["$A", "${A}", "$B", "${B}", "$C_1", "${configdir}", "$configdir", "${workingdir}", "$datetime"]).prop_map(str::to_string),
            2 => prop::sample::select(vec!["$", "${", "}", "{", "/", "..", ".", "x.h5", "dir", " "]).prop_map(str::to_string),
            1 => prop::sample::select(vec!["$NOPE", "${NOPE}", "$é", "${}"]).prop_map(str::to_string),
            1 => "\\PC{1,4}",
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        4 => config_string().prop_map(Json::String),
        1 => any::<f64>().prop_map(|f| json!(f)),
        1 => any::<i32>().prop_map(|i| json!(i)),
        1 => any::<bool>().prop_map(Json::Bool),
        1 => Just(Json::Null),
    ]
}

fn json_value() -> impl Strategy<Value = Json> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..4).prop_map(
                |kv| Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            ),
        ]
    })
}

const KEYS: &[&str] = &[
    "manifest",
    "network",
    "simulation",
    "components",
    "networks",
    "run",
    "conditions",
    "node_sets_file",
    "node_sets",
    "target_simulator",
    "nodes",
    "edges",
    "gap_juncs",
    "nodes_file",
    "node_types_file",
    "edges_file",
    "edge_types_file",
    "gap_juncs_file",
    "dt",
    "tstop",
    "celsius",
    "v_init",
    "spike_threshold",
    "nsteps_block",
    "synaptic_models_dir",
    "templates_dir",
    "other",
];

fn manifest() -> impl Strategy<Value = Json> {
    prop::collection::vec(
        (
            prop::sample::select(vec!["$A", "B", "${C_1}", "$configdir", "A"]),
            config_string(),
        ),
        0..5,
    )
    .prop_map(|kv| {
        Json::Object(
            kv.into_iter()
                .map(|(k, v)| (k.to_string(), Json::String(v)))
                .collect(),
        )
    })
}

fn structured_config() -> impl Strategy<Value = String> {
    (
        manifest(),
        prop::collection::vec((prop::sample::select(KEYS.to_vec()), json_value()), 0..6),
        prop::option::of(prop::collection::vec(
            (
                config_string(),
                config_string(),
                config_string(),
                config_string(),
            ),
            0..3,
        )),
        prop::option::of((leaf(), leaf(), leaf())),
    )
        .prop_map(|(man, top, nets, run)| {
            let mut m = Map::new();
            m.insert("manifest".into(), man);
            for (k, v) in top {
                m.insert(k.to_string(), v);
            }
            if let Some(nets) = nets {
                let nodes: Vec<Json> = nets
                    .iter()
                    .map(|(a, b, _, _)| json!({"nodes_file": a, "node_types_file": b}))
                    .collect();
                let edges: Vec<Json> = nets
                    .iter()
                    .map(|(_, _, c, d)| json!({"edges_file": c, "edge_types_file": d}))
                    .collect();
                m.insert("networks".into(), json!({"nodes": nodes, "edges": edges}));
            }
            if let Some((dt, tstop, celsius)) = run {
                m.insert("run".into(), json!({"dt": dt, "tstop": tstop}));
                m.insert("conditions".into(), json!({"celsius": celsius}));
            }
            Json::Object(m).to_string()
        })
}

/// Well-formed configs whose variables resolve: they get as far as the files.
fn plausible_config() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["${configdir}", "$configdir", ".", "/tmp/none", "sub/.."]),
        prop::collection::vec("[a-z]{1,5}(\\.h5|\\.csv|\\.json)?", 1..4),
        prop::option::of(prop::sample::select(vec!["circuit.json", "../c.json", "$BASE/c.json"])),
        any::<Option<f64>>(),
    )
        .prop_map(|(base, names, include, dt)| {
            let file = |n: &str| format!("$BASE/{n}");
            let mut m = Map::new();
            m.insert("manifest".into(), json!({"$BASE": base, "COMP": "${BASE}/components"}));
            m.insert("components".into(), json!({"synaptic_models_dir": "$COMP/syn", "templates_dir": "rel/templates"}));
            m.insert(
                "networks".into(),
                json!({
                    "nodes": names.iter().map(|n| json!({"nodes_file": file(n), "node_types_file": file(n)})).collect::<Vec<_>>(),
                    "edges": names.iter().map(|n| json!({"edges_file": file(n), "edge_types_file": file(n)})).collect::<Vec<_>>(),
                }),
            );
            if let Some(inc) = include {
                m.insert("network".into(), json!(inc));
            }
            if let Some(dt) = dt {
                m.insert("run".into(), json!({"dt": dt, "tstop": "$BASE"}));
            }
            Json::Object(m).to_string()
        })
}

fn config_json() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => plausible_config(),
        6 => structured_config(),
        // Cut short: truncated JSON.
        2 => (structured_config(), any::<prop::sample::Index>()).prop_map(|(s, i)| {
            let mut cut = i.index(s.len() + 1);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s[..cut].to_string()
        }),
        1 => "\\PC{0,60}",
    ]
}

fn check_config(text: &str, dir: &Path) -> Result<(), TestCaseError> {
    let path = dir.join("config.json");
    match Config::parse(text, &path) {
        Ok(c) => {
            prop_assert_eq!(c.path(), path.as_path());
            // Every typed path is absolute and free of variables.
            for p in c.components().all.values() {
                prop_assert!(p.is_absolute());
            }
        }
        Err(e) => {
            let allowed = [
                ErrorKind::Json,
                ErrorKind::ConfigField,
                ErrorKind::UnresolvedVariable,
                ErrorKind::FileNotFound,
                ErrorKind::Io,
                ErrorKind::IncludeCycle,
                ErrorKind::Hdf5,
            ];
            prop_assert!(allowed.contains(&e.kind()), "{:?}: {}", e.kind(), e);
            prop_assert!(!e.to_string().is_empty());
        }
    }
    Ok(())
}

#[test]
fn config_parser_never_panics() {
    // A folder that does not exist: includes and network files are never found.
    let dir = std::env::temp_dir().join("sonata-config-proptest-no-such-folder");
    let mut runner = runner();
    runner
        .run(&config_json(), |text| check_config(&text, &dir))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn generated_configs_reach_the_interesting_paths() {
    // Guard against a generator that only ever produces JSON errors.
    let dir = std::env::temp_dir().join("sonata-config-proptest-no-such-folder");
    let mut runner = TestRunner::deterministic();
    let mut kinds = std::collections::BTreeSet::new();
    let mut ok = 0;
    for _ in 0..2000 {
        let text = config_json().new_tree(&mut runner).expect("tree").current();
        match Config::parse(&text, dir.join("config.json")) {
            Ok(_) => ok += 1,
            Err(e) => {
                kinds.insert(format!("{:?}", e.kind()));
            }
        }
    }
    for k in ["Json", "ConfigField", "UnresolvedVariable", "FileNotFound"] {
        assert!(kinds.contains(k), "no {k} among {kinds:?}");
    }
    assert!(ok > 0, "no generated config loaded");
}
