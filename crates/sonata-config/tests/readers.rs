//! The CSV and HDF5 readers compared with what pandas (`sep=" "`, bmtool's
//! reader) and h5py read from the committed fixtures (`expected/files.json`,
//! written by `tools/sonata-ref/gen_fixtures.py`). The HDF5 files were written
//! by BMTK through h5py (gzip-chunked) and by h5py directly (contiguous).

mod common;

use common::{assert_same, expected, fixtures};
use sonata_config::{ColumnType, EdgesFile, GapJunctions, NodesFile, TypesTable, Value};
use std::collections::BTreeSet;

fn files() -> Vec<(String, Value)> {
    match expected("files") {
        Value::Object(entries) => entries,
        other => panic!("files.json: {other:?}"),
    }
}

fn values(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => panic!("expected a list, found {other:?}"),
    }
}

fn ints(v: &Value) -> Vec<i64> {
    values(v).iter().map(|x| x.as_i64().expect("int")).collect()
}

#[test]
fn types_csv_match_pandas() {
    let mut checked = 0;
    for (rel, entry) in files() {
        let Some(csv) = entry.get("csv") else {
            continue;
        };
        let id = if rel.ends_with("node_types.csv") {
            "node_type_id"
        } else {
            "edge_type_id"
        };
        let table = TypesTable::load(&fixtures().join(&rel), id).unwrap_or_else(|e| panic!("{e}"));
        let cols: Vec<Value> = table
            .columns()
            .iter()
            .map(|c| Value::Str(c.clone()))
            .collect();
        assert_same(
            &format!("{rel}: columns"),
            &Value::Array(cols),
            csv.get("columns").unwrap(),
        );
        let rows: Vec<Value> = table
            .rows()
            .iter()
            .map(|r| Value::Array(r.values.clone()))
            .collect();
        // pandas: int64 columns give ints, float64 (numbers, or ints with NaN) floats,
        // object columns strings/bools; NaN is recorded as null.
        assert_same(
            &format!("{rel}: rows"),
            &Value::Array(rows),
            csv.get("rows").unwrap(),
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} CSV files checked");
}

#[test]
fn nodes_files_match_h5py() {
    let mut checked = 0;
    for (rel, entry) in files() {
        let Some(Value::Object(datasets)) = entry.get("h5") else {
            continue;
        };
        if !datasets.iter().any(|(k, _)| k.starts_with("/nodes/")) {
            continue;
        }
        let file = NodesFile::open(fixtures().join(&rel)).unwrap_or_else(|e| panic!("{e}"));
        let pops: BTreeSet<String> = datasets
            .iter()
            .filter_map(|(k, _)| k.strip_prefix("/nodes/").and_then(|r| r.split('/').next()))
            .map(str::to_string)
            .collect();
        assert_eq!(
            file.populations(),
            pops.iter().cloned().collect::<Vec<_>>(),
            "{rel}"
        );
        for name in &pops {
            let pop = file.population(name).unwrap_or_else(|e| panic!("{e}"));
            let ds = |d: &str| {
                datasets
                    .iter()
                    .find(|(k, _)| *k == format!("/nodes/{name}/{d}"))
                    .map(|(_, v)| v)
            };
            let want_ids = ints(ds("node_id").unwrap().get("values").unwrap());
            assert_eq!(
                pop.node_ids().iter().map(|&i| i as i64).collect::<Vec<_>>(),
                want_ids,
                "{rel}"
            );
            assert_eq!(
                pop.node_type_ids(),
                ints(ds("node_type_id").unwrap().get("values").unwrap()),
                "{rel}"
            );
            let gids = ints(ds("node_group_id").unwrap().get("values").unwrap());
            let gidx = ints(ds("node_group_index").unwrap().get("values").unwrap());
            for row in 0..pop.len() {
                assert_eq!(pop.group_of(row), Some((gids[row], gidx[row])));
            }
            // Every group column equals h5py's, and every node's attributes are its group's row.
            for g in pop.groups() {
                for c in &g.columns {
                    let key = format!("/nodes/{name}/{}/{}", g.id, c.name);
                    let want = datasets
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, v)| v)
                        .expect("dumped");
                    if let Some(w) = want.get("values") {
                        let got = Value::Array(pop.group_column(g.id, &c.name).unwrap());
                        assert_same(&key, &got, w);
                    } else {
                        assert!(!c.one_dimensional, "{key}");
                    }
                }
            }
            for row in 0..pop.len() {
                let attrs = pop.attributes(row).unwrap();
                let (g, i) = pop.group_of(row).unwrap();
                for (col, v) in attrs {
                    let whole = pop.group_column(g, &col).unwrap();
                    assert_eq!(v, whole[i as usize], "{rel} {name} row {row} {col}");
                    assert_eq!(pop.attribute(row, &col).unwrap(), Some(v));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} node populations checked");
}

#[test]
fn edges_files_match_h5py() {
    let mut checked = 0;
    let mut saw = BTreeSet::new();
    for (rel, entry) in files() {
        let Some(Value::Object(datasets)) = entry.get("h5") else {
            continue;
        };
        if !datasets.iter().any(|(k, _)| k.starts_with("/edges/")) {
            continue;
        }
        let file = EdgesFile::open(fixtures().join(&rel)).unwrap_or_else(|e| panic!("{e}"));
        let pops: BTreeSet<String> = datasets
            .iter()
            .filter_map(|(k, _)| k.strip_prefix("/edges/").and_then(|r| r.split('/').next()))
            .map(str::to_string)
            .collect();
        assert_eq!(
            file.populations(),
            pops.iter().cloned().collect::<Vec<_>>(),
            "{rel}"
        );
        for name in &pops {
            let pop = file.population(name).unwrap_or_else(|e| panic!("{e}"));
            let ds = |d: &str| -> &Value {
                datasets
                    .iter()
                    .find(|(k, _)| *k == format!("/edges/{name}/{d}"))
                    .map(|(_, v)| v)
                    .unwrap_or_else(|| panic!("{rel}: no {d}"))
            };
            let attr = |d: &str| {
                ds(d)
                    .get("attrs")
                    .and_then(|a| a.get("node_population"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            assert_eq!(
                pop.source_population().map(str::to_string),
                attr("source_node_id"),
                "{rel}"
            );
            assert_eq!(
                pop.target_population().map(str::to_string),
                attr("target_node_id"),
                "{rel}"
            );
            let types = ints(ds("edge_type_id").get("values").unwrap());
            assert_eq!(pop.edge_type_ids().unwrap(), types, "{rel}");
            assert_eq!(pop.len(), types.len() as u64);
            let src = ints(ds("source_node_id").get("values").unwrap());
            let tgt = ints(ds("target_node_id").get("values").unwrap());
            let gid = ints(ds("edge_group_id").get("values").unwrap());
            let gix = ints(ds("edge_group_index").get("values").unwrap());
            for g in pop.groups() {
                for c in &g.columns {
                    saw.insert(c.column_type);
                    let key = format!("/edges/{name}/{}/{}", g.id, c.name);
                    let want = datasets
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, v)| v)
                        .expect("dumped");
                    let got = Value::Array(pop.group_column(g.id, &c.name).unwrap());
                    assert_same(&key, &got, want.get("values").unwrap());
                }
            }
            for row in 0..pop.len() {
                let e = pop.edge(row).unwrap();
                let r = row as usize;
                assert_eq!(
                    (
                        e.edge_type_id,
                        e.source_node_id as i64,
                        e.target_node_id as i64,
                        e.edge_group_id,
                        e.edge_group_index as i64
                    ),
                    (types[r], src[r], tgt[r], gid[r], gix[r]),
                    "{rel} {name} edge {row}"
                );
                let group = pop
                    .groups()
                    .iter()
                    .find(|g| g.id == e.edge_group_id)
                    .unwrap();
                assert_eq!(e.attributes.len(), group.columns.len());
                for (col, v) in &e.attributes {
                    assert_eq!(
                        *v,
                        pop.group_column(group.id, col).unwrap()[gix[r] as usize]
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 9, "only {checked} edge populations checked");
    // The fixtures exercise integer, float32/64, variable-length string and
    // dynamics_params/* columns.
    for t in [ColumnType::Int, ColumnType::Float, ColumnType::VarString] {
        assert!(saw.contains(&t), "no {t:?} column read");
    }
}

#[test]
fn gap_junction_file_matches_h5py() {
    let rel = "basic/network/cortex_gap_juncs.h5";
    let (_, entry) = files().into_iter().find(|(k, _)| k == rel).expect("dumped");
    let g = GapJunctions::load(fixtures().join(rel)).unwrap();
    let col = |n: &str| {
        ints(
            entry
                .get("h5")
                .unwrap()
                .get(&format!("/{n}"))
                .unwrap()
                .get("values")
                .unwrap(),
        )
    };
    assert_eq!(g.source_ids, col("source_ids"));
    assert_eq!(g.target_ids, col("target_ids"));
    assert_eq!(g.src_gap_ids, col("src_gap_ids"));
    assert_eq!(g.trg_gap_ids, col("trg_gap_ids"));
    assert!(!g.is_empty());
    assert_eq!(g.len(), g.source_ids.len());
}

#[test]
fn gap_junction_edge_types_are_recognised_and_skipped() {
    // edge_types.csv marks the gap-junction type; bmtool skips it (the parity
    // tests check the result); here: the column is read as booleans.
    let t = TypesTable::load(
        &fixtures().join("basic/network/cortex_cortex_edge_types.csv"),
        "edge_type_id",
    )
    .unwrap();
    let gap: Vec<i64> = t
        .rows()
        .iter()
        .filter(|r| t.get(r.id, "is_gap_junction") == Some(&Value::Bool(true)))
        .map(|r| r.id)
        .collect();
    assert_eq!(gap.len(), 1);
    let config = sonata_config::Config::load(fixtures().join("basic/circuit_config.json")).unwrap();
    let d = sonata_config::derive_connection_types(&config, Some("cortex_to_cortex")).unwrap();
    assert!(d.sources.iter().all(|s| s.edge_type_id != gap[0]));
    assert_eq!(config.gap_juncs().len(), 1);
}
