//! Node numbers depend on every cell of a model (the roots of all cells come
//! first), so a location given before another cell is added must still name
//! its own node: a voltage source, a transfer (`source_var`) and an implicit
//! coupling declared first and a cell added after them give the traces of the
//! same model without that cell, bit for bit.

use cable_core::{CellSpec, Loc, ModelBuilder, SimOptions, Target};
use std::path::PathBuf;

fn hh_soma() -> CellSpec {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cells/hh_soma.json");
    CellSpec::from_file(p).unwrap()
}

/// Two hh somas: a current step makes the first fire; its voltage drives an
/// ExpSyn on the second through a threshold source, and a `Gap` on the second
/// through a transfer (or, with `implicit`, an implicit coupling). With
/// `extra`, a third cell is added after all of that. Returns the bits of both
/// somas' voltage traces and the number of spikes of the source.
fn run(extra: bool, implicit: bool) -> (Vec<u64>, Vec<u64>, usize) {
    let reg = standard_mechanisms::registry();
    let cell = hh_soma();
    let mut b = ModelBuilder::new(&reg);
    let c1 = b.add_cell(&cell).unwrap();
    let c2 = b.add_cell(&cell).unwrap();
    let at = |c| Loc::new(c, "soma", 0.5);
    b.add_point(
        "IClamp",
        at(c1),
        &[("del", 2.0), ("dur", 30.0), ("amp", 0.3)],
    )
    .unwrap();
    let src = b.voltage_source(at(c1), 0.0).unwrap();
    let syn = b.add_point("ExpSyn", at(c2), &[("tau", 3.0)]).unwrap();
    b.connect(src, Target::Point(syn), 1.0, &[0.01]).unwrap();
    if implicit {
        b.couple(at(c1), at(c2), 0.002).unwrap();
    } else {
        let gap = b.add_point("Gap", at(c2), &[("g", 0.002)]).unwrap();
        b.transfer(at(c1), gap, "vgap").unwrap();
    }
    if extra {
        b.add_cell(&cell).unwrap();
    }
    let mut sim = b
        .build(SimOptions {
            celsius: 6.3,
            ..SimOptions::default()
        })
        .unwrap();
    let v1 = sim.record(0, "soma", 0.5, "v").unwrap();
    let v2 = sim.record(1, "soma", 0.5, "v").unwrap();
    sim.record_spikes(src).unwrap();
    sim.run(40.0, -65.0).unwrap();
    let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
    let spikes = sim.spikes(src).unwrap().len();
    (bits(sim.take_trace(v1)), bits(sim.take_trace(v2)), spikes)
}

#[test]
fn locations_given_before_a_cell_is_added_keep_their_nodes() {
    for implicit in [false, true] {
        let (a1, a2, spikes) = run(false, implicit);
        assert!(
            spikes > 0,
            "the source must fire for the test to mean anything"
        );
        let (b1, b2, spikes_b) = run(true, implicit);
        assert_eq!(spikes, spikes_b, "implicit = {implicit}: spike count");
        assert!(
            a1 == b1,
            "implicit = {implicit}: the driven cell's trace changed"
        );
        assert!(
            a2 == b2,
            "implicit = {implicit}: the coupled cell's trace changed"
        );
    }
}
