//! Saving a simulation's state and restoring it into another simulation of the
//! same model: the continuation is bit-identical to the uninterrupted run, at
//! any step boundary (with events in flight, self events queued, synaptic
//! state in connection weights); restoring into another model is refused.

use cable_core::{CellSpec, Loc, ModelBuilder, SimError, SimOptions, Simulation, Target};
use std::path::PathBuf;

fn cell(name: &str) -> CellSpec {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/cells")
        .join(name);
    CellSpec::from_file(p).unwrap()
}

/// An hh soma with a depressing GABA_A_STP synapse fed by a NetStim train, a
/// voltage clamp that steps, and an Exp2Syn_STP fed by a second NetStim.
fn build(extra_cell: bool) -> (Simulation, Vec<cable_core::SourceId>) {
    let reg = standard_mechanisms::registry();
    let hh = cell("hh_soma.json");
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(&hh).unwrap();
    if extra_cell {
        b.add_cell(&hh).unwrap();
    }
    let syn = b
        .add_point(
            "GABA_A_STP",
            Loc::new(c, "soma", 0.5),
            &[("initW", 5.0), ("Use", 0.4), ("Dep", 190.0), ("Fac", 10.0)],
        )
        .unwrap();
    let syn2 = b
        .add_point("Exp2Syn_STP", Loc::new(c, "soma", 0.5), &[("e", 0.0)])
        .unwrap();
    b.add_point(
        "VClamp",
        Loc::new(c, "soma", 0.5),
        &[
            ("dur[0]", 20.0),
            ("dur[1]", 60.0),
            ("dur[2]", 1e9),
            ("amp[0]", -70.0),
            ("amp[1]", -50.0),
            ("amp[2]", -60.0),
        ],
    )
    .unwrap();
    let mut sources = Vec::new();
    for (start, interval, target, w) in [(10.0, 7.0, syn, 1.0), (12.5, 11.0, syn2, 0.002)] {
        let ns = b
            .add_artificial(
                "NetStim",
                &[
                    ("start", start),
                    ("interval", interval),
                    ("number", 9.0),
                    ("noise", 0.0),
                ],
            )
            .unwrap();
        let s = b.artificial_source(ns).unwrap();
        b.connect(s, Target::Point(target), 1.3, &[w]).unwrap();
        sources.push(s);
    }
    let mut sim = b
        .build(SimOptions {
            celsius: 20.0,
            ..SimOptions::default()
        })
        .unwrap();
    sim.record_time();
    sim.record(0, "soma", 0.5, "v").unwrap();
    sim.record_point(syn, "i").unwrap();
    sim.record_point(syn2, "g").unwrap();
    for &s in &sources {
        sim.record_spikes(s).unwrap();
    }
    (sim, sources)
}

fn bits(sim: &Simulation, sources: &[cable_core::SourceId]) -> Vec<Vec<u64>> {
    let mut out: Vec<Vec<u64>> = (0..4)
        .map(|k| {
            sim.trace(cable_core::ProbeId(k))
                .iter()
                .map(|x| x.to_bits())
                .collect()
        })
        .collect();
    for &s in sources {
        out.push(sim.spikes(s).unwrap().iter().map(|x| x.to_bits()).collect());
    }
    out
}

#[test]
fn a_restored_run_continues_bit_for_bit() {
    const TSTOP: f64 = 150.0;
    let (mut whole, src) = build(false);
    whole.run(TSTOP, -65.0).unwrap();
    let reference = bits(&whole, &src);
    assert!(
        reference[4].len() == 9 && reference[5].len() == 9,
        "both trains fired"
    );
    // Save at several times: before any event, between events with self
    // events and spikes in flight, during the clamp's steps, after the trains.
    for t_save in [5.0, 11.3, 24.05, 47.0, 81.275, 120.0] {
        let (mut first, _) = build(false);
        first.run(t_save, -65.0).unwrap();
        let state = first.save_state().unwrap();
        assert!((state.t() - t_save).abs() < 0.025);
        let (mut second, src2) = build(false);
        second.restore_state(&state).unwrap();
        second.continuerun(TSTOP).unwrap();
        assert_eq!(second.steps(), whole.steps(), "saved at {t_save}");
        assert_eq!(bits(&second, &src2), reference, "saved at {t_save}");
        // The saved simulation itself goes on unchanged too.
        first.continuerun(TSTOP).unwrap();
        assert_eq!(bits(&first, &src), reference, "saved at {t_save}");
    }
}

#[test]
fn a_state_is_refused_by_another_model_or_before_initialisation() {
    let (fresh, _) = build(false);
    assert!(matches!(
        fresh.save_state(),
        Err(SimError::StateMismatch(_))
    ));
    let (mut a, _) = build(false);
    a.run(30.0, -65.0).unwrap();
    let state = a.save_state().unwrap();
    let (mut other, _) = build(true);
    let e = other.restore_state(&state).unwrap_err();
    assert!(
        matches!(e, SimError::StateMismatch(ref m) if m.contains("nodes")),
        "{e}"
    );
    // Same cells, fewer probes.
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    b.add_cell(&cell("hh_soma.json")).unwrap();
    let mut bare = b.build(SimOptions::default()).unwrap();
    assert!(matches!(
        bare.restore_state(&state),
        Err(SimError::StateMismatch(_))
    ));
}
