//! Plugin catalogues end to end: the standard catalogue loaded as a cdylib gives
//! traces bit-identical to the statically linked one; the custom-synapse example
//! builds, loads and runs; broken plugins are refused with the specific error
//! before any of their code runs; a panic inside a plugin becomes an error.
//!
//! The libraries are built by these tests (see `common/build.rs`) into
//! `target/plugin-tests/`.

mod common;

use cable_core::{CellSpec, Loc, ModelBuilder, SimError, SimOptions, Target};
use cable_scenario::scenario::Scenario;
use common::*;
use mech_api::{LoadError, Registry};
use std::path::{Path, PathBuf};

#[path = "common/build.rs"]
mod build;

use build::{build, custom_plugin as custom, lib_name};

const DIR: &str = "plugin-tests";

fn testing_plugin(feature: Option<&str>) -> PathBuf {
    let mut args = vec!["-p", "testing-mechanisms"];
    if let Some(f) = feature {
        args.extend(["--features", f]);
    }
    let tag = format!("testing_{}", feature.unwrap_or("ok").replace('-', "_"));
    build(
        &args,
        DIR,
        &Path::new("debug").join(lib_name("testing_mechanisms")),
        &tag,
    )
}

fn standard_plugin() -> PathBuf {
    build(
        &["-p", "standard-mechanisms"],
        DIR,
        &Path::new("debug").join(lib_name("standard_mechanisms")),
        "standard_dynamic",
    )
}

fn custom_plugin(feature: Option<&str>) -> PathBuf {
    custom(DIR, feature)
}

#[test]
fn dynamic_standard_catalogue_gives_bit_identical_traces() {
    let path = standard_plugin();
    let cats = mech_api::load_path(&path).expect("load the standard catalogue");
    assert_eq!(cats.len(), 1);
    let mut dynamic = standard_mechanisms::registry();
    let notices = dynamic.add(&cats[0]);
    // Every built-in is replaced, with a notice naming it.
    assert_eq!(notices.len(), standard_mechanisms::registry().types().len());
    assert!(notices
        .iter()
        .any(|n| n.contains("`hh`") && n.contains("replaces")));
    for t in dynamic.types() {
        assert!(
            matches!(t.origin, mech_api::Origin::Library(_)),
            "{} still static",
            t.info.name
        );
    }
    let fixed = standard_mechanisms::registry();
    for name in [
        "syn_passive",
        "syn_hh_recurrent",
        "vclamp_fsi",
        "gap_pair",
        "seclamp",
    ] {
        let sc = Scenario::from_file(fixture(&format!("scenarios/{name}.json"))).unwrap();
        for &so in &sc.secondorders {
            let a = sc.run(&fixed, so).unwrap();
            let b = sc.run(&dynamic, so).unwrap();
            assert_eq!(a.columns.len(), b.columns.len());
            for (k, (x, y)) in a.columns.iter().zip(&b.columns).enumerate() {
                let d = diff(x, y);
                assert_eq!(d.identical, d.n, "{name} so={so} column {}", a.names[k]);
            }
            assert_eq!(a.spikes, b.spikes, "{name}");
        }
    }
}

/// The Markram–Wang–Tsodyks recursion the example documents, for a regular train.
fn tm_releases(times: &[f64], u_base: f64, tau_rec: f64, tau_facil: f64) -> Vec<f64> {
    let (mut x, mut u, mut last) = (1.0f64, u_base, -1e9f64);
    times
        .iter()
        .map(|&t| {
            let d = t - last;
            x = 1.0 - (1.0 - x) * (-d / tau_rec).exp();
            u = u_base + (u - u_base) * (-d / tau_facil).exp();
            let r = u * x;
            x -= r;
            u += u_base * (1.0 - u);
            last = t;
            r
        })
        .collect()
}

