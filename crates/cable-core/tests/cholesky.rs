//! The sparse Cholesky solver (feature `nalgebra`): it agrees with Hines and the
//! sparse LU on random cable trees, with and without couplings (within a cell
//! and between cells of different sizes), reports what it cannot solve with
//! NaN, and whole simulations with it track Hines and the LU.
#![cfg(feature = "nalgebra")]

use cable_core::solver::{hines_solve, tree_matvec};
use cable_core::{
    CellSpec, Hines, Loc, ModelBuilder, SimOptions, Solver, SparseCholesky, SparseLu, TreeMatrix,
};
use proptest::prelude::*;
use std::sync::Arc;

/// A random cable system as NEURON builds it: a symmetric conductance matrix
/// (axial conductances `g`, membrane terms `c > 0`) divided row by row by the
/// node areas, so `a[i] = -g / area[parent]`, `b[i] = -g / area[i]`; couplings
/// `(r, c, -gc / area[r])`, `(c, r, -gc / area[c])`.
#[derive(Debug, Clone)]
struct System {
    m: TreeMatrix,
    d: Vec<f64>,
    rhs: Vec<f64>,
}

fn build(
    ncell: usize,
    pick: &[f64],
    area: &[f64],
    g: &[f64],
    c: &[f64],
    rhs: &[f64],
    links: &[(usize, usize, f64)],
) -> System {
    let n = pick.len();
    let mut parent = vec![usize::MAX; n];
    let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
    let mut d: Vec<f64> = (0..n).map(|i| c[i] / area[i]).collect();
    for i in ncell..n {
        let p = ((pick[i] * i as f64) as usize).min(i - 1);
        parent[i] = p;
        a[i] = -g[i] / area[p];
        b[i] = -g[i] / area[i];
        d[i] += g[i] / area[i];
        d[p] += g[i] / area[p];
    }
    let mut extra = Vec::new();
    for &(r, col, gc) in links {
        if r != col {
            extra.push((r, col, -gc / area[r]));
            extra.push((col, r, -gc / area[col]));
            d[r] += gc / area[r];
            d[col] += gc / area[col];
        }
    }
    System {
        m: TreeMatrix {
            ncell,
            parent,
            a,
            b,
            extra,
        },
        d,
        rhs: rhs.to_vec(),
    }
}

fn system(max_links: usize) -> impl Strategy<Value = System> {
    (1usize..4, 0usize..80).prop_flat_map(move |(ncell, more)| {
        let n = ncell + more;
        (
            proptest::collection::vec(0.0f64..1.0, n),
            // Areas from zero-area nodes (NEURON's 100) to large somata.
            proptest::collection::vec(prop_oneof![Just(100.0), 5.0f64..3000.0], n),
            proptest::collection::vec(0.01f64..10.0, n),
            proptest::collection::vec(0.001f64..5.0, n),
            proptest::collection::vec(-10.0f64..10.0, n),
            proptest::collection::vec((0usize..n, 0usize..n, 0.001f64..2.0), 0..=max_links),
        )
            .prop_map(move |(pick, area, g, c, rhs, links)| {
                build(ncell, &pick, &area, &g, &c, &rhs, &links)
            })
    })
}

fn cholesky(s: &System) -> Vec<f64> {
    let (mut d, mut x) = (s.d.clone(), s.rhs.clone());
    SparseCholesky::new().solve(&s.m, &mut d, &mut x);
    x
}

fn lu(s: &System) -> Vec<f64> {
    let (mut d, mut x) = (s.d.clone(), s.rhs.clone());
    SparseLu::new().solve(&s.m, &mut d, &mut x);
    x
}

/// max |x - y| / max |y|.
fn rel(x: &[f64], y: &[f64]) -> f64 {
    let scale = y.iter().fold(f64::MIN_POSITIVE, |s, v| s.max(v.abs()));
    x.iter()
        .zip(y)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
        / scale
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn trees_agree_with_hines_and_lu(s in system(0)) {
        prop_assert!(s.m.check().is_ok());
        let x = cholesky(&s);
        let (mut d, mut h) = (s.d.clone(), s.rhs.clone());
        hines_solve(&s.m, &mut d, &mut h);
        prop_assert!(rel(&x, &h) < 1e-9, "vs Hines: {}", rel(&x, &h));
        let l = lu(&s);
        prop_assert!(rel(&x, &l) < 1e-9, "vs LU: {}", rel(&x, &l));
    }

    #[test]
    fn coupled_trees_agree_with_lu(s in system(6)) {
        let x = cholesky(&s);
        let l = lu(&s);
        prop_assert!(rel(&x, &l) < 1e-9, "vs LU: {}", rel(&x, &l));
        let ax = tree_matvec(&s.m, &s.d, &x);
        prop_assert!(rel(&ax, &s.rhs) < 1e-9, "residual {}", rel(&ax, &s.rhs));
    }
}

