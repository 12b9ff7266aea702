//! Helpers shared by the workspace-level tests: fixture paths, CSV reading,
//! case files, trace comparison.
#![allow(dead_code)]

use cable_scenario::protocol::{IClampSpec, Protocol, RecordSpec};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `tests/fixtures/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(rel)
}

/// A CSV with a header row and numeric columns.
pub struct Csv {
    pub header: Vec<String>,
    pub columns: Vec<Vec<f64>>,
}

pub fn read_csv(path: &Path) -> Csv {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let mut columns = vec![Vec::new(); header.len()];
    for line in lines {
        for (k, f) in line.split(',').enumerate() {
            columns[k].push(
                f.parse::<f64>()
                    .unwrap_or_else(|_| panic!("{}: bad number {f}", path.display())),
            );
        }
    }
    Csv { header, columns }
}

/// A parity case: the protocol plus its `kind` and `secondorder` list.
pub struct Case {
    pub name: String,
    pub cell: PathBuf,
    pub kind: String,
    pub secondorders: Vec<i32>,
    pub protocol: Protocol,
}

pub fn load_case(name: &str) -> Case {
    let path = fixture(&format!("cases/{name}.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let cell = path.parent().unwrap().join(v["cell"].as_str().unwrap());
    let strs = |k: &str| -> Vec<String> {
        v[k].as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let protocol = Protocol {
        iclamps: strs("iclamps")
            .iter()
            .map(|s| s.parse::<IClampSpec>().unwrap())
            .collect(),
        records: strs("records")
            .iter()
            .map(|s| s.parse::<RecordSpec>().unwrap())
            .collect(),
        tstop: v["tstop"].as_f64().unwrap(),
        dt: v["dt"].as_f64().unwrap_or(0.025),
        celsius: v["celsius"].as_f64().unwrap_or(6.3),
        v_init: v["v_init"].as_f64().unwrap_or(-65.0),
        secondorder: 0,
        globals: v["globals"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, x)| (k.clone(), x.as_f64().unwrap()))
                    .collect()
            })
            .unwrap_or_default(),
    };
    Case {
        name: name.to_string(),
        cell,
        kind: v["kind"].as_str().unwrap_or("passive").to_string(),
        secondorders: v["secondorder"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_i64().unwrap() as i32).collect())
            .unwrap_or(vec![0]),
        protocol,
    }
}

/// Largest absolute difference and the number of bit-identical samples.
pub struct Diff {
    pub max_abs: f64,
    pub max_rel: f64,
    pub identical: usize,
    pub n: usize,
}

pub fn diff(a: &[f64], b: &[f64]) -> Diff {
    assert_eq!(a.len(), b.len(), "trace lengths differ");
    let mut d = Diff {
        max_abs: 0.0,
        max_rel: 0.0,
        identical: 0,
        n: a.len(),
    };
    for (x, y) in a.iter().zip(b) {
        if x.to_bits() == y.to_bits() {
            d.identical += 1;
        }
        let e = (x - y).abs();
        if e.is_nan() {
            d.max_abs = f64::INFINITY;
        }
        d.max_abs = d.max_abs.max(e);
        let s = x.abs().max(y.abs());
        if s > 0.0 {
            d.max_rel = d.max_rel.max(e / s);
        }
    }
    d
}