#[test]
fn custom_synapse_example_builds_loads_and_runs() {
    let path = custom_plugin(None);
    let mut reg = standard_mechanisms::registry();
    for c in mech_api::load_path(&path).unwrap() {
        assert!(reg.add(&c).is_empty(), "TmSyn is new, nothing replaced");
    }
    let cell = CellSpec::from_file(fixture("cells/ball_stick.json")).unwrap();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(&cell).unwrap();
    let syn = b
        .add_point(
            "TmSyn",
            Loc::new(c, "soma", 0.5),
            &[("U", 0.2), ("tau_facil", 80.0)],
        )
        .unwrap();
    let ns = b
        .add_artificial(
            "NetStim",
            &[("start", 10.0), ("interval", 20.0), ("number", 5.0)],
        )
        .unwrap();
    let src = b.artificial_source(ns).unwrap();
    b.connect(src, Target::Point(syn), 1.0, &[2.0]).unwrap();
    let mut sim = b.build(SimOptions::default()).unwrap();
    let rel = sim.record_point(syn, "release").unwrap();
    let v = sim.record(0, "soma", 0.5, "v").unwrap();
    sim.run(120.0, -65.0).unwrap();
    // The release at each event equals the documented recursion.
    let mut seen = Vec::new();
    for w in sim.trace(rel).windows(2) {
        if w[1] != w[0] {
            seen.push(w[1]);
        }
    }
    let times: Vec<f64> = (0..5).map(|k| 10.0 + 20.0 * k as f64 + 1.0).collect();
    let want = tm_releases(&times, 0.2, 100.0, 80.0);
    assert_eq!(seen.len(), 5, "{seen:?}");
    for (a, b) in seen.iter().zip(&want) {
        assert!((a - b).abs() < 1e-12, "release {a} vs {b}");
    }
    // The first release is U; facilitation makes the second larger for U = 0.2.
    assert!((seen[0] - 0.2).abs() < 1e-15, "{}", seen[0]);
    assert!(seen[1] > seen[0]);
    // The synapse depolarises the cell.
    let vmax = sim
        .trace(v)
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(vmax > -64.9, "vmax {vmax}");
}

#[test]
fn a_plugin_built_for_another_abi_is_refused_with_a_clear_message() {
    let path = custom_plugin(Some("abi-next"));
    let e = mech_api::load_library(&path).unwrap_err();
    assert!(
        matches!(e, LoadError::AbiMismatch { found_major, .. } if found_major == mech_api::abi::ABI_VERSION_MAJOR + 1),
        "{e}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("built for mechanism ABI 2.0") && msg.contains("rebuild"),
        "{msg}"
    );
}

#[test]
fn broken_handshakes_are_refused_before_any_plugin_code_runs() {
    // In these variants the catalogue function aborts the process: reaching it
    // would end this test run.
    let e = mech_api::load_library(&testing_plugin(Some("bad-magic"))).unwrap_err();
    assert!(matches!(e, LoadError::BadMagic { .. }), "{e}");
    let e = mech_api::load_library(&testing_plugin(Some("abi-major-next"))).unwrap_err();
    assert!(matches!(e, LoadError::AbiMismatch { .. }), "{e}");
    let e = mech_api::load_library(&testing_plugin(Some("abi-minor-next"))).unwrap_err();
    assert!(
        matches!(e, LoadError::AbiMismatch { found_minor, .. } if found_minor == mech_api::abi::ABI_VERSION_MINOR + 1),
        "{e}"
    );
    let e = mech_api::load_library(&testing_plugin(Some("bad-layout"))).unwrap_err();
    assert!(
        matches!(e, LoadError::LayoutMismatch { what: "PPack", .. }),
        "{e}"
    );
    let e = mech_api::load_library(&testing_plugin(Some("no-header"))).unwrap_err();
    assert!(
        matches!(e, LoadError::SymbolMissing { ref symbol, .. } if symbol == "synaptune_mech_abi"),
        "{e}"
    );
    let e = mech_api::load_library(&testing_plugin(Some("bad-descriptor"))).unwrap_err();
    assert!(matches!(e, LoadError::BadDescriptor { .. }), "{e}");
    assert!(e.to_string().contains("`g` twice"), "{e}");
}

