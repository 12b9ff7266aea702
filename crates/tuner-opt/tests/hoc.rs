//! Post cells given as hoc templates (bmtool's `templates_dir`), read by
//! `hoc-template`: `tests/fixtures/hoc/fsi/fsi_cell.hoc` is the cell of
//! `examples/fsi/cells/FSI_Cell.json` written as a template. Read from the
//! template it is the same cell — parameters, areas and ri bit for bit — and a
//! tuner built with `templates` gives the same single-event traces as one
//! built from the JSON file.

use cable_core::CellSpec;
use std::path::{Path, PathBuf};
use tuner_opt::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sorted_params(c: &CellSpec) -> Vec<(String, String, String, Vec<u64>)> {
    let mut v = Vec::new();
    for s in &c.sections {
        for m in &s.mechanisms {
            for (p, x) in &m.params {
                let bits = x.iter().map(f64::to_bits).collect();
                v.push((s.name.clone(), m.name.clone(), p.clone(), bits));
            }
        }
    }
    v.sort();
    v
}

#[test]
fn a_template_is_the_cell_its_export_describes() {
    let reg = standard_mechanisms::registry();
    let hoc = root().join("tests/fixtures/hoc/fsi/fsi_cell.hoc");
    let from_hoc = load_cell_file(&hoc, "FSI_Cell", &reg).unwrap();
    let from_json = CellSpec::from_file(root().join("examples/fsi/cells/FSI_Cell.json")).unwrap();
    let names = |c: &CellSpec| {
        c.sections
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&from_hoc), names(&from_json));
    for (a, b) in from_hoc.sections.iter().zip(&from_json.sections) {
        assert_eq!(
            (a.parent, a.nseg, &a.cm, a.ra),
            (b.parent, b.nseg, &b.cm, b.ra),
            "{}",
            a.name
        );
        let mut ia = a.ions.clone();
        let mut ib = b.ions.clone();
        ia.sort_by(|x, y| x.ion.cmp(&y.ion));
        ib.sort_by(|x, y| x.ion.cmp(&y.ion));
        assert_eq!(ia, ib, "{}: ions", a.name);
    }
    assert_eq!(sorted_params(&from_hoc), sorted_params(&from_json));
    let (da, db) = (
        cable_core::geometry::discretize(&[&from_hoc]),
        cable_core::geometry::discretize(&[&from_json]),
    );
    assert_eq!(da.area, db.area);
    for n in 0..da.area.len() {
        assert_eq!(da.ri(n), db.ri(n), "ri of node {n}");
    }
    // The folder works too, and a missing <name>.json beside a template.
    let dir = hoc.parent().unwrap();
    assert_eq!(
        load_cell_file(dir, "FSI_Cell", &reg).unwrap().sections,
        from_hoc.sections
    );
    let missing = dir.join("FSI_Cell.json");
    assert_eq!(
        load_cell_file(&missing, "FSI_Cell", &reg).unwrap().sections,
        from_hoc.sections
    );
    // A template that is not there is an error naming the folder.
    let e = load_cell_file(dir, "PN_Cell", &reg)
        .unwrap_err()
        .to_string();
    assert!(e.contains("PN_Cell") && e.contains("begintemplate"), "{e}");
}

#[test]
fn a_tuner_on_templates_runs_as_on_the_cell_file() {
    let settings = root().join("examples/fsi/settings.json");
    let json = TunerSpec::new(ModelSource::Settings(settings.clone()))
        .build()
        .unwrap()
        .tuner
        .single_event()
        .unwrap();
    let mut body: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    body["cells"] = serde_json::json!({});
    let mut spec = TunerSpec::new(ModelSource::Json {
        settings: body,
        label: PathBuf::from("fsi settings without cells"),
        base: root().join("examples/fsi"),
    });
    spec.templates = Some(root().join("tests/fixtures/hoc/fsi"));
    let hoc = spec.build().unwrap().tuner.single_event().unwrap();
    assert_eq!(hoc.kinetics, json.kinetics);
    assert_eq!(hoc.traces, json.traces);
}

