//! Loading the bmtool reference fixtures (tests/fixtures/stp/ at the workspace root).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/stp")
}

/// `reference.txt`: one `key = value` a line.
pub struct Reference {
    map: BTreeMap<String, String>,
}

impl Reference {
    pub fn load() -> Self {
        let path = fixture_dir().join("reference.txt");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let map = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let (k, v) = l.split_once(" = ").expect("key = value");
                (k.to_string(), v.to_string())
            })
            .collect();
        Reference { map }
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn str(&self, key: &str) -> &str {
        self.map
            .get(key)
            .unwrap_or_else(|| panic!("missing key {key}"))
    }

    pub fn f64(&self, key: &str) -> f64 {
        self.str(key)
            .parse()
            .unwrap_or_else(|e| panic!("{key}: {e}"))
    }

    pub fn vec(&self, key: &str) -> Vec<f64> {
        self.str(key)
            .split_whitespace()
            .map(|v| v.parse().unwrap_or_else(|e| panic!("{key}: {e}")))
            .collect()
    }

    pub fn bool(&self, key: &str) -> bool {
        self.str(key) == "true"
    }

    /// The distinct names `N` of keys `prefix.N.…`, in sorted order.
    pub fn names(&self, prefix: &str) -> Vec<String> {
        let p = format!("{prefix}.");
        let mut out: Vec<String> = self
            .map
            .keys()
            .filter_map(|k| k.strip_prefix(&p))
            .map(|rest| rest.split('.').next().unwrap().to_string())
            .collect();
        out.dedup();
        out
    }
}

/// A CSV with a header line; returns the named columns.
pub struct Csv {
    pub header: Vec<String>,
    pub columns: Vec<Vec<f64>>,
}

impl Csv {
    pub fn load(name: &str) -> Self {
        let path = fixture_dir().join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .expect("header")
            .split(',')
            .map(str::to_string)
            .collect();
        let mut columns = vec![Vec::new(); header.len()];
        for line in lines {
            for (c, v) in columns.iter_mut().zip(line.split(',')) {
                c.push(v.parse::<f64>().expect("number"));
            }
        }
        Csv { header, columns }
    }

    pub fn col(&self, name: &str) -> Option<&[f64]> {
        self.header
            .iter()
            .position(|h| h == name)
            .map(|k| self.columns[k].as_slice())
    }

    pub fn len(&self) -> usize {
        self.columns[0].len()
    }
}

/// `t_k = t0 + k·dt` (the synthetic fixtures' np.arange(n) * dt when t0 = 0).
pub fn grid(n: usize, dt: f64) -> Vec<f64> {
    (0..n).map(|k| k as f64 * dt).collect()
}

/// Relative deviation |a − b| / |b| (absolute when b = 0).
pub fn rel(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        (a - b).abs()
    } else {
        ((a - b) / b).abs()
    }
}
