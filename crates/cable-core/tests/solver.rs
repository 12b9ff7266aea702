//! The Hines solver solves tree systems: it gives the bits of NEURON's loops,
//! residual checks on random trees, and the full engine on random morphologies stays finite and conserves charge at rest.

use cable_core::solver::{hines_solve, tree_matvec};
use cable_core::{CellSpec, Hines, ModelBuilder, SimOptions, Solver, TreeMatrix};
use proptest::prelude::*;

/// The system of a tree with these parents (`usize::MAX` for the `ncell`
/// roots): the off-diagonals negative as axial couplings are, the diagonal
/// dominant.
fn assemble(
    ncell: usize,
    parent: Vec<usize>,
    (ga, gb, gm, rhs): (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>),
) -> (TreeMatrix, Vec<f64>, Vec<f64>) {
    let n = parent.len();
    let mut a = vec![0.0; n];
    let mut b = vec![0.0; n];
    let mut d = gm;
    for i in ncell..n {
        a[i] = -ga[i];
        b[i] = -gb[i];
    }
    for i in ncell..n {
        d[i] -= b[i];
        d[parent[i]] -= a[i];
    }
    let m = TreeMatrix {
        ncell,
        parent,
        a,
        b,
        extra: Vec::new(),
    };
    (m, d, rhs)
}

/// Conductances and right-hand sides of `n` nodes.
fn coefficients(n: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)> {
    (
        proptest::collection::vec(0.01f64..10.0, n),
        proptest::collection::vec(0.01f64..10.0, n),
        proptest::collection::vec(0.1f64..5.0, n),
        proptest::collection::vec(-10.0f64..10.0, n),
    )
}

/// A random tree system: `ncell` roots, each other node's parent lower.
fn system() -> impl Strategy<Value = (TreeMatrix, Vec<f64>, Vec<f64>)> {
    (1usize..4, 0usize..60).prop_flat_map(|(ncell, extra)| {
        let n = ncell + extra;
        (proptest::collection::vec(0.0f64..1.0, n), coefficients(n)).prop_map(move |(pick, c)| {
            let mut parent = vec![usize::MAX; n];
            for i in ncell..n {
                parent[i] = ((pick[i] * i as f64) as usize).min(i - 1);
            }
            assemble(ncell, parent, c)
        })
    })
}

/// One unbranched cable: one root and node i's parent i − 1 (the solver's
/// path without parent lookups).
fn cable_system() -> impl Strategy<Value = (TreeMatrix, Vec<f64>, Vec<f64>)> {
    (1usize..60).prop_flat_map(|n| {
        coefficients(n).prop_map(move |c| {
            let parent = (0..n).map(|i| i.wrapping_sub(1)).collect();
            assemble(1, parent, c)
        })
    })
}

/// NEURON's `triang` and `bksub` loops as written (every value through memory).
fn neuron_loops(m: &TreeMatrix, d: &mut [f64], rhs: &mut [f64]) {
    let n = m.len();
    for i in (m.ncell..n).rev() {
        let p = m.a[i] / d[i];
        d[m.parent[i]] -= p * m.b[i];
        rhs[m.parent[i]] -= p * rhs[i];
    }
    for i in 0..m.ncell {
        rhs[i] /= d[i];
    }
    for i in m.ncell..n {
        rhs[i] -= m.b[i] * rhs[m.parent[i]];
        rhs[i] /= d[i];
    }
}

/// `system()` with some parents replaced by the previous node (unbranched
/// stretches, where `hines_solve` keeps values in registers), the rest kept.
fn chained_system() -> impl Strategy<Value = (TreeMatrix, Vec<f64>, Vec<f64>)> {
    (system(), proptest::collection::vec(any::<bool>(), 64)).prop_map(|((mut m, d, rhs), c)| {
        for i in m.ncell..m.len() {
            if c[i % 64] {
                m.parent[i] = i - 1;
            }
        }
        (m, d, rhs)
    })
}

proptest! {
    #[test]
    fn hines_gives_the_bits_of_neurons_loops(
        (m, d, rhs) in prop_oneof![system(), chained_system(), cable_system()]
    ) {
        let (mut d1, mut x1) = (d.clone(), rhs.clone());
        let (mut d2, mut x2) = (d.clone(), rhs.clone());
        hines_solve(&m, &mut d1, &mut x1);
        neuron_loops(&m, &mut d2, &mut x2);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&x1), bits(&x2));
        prop_assert_eq!(bits(&d1), bits(&d2));
    }

    #[test]
    fn hines_residual_is_small((m, d, rhs) in system()) {
        prop_assert!(m.check().is_ok());
        let mut dd = d.clone();
        let mut x = rhs.clone();
        Hines.solve(&m, &mut dd, &mut x);
        let ax = tree_matvec(&m, &d, &x);
        let scale = rhs.iter().fold(1.0f64, |s, v| s.max(v.abs()));
        for (i, (y, r)) in ax.iter().zip(&rhs).enumerate() {
            prop_assert!((y - r).abs() <= 1e-10 * scale, "row {}: {} vs {}", i, y, r);
        }
    }

    #[test]
    fn hines_is_deterministic((m, d, rhs) in system()) {
        let (mut d1, mut x1) = (d.clone(), rhs.clone());
        let (mut d2, mut x2) = (d.clone(), rhs.clone());
        hines_solve(&m, &mut d1, &mut x1);
        Hines.solve(&m, &mut d2, &mut x2);
        prop_assert_eq!(x1, x2);
    }

    /// Random morphologies (parent index, attachment x, nseg, L, diam) simulate to
    /// finite values, and a passive cell at its reversal potential stays there.
    #[test]
    fn random_passive_cells_rest_at_e(parents in proptest::collection::vec((0.0f64..1.0, 0usize..3, 1usize..5, 1.0f64..300.0, 0.2f64..5.0), 1..15)) {
        let mut secs = Vec::new();
        for (k, (p, xi, nseg, l, diam)) in parents.iter().enumerate() {
            let parent = if k == 0 {
                "null".to_string()
            } else {
                let pi = ((p * k as f64) as usize).min(k - 1);
                let x = [0.0, 0.5, 1.0][*xi];
                format!(r#"{{"section": "s{pi}", "x": {x}}}"#)
            };
            secs.push(format!(
                r#"{{"name": "s{k}", "parent": {parent}, "L": {l}, "diam": {diam}, "nseg": {nseg}, "mechanisms": {{"pas": {{"e": -70}}}}}}"#
            ));
        }
        let text = format!(r#"{{"format": "synaptune-cell/1", "sections": [{}]}}"#, secs.join(","));
        let cell = CellSpec::from_json_str(&text, "<random>").unwrap();
        let reg = standard_mechanisms::registry();
        let mut b = ModelBuilder::new(&reg);
        b.add_cell(&cell).unwrap();
        let mut sim = b.build(SimOptions::default()).unwrap();
        sim.run(2.0, -70.0).unwrap();
        for v in sim.voltages() {
            prop_assert!((v + 70.0).abs() < 1e-9, "v = {}", v);
        }
        prop_assert!(sim.matrix().check().is_ok());
    }
}

#[test]
fn a_bad_tree_is_reported() {
    let m = TreeMatrix {
        ncell: 1,
        parent: vec![usize::MAX, 0, 3, 1],
        a: vec![0.0; 4],
        b: vec![0.0; 4],
        extra: Vec::new(),
    };
    assert_eq!(m.check(), Err(2));
}
