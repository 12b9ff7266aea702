//! Restoring a state saved from a model of one cell into a model of two copies
//! of it (`Simulation::restore_embedded`): while the copies compute the same
//! bits, the continuation is the two-cell run from the start, bit for bit;
//! what the embedding cannot carry is refused.

use cable_core::{CellSpec, Loc, ModelBuilder, SimError, SimOptions, Simulation};
use std::path::PathBuf;

mod common;

fn tree() -> CellSpec {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cells/hh_tree.json");
    CellSpec::from_file(p).unwrap()
}

/// Two IClamps at cell 0's soma, from 30 and from 40 ms (nothing before; two
/// instances of one type at one node, so each must take the saved instance of
/// its own rank there), and the records the test compares: time, per cell the
/// soma voltage, hh's `m` in the axon, the axon's `ina`, then both IClamps'
/// `i`.
fn build(copies: usize, extra: Option<&str>) -> Simulation {
    let reg = standard_mechanisms::registry();
    let cell = tree();
    let mut b = ModelBuilder::new(&reg);
    let cells: Vec<_> = (0..copies).map(|_| b.add_cell(&cell).unwrap()).collect();
    let stim = b
        .add_point(
            "IClamp",
            Loc::new(cells[0], "soma", 0.5),
            &[("del", 30.0), ("dur", 20.0), ("amp", 0.3)],
        )
        .unwrap();
    let second = b
        .add_point(
            "IClamp",
            Loc::new(cells[0], "soma", 0.5),
            &[("del", 40.0), ("dur", 5.0), ("amp", -0.2)],
        )
        .unwrap();
    if let Some(mech) = extra {
        b.add_point(mech, Loc::new(cells[copies - 1], "dend", 0.5), &[])
            .unwrap();
    }
    let mut sim = b
        .build(SimOptions {
            celsius: 6.3,
            ..SimOptions::default()
        })
        .unwrap();
    sim.record_time();
    for c in 0..copies {
        sim.record(c, "soma", 0.5, "v").unwrap();
        sim.record(c, "ax", 0.3, "m_hh").unwrap();
        sim.record(c, "ax", 0.7, "ina").unwrap();
    }
    sim.record_point(stim, "i").unwrap();
    sim.record_point(second, "i").unwrap();
    sim
}

fn bits(sim: &Simulation, n: usize) -> Vec<Vec<u64>> {
    (0..n)
        .map(|k| {
            let tr = sim.trace(cable_core::ProbeId(k));
            tr.iter().map(|x| x.to_bits()).collect()
        })
        .collect()
}

#[test]
fn two_copies_continue_from_one_cells_state_bit_for_bit() {
    const TSTOP: f64 = 80.0;
    let mut whole = build(2, None);
    whole.run(TSTOP, -65.0).unwrap();
    let reference = bits(&whole, 9);
    // The copies moved (from -65 mV to rest) and then parted (the step).
    let (v1, v2) = (&reference[1], &reference[4]);
    assert_eq!(v1[..1000], v2[..1000]);
    assert_ne!(v1.last(), v2.last());
    for t_save in [0.5, 12.0, 29.0] {
        let mut one = build(1, None);
        one.run(t_save, -65.0).unwrap();
        let state = one.take_state().unwrap();
        let mut two = build(2, None);
        two.restore_embedded(state, &[0, 0]).unwrap();
        two.continuerun(TSTOP).unwrap();
        assert_eq!(two.steps(), whole.steps(), "saved at {t_save}");
        let got = bits(&two, 9);
        common::assert_same_records(&got, &reference, &format!("saved at {t_save}"));
    }
}

#[test]
fn what_the_embedding_cannot_carry_is_refused() {
    let mut one = build(1, None);
    one.run(10.0, -65.0).unwrap();
    let state = one.save_state().unwrap();
    let refused = |sim: &mut Simulation, cells: &[usize], what: &str| match sim
        .restore_embedded(state.clone(), cells)
    {
        Err(SimError::StateMismatch(m)) => assert!(m.contains(what), "{m}"),
        other => panic!("expected a mismatch naming {what}, got {other:?}"),
    };
    // A cell map of the wrong length, a cell the saved model lacks.
    refused(&mut build(2, None), &[0], "cells mapped");
    refused(&mut build(2, None), &[0, 1], "no cell 1");
    // A type the saved model lacks.
    refused(&mut build(2, Some("ExpSyn")), &[0, 0], "types differ");
    // An instance without a counterpart: the saved model's IClamp is at
    // the soma, this one's second IClamp in a dendrite.
    let mut with_two = build(2, Some("IClamp"));
    refused(&mut with_two, &[0, 0], "instance 2 of IClamp");
}
