//! The gap-junction tuner: NEURON/bmtool parity on the FSI example, the closed
//! form for two passive compartments, NEURON-style vs implicit coupling as
//! dt → 0, the optimiser and the sweep.

use serde_json::Value;
use std::path::PathBuf;
use tuner_opt::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fsi(coupling: GapCoupling) -> GapJunctionTuner {
    let s = GapSettings::from_file(root().join("examples/fsi/gap.json")).unwrap();
    GapJunctionTuner::new(standard_mechanisms::registry(), s, None, coupling).unwrap()
}

fn reference() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/tuner/gap_reference.json")).unwrap(),
    )
    .unwrap()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn coupling_coefficients_match_bmtool_over_the_sweep() {
    let r = reference();
    let gs = nums(&r["sweep"]["g"]);
    let want = nums(&r["sweep"]["coupling_coefficient"]);
    let t = fsi(GapCoupling::Neuron);
    let got = t.sweep(&gs, &|| {}).unwrap();
    let mut worst = 0.0f64;
    for ((g, a), b) in gs.iter().zip(&got).zip(&want) {
        let rel = ((a - b) / b).abs();
        worst = worst.max(rel);
        // bmtool's NEURON computes the same doubles.
        assert_eq!(a.to_bits(), b.to_bits(), "g = {g}: cc {a} vs bmtool {b}");
    }
    println!(
        "max relative deviation from bmtool over {} conductances: {worst:.3e}",
        gs.len()
    );
    // Sweeps stop each run at the end of the current step; the full run (to
    // tstart + tdur + 100, as plotted) gives the same coefficient.
    for (k, &g) in gs.iter().enumerate().step_by(7) {
        let full = t.run(g).unwrap();
        assert_eq!(full.coupling_coefficient.to_bits(), got[k].to_bits());
        assert!((full.t.last().unwrap() - 1100.0).abs() < 1e-6);
    }
}

/// Lanes: several pairs in one simulation give, pair by pair, the bits of
/// the run done alone — whole traces, both couplings, conductances from 0 to
/// strong, more conductances than one batch holds.
#[test]
fn every_lane_of_a_batch_is_the_run_done_alone() {
    for coupling in [GapCoupling::Neuron, GapCoupling::Implicit] {
        let t = fsi(coupling);
        let gs = [0.0, 1e-4, 3e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 0.05, 0.2, 1e-5];
        assert!(gs.len() > tuner_opt::SWEEP_LANES);
        let batch = t.run_batch(&gs).unwrap();
        assert_eq!(batch.len(), gs.len());
        for (g, lane) in gs.iter().zip(&batch) {
            let alone = t.run(*g).unwrap();
            assert_eq!(lane.g, *g);
            for (name, a, b) in [
                ("t", &lane.t, &alone.t),
                ("v1", &lane.v1, &alone.v1),
                ("v2", &lane.v2, &alone.v2),
            ] {
                assert_eq!(a.len(), b.len(), "{coupling:?} g = {g}: {name} length");
                let first = a
                    .iter()
                    .zip(b)
                    .position(|(x, y)| x.to_bits() != y.to_bits());
                assert!(
                    first.is_none(),
                    "{coupling:?} g = {g}: {name} differs first at sample {first:?}"
                );
            }
            assert_eq!(
                lane.coupling_coefficient.to_bits(),
                alone.coupling_coefficient.to_bits()
            );
        }
        // The sweep's lanes give the coefficients computed alone.
        let sweep = t.sweep(&gs, &|| {}).unwrap();
        for (g, cc) in gs.iter().zip(&sweep) {
            let alone = t.coupling_coefficient(*g).unwrap();
            assert_eq!(cc.to_bits(), alone.to_bits(), "{coupling:?} g = {g}");
        }
    }
}

#[test]
fn optimizer_finds_bmtools_conductance() {
    let r = reference();
    let want = r["optimize"]["optimal_g"].as_f64().unwrap();
    let t = fsi(GapCoupling::Neuron);
    let o = GapJunctionOptimizer::new(&t, 0.37, 1e-4, 1e-2)
        .and_then(|o| o.run())
        .unwrap();
    assert!(
        ((o.optimal_g - want) / want).abs() < 0.01,
        "g {} vs bmtool {want}",
        o.optimal_g
    );
    assert!((o.achieved_cc - 0.37).abs() < 1e-6, "cc {}", o.achieved_cc);
    assert_eq!(o.history.len(), o.n_simulations);
    println!(
        "g = {} (bmtool {want}), cc = {}, {} simulations",
        o.optimal_g, o.achieved_cc, o.n_simulations
    );
}

#[test]
fn two_passive_compartments_follow_the_closed_form() {
    let dir = std::env::temp_dir().join(format!("synaptune-gap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("cell.json"),
        r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 20, "diam": 20, "mechanisms": {"pas": {"g": 1e-4, "e": -70}}}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("gap.json"),
        r#"{"general_settings": {"tstart": 200, "tdur": 800, "iclamp_amp": 0.02, "v_init": -70},
            "conn_type_settings": {"pair": {"cell": "C", "sec_x": 0.5, "sec_id": 0, "level_of_detail": "gap"}},
            "cells": {"C": "cell.json"}}"#,
    )
    .unwrap();
    let s = GapSettings::from_file(dir.join("gap.json")).unwrap();
    let g_in = 1e-4 * std::f64::consts::PI * 400.0 * 1e-2; // µS
    for coupling in [GapCoupling::Neuron, GapCoupling::Implicit] {
        let t = GapJunctionTuner::new(standard_mechanisms::registry(), s.clone(), None, coupling)
            .unwrap();
        for g in [1e-4, 1e-3, 1e-2] {
            let cc = t.coupling_coefficient(g).unwrap();
            let want = g / (g + g_in);
            assert!(
                (cc / want - 1.0).abs() < 1e-4,
                "{coupling:?} g = {g}: {cc} vs {want}"
            );
        }
    }
}