/// A two-cell system whose roots have very different areas, coupled twice.
fn two_cells() -> System {
    let n = 12;
    let pick: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64 / 11.0).collect();
    let mut area: Vec<f64> = (0..n).map(|i| 50.0 + 30.0 * i as f64).collect();
    area[0] = 2000.0;
    area[1] = 20.0;
    let g: Vec<f64> = (0..n).map(|i| 0.5 + 0.1 * i as f64).collect();
    let c: Vec<f64> = (0..n).map(|i| 0.05 + 0.01 * i as f64).collect();
    let rhs: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
    build(2, &pick, &area, &g, &c, &rhs, &[(0, 1, 0.3), (5, 10, 0.05)])
}

#[test]
fn a_tree_factorises_without_fill() {
    let s = build(
        2,
        &(0..50).map(|i| (i % 5) as f64 / 5.0).collect::<Vec<_>>(),
        &[300.0; 50],
        &[1.0; 50],
        &[0.1; 50],
        &[1.0; 50],
        &[],
    );
    let mut ch = SparseCholesky::new();
    assert_eq!(ch.factor_nnz(), None);
    let (mut d, mut x) = (s.d.clone(), s.rhs.clone());
    ch.solve(&s.m, &mut d, &mut x);
    assert_eq!(ch.factor_nnz(), Some(2 * 50 - 2));
    assert_eq!(ch.name(), "nalgebra-sparse-cholesky");
    assert!(ch.handles_extra());
}

#[test]
fn couplings_between_cells_of_different_sizes_are_balanced() {
    let s = two_cells();
    let x = cholesky(&s);
    assert!(rel(&x, &lu(&s)) < 1e-12, "{}", rel(&x, &lu(&s)));
}

#[test]
fn one_solver_follows_pattern_and_value_changes() {
    let mut ch = SparseCholesky::new();
    let a = two_cells();
    let mut b = a.clone();
    b.m.extra.truncate(2); // one coupling fewer: a new pattern
    let mut c = a.clone();
    // Same pattern, other values: stronger couplings, another diagonal and rhs.
    for (k, e) in c.m.extra.iter_mut().enumerate() {
        e.2 *= 2.0 + (k / 2) as f64;
    }
    c.d = a.d.iter().map(|x| x * 1.5).collect();
    c.rhs.reverse();
    for s in [&a, &b, &c, &a, &c] {
        let (mut d, mut x) = (s.d.clone(), s.rhs.clone());
        ch.solve(&s.m, &mut d, &mut x);
        assert!(rel(&x, &lu(s)) < 1e-12, "{}", rel(&x, &lu(s)));
    }
}

#[test]
fn a_coupling_along_a_tree_edge_and_a_diagonal_entry() {
    let mut s = build(
        1,
        &[0.0, 0.0, 0.5, 0.9, 0.3, 0.99],
        &[500.0, 100.0, 40.0, 60.0, 80.0, 100.0],
        &[1.0, 2.0, 3.0, 0.5, 1.5, 2.5],
        &[0.2; 6],
        &[1.0, -2.0, 3.0, 0.5, 0.0, 1.0],
        &[(1, 2, 0.7), (4, 0, 0.2)],
    );
    assert_eq!(s.m.parent[2], 1, "the first coupling doubles a tree edge");
    s.m.extra.push((3, 3, 0.25));
    let x = cholesky(&s);
    assert!(rel(&x, &lu(&s)) < 1e-12, "{}", rel(&x, &lu(&s)));
}

#[test]
fn what_it_cannot_solve_gives_nan_and_the_next_solve_recovers() {
    let good = two_cells();
    let mut indefinite = good.clone();
    indefinite.d[3] = -1.0;
    // One coupling between two cells can always be balanced by their scales
    // (the two cells' rows are scaled independently)...
    let mut balanced = good.clone();
    balanced.m.extra[0].2 *= 3.0;
    // ...but not a second one whose values disagree with the first.
    let mut unsymmetric = balanced.clone();
    unsymmetric.m.extra[2].2 *= 3.0;
    let mut ch = SparseCholesky::new();
    for (s, ok) in [
        (&indefinite, false),
        (&good, true),
        (&indefinite, false),
        (&good, true),
        (&balanced, true),
        (&unsymmetric, false),
        (&good, true),
    ] {
        let (mut d, mut x) = (s.d.clone(), s.rhs.clone());
        ch.solve(&s.m, &mut d, &mut x);
        if ok {
            assert!(rel(&x, &lu(s)) < 1e-12);
        } else {
            assert!(x.iter().all(|v| v.is_nan()), "{x:?}");
        }
    }
}

