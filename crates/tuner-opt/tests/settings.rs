//! Settings files: bmtool's defaults, file order, typed errors naming the field.

use std::path::Path;
use tuner_opt::{SettingsErrorKind as K, TunerSettings};

fn parse(text: &str) -> Result<TunerSettings, tuner_opt::SettingsError> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    TunerSettings::from_value(&v, Path::new("s.json"), Path::new("/base"))
}

const MIN: &str = r#"{"conn_type_settings": {"B": {"spec_settings": {"post_cell": "C", "level_of_detail": "Exp2Syn"}}, "A": {"spec_settings": {"post_cell": "C", "level_of_detail": "Exp2Syn"}}}, "cells": {"C": "c.json"}}"#;

#[test]
fn missing_keys_take_bmtools_defaults_and_file_order_is_kept() {
    let s = parse(MIN).unwrap();
    let g = &s.general;
    assert!(!g.vclamp);
    assert_eq!(g.rise_interval, (0.1, 0.9));
    assert_eq!(
        (
            g.tstart,
            g.tdur,
            g.threshold,
            g.delay,
            g.weight,
            g.dt,
            g.celsius,
            g.v_init
        ),
        (500.0, 100.0, -15.0, 1.3, 1.0, 0.025, 20.0, -65.0)
    );
    assert_eq!(
        s.connection_names(),
        vec!["B", "A"],
        "bmtool iterates dicts in insertion order"
    );
    let c = s.connection("A").unwrap();
    assert_eq!(
        (
            c.spec_settings.sec_id,
            c.spec_settings.sec_x,
            c.spec_settings.vclamp_amp
        ),
        (0, 0.5, -70.0)
    );
    assert_eq!(s.cell_path("C").unwrap(), Path::new("/base/c.json"));
}

#[test]
fn bad_fields_are_named() {
    let cases: &[(&str, K, &str)] = &[
        (
            r#"{"general_settings": {"dt": -1}, "conn_type_settings": {"A": {"spec_settings": {"post_cell": "C", "level_of_detail": "X"}}}}"#,
            K::BadValue,
            "general_settings.dt",
        ),
        (
            r#"{"general_settings": {"vclamp": "yes"}, "conn_type_settings": {}}"#,
            K::BadValue,
            "general_settings.vclamp",
        ),
        (
            r#"{"general_settings": {"rise_interval": [0.9, 0.1]}, "conn_type_settings": {}}"#,
            K::BadValue,
            "general_settings.rise_interval",
        ),
        (
            r#"{"general_settings": {"tstrat": 5}, "conn_type_settings": {}}"#,
            K::UnknownField,
            "general_settings.tstrat",
        ),
        (
            r#"{"conn_type_settings": {}}"#,
            K::Missing,
            "conn_type_settings",
        ),
        (
            r#"{"conn_type_settings": {"A": {"spec_settings": {"level_of_detail": "X"}}}}"#,
            K::Missing,
            "conn_type_settings.A.spec_settings.post_cell",
        ),
        (
            r#"{"conn_type_settings": {"A": {"spec_settings": {"post_cell": "C", "level_of_detail": "X", "sec_x": 2}}}}"#,
            K::BadValue,
            "conn_type_settings.A.spec_settings.sec_x",
        ),
        (
            r#"{"conn_type_settings": {"A": {"spec_settings": {"post_cell": "C", "level_of_detail": "X", "sec_id": 1.5}}}}"#,
            K::BadValue,
            "conn_type_settings.A.spec_settings.sec_id",
        ),
        (
            r#"{"conn_type_settings": {"A": {"spec_settings": {"post_cell": "C", "level_of_detail": "X"}, "spec_syn_params": {}}}}"#,
            K::UnknownField,
            "conn_type_settings.A.spec_syn_params",
        ),
        (
            r#"{"conn_type_settings": {"A": {"spec_settings": {"post_cell": "C", "level_of_detail": "X"}}}, "cells": ["c.json"]}"#,
            K::BadValue,
            "cells",
        ),
        (
            r#"{"conn_type_settings": {"A": {"spec_settings": {"post_cell": "C", "level_of_detail": "X"}}}, "extras": 1}"#,
            K::UnknownField,
            "extras",
        ),
    ];
    for (text, kind, field) in cases {
        let e = parse(text).unwrap_err();
        assert_eq!(e.kind, *kind, "{text}: {e}");
        assert_eq!(e.field, *field, "{text}: {e}");
        assert!(e.to_string().starts_with("s.json: field"), "{e}");
    }
    let e = TunerSettings::from_file("/nonexistent/s.json").unwrap_err();
    assert_eq!(e.kind, K::Io);
    let s = parse(MIN).unwrap();
    assert_eq!(s.connection("Z").unwrap_err().kind, K::UnknownConnection);
    assert_eq!(s.cell_path("D").unwrap_err().kind, K::UnknownCell);
}

#[test]
fn a_json_folder_updates_spec_syn_param() {
    let dir = std::env::temp_dir().join(format!("synaptune-jf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("A.json"), r#"{"tau2": 7.5, "e": -80}"#).unwrap();
    let mut s = parse(MIN).unwrap();
    assert_eq!(s.apply_json_folder(&dir).unwrap(), vec!["A".to_string()]);
    let p = s.connection("A").unwrap().numeric_params();
    assert!(p.contains(&("tau2".to_string(), 7.5)) && p.contains(&("e".to_string(), -80.0)));
    std::fs::write(dir.join("B.json"), "not json").unwrap();
    assert_eq!(s.apply_json_folder(&dir).unwrap_err().kind, K::Syntax);
}

/// The FSI example's settings file.
fn fsi() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fsi/settings.json")
}

#[test]
fn settings_given_as_json_build_the_same_tuner_as_the_file() {
    use tuner_opt::{ModelSource, TunerSpec};
    let file = fsi();
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut from_file = TunerSpec::new(ModelSource::Settings(file.clone()));
    from_file.connection = Some("Dep2FSI".into());
    let mut from_json = from_file.clone();
    from_json.source = ModelSource::Json {
        settings: value.clone(),
        label: "(from Python)".into(),
        base: file.parent().unwrap().to_path_buf(),
    };
    assert_eq!(from_json.source.path(), Path::new("(from Python)"));
    assert!(from_json.source.networks().unwrap().is_empty());
    let a = from_file.build().unwrap().tuner.train(50.0, 250.0).unwrap();
    let b = from_json.build().unwrap().tuner;
    // to_json writes a settings file that reads back to the same settings.
    let again =
        TunerSettings::from_value(&b.settings().to_json(), Path::new("x"), Path::new("/")).unwrap();
    assert_eq!(again.connections, b.settings().connections);
    assert_eq!(again.general, b.settings().general);
    assert_eq!(a.amplitudes_pa, b.train(50.0, 250.0).unwrap().amplitudes_pa);
    // A bad value is named with the label.
    let mut bad = value;
    bad["general_settings"]["dt"] = serde_json::json!(-1.0);
    from_json.source = ModelSource::Json {
        settings: bad,
        label: "(from Python)".into(),
        base: ".".into(),
    };
    let e = from_json.build().unwrap_err().to_string();
    assert!(
        e.contains("(from Python)") && e.contains("general_settings.dt"),
        "{e}"
    );
}