/// A mechanism GLOBAL the template assigns (`usetable_hh = 0`) is part of the
/// cell the reader gives, as NEURON keeps it for the run; a plain template
/// variable is not.
#[test]
fn a_template_assigning_a_mechanism_global_carries_it() {
    let dir = std::env::temp_dir().join(format!("hoc-globals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("g.hoc");
    std::fs::write(
        &f,
        "begintemplate GCell\npublic soma, all\ncreate soma\nobjref all\n\
         proc init() { all = new SectionList()\n soma { all.append() L = 10 diam = 10 insert hh }\n\
         usetable_hh = 1\n usetable_hh -= 1\n localish = 3 }\nendtemplate GCell\n",
    )
    .unwrap();
    let reg = standard_mechanisms::registry();
    let cell = load_cell_file(&f, "GCell", &reg).unwrap();
    assert_eq!(
        cell.globals,
        [("hh".to_string(), "usetable".to_string(), 0.0)]
    );
}

/// The example's own template (`examples/fsi/templates.hoc`, bmtool's layout,
/// procedures with `$n` arguments, `forall`, define_shape) reads as exactly the
/// cell NEURON 9.0.2 exported from it (`cells/FSI_Cell.json`), section lists
/// and all.
#[test]
fn the_examples_template_reads_as_its_exported_cell() {
    let reg = standard_mechanisms::registry();
    let hoc = root().join("examples/fsi/templates.hoc");
    let mut from_hoc = load_cell_file(&hoc, "FSI_Cell", &reg).unwrap();
    let mut from_json =
        CellSpec::from_file(root().join("examples/fsi/cells/FSI_Cell.json")).unwrap();
    assert_eq!(sorted_params(&from_hoc), sorted_params(&from_json));
    let (da, db) = (
        cable_core::geometry::discretize(&[&from_hoc]),
        cable_core::geometry::discretize(&[&from_json]),
    );
    assert_eq!(da.area, db.area);
    // The reader keeps NEURON's arc lengths beside the points; here they are
    // the ones pt3dadd gives, so the points alone say the same.
    for s in &mut from_hoc.sections {
        if let cable_core::Geometry::PointsArcs { points, .. } = &s.geometry {
            s.geometry = cable_core::Geometry::Points(points.clone());
        }
    }
    for c in [&mut from_hoc, &mut from_json] {
        c.source = PathBuf::new();
        c.connection_order = None;
        c.section_lists.sort();
        for s in &mut c.sections {
            s.mechanisms
                .iter_mut()
                .for_each(|m| m.params.sort_by(|a, b| a.0.cmp(&b.0)));
            s.mechanisms.sort_by(|a, b| a.name.cmp(&b.name));
            s.ions.sort_by(|a, b| a.ion.cmp(&b.ion));
        }
    }
    assert_eq!(from_hoc, from_json);
}

/// A template that sets `celsius` in its `init()` sets the temperature of the
/// runs on it, as in NEURON (bmtool sets `h.celsius` and then builds the cell).
#[test]
fn a_template_setting_celsius_sets_the_runs_temperature() {
    let dir = std::env::temp_dir().join(format!("hoc-celsius-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("c.hoc");
    std::fs::write(
        &f,
        "begintemplate CCell\npublic soma, all\ncreate soma\nobjref all\n\
         proc init() { all = new SectionList()\n soma { all.append() L = 10 diam = 10 insert hh }\n\
         celsius = 31 }\nendtemplate CCell\n",
    )
    .unwrap();
    let reg = standard_mechanisms::registry();
    let cell = load_cell_file(&f, "CCell", &reg).unwrap();
    assert_eq!(cell.celsius, Some(31.0));
    let back = CellSpec::from_json_str(&cell.to_json().to_string(), "c.json").unwrap();
    assert_eq!(back.celsius, Some(31.0));
}