#[test]
fn neuron_style_and_implicit_coupling_converge_as_dt_shrinks() {
    // The FSI pair at a conductance where the coupling is strong; the step
    // response is read 1 ms after the onset, where the one-step lag matters.
    let mut prev = f64::INFINITY;
    for dt in [0.1, 0.025, 0.00625] {
        let mut s = GapSettings::from_file(root().join("examples/fsi/gap.json")).unwrap();
        s.general.dt = dt;
        s.general.tdur = 1.0;
        s.general.tstart = 100.0;
        let cc = |c| {
            GapJunctionTuner::new(standard_mechanisms::registry(), s.clone(), None, c)
                .unwrap()
                .coupling_coefficient(0.05)
                .unwrap()
        };
        let d = (cc(GapCoupling::Neuron) - cc(GapCoupling::Implicit)).abs();
        println!("dt = {dt}: |cc_neuron − cc_implicit| = {d:.3e}");
        // The lag is a first-order error: dt / 4 must cut the difference ~4×.
        assert!(
            d < prev / 3.0,
            "the difference shrinks with dt ({prev} -> {d})"
        );
        prev = d;
    }
    assert!(prev < 5e-3);
}

#[test]
fn bad_gap_settings_are_named() {
    let bad = |text: &str| {
        let v: Value = serde_json::from_str(text).unwrap();
        GapSettings::from_value(
            &v,
            std::path::Path::new("g.json"),
            std::path::Path::new("."),
        )
        .unwrap_err()
    };
    assert_eq!(
        bad(r#"{"conn_type_settings": {}}"#).field,
        "conn_type_settings"
    );
    assert_eq!(
        bad(r#"{"conn_type_settings": {"a": {"sec_x": 0.5}}}"#).field,
        "conn_type_settings.a.cell"
    );
    assert_eq!(
        bad(r#"{"general_settings": {"dt": "x"}, "conn_type_settings": {"a": {"cell": "C"}}}"#)
            .field,
        "general_settings.dt"
    );
    let t = fsi(GapCoupling::Neuron);
    assert!(matches!(
        t.coupling_coefficient(-1.0).unwrap_err(),
        TunerError::BadValue { .. }
    ));
    assert!(matches!(
        GapJunctionOptimizer::new(&t, 0.3, 1e-2, 1e-4)
            .and_then(|o| o.run())
            .unwrap_err(),
        TunerError::BadValue { .. }
    ));
}

#[test]
fn optimizer_falls_back_to_brent_and_clamps_to_the_bounds() {
    let t = fsi(GapCoupling::Neuron);
    // From g = 0 (cc = 0) the cc/(1 − cc) model does not apply: Brent does it.
    let o = GapJunctionOptimizer::new(&t, 0.37, 0.0, 1e-2)
        .and_then(|o| o.run())
        .unwrap();
    assert!((o.achieved_cc - 0.37).abs() < 1e-6, "cc {}", o.achieved_cc);
    assert!(o.n_simulations > 6, "{} simulations", o.n_simulations);
    // A target beyond cc(hi): the upper bound, after two simulations.
    let o = GapJunctionOptimizer::new(&t, 0.95, 1e-4, 1e-2)
        .and_then(|o| o.run())
        .unwrap();
    assert_eq!(o.optimal_g, 1e-2);
    assert_eq!(o.n_simulations, 2);
    assert!(o.achieved_cc < 0.95);
}

/// A SONATA config's gap junctions (BMTK's `add_gap_junctions` between FSI
/// cells, `tests/fixtures/sonata/gap`) give bmtool's connection names and, with
/// the same cell and defaults, the coupling of the settings-file example.
#[test]
fn a_sonata_config_gives_the_gap_tuner_its_connections() {
    let config = root().join("tests/fixtures/sonata/gap/config.json");
    let s = GapSettings::from_sonata(&config, None).unwrap();
    let names: Vec<&str> = s.connections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["FSI2FSI_gj_type_100", "FSI2FSIb_gj_type_101"]);
    assert!(s.mechanisms.is_empty());
    let reg = standard_mechanisms::registry();
    let t =
        GapJunctionTuner::new(reg, s, Some("FSI2FSIb_gj_type_101"), GapCoupling::Neuron).unwrap();
    let from_file = fsi(GapCoupling::Neuron);
    let a = t.run(0.0005).unwrap();
    let b = from_file.run(0.0005).unwrap();
    assert_eq!(a.v1, b.v1);
    assert_eq!(a.coupling_coefficient, b.coupling_coefficient);
    assert!(a.coupling_coefficient > 0.0 && a.coupling_coefficient < 1.0);
}

#[test]
fn a_config_without_gap_junctions_is_refused_naming_it() {
    let config = root().join("tests/fixtures/sonata/allen/config.json");
    let e = GapSettings::from_sonata(&config, None).unwrap_err();
    assert!(matches!(e, TunerError::NoGapJunctions { .. }), "{e}");
    assert!(e.to_string().contains("allen/config.json"), "{e}");
}
