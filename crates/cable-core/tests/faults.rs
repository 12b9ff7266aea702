//! Faults named and cancellation, with the built-in mechanisms.

use cable_core::{CellSpec, Loc, ModelBuilder, SimError, SimOptions, Target};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn cell() -> CellSpec {
    CellSpec::from_json_str(
        r#"{"format": "synaptune-cell/1", "name": "BallStick", "sections": [
            {"name": "soma[0]", "L": 20, "diam": 20, "mechanisms": {"pas": {}}},
            {"name": "dend[0]", "parent": {"section": "soma[0]", "x": 1}, "L": 200, "diam": 1,
             "nseg": 5, "mechanisms": {"pas": {}}}]}"#,
        "<test>",
    )
    .unwrap()
}

/// The ball-and-stick with an Exp2Syn of tau1 = tau2 = 0 at `sec(0.5)`,
/// fed one NetStim event at 4 ms (+1 ms delay) when `event`.
fn exp2syn_model(sec: &str, event: bool) -> (cable_core::Simulation, cable_core::PointId) {
    let reg = standard_mechanisms::registry();
    let cell = cell();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(&cell).unwrap();
    let syn = b
        .add_point(
            "Exp2Syn",
            Loc::new(c, sec, 0.5),
            &[("tau1", 0.0), ("tau2", 0.0)],
        )
        .unwrap();
    if event {
        let ns = b
            .add_artificial("NetStim", &[("start", 4.0), ("number", 1.0)])
            .unwrap();
        let s = b.artificial_source(ns).unwrap();
        b.connect(s, Target::Point(syn), 1.0, &[0.01]).unwrap();
    }
    (b.build(SimOptions::default()).unwrap(), syn)
}

/// A built-in synapse whose parameters make NaN: Exp2Syn with tau1 = tau2 = 0
/// computes its normalisation factor as 0/0 (NEURON would too), harmless until
/// the first event multiplies it into the conductance. The run stops at that
/// event with an error naming the mechanism, the segment and the time.
#[test]
fn a_builtin_mechanism_producing_nan_is_named() {
    let (mut sim, _) = exp2syn_model("dend[0]", true);
    let v = sim.record(0, "soma[0]", 0.5, "v").unwrap();
    let e = sim.run(10.0, -65.0).unwrap_err();
    let msg = e.to_string();
    match &e {
        SimError::NonFinite { mech, t, place, .. } => {
            assert_eq!(mech.as_deref(), Some("Exp2Syn"), "{msg}");
            assert!((5.0..5.1).contains(t), "{msg}");
            assert!(place.contains("section `dend[0]` segment 2 of 5"), "{msg}");
        }
        other => panic!("unexpected {other}"),
    }
    assert!(sim.trace(v).iter().all(|x| x.is_finite()));
}

/// A recorded variable that becomes non-finite without touching the voltage
/// is caught when it is recorded.
#[test]
fn a_nonfinite_recorded_value_is_named() {
    let (mut sim, syn) = exp2syn_model("soma[0]", false);
    sim.record_point(syn, "factor").unwrap();
    let e = sim.run(1.0, -65.0).unwrap_err();
    assert!(
        matches!(&e, SimError::NonFinite { mech: Some(m), variable, .. } if m == "Exp2Syn" && variable == "factor"),
        "{e}"
    );
}

/// A set cancel flag stops `continuerun`; cleared, the simulation runs again.
#[test]
fn cancel_stops_a_run_and_the_simulation_stays_usable() {
    let reg = standard_mechanisms::registry();
    let cell = cell();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(&cell).unwrap();
    b.add_point(
        "IClamp",
        Loc::new(c, "soma[0]", 0.5),
        &[("del", 0.0), ("dur", 1e9), ("amp", 0.01)],
    )
    .unwrap();
    let mut sim = b
        .build(SimOptions {
            skip_stationary: false,
            ..SimOptions::default()
        })
        .unwrap();
    let flag = Arc::new(AtomicBool::new(false));
    sim.set_cancel(flag.clone());
    let f2 = flag.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        f2.store(true, Ordering::Relaxed);
    });
    let t0 = std::time::Instant::now();
    let e = sim.run(1e7, -65.0).unwrap_err();
    stopper.join().unwrap();
    assert!(matches!(e, SimError::Cancelled { .. }), "{e}");
    assert!(t0.elapsed().as_secs() < 30, "stopped promptly");
    assert!(sim.t() < 1e7);
    flag.store(false, Ordering::Relaxed);
    sim.run(5.0, -65.0).unwrap();
    assert!((sim.t() - 5.0).abs() < 1e-9);
}
