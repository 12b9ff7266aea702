//! The sparse LU solver: it agrees with Hines on trees, solves systems with
//! couplings outside the tree, and implicit couplings between cells give the
//! analytic steady state.

use cable_core::solver::{hines_solve, tree_matvec};
use cable_core::{CellSpec, Hines, Loc, ModelBuilder, SimOptions, Solver, SparseLu, TreeMatrix};
use proptest::prelude::*;
use std::sync::Arc;

fn tree() -> impl Strategy<Value = (TreeMatrix, Vec<f64>, Vec<f64>)> {
    (1usize..3, 1usize..40).prop_flat_map(|(ncell, extra)| {
        let n = ncell + extra;
        (
            proptest::collection::vec(0.0f64..1.0, n),
            proptest::collection::vec(0.05f64..5.0, n),
            proptest::collection::vec(-3.0f64..3.0, n),
            proptest::collection::vec((0usize..n, 0usize..n, 0.01f64..1.0), 0..4),
        )
            .prop_map(move |(pick, g, rhs, links)| {
                let mut parent = vec![usize::MAX; n];
                let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
                let mut d: Vec<f64> = g.iter().map(|x| x + 0.5).collect();
                for i in ncell..n {
                    parent[i] = ((pick[i] * i as f64) as usize).min(i - 1);
                    a[i] = -g[i];
                    b[i] = -g[(i * 7) % n];
                    d[i] -= b[i];
                    d[parent[i]] -= a[i];
                }
                let mut extra = Vec::new();
                for (r, c, v) in links {
                    if r != c {
                        extra.push((r, c, -v));
                        extra.push((c, r, -v));
                        d[r] += v;
                        d[c] += v;
                    }
                }
                (
                    TreeMatrix {
                        ncell,
                        parent,
                        a,
                        b,
                        extra,
                    },
                    d,
                    rhs,
                )
            })
    })
}

proptest! {
    #[test]
    fn lu_solves_any_pattern((m, d, rhs) in tree()) {
        let mut x = rhs.clone();
        let mut dd = d.clone();
        SparseLu::new().solve(&m, &mut dd, &mut x);
        let y = tree_matvec(&m, &d, &x);
        for (a, b) in y.iter().zip(&rhs) {
            prop_assert!((a - b).abs() < 1e-10, "{} vs {}", a, b);
        }
        if m.extra.is_empty() {
            let (mut d2, mut x2) = (d.clone(), rhs.clone());
            hines_solve(&m, &mut d2, &mut x2);
            for (a, b) in x.iter().zip(&x2) {
                prop_assert!((a - b).abs() < 1e-11 * (1.0 + b.abs()));
            }
        }
    }
}

fn cell(text: &str) -> CellSpec {
    CellSpec::from_json_str(text, "<test>").unwrap()
}

#[test]
fn a_whole_simulation_with_the_lu_solver_matches_hines() {
    let c = CellSpec::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/cells/hh_tree.json"
    ))
    .unwrap();
    let reg = standard_mechanisms::registry();
    let run = |lu: bool| {
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
                solver: if lu {
                    Some(Arc::new(|| Box::new(SparseLu::new()) as Box<dyn Solver>))
                } else {
                    None
                },
                ..SimOptions::default()
            })
            .unwrap();
        let p = sim.record(0, "ax", 1.0, "v").unwrap();
        sim.run(25.0, -65.0).unwrap();
        (sim.solver_name(), sim.trace(p).to_vec())
    };
    let (n1, a) = run(false);
    let (n2, b) = run(true);
    assert_eq!((n1, n2), ("hines", "faer-sparse-lu"));
    let max = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(max < 1e-6, "max |dV| {max}");
    assert!(a.iter().any(|v| *v > 0.0), "the cell spikes");
}

#[test]
fn implicit_coupling_reaches_the_analytic_steady_state() {
    // Two identical passive single compartments; a steady current into cell 1.
    // At steady state cc = V2/V1 = g / (g + G_in) with G_in the input
    // conductance of cell 2 (its leak over its area).
    let text = r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 20, "diam": 20, "mechanisms": {"pas": {"g": 1e-4, "e": -70}}}]}"#;
    let c = cell(text);
    let area = std::f64::consts::PI * 20.0 * 20.0; // µm²
    let g_in = 1e-4 * area * 1e-2; // S/cm² · µm² → µS
    let reg = standard_mechanisms::registry();
    for g in [1e-4, 1e-3, 1e-2] {
        let mut b = ModelBuilder::new(&reg);
        let c1 = b.add_cell(&c).unwrap();
        let c2 = b.add_cell(&c).unwrap();
        b.add_point(
            "IClamp",
            Loc::new(c1, "soma", 0.5),
            &[("del", 0.0), ("dur", 1e9), ("amp", 0.01)],
        )
        .unwrap();
        b.couple(Loc::new(c1, "soma", 0.5), Loc::new(c2, "soma", 0.5), g)
            .unwrap();
        let mut sim = b.build(SimOptions::default()).unwrap();
        assert_eq!(sim.solver_name(), "faer-sparse-lu");
        sim.run(2000.0, -70.0).unwrap();
        let v1 = sim.value(0, "soma", 0.5, "v").unwrap() + 70.0;
        let v2 = sim.value(1, "soma", 0.5, "v").unwrap() + 70.0;
        let cc = v2 / v1;
        let want = g / (g + g_in);
        assert!((cc / want - 1.0).abs() < 1e-6, "g = {g}: cc {cc} vs {want}");
    }
}

#[test]
fn hines_refuses_couplings() {
    let c = cell(
        r#"{"format": "synaptune-cell/1", "sections": [{"name": "soma", "L": 20, "diam": 20}]}"#,
    );
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    let c1 = b.add_cell(&c).unwrap();
    let c2 = b.add_cell(&c).unwrap();
    b.couple(Loc::new(c1, "soma", 0.5), Loc::new(c2, "soma", 0.5), 0.01)
        .unwrap();
    let e = b
        .build(SimOptions {
            solver: Some(Arc::new(|| Box::new(Hines) as Box<dyn Solver>)),
            ..SimOptions::default()
        })
        .err()
        .expect("Hines cannot solve a coupled system");
    assert!(e.to_string().contains("non-tree"), "{e}");
}
