//! Fuzzed inputs (issue 17): the settings, gap settings, cell, scenario and
//! dynamics-params (`--json-folder`) parsers, fed mutations of the shipped
//! examples (a value anywhere replaced by another JSON value of any type,
//! keys removed or added, the text itself cut or edited). Every input must
//! give a value or a typed error with a message — never a panic, never a hang.
//!
//! CI runs a few thousand cases (the counts are printed);
//! `SYNAPTUNE_FUZZ_SCALE=20 cargo test --release --test fuzz_inputs` runs
//! twenty times as many.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(p)).unwrap()).unwrap()
}

fn scale() -> u32 {
    std::env::var("SYNAPTUNE_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

/// Run `cases × scale` cases of `f` over seeds.
fn fuzz(name: &str, cases: u32, f: impl Fn(u64) -> Result<(), TestCaseError>) {
    let n = cases * scale();
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    });
    runner.run(&any::<u64>(), f).unwrap();
    println!("fuzz {name}: {n} cases");
}

/// A small deterministic generator driven by a proptest seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Any JSON value, small, with the numbers parsers trip on.
fn random_value(r: &mut Rng, depth: u32) -> Value {
    let numbers = [
        0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 1e300, -1e300, 1e9, 1e15, -65.0, 2.5e-5, 1e-12,
    ];
    match r.below(if depth > 2 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(r.below(2) == 0),
        2 => json!(numbers[r.below(numbers.len())]),
        3 => json!((r.next() as i64) >> r.below(60)),
        4 => {
            let s = [
                "",
                "soma[0]",
                "high",
                "Exp2Syn",
                "../../etc",
                "ü\u{0}x",
                "1e9",
                "NaN",
            ];
            json!(s[r.below(s.len())])
        }
        5 => Value::Array(
            (0..r.below(4))
                .map(|_| random_value(r, depth + 1))
                .collect(),
        ),
        _ => {
            let mut m = Map::new();
            for _ in 0..r.below(4) {
                let k = ["x", "L", "diam", "nseg", "Use", "freq", "sections", "name"];
                m.insert(k[r.below(k.len())].into(), random_value(r, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// A random place in `v` (descending into objects and arrays).
fn pick<'a>(v: &'a mut Value, r: &mut Rng) -> &'a mut Value {
    // The path first (read only), then the place.
    let mut path: Vec<Value> = Vec::new();
    let mut at: &Value = v;
    while r.below(4) != 0 {
        match at {
            Value::Object(m) if !m.is_empty() => {
                let k = m.keys().nth(r.below(m.len())).unwrap().clone();
                at = &m[&k];
                path.push(Value::String(k));
            }
            Value::Array(a) if !a.is_empty() => {
                let i = r.below(a.len());
                at = &a[i];
                path.push(json!(i));
            }
            _ => break,
        }
    }
    let mut at = v;
    for k in path {
        at = match k {
            Value::String(k) => at.get_mut(&k).unwrap(),
            k => at.get_mut(k.as_u64().unwrap() as usize).unwrap(),
        };
    }
    at
}

/// One to four mutations of `base`.
fn mutate(base: &Value, seed: u64) -> Value {
    let mut r = Rng(seed | 1);
    let mut v = base.clone();
    for _ in 0..=r.below(4) {
        let at = pick(&mut v, &mut r);
        match r.below(4) {
            0 | 1 => *at = random_value(&mut r, 0),
            2 => {
                if let Value::Object(m) = at {
                    if !m.is_empty() {
                        let k = m.keys().nth(r.below(m.len())).unwrap().clone();
                        m.remove(&k);
                    }
                }
            }
            _ => {
                if let Value::Object(m) = at {
                    m.insert("unexpected_key".into(), random_value(&mut r, 1));
                }
            }
        }
    }
    v
}

/// The text of `v` with a few bytes cut, repeated or replaced.
fn mangle(text: &str, seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let mut b = text.as_bytes().to_vec();
    for _ in 0..=r.below(3) {
        if b.is_empty() {
            break;
        }
        let i = r.below(b.len());
        match r.below(3) {
            0 => {
                b.truncate(i);
            }
            1 => {
                b.remove(i);
            }
            _ => b[i] = b"{}[]\",:0-e.x"[r.below(12)],
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn no_empty_message(e: &dyn std::fmt::Display) -> Result<(), TestCaseError> {
    prop_assert!(
        !e.to_string().trim().is_empty(),
        "an error without a message"
    );
    Ok(())
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synaptune-fuzz-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn settings_files() {
    let base = read("examples/fsi/settings.json");
    let dir = root().join("examples/fsi");
    let reg = standard_mechanisms::registry();
    fuzz("settings", 1200, |seed| {
        let v = mutate(&base, seed);
        match tuner_opt::TunerSettings::from_value(&v, Path::new("<fuzz>"), &dir) {
            Err(e) => no_empty_message(&e),
            Ok(s) => {
                // Accepted settings build a tuner or are refused with a message.
                match tuner_opt::SynapseTuner::new(
                    reg.clone(),
                    s,
                    None,
                    tuner_opt::Convention::Default,
                ) {
                    Ok(_) => Ok(()),
                    Err(e) => no_empty_message(&e),
                }
            }
        }
    });
}

#[test]
fn settings_text() {
    let text = std::fs::read_to_string(root().join("examples/fsi/settings.json")).unwrap();
    let d = scratch("settings-text");
    let p = d.join("settings.json");
    fuzz("settings text", 300, |seed| {
        std::fs::write(&p, mangle(&text, seed)).unwrap();
        if let Err(e) = tuner_opt::TunerSettings::from_file(&p) {
            no_empty_message(&e)?;
        }
        Ok(())
    });
}

#[test]
fn gap_settings() {
    let base = read("examples/fsi/gap.json");
    let dir = root().join("examples/fsi");
    fuzz("gap settings", 800, |seed| {
        let v = mutate(&base, seed);
        if let Err(e) = tuner_opt::GapSettings::from_value(&v, Path::new("<fuzz>"), &dir) {
            no_empty_message(&e)?;
        }
        Ok(())
    });
}

#[test]
fn cells() {
    let base = read("examples/fsi/cells/FSI_Cell.json");
    let text = serde_json::to_string(&base).unwrap();
    let reg = standard_mechanisms::registry();
    fuzz("cells", 1200, |seed| {
        let t = if seed % 3 == 0 {
            mangle(&text, seed)
        } else {
            serde_json::to_string(&mutate(&base, seed)).unwrap()
        };
        match cable_core::CellSpec::from_json_str(&t, "<fuzz>") {
            Err(e) => no_empty_message(&e),
            Ok(c) => {
                if let Err(e) = c.check_mechanisms(&reg) {
                    return no_empty_message(&e);
                }
                // An accepted cell discretises and builds.
                let mut b = cable_core::ModelBuilder::new(&reg);
                match b.add_cell(&c) {
                    Ok(_) => Ok(()),
                    Err(e) => no_empty_message(&e),
                }
            }
        }
    });
}

#[test]
fn scenarios() {
    let names = ["gap_pair.json", "seclamp.json", "syn_hh_recurrent.json"];
    let bases: Vec<Value> = names
        .iter()
        .map(|n| read(&format!("tests/fixtures/scenarios/{n}")))
        .collect();
    let d = scratch("scenario");
    let p = d.join("scenario.json");
    fuzz("scenarios", 400, |seed| {
        let base = &bases[(seed % 3) as usize];
        let mut v = mutate(base, seed);
        // Keep the cell paths resolvable most of the time.
        if seed % 4 != 0 && v.is_object() {
            if let Some(c) = base.get("cells") {
                v["cells"] = fix_cells(c, &root().join("tests/fixtures/scenarios"));
            }
        }
        std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
        if let Err(e) = cable_scenario::scenario::Scenario::from_file(&p) {
            no_empty_message(&e)?;
        }
        Ok(())
    });
}

/// Cell paths made absolute against the fixture folder.
fn fix_cells(c: &Value, dir: &Path) -> Value {
    match c {
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| match x.as_str() {
                    Some(s) => json!(dir.join(s).to_str().unwrap()),
                    None => x.clone(),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn dynamics_params_folders() {
    let base = json!({"level_of_detail": "AMPA_NMDA_STP", "initW": 5.0, "tau_r_AMPA": 0.2,
                      "tau_d_AMPA": 1.7, "Use": 0.35, "Dep": 0.0, "Fac": 300.0});
    let settings =
        tuner_opt::TunerSettings::from_file(root().join("examples/fsi/settings.json")).unwrap();
    let reg = standard_mechanisms::registry();
    let d = scratch("dynamics");
    let p = d.join("Fac2FSI.json");
    fuzz("dynamics params", 500, |seed| {
        let text = if seed % 4 == 0 {
            mangle(&base.to_string(), seed)
        } else {
            mutate(&base, seed).to_string()
        };
        std::fs::write(&p, text).unwrap();
        let mut s = settings.clone();
        match s.apply_json_folder(&d) {
            Err(e) => no_empty_message(&e),
            Ok(_) => match tuner_opt::SynapseTuner::new(
                reg.clone(),
                s,
                Some("Fac2FSI"),
                tuner_opt::Convention::Default,
            ) {
                Ok(_) => Ok(()),
                Err(e) => no_empty_message(&e),
            },
        }
    });
}
