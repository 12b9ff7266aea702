//! Allen/BMTK cells as the post cells of a SONATA network
//! (`tests/fixtures/sonata/allen`, written by `tools/allen-ref/gen_network.py`):
//! two node types with `model_template: ctdb:Biophys1.hoc` built from
//! allen-cell's test inputs, one edge type onto each. The tuner must build them
//! with allen-cell, as BMTK does, with no cell file and no flag.

use std::path::{Path, PathBuf};
use tuner_opt::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/sonata/allen")
}

fn config() -> PathBuf {
    fixture().join("config.json")
}

fn spec(connection: &str) -> TunerSpec {
    let mut s = TunerSpec::new(ModelSource::Sonata {
        config: config(),
        network: Some("inputs_to_cortex".into()),
        cells: None,
    });
    s.connection = Some(connection.into());
    s
}

/// What allen-cell builds from the same files, directly.
fn direct(swc: &str, dynamics: &str, processing: &str, dl: f64) -> allen_cell::AllenCell {
    let c = fixture().join("components");
    let opts = allen_cell::Options {
        dl: Some(dl),
        ion_table: Some(allen_cell::ion_table(&standard_mechanisms::registry())),
        ..Default::default()
    };
    allen_cell::from_files(
        &c.join("morphologies").join(swc),
        Some(&c.join("biophysical_neuron_models").join(dynamics)),
        processing,
        &opts,
    )
    .unwrap()
}

#[test]
fn sonata_settings_name_allen_cells_by_node_type() {
    let s = TunerSettings::from_sonata(&config(), None, None).unwrap();
    let posts: Vec<(&str, &str)> = s
        .connections
        .iter()
        .map(|c| (c.name.as_str(), c.spec_settings.post_cell.as_str()))
        .collect();
    assert_eq!(
        posts,
        [("AMPA_allen", "cortex:100"), ("TC2AllActive", "cortex:101")]
    );
    // No templates_dir and no --cells: none is needed, no cell file is looked for.
    assert!(s.cells.is_empty());
    let keys: Vec<&str> = s.allen_cells.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["cortex:100", "cortex:101"]);
    let a = &s.allen_cells[1].1;
    assert_eq!(a.morphology, "contour_soma"); // BMTK adds .swc
    assert_eq!(a.model_processing, "aibs_allactive");
    assert_eq!(a.dl, 10.0); // the config's run.dL
    let c = &s.connections[0];
    assert_eq!(c.spec_settings.sec_id, 3);
    assert_eq!(c.spec_settings.level_of_detail, "Exp2Syn");
}

#[test]
fn the_tuner_builds_the_cell_allen_cell_builds_and_runs_a_single_event() {
    let built = spec("AMPA_allen").build().unwrap();
    let t = built.tuner;
    let want = direct("single_soma.swc", "peri_hh.json", "aibs_perisomatic", 10.0);
    assert_eq!(t.cell(), &want.cell);
    assert!(want.cell.sections.len() > 5);
    let ev = t.single_event().unwrap();
    let v = &ev.traces.soma_v;
    assert_eq!(v.len(), ev.traces.t.len());
    assert!(v.iter().all(|x| x.is_finite()));
    // The event depolarises the soma from rest (hh + pas, e_pas -71.25 mV).
    let before = v[(t.settings().general.tstart / t.settings().general.dt) as usize - 1];
    let peak = v.iter().cloned().fold(f64::MIN, f64::max);
    assert!(peak > before + 1.0, "rest {before} mV, peak {peak} mV");
    assert!(ev.kinetics.amp.is_finite() && ev.kinetics.amp != 0.0);

    // The all-active type: its own cell, `.swc` added to the morphology.
    let t2 = spec("TC2AllActive").build().unwrap().tuner;
    let want2 = direct(
        "contour_soma.swc",
        "allactive_hh.json",
        "aibs_allactive",
        10.0,
    );
    assert_eq!(t2.cell(), &want2.cell);
    assert_ne!(t2.cell(), t.cell());
    t2.single_event().unwrap();
}

