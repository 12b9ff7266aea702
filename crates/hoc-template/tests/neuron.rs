//! hoc-template against NEURON 9.0.2.
//!
//! Each template under `tests/fixtures/hoc/` (the workspace's) was
//! instantiated by NEURON and dumped by `tools/hoc-ref/dump_template.py` into
//! `<name>.neuron.json`. Here the reader builds the same template and
//! everything is compared exactly: sections in `all` order, parents, nseg, L,
//! Ra, every segment's cm, diam (cylinders), each mechanism parameter and ion
//! value, the section lists — and every segment's area and ri through
//! cable-core's discretisation, bit for bit.

use hoc_template::{HocCell, MechTable};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hoc")
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn table() -> MechTable {
    MechTable::from_registry(&standard_mechanisms::registry())
}

fn build(file: &str, name: &str) -> HocCell {
    hoc_template::read(&fixtures().join(file), name, &[], &table())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Compare the reader's model with NEURON's dump; the number of values compared.
fn compare_model(cell: &HocCell, fx: &Value) -> usize {
    let nsecs = fx["sections"].as_array().unwrap();
    let names: Vec<&str> = cell.sections.iter().map(|s| s.name.as_str()).collect();
    let nnames: Vec<&str> = nsecs.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, nnames, "sections in all order");
    let mut n = 0;
    for (s, ns) in cell.sections.iter().zip(nsecs) {
        let at = format!("{}: {}", cell.name, s.name);
        let parent = s.parent.map(|(p, x)| (cell.sections[p].name.clone(), x));
        let nparent = ns["parent"].as_object().map(|p| {
            (
                p["section"].as_str().unwrap().to_string(),
                p["x"].as_f64().unwrap(),
            )
        });
        assert_eq!(parent, nparent, "{at}: parent");
        assert_eq!(
            s.orientation,
            ns["orientation"].as_f64().unwrap(),
            "{at}: orientation"
        );
        assert_eq!(s.nseg as u64, ns["nseg"].as_u64().unwrap(), "{at}: nseg");
        assert_eq!(s.l(), ns["L"].as_f64().unwrap(), "{at}: L");
        assert_eq!(s.ra, ns["Ra"].as_f64().unwrap(), "{at}: Ra");
        assert_eq!(
            s.pt3d.len() as u64,
            ns["n3d"].as_u64().unwrap(),
            "{at}: n3d"
        );
        let arcs: Vec<f64> = ns["arcs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_f64().unwrap())
            .collect();
        assert_eq!(s.arcs, arcs, "{at}: arc3d");
        for (k, seg) in ns["segments"].as_array().unwrap().iter().enumerate() {
            let at = format!("{at}({})", seg["x"]);
            assert_eq!(s.cm[k], seg["cm"].as_f64().unwrap(), "{at}: cm");
            if s.pt3d.is_empty() {
                assert_eq!(s.diam[k], seg["diam"].as_f64().unwrap(), "{at}: diam");
            }
            let nm = seg["mechanisms"].as_object().unwrap();
            let mut mine: Vec<&str> = s.mechs.iter().map(|m| m.name.as_str()).collect();
            let mut theirs: Vec<&str> = nm.keys().map(String::as_str).collect();
            mine.sort_unstable();
            theirs.sort_unstable();
            assert_eq!(mine, theirs, "{at}: mechanisms");
            for m in &s.mechs {
                for (p, v) in &m.params {
                    let nv = nm[&m.name][p].as_f64();
                    assert_eq!(Some(v[k]), nv, "{at}: {p}_{}", m.name);
                    n += 1;
                }
            }
            let ni = seg["ions"].as_object().unwrap();
            let mut ions: Vec<&str> = s.ions.iter().map(|i| i.name.as_str()).collect();
            let mut nions: Vec<&str> = ni.keys().map(String::as_str).collect();
            ions.sort_unstable();
            nions.sort_unstable();
            assert_eq!(ions, nions, "{at}: ions");
            for ion in &s.ions {
                if let Some(e) = &ion.e {
                    assert_eq!(
                        Some(e[k]),
                        ni[&ion.name]["e"].as_f64(),
                        "{at}: e{}",
                        ion.name
                    );
                    n += 1;
                }
            }
        }
    }
    let lists: Vec<(String, Vec<String>)> = cell
        .section_lists
        .iter()
        .map(|(n, l)| {
            (
                n.clone(),
                l.iter().map(|&k| cell.sections[k].name.clone()).collect(),
            )
        })
        .collect();
    let nl: Vec<(String, Vec<String>)> = fx["section_lists"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, l)| {
            let v = l
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            (n.clone(), v)
        })
        .collect();
    assert_eq!(lists, nl, "{}: section lists", cell.name);
    n
}