#[test]
fn missing_files_and_empty_folders_are_named() {
    let e = mech_api::load_path(Path::new("/nonexistent/libx.so")).unwrap_err();
    assert!(matches!(e, LoadError::FileMissing { .. }), "{e}");
    assert!(e.to_string().contains("/nonexistent/libx.so"));
    let dir = std::env::temp_dir().join(format!("synaptune-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "no library here").unwrap();
    let e = mech_api::load_path(&dir).unwrap_err();
    assert!(matches!(e, LoadError::EmptyFolder { .. }), "{e}");
    let not_a_lib = dir.join("fake.so");
    std::fs::write(&not_a_lib, "not an ELF file").unwrap();
    let e = mech_api::load_library(&not_a_lib).unwrap_err();
    assert!(matches!(e, LoadError::Open { .. }), "{e}");
}

fn boom_registry() -> Registry {
    let mut reg = standard_mechanisms::registry();
    for c in mech_api::load_path(&testing_plugin(None)).unwrap() {
        reg.add(&c);
    }
    reg
}

#[test]
fn a_panic_in_a_plugin_becomes_an_error_and_the_host_survives() {
    let reg = boom_registry();
    let cell = CellSpec::from_file(fixture("cells/hh_soma.json")).unwrap();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(&cell).unwrap();
    let boom = b
        .add_point("Boom", Loc::new(c, "soma", 0.5), &[("explode_at", 2.0)])
        .unwrap();
    let ns = b
        .add_artificial("NetStim", &[("start", 0.5), ("number", 1.0)])
        .unwrap();
    let src = b.artificial_source(ns).unwrap();
    let conn = b.connect(src, Target::Point(boom), 0.1, &[1.0]).unwrap();
    let mut sim = b.build(SimOptions::default()).unwrap();
    let e = sim.run(5.0, -65.0).unwrap_err();
    match &e {
        SimError::Mechanism { mech, message } => {
            assert_eq!(mech, "Boom");
            assert!(message.contains("Boom went off at t = 2"), "{message}");
        }
        other => panic!("unexpected {other}"),
    }
    assert!(
        sim.t() < 2.1,
        "stopped at the failing step, t = {}",
        sim.t()
    );
    // The host is intact: a panic in NET_RECEIVE is reported the same way.
    sim.set_point_param(boom, "explode_at", 1e9).unwrap();
    sim.set_weight(conn, 0, -1.0).unwrap();
    let e = sim.run(5.0, -65.0).unwrap_err();
    assert!(e.to_string().contains("negative weight -1"), "{e}");
    // And with the cause removed the same simulation runs to the end.
    sim.set_weight(conn, 0, 1.0).unwrap();
    sim.run(5.0, -65.0).unwrap();
    assert!((sim.t() - 5.0).abs() < 1e-9);
}

#[test]
fn a_catalogue_built_for_abi_1_0_loads_and_runs_without_step_skipping() {
    let cats = mech_api::load_path(&testing_plugin(Some("abi-1-0"))).expect("1.0 is accepted");
    let legacy = &cats[0].mechs[0];
    assert_eq!(legacy.info.name, "legacy_pas");
    assert!(
        !legacy.has_time_horizon(),
        "1.0 descriptors have no horizon"
    );
    let mut reg = standard_mechanisms::registry();
    reg.add(&cats[0]);
    assert!(reg.get("pas").unwrap().has_time_horizon());
    // The same passive cell with `pas` and with the 1.0 plugin's copy of it: the
    // traces agree bit for bit; only `pas` lets the host skip the resting steps.
    let text = std::fs::read_to_string(fixture("cells/ball_stick.json")).unwrap();
    let run = |mech: &str| {
        let cell = CellSpec::from_json_str(&text.replace("\"pas\"", &format!("\"{mech}\"")), mech)
            .unwrap();
        let mut b = ModelBuilder::new(&reg);
        let c = b.add_cell(&cell).unwrap();
        b.add_point(
            "IClamp",
            Loc::new(c, "soma[0]", 0.5),
            &[("del", 400.0), ("dur", 5.0), ("amp", 0.1)],
        )
        .unwrap();
        let mut sim = b.build(SimOptions::default()).unwrap();
        let v = sim.record(0, "dend[0]", 0.7, "v").unwrap();
        let i = sim.record(0, "soma[0]", 0.5, &format!("i_{mech}")).unwrap();
        sim.run(1200.0, -60.0).unwrap();
        (
            sim.trace(v).to_vec(),
            sim.trace(i).to_vec(),
            sim.skipped_steps(),
        )
    };
    let (v1, i1, skipped_pas) = run("pas");
    let (v2, i2, skipped_legacy) = run("legacy_pas");
    assert_eq!(v1.len(), 48001);
    eprintln!("pas skipped {skipped_pas} of 48000 steps");
    assert!(v1.iter().zip(&v2).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert!(i1.iter().zip(&i2).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert_eq!(skipped_legacy, 0);
    assert!(skipped_pas > 1000, "pas skipped only {skipped_pas} steps");
}

/// A plugin mechanism producing NaN (`nan_after` of the testing catalogue,
/// `log(−1)` in its current from `t = at`) stops the run with an error naming
/// it, the place and the time; nothing non-finite is recorded.
#[test]
fn a_plugin_producing_nan_is_named() {
    let reg = boom_registry();
    let cell = CellSpec::from_json_str(
        r#"{"format": "synaptune-cell/1", "name": "Two", "sections": [
            {"name": "soma[0]", "L": 20, "diam": 20, "mechanisms": {"pas": {}}},
            {"name": "dend[0]", "parent": {"section": "soma[0]", "x": 1}, "L": 50, "diam": 1,
             "nseg": 2, "mechanisms": {"nan_after": {"at": 3.0}}}]}"#,
        "<test>",
    )
    .unwrap();
    let mut b = ModelBuilder::new(&reg);
    b.add_cell(&cell).unwrap();
    let mut sim = b.build(SimOptions::default()).unwrap();
    let v = sim.record(0, "dend[0]", 0.25, "v").unwrap();
    let e = sim.run(10.0, -65.0).unwrap_err();
    let msg = e.to_string();
    match &e {
        SimError::NonFinite {
            mech, variable, t, ..
        } => {
            assert_eq!(mech.as_deref(), Some("nan_after"), "{msg}");
            assert_eq!(variable, "i", "{msg}");
            assert!((3.0..3.1).contains(t), "{msg}");
        }
        other => panic!("unexpected {other}"),
    }
    assert!(msg.contains("section `dend[0]` segment 0 of 2"), "{msg}");
    assert!(sim.trace(v).iter().all(|x| x.is_finite()));
    assert!(sim.trace(v).len() > 100, "recorded up to the fault");
}

/// A plugin returning a status that is neither OK nor ERROR, without a
/// message (a C plugin's bug), is an error naming the mechanism and the entry
/// point; the host survives.
#[test]
fn a_plugin_returning_a_bad_status_is_named() {
    let mut reg = standard_mechanisms::registry();
    for c in mech_api::load_path(&testing_plugin(Some("bad-status"))).unwrap() {
        reg.add(&c);
    }
    let cell = CellSpec::from_file(fixture("cells/hh_soma.json")).unwrap();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(&cell).unwrap();
    let p = b
        .add_point("Sulky", Loc::new(c, "soma", 0.5), &[("at", 1.0)])
        .unwrap();
    let mut sim = b.build(SimOptions::default()).unwrap();
    let e = sim.run(5.0, -65.0).unwrap_err();
    match &e {
        SimError::Mechanism { mech, message } => {
            assert_eq!(mech, "Sulky");
            assert!(message.contains("entry point `current`"), "{message}");
            assert!(message.contains("status 7"), "{message}");
        }
        other => panic!("unexpected {other}"),
    }
    sim.set_point_param(p, "at", 1e9).unwrap();
    sim.run(5.0, -65.0).unwrap();
}