#[test]
fn settings_json_round_trip_keeps_the_allen_cell_and_the_trace() {
    let t = spec("AMPA_allen").build().unwrap().tuner;
    let json = t.settings().to_json();
    let cell = &json["cells"]["cortex:100"];
    assert_eq!(cell["model_processing"], "aibs_perisomatic");
    assert_eq!(cell["dL"], 10.0);
    let mut again = TunerSpec::new(ModelSource::Json {
        settings: json,
        label: "round trip".into(),
        base: "/".into(),
    });
    again.connection = Some("AMPA_allen".into());
    let t2 = again.build().unwrap().tuner;
    assert_eq!(t2.cell(), t.cell());
    let (a, b) = (t.single_event().unwrap(), t2.single_event().unwrap());
    assert_eq!(a.traces.soma_v, b.traces.soma_v);
    assert_eq!(a.traces.i_syn, b.traces.i_syn);
}

/// A copy of the fixture in a temporary folder, with `edit` applied.
fn broken_copy(name: &str, edit: impl Fn(&Path)) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synaptune-allen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixture(), &dir);
    edit(&dir);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn build_err(dir: &Path, connection: &str) -> TunerError {
    let mut s = TunerSpec::new(ModelSource::Sonata {
        config: dir.join("config.json"),
        network: None,
        cells: None,
    });
    s.connection = Some(connection.into());
    s.build().unwrap_err()
}

#[test]
fn a_missing_swc_names_the_node_type_and_the_file() {
    let dir = broken_copy("noswc", |d| {
        std::fs::remove_file(d.join("components/morphologies/single_soma.swc")).unwrap();
    });
    let e = build_err(&dir, "AMPA_allen");
    let msg = e.to_string();
    assert!(matches!(e, TunerError::AllenCell { .. }), "{msg}");
    assert!(msg.contains("cell `cortex:100`"), "{msg}");
    assert!(msg.contains("node type 100"), "{msg}");
    assert!(msg.contains("cortex_node_types.csv"), "{msg}");
    assert!(msg.contains("morphology"), "{msg}");
    assert!(msg.contains("single_soma.swc"), "{msg}");
    // The other connection's cell is unaffected.
    let mut ok = TunerSpec::new(ModelSource::Sonata {
        config: dir.join("config.json"),
        network: None,
        cells: None,
    });
    ok.connection = Some("TC2AllActive".into());
    ok.build().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_dynamics_params_file_names_the_file_and_the_field() {
    let dir = broken_copy("baddyn", |d| {
        let p = d.join("components/biophysical_neuron_models/peri_hh.json");
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace("\"ra\": 123.45", "\"ra\": \"high\"")).unwrap();
    });
    let e = build_err(&dir, "AMPA_allen");
    let msg = e.to_string();
    match &e {
        TunerError::AllenCell { source, .. } => match source.as_ref() {
            allen_cell::Error::Dynamics { file, field, .. } => {
                assert!(file.ends_with("peri_hh.json"), "{msg}");
                assert!(field.contains("ra"), "{msg}");
            }
            other => panic!("expected a dynamics_params error, got {other}"),
        },
        _ => panic!("expected a dynamics_params error, got {msg}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_allen_cell_in_a_settings_file_names_the_field() {
    let v = serde_json::json!({
        "conn_type_settings": {"c": {"spec_settings": {"post_cell": "A", "level_of_detail": "Exp2Syn"}}},
        "cells": {"A": {"morphology": "a.swc", "dL": -1}}
    });
    let e = TunerSettings::from_value(&v, Path::new("s.json"), Path::new("/")).unwrap_err();
    assert_eq!(e.field, "cells.A.dL");
    let v = serde_json::json!({
        "conn_type_settings": {"c": {"spec_settings": {"post_cell": "A", "level_of_detail": "Exp2Syn"}}},
        "cells": {"A": {"swc": "a.swc"}}
    });
    let e = TunerSettings::from_value(&v, Path::new("s.json"), Path::new("/")).unwrap_err();
    assert_eq!(e.field, "cells.A.swc");
    assert_eq!(e.kind, SettingsErrorKind::UnknownField);
}