/// Every segment's area and ri through cable-core, bit for bit (a cylinder
/// whose diameter varies along it included: one diameter per segment).
/// Returns the number of segments compared.
fn compare_geometry(cell: &HocCell, fx: &Value) -> usize {
    let mut geo = cell.clone();
    for s in geo.sections.iter_mut() {
        s.mechs.clear();
        s.ions.clear();
        s.cm = vec![1.0; s.nseg];
    }
    let spec = geo.to_cell_spec().unwrap_or_else(|e| panic!("{e}"));
    let disc = cable_core::geometry::discretize(&[&spec]);
    let mut n = 0;
    for (k, ns) in fx["sections"].as_array().unwrap().iter().enumerate() {
        let sn = disc.cells[0].sections[k];
        for (j, seg) in ns["segments"].as_array().unwrap().iter().enumerate() {
            let node = sn.first + j;
            let at = format!("{}: {}({})", cell.name, spec.sections[k].name, seg["x"]);
            assert_eq!(disc.area[node], seg["area"].as_f64().unwrap(), "{at}: area");
            assert_eq!(disc.ri(node), seg["ri"].as_f64().unwrap(), "{at}: ri");
            n += 1;
        }
    }
    n
}

#[test]
fn cylinder_cell_is_what_neuron_builds() {
    let cell = build("cyl_cell.hoc", "CylCell");
    let fx = load(&fixtures().join("cyl_cell.neuron.json"));
    assert!(compare_model(&cell, &fx) > 100);
    assert_eq!(compare_geometry(&cell, &fx), 1 + 7 + 9 + 15 + 17);
    let spec = cell.to_cell_spec().unwrap();
    assert_eq!(spec.sections.len(), 5);
    assert_eq!(spec.connection_order, Some(vec![1, 2, 3, 4]));
}

#[test]
fn pt3d_cell_is_what_neuron_builds() {
    let cell = build("pt3d_cell.hoc", "Pt3dCell");
    let fx = load(&fixtures().join("pt3d_cell.neuron.json"));
    assert!(compare_model(&cell, &fx) > 50);
    assert_eq!(compare_geometry(&cell, &fx), 3 + 5 + 3 + 7 + 3 + 1);
    assert!(
        cell.sections.iter().all(|s| s.pt3d.len() >= 2),
        "define_shape gave every section points"
    );
    cell.to_cell_spec().unwrap();
}

#[test]
fn range_cell_values_vary_per_segment_as_in_neuron() {
    let cell = build("range_cell.hoc", "RangeCell");
    let fx = load(&fixtures().join("range_cell.neuron.json"));
    assert!(compare_model(&cell, &fx) >= 6 * 32);
    // dend[0] has a tapering diameter: one cylinder per segment, as NEURON.
    assert_eq!(compare_geometry(&cell, &fx), 1 + 9 + 7 + 15);
    let apic = cell.sections.iter().find(|s| s.name == "apic").unwrap();
    let g = &apic.mechs.iter().find(|m| m.name == "pas").unwrap().params[0].1;
    assert!(
        g.windows(2).all(|w| w[0] < w[1]),
        "g_pas grows with distance: {g:?}"
    );
    // The cell format holds the per-segment values as they are.
    let spec = cell.to_cell_spec().unwrap();
    let k = spec.section_index("apic").unwrap();
    let pas = spec.sections[k]
        .mechanisms
        .iter()
        .find(|m| m.name == "pas")
        .unwrap();
    let (_, gs) = pas.params.iter().find(|(p, _)| p == "g").unwrap();
    assert_eq!(gs.values(spec.sections[k].nseg), *g);
    let d = spec.section_index("dend[0]").unwrap();
    assert!(matches!(
        &spec.sections[d].geometry,
        cable_core::cell::Geometry::Cylinder {
            diam: cable_core::cell::RangeValue::PerSegment(_),
            ..
        }
    ));
}
