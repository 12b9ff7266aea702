//! The gap tuner's start on one cell per pair (`GapJunctionTuner::set_half_start`,
//! on by default): whole traces, sweeps and the optimiser's search are the
//! bits of the runs that simulate both cells from the start — one lane and
//! several, conductances from 0 to strong, a junction read off-centre, a
//! current step from the first step on or from between two steps.

use std::path::PathBuf;
use tuner_opt::*;

fn settings() -> GapSettings {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    GapSettings::from_file(root.join("examples/fsi/gap.json")).unwrap()
}

fn tuner(s: &GapSettings, half: bool) -> GapJunctionTuner {
    let mut t = GapJunctionTuner::new(
        standard_mechanisms::registry(),
        s.clone(),
        None,
        GapCoupling::Neuron,
    )
    .unwrap();
    t.set_half_start(half);
    t
}

fn same_runs(a: &[GapRun], b: &[GapRun], what: &str) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        for (name, p, q) in [
            ("t", &x.t, &y.t),
            ("v1", &x.v1, &y.v1),
            ("v2", &x.v2, &y.v2),
        ] {
            assert_eq!(p.len(), q.len(), "{what}, g = {}: {name} length", x.g);
            let first = p
                .iter()
                .zip(q)
                .position(|(u, w)| u.to_bits() != w.to_bits());
            assert!(
                first.is_none(),
                "{what}, g = {}: {name} differs at {first:?}",
                x.g
            );
        }
        assert_eq!(
            x.coupling_coefficient.to_bits(),
            y.coupling_coefficient.to_bits()
        );
    }
}

#[test]
fn half_start_runs_are_the_runs_from_the_start() {
    let base = settings();
    let mut off_centre = base.clone();
    off_centre.connections[0].sec_x = 0.2;
    let mut early = base.clone();
    early.general.tstart = 0.05;
    // A short step starting between two time steps.
    let mut between = base.clone();
    between.general.tstart = 37.013;
    between.general.tdur = 20.0;
    for (what, s) in [
        ("example", &base),
        ("sec_x 0.2", &off_centre),
        ("tstart 37.013", &between),
        ("tstart 0.05", &early),
    ] {
        let (on, off) = (tuner(s, true), tuner(s, false));
        // Three lanes in one simulation, then one alone.
        let gs = [0.0, 2.5e-3, 0.2];
        same_runs(
            &on.run_batch(&gs).unwrap(),
            &off.run_batch(&gs).unwrap(),
            what,
        );
        same_runs(&[on.run(1e-3).unwrap()], &[off.run(1e-3).unwrap()], what);
        let (a, b) = (
            on.sweep(&gs, &|| {}).unwrap(),
            off.sweep(&gs, &|| {}).unwrap(),
        );
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "{what}: sweep");
    }
}

#[test]
fn the_optimizer_searches_the_same_way() {
    let s = settings();
    let (on, off) = (tuner(&s, true), tuner(&s, false));
    let run = |t: &GapJunctionTuner| {
        GapJunctionOptimizer::new(t, 0.37, 1e-4, 1e-2)
            .and_then(|o| o.run())
            .unwrap()
    };
    let (a, b) = (run(&on), run(&off));
    assert_eq!(a.history.len(), b.history.len());
    for (x, y) in a.history.iter().zip(&b.history) {
        assert_eq!(
            (x.g.to_bits(), x.cc.to_bits()),
            (y.g.to_bits(), y.cc.to_bits())
        );
    }
}
