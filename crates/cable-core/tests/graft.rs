//! Grafting a state saved from a model of one cell into a model of two copies
//! of it whose stimulators differ (`Simulation::graft_embedded`): saved
//! before any event, the continuation is the two-cell run from the start, bit
//! for bit, with the new model's own stimulators; what the graft cannot carry
//! is refused.

use cable_core::{CellSpec, Loc, ModelBuilder, SimError, SimOptions, Simulation, SourceId, Target};
use std::path::PathBuf;

mod common;

fn tree() -> CellSpec {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cells/hh_tree.json");
    CellSpec::from_file(p).unwrap()
}

/// Per cell an ExpSyn at the soma driven by its own NetStim (`start`,
/// `interval` per cell, four events); with `detector`, a spike detector on
/// the first cell's soma too. Records: time, then per cell the soma voltage
/// and the synapse's `g`; the NetStims' spikes.
fn build(stims: &[(f64, f64)], detector: bool) -> (Simulation, Vec<SourceId>) {
    let reg = standard_mechanisms::registry();
    let cell = tree();
    let mut b = ModelBuilder::new(&reg);
    let mut syns = Vec::new();
    let mut sources = Vec::new();
    for &(start, interval) in stims {
        let c = b.add_cell(&cell).unwrap();
        let syn = b
            .add_point("ExpSyn", Loc::new(c, "soma", 0.5), &[("tau", 2.0)])
            .unwrap();
        let p = [
            ("start", start),
            ("interval", interval),
            ("number", 4.0),
            ("noise", 0.0),
        ];
        let a = b.add_artificial("NetStim", &p).unwrap();
        let s = b.artificial_source(a).unwrap();
        b.connect(s, Target::Point(syn), 1.0, &[0.01]).unwrap();
        syns.push(syn);
        sources.push(s);
        if detector && syns.len() == 1 {
            let d = b.voltage_source(Loc::new(c, "soma", 0.5), -20.0).unwrap();
            b.connect(d, Target::None, 1.0, &[0.0]).unwrap();
        }
    }
    let mut sim = b
        .build(SimOptions {
            celsius: 6.3,
            ..SimOptions::default()
        })
        .unwrap();
    sim.record_time();
    for (c, &syn) in syns.iter().enumerate() {
        sim.record(c, "soma", 0.5, "v").unwrap();
        sim.record_point(syn, "g").unwrap();
    }
    for &s in &sources {
        sim.record_spikes(s).unwrap();
    }
    (sim, sources)
}

fn bits(sim: &Simulation, n: usize, sources: &[SourceId]) -> Vec<Vec<u64>> {
    let mut out: Vec<Vec<u64>> = (0..n)
        .map(|k| {
            let tr = sim.trace(cable_core::ProbeId(k));
            tr.iter().map(|x| x.to_bits()).collect()
        })
        .collect();
    for &s in sources {
        out.push(sim.spikes(s).unwrap().iter().map(|x| x.to_bits()).collect());
    }
    out
}

const TSTOP: f64 = 60.0;
/// The two-cell model's stimulators: neither the saved model's nor alike.
const TWO: [(f64, f64); 2] = [(25.0, 7.0), (41.0, 3.0)];

#[test]
fn two_copies_with_their_own_stimulators_continue_from_one_cells_state() {
    let (mut whole, sources) = build(&TWO, false);
    whole.run(TSTOP, -65.0).unwrap();
    let reference = bits(&whole, 5, &sources);
    // Both cells were driven, differently.
    assert_eq!(reference[5].len(), 4);
    assert_ne!(reference[1].last(), reference[3].last());
    for t_save in [0.5, 12.0, 24.0] {
        let (mut one, _) = build(&[(30.0, 5.0)], false);
        one.run(t_save, -65.0).unwrap();
        let state = one.take_state().unwrap();
        let (mut two, sources) = build(&TWO, false);
        two.finitialize(-65.0).unwrap();
        two.graft_embedded(state, &[0, 0]).unwrap();
        two.continuerun(TSTOP).unwrap();
        assert_eq!(two.steps(), whole.steps(), "saved at {t_save}");
        let got = bits(&two, 5, &sources);
        common::assert_same_records(&got, &reference, &format!("saved at {t_save}"));
    }
}

#[test]
fn what_the_graft_cannot_carry_is_refused() {
    let saved = |until: f64| {
        let (mut one, _) = build(&[(30.0, 5.0)], false);
        one.run(until, -65.0).unwrap();
        one.take_state().unwrap()
    };
    let state = saved(20.0);
    let refused = |stims: &[(f64, f64)], detector: bool, steps: usize, s: &_, what: &str| {
        let (mut sim, _) = build(stims, detector);
        sim.finitialize(-65.0).unwrap();
        for _ in 0..steps {
            sim.fadvance().unwrap();
        }
        match sim.graft_embedded(Clone::clone(s), &[0, 0]) {
            Err(SimError::StateMismatch(m)) => assert!(m.contains(what), "{m}"),
            other => panic!("expected a mismatch naming {what}, got {other:?}"),
        }
    };
    // A simulation that has stepped.
    refused(&TWO, false, 1, &state, "just initialised");
    // An own event before the saved time (it would have been delivered).
    refused(
        &[(15.0, 7.0), (41.0, 3.0)],
        false,
        0,
        &state,
        "due by the saved time",
    );
    // A spike detector on a cell: events not from artificial cells.
    refused(&TWO, true, 0, &state, "artificial cells alone");
    // A state saved after its first event (at 30 ms) was delivered.
    refused(&TWO, false, 0, &saved(35.0), "had delivered events");
}