fn fixture(name: &str) -> CellSpec {
    CellSpec::from_file(format!(
        "{}/../../tests/fixtures/cells/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn factory(which: &str) -> Option<cable_core::SolverFactory> {
    match which {
        "hines" => Some(Arc::new(|| Box::new(Hines) as Box<dyn Solver>)),
        "lu" => Some(Arc::new(|| Box::new(SparseLu::new()) as Box<dyn Solver>)),
        "cholesky" => Some(Arc::new(|| {
            Box::new(SparseCholesky::new()) as Box<dyn Solver>
        })),
        _ => unreachable!(),
    }
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn a_simulation_with_cholesky_tracks_hines() {
    let c = fixture("hh_tree.json");
    let reg = standard_mechanisms::registry();
    let run = |which: &str| {
        let mut b = ModelBuilder::new(&reg);
        let id = b.add_cell(&c).unwrap();
        b.add_point(
            "IClamp",
            Loc::new(id, "soma", 0.5),
            &[("del", 1.0), ("dur", 20.0), ("amp", 0.3)],
        )
        .unwrap();
        let mut sim = b
            .build(SimOptions {
                celsius: 20.0,
                solver: factory(which),
                ..SimOptions::default()
            })
            .unwrap();
        let p = sim.record(0, "ax", 1.0, "v").unwrap();
        let q = sim.record(0, "d3", 0.5, "v").unwrap();
        sim.run(25.0, -65.0).unwrap();
        (
            sim.solver_name(),
            [sim.trace(p).to_vec(), sim.trace(q).to_vec()],
        )
    };
    let (n1, h) = run("hines");
    let (n2, ch) = run("cholesky");
    assert_eq!((n1, n2), ("hines", "nalgebra-sparse-cholesky"));
    assert!(h[0].iter().any(|v| *v > 0.0), "the cell spikes");
    for (a, b) in h.iter().zip(&ch) {
        let dv = max_diff(a, b);
        eprintln!("max |dV| {dv:e} mV");
        assert!(dv < 1e-9, "max |dV| {dv} mV");
    }
}

#[test]
fn a_coupled_simulation_with_cholesky_tracks_the_lu() {
    // Two different cells (their somata differ in area), implicitly coupled
    // soma to soma and dendrite to dendrite; a current step into one.
    let c1 = fixture("hh_tree.json");
    let c2 = fixture("ball_stick.json");
    let reg = standard_mechanisms::registry();
    let run = |which: &str| {
        let mut b = ModelBuilder::new(&reg);
        let a = b.add_cell(&c1).unwrap();
        let z = b.add_cell(&c2).unwrap();
        b.add_point(
            "IClamp",
            Loc::new(a, "soma", 0.5),
            &[("del", 1.0), ("dur", 20.0), ("amp", 0.3)],
        )
        .unwrap();
        b.couple(Loc::new(a, "soma", 0.5), Loc::new(z, "soma[0]", 0.5), 0.002)
            .unwrap();
        b.couple(Loc::new(a, "dend", 0.7), Loc::new(z, "dend[0]", 0.3), 0.001)
            .unwrap();
        let mut sim = b
            .build(SimOptions {
                celsius: 20.0,
                solver: factory(which),
                ..SimOptions::default()
            })
            .unwrap();
        let p = sim.record(0, "soma", 0.5, "v").unwrap();
        let q = sim.record(1, "dend[1]", 1.0, "v").unwrap();
        sim.run(25.0, -65.0).unwrap();
        (
            sim.solver_name(),
            [sim.trace(p).to_vec(), sim.trace(q).to_vec()],
        )
    };
    let (n1, l) = run("lu");
    let (n2, ch) = run("cholesky");
    assert_eq!((n1, n2), ("faer-sparse-lu", "nalgebra-sparse-cholesky"));
    assert!(l[0].iter().any(|v| *v > 0.0), "the driven cell spikes");
    assert!(
        l[1].iter().fold(f64::MIN, |m, v| m.max(*v)) > -64.0,
        "the coupled cell depolarises"
    );
    for (a, b) in l.iter().zip(&ch) {
        let dv = max_diff(a, b);
        eprintln!("max |dV| {dv:e} mV");
        assert!(dv < 1e-9, "max |dV| {dv} mV");
    }
}
