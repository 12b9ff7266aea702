//! allen-cell against BMTK 1.2.0 + NEURON 9.0.2.
//!
//! Every case of `tests/data/cases.json` (own test morphologies and dynamics
//! files with NEURON's `hh` and `pas`) was built by BMTK and NEURON into
//! `tests/fixtures/<case>.json` (`tools/allen-ref/gen_fixtures.py`). Here
//! allen-cell builds the same cell, and everything is compared bit for bit:
//! section names in `all` order, parents, each section's children in NEURON's
//! sibling order, pt3d points, L, nseg, Ra, cm, every segment's area and `ri`,
//! the mechanisms and each parameter the file sets, the ions' reversal
//! potentials, the section lists, and the soma voltage under a current step
//! simulated by cable-core.

use allen_cell::{AllenCell, CellSpec, IonTable, Options};
use cable_core::cell::Geometry;
use cable_core::{Loc, ModelBuilder, SimOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(sub)
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn ion_table() -> IonTable {
    [("hh".to_string(), vec!["na".to_string(), "k".to_string()])].into()
}

fn build(case: &Value) -> AllenCell {
    let data = dir("data");
    let dynamics = case["dynamics"].as_str().map(|d| data.join(d));
    let opts = Options {
        dl: case["dl"].as_f64(),
        ion_table: Some(ion_table()),
        ..Options::default()
    };
    allen_cell::from_files(
        &data.join(case["swc"].as_str().unwrap()),
        dynamics.as_deref(),
        case["processing"].as_str().unwrap_or(""),
        &opts,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", case["name"]))
}

fn points(g: &Geometry) -> &[[f64; 4]] {
    match g {
        Geometry::Points(p) | Geometry::PointsArcs { points: p, .. } => p,
        Geometry::Cylinder { .. } => &[],
    }
}

/// NEURON's children of each section, from the cell's connection order.
fn children(cell: &CellSpec) -> Vec<Vec<String>> {
    let mut ch: Vec<Vec<usize>> = vec![Vec::new(); cell.sections.len()];
    for &k in cell.connection_order.as_ref().unwrap() {
        let p = cell.sections[k].parent.unwrap();
        let x = |c: usize| cell.sections[c].parent.unwrap().x;
        let pos = ch[p.section]
            .iter()
            .position(|&c| p.x <= x(c))
            .unwrap_or(ch[p.section].len());
        ch[p.section].insert(pos, k);
    }
    ch.iter()
        .map(|l| l.iter().map(|&k| cell.sections[k].name.clone()).collect())
        .collect()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Compare one section; returns how many segments were compared.
fn compare_section(name: &str, cell: &CellSpec, k: usize, ns: &Value, kids: &[String]) -> usize {
    let s = &cell.sections[k];
    let at = format!("{name}: {}", s.name);
    let parent = s
        .parent
        .map(|p| (cell.sections[p.section].name.clone(), p.x));
    let nparent = ns["parent"].as_object().map(|p| {
        (
            p["section"].as_str().unwrap().to_string(),
            p["x"].as_f64().unwrap(),
        )
    });
    assert_eq!(parent, nparent, "{at}: parent");
    let nkids: Vec<String> = ns["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(kids, nkids.as_slice(), "{at}: children in sibling order");
    let npts: Vec<Vec<f64>> = ns["points"].as_array().unwrap().iter().map(f64s).collect();
    let pts: Vec<Vec<f64>> = points(&s.geometry).iter().map(|p| p.to_vec()).collect();
    assert_eq!(pts, npts, "{at}: pt3d points");
    if let Geometry::PointsArcs { arcs, .. } = &s.geometry {
        assert_eq!(*arcs, f64s(&ns["arcs"]), "{at}: arc lengths");
    }
    let l = cable_core::geometry::section_length(&s.geometry);
    assert_eq!(l, ns["L"].as_f64().unwrap(), "{at}: L");
    assert_eq!(s.nseg as u64, ns["nseg"].as_u64().unwrap(), "{at}: nseg");
    assert_eq!(s.ra, ns["Ra"].as_f64().unwrap(), "{at}: Ra");
    for (j, seg) in ns["segments"].as_array().unwrap().iter().enumerate() {
        assert_eq!(s.cm.at(j), seg["cm"].as_f64().unwrap(), "{at}: cm");
        let nm = seg["mechanisms"].as_object().unwrap();
        let mut names: Vec<&str> = s.mechanisms.iter().map(|m| m.name.as_str()).collect();
        let mut nnames: Vec<&str> = nm.keys().map(String::as_str).collect();
        names.sort_unstable();
        nnames.sort_unstable();
        assert_eq!(names, nnames, "{at}: mechanisms");
        for m in &s.mechanisms {
            for (p, v) in &m.params {
                assert_eq!(
                    Some(v.at(j)),
                    nm[&m.name][p].as_f64(),
                    "{at}: {p}_{}",
                    m.name
                );
            }
        }
        for ion in &s.ions {
            let ne = seg["ions"][&ion.ion]["e"].as_f64();
            assert_eq!(ion.e.as_ref().map(|e| e.at(j)), ne, "{at}: e{}", ion.ion);
        }
    }
    s.nseg
}

fn compare_geometry(name: &str, cell: &CellSpec, nsecs: &[Value]) -> usize {
    let disc = cable_core::geometry::discretize(&[cell]);
    let mut n = 0;
    for (k, ns) in nsecs.iter().enumerate() {
        let sn = disc.cells[0].sections[k];
        for (j, seg) in ns["segments"].as_array().unwrap().iter().enumerate() {
            let node = sn.first + j;
            let at = format!("{name}: {}({})", cell.sections[k].name, seg["x"]);
            assert_eq!(disc.area[node], seg["area"].as_f64().unwrap(), "{at}: area");
            assert_eq!(disc.ri(node), seg["ri"].as_f64().unwrap(), "{at}: ri");
            n += 1;
        }
    }
    n
}

fn compare_trace(name: &str, built: &AllenCell, t: &Value) {
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(&built.cell).unwrap();
    let ic = f64s(&t["iclamp"]);
    b.add_point(
        "IClamp",
        Loc::new(c, "soma[0]", 0.5),
        &[("del", ic[0]), ("dur", ic[1]), ("amp", ic[2])],
    )
    .unwrap();
    let celsius = t["celsius"].as_f64().unwrap();
    assert_eq!(Some(celsius), built.celsius, "{name}: celsius of the file");
    let mut sim = b
        .build(SimOptions {
            celsius,
            dt: t["dt"].as_f64().unwrap(),
            ..SimOptions::default()
        })
        .unwrap();
    let v = sim.record(0, "soma[0]", 0.5, "v").unwrap();
    sim.run(t["tstop"].as_f64().unwrap(), t["v_init"].as_f64().unwrap())
        .unwrap();
    let nv = f64s(&t["v"]);
    assert_eq!(sim.trace(v).len(), nv.len(), "{name}: samples");
    let spikes = nv.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!(spikes > 0, "{name}: the reference spikes");
    for (i, (a, b)) in sim.trace(v).iter().zip(&nv).enumerate() {
        assert_eq!(a, b, "{name}: v at sample {i}");
    }
}

#[test]
fn cells_are_built_as_bmtk_and_neuron_build_them() {
    let cases = load(&dir("data").join("cases.json"));
    let (mut nsec, mut nseg, mut ntrace) = (0, 0, 0);
    for case in cases["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let fx = load(&dir("fixtures").join(format!("{name}.json")));
        let built = build(case);
        let cell = &built.cell;
        let nsecs = fx["sections"].as_array().unwrap();
        let names: Vec<&str> = cell.sections.iter().map(|s| s.name.as_str()).collect();
        let nnames: Vec<&str> = nsecs.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, nnames, "{name}: sections in all order");
        let kids = children(cell);
        for (k, ns) in nsecs.iter().enumerate() {
            compare_section(name, cell, k, ns, &kids[k]);
        }
        nseg += compare_geometry(name, cell, nsecs);
        nsec += nsecs.len();
        for (list, members) in &cell.section_lists {
            let nl: Vec<&str> = fx["section_lists"][list]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert_eq!(members, &nl, "{name}: section list {list}");
        }
        if let Some(t) = fx.get("trace") {
            compare_trace(name, &built, t);
            ntrace += 1;
        }
    }
    println!("{nsec} sections, {nseg} segments, {ntrace} traces identical to NEURON's");
    assert!(ntrace >= 5 && nseg > 100);
}

#[test]
fn import3d_alone_matches_neuron_before_any_processing() {
    // The fixtures hold each cell right after Biophys1 (Import3d), before the
    // processing: allen-cell without processing must give those sections.
    let cases = load(&dir("data").join("cases.json"));
    for case in cases["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let fx = load(&dir("fixtures").join(format!("{name}.json")));
        let data = dir("data");
        let swc = allen_cell::Swc::read(&data.join(case["swc"].as_str().unwrap())).unwrap();
        let built = allen_cell::build(&swc, None, &[], &Options::default()).unwrap();
        let before = fx["import3d"].as_array().unwrap();
        assert_eq!(built.cell.sections.len(), before.len(), "{name}");
        for (s, ns) in built.cell.sections.iter().zip(before) {
            assert_eq!(s.name, ns["name"].as_str().unwrap(), "{name}");
            let npts: Vec<Vec<f64>> = ns["points"].as_array().unwrap().iter().map(f64s).collect();
            let pts: Vec<Vec<f64>> = points(&s.geometry).iter().map(|p| p.to_vec()).collect();
            assert_eq!(pts, npts, "{name}: {} as Import3d leaves it", s.name);
            assert!(
                matches!(s.geometry, Geometry::Points(_)),
                "{name}: {}",
                s.name
            );
        }
    }
}
