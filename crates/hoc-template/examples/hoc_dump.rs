//! The reader's view of a template, in the JSON layout of
//! `tools/hoc-ref/dump_template.py` (for `tools/hoc-ref/corpus_check.py`).
//!
//! ```sh
//! cargo run -p hoc-template --example hoc_dump -- TEMPLATE.hoc NAME MECHS.json
//! ```
//!
//! `MECHS.json` is a NEURON dump's `mechanisms`/`points` (the mechanism table
//! NEURON had: parameters with defaults, ions). Prints one JSON object: the
//! sections, or `{"error": kind, "construct": …, "message": …}`.

use hoc_template::{Error, HocCell, MechDesc, MechTable};
use serde_json::{json, Value};
use std::path::Path;

fn table(v: &Value) -> MechTable {
    let mut t = MechTable::default();
    for (name, m) in v["mechanisms"].as_object().into_iter().flatten() {
        t.mechs.push(MechDesc {
            name: name.clone(),
            params: m["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_string(),
                        p[1].as_f64().unwrap_or(0.0),
                    )
                })
                .collect(),
            ions: m["ions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_str().unwrap().to_string())
                .collect(),
            globals: Vec::new(),
        });
    }
    for p in v["points"].as_array().into_iter().flatten() {
        t.points.push(p.as_str().unwrap().to_string());
    }
    t
}

fn geometry(cell: &HocCell) -> Option<cable_core::geometry::Discretization> {
    let mut geo = cell.clone();
    for s in &mut geo.sections {
        s.mechs.clear();
        s.ions.clear();
        s.cm = vec![1.0; s.nseg];
        if s.pt3d.is_empty() && s.diam.iter().any(|d| *d != s.diam[0]) {
            return None;
        }
    }
    let spec = geo.to_cell_spec().ok()?;
    Some(cable_core::geometry::discretize(&[&spec]))
}

fn dump(cell: &HocCell) -> Value {
    let disc = geometry(cell);
    let mut secs = Vec::new();
    for (k, s) in cell.sections.iter().enumerate() {
        let mut segs = Vec::new();
        for j in 0..s.nseg {
            let mut mechs = serde_json::Map::new();
            for m in &s.mechs {
                let p: serde_json::Map<String, Value> = m
                    .params
                    .iter()
                    .map(|(n, v)| (n.clone(), json!(v[j])))
                    .collect();
                mechs.insert(m.name.clone(), Value::Object(p));
            }
            let ions: serde_json::Map<String, Value> = s
                .ions
                .iter()
                .map(|i| (i.name.clone(), json!({"e": i.e.as_ref().map(|v| v[j])})))
                .collect();
            let (area, ri) = match &disc {
                Some(d) => {
                    let node = d.cells[0].sections[k].first + j;
                    (json!(d.area[node]), json!(d.ri(node)))
                }
                None => (Value::Null, Value::Null),
            };
            segs.push(json!({
                "x": (j as f64 + 0.5) / s.nseg as f64,
                "area": area, "ri": ri,
                "diam": if s.pt3d.is_empty() { json!(s.diam[j]) } else { Value::Null },
                "cm": s.cm[j], "mechanisms": mechs, "ions": ions,
            }));
        }
        secs.push(json!({
            "name": s.name,
            "parent": s.parent.map(|(p, x)| json!({"section": cell.sections[p].name, "x": x})),
            "orientation": s.orientation, "nseg": s.nseg, "L": s.l(), "Ra": s.ra,
            "n3d": s.pt3d.len(), "arcs": s.arcs, "segments": segs,
        }));
    }
    let lists: serde_json::Map<String, Value> = cell
        .section_lists
        .iter()
        .map(|(n, l)| {
            (
                n.clone(),
                json!(l
                    .iter()
                    .map(|&k| cell.sections[k].name.clone())
                    .collect::<Vec<_>>()),
            )
        })
        .collect();
    let spec = cell.to_cell_spec();
    json!({
        "sections": secs, "section_lists": lists, "notes": cell.notes,
        "cell_spec": match spec { Ok(_) => "ok".to_string(), Err(e) => e.to_string() },
    })
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 4 {
        eprintln!("usage: hoc_dump TEMPLATE.hoc NAME MECHS.json");
        std::process::exit(2);
    }
    let mechs: Value = serde_json::from_str(&std::fs::read_to_string(&a[3]).unwrap()).unwrap();
    let t = table(&mechs);
    let out = match hoc_template::read(Path::new(&a[1]), &a[2], &[], &t) {
        Ok(cell) => dump(&cell),
        Err(e) => {
            let (kind, construct) = match &e {
                Error::Unsupported { construct, .. } => ("unsupported", construct.clone()),
                Error::Syntax { .. } => ("syntax", String::new()),
                Error::Runtime { .. } => ("runtime", String::new()),
                Error::Io { .. } => ("io", String::new()),
                Error::NoTemplate { .. } => ("no-template", String::new()),
                Error::Cell { .. } => ("cell", String::new()),
            };
            json!({"error": kind, "construct": construct, "message": e.to_string()})
        }
    };
    println!("{out}");
}
