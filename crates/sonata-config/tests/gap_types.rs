//! Gap-junction connection types derived as bmtool 0.8.7's
//! `GapJunctionTuner(config=...)` derives them (`tools/sonata-ref/gen_gap_fixture.py`
//! wrote the fixture network and bmtool's output).

use serde_json::Value;
use sonata_config::{gap_junction_types, Config};
use std::path::PathBuf;

fn sonata(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/sonata")
        .join(p)
}

#[test]
fn gap_types_equal_bmtools_names_cells_and_parameters() {
    let cfg = Config::load(sonata("gap/config.json")).unwrap();
    let got = gap_junction_types(&cfg).unwrap();
    let text = std::fs::read_to_string(sonata("gap/expected/gap.json")).unwrap();
    let want: Value = serde_json::from_str(&text).unwrap();
    let want = want["conn_type_settings"].as_object().unwrap();
    let names: Vec<&str> = got.iter().map(|g| g.name.as_str()).collect();
    let want_names: Vec<&str> = want.keys().map(String::as_str).collect();
    assert_eq!(
        names, want_names,
        "names and order (the Other_Cell gap is skipped)"
    );
    for g in &got {
        let ours = serde_json::to_value(&g.gap).unwrap();
        assert_eq!(&ours, &want[&g.name], "{}", g.name);
        assert_eq!(g.source.target.population, "striatum");
    }
}

/// bmtool 0.8.7 stops with `'float' object has no attribute 'upper'` on a gap
/// type whose dynamics_params is NULL (BMTK's `add_gap_junctions` without one);
/// synaptune takes it as no parameters.
#[test]
fn a_gap_type_without_dynamics_params_has_no_parameters() {
    let cfg = Config::load(sonata("basic/config.json")).unwrap();
    let got = gap_junction_types(&cfg).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].name, "PV2PV_gj_type_105");
    assert_eq!(got[0].gap.cell, "PVCell");
    assert!(got[0].gap.spec_syn_param.is_empty());
    assert_eq!(got[0].gap.dynamics_params_file, None);
}
