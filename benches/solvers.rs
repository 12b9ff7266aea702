//! One linear solve per step, three solvers (criterion): NEURON's Hines
//! elimination, faer's sparse LU (`SparseLu`) and nalgebra-sparse's Cholesky
//! (`SparseCholesky`), on
//!
//! * `tree/{solver}/N`: one branched cable tree of N nodes (numbered
//!   parent-first, NEURON's coefficients from random diameters and lengths);
//! * `coupled/{solver}/2N`: two copies of that tree joined by a handful of
//!   implicit couplings (Hines cannot solve these; it is skipped).
//!
//! The setup checks that the solvers agree (1e-9 relative) before anything is
//! timed. Figures go to `benches/README.md`. Run: `cargo bench --bench solvers`.

use cable_core::solver::tree_matvec;
use cable_core::{Hines, Solver, SparseCholesky, SparseLu, TreeMatrix};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use std::time::Duration;

/// A small deterministic generator (xorshift64*), so that every run times the
/// same systems.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n
    }
}

/// A morphology of n nodes: a soma (node 0) and unbranched sections of 5–40
/// segments, each attached to the end of an earlier section (or the soma),
/// numbered parent-first. Per node: its parent, area (µm²) and the axial
/// conductance to its parent (µS), from diameters 0.5–3 µm, segment lengths
/// 5–20 µm and Ra = 100 Ω·cm.
struct Morphology {
    parent: Vec<usize>,
    area: Vec<f64>,
    rinv: Vec<f64>,
}

fn morphology(n: usize, rng: &mut Rng) -> Morphology {
    let mut parent = vec![usize::MAX];
    let mut area = vec![std::f64::consts::PI * 20.0 * 20.0];
    let mut rinv = vec![0.0];
    let mut ends = vec![0usize];
    while parent.len() < n {
        let len = 5 + rng.below(36);
        let diam = rng.range(0.5, 3.0);
        let mut p = ends[rng.below(ends.len())];
        for _ in 0..len {
            if parent.len() == n {
                break;
            }
            let dx = rng.range(5.0, 20.0);
            let ra = 100.0;
            // NEURON's units: ri in MΩ = 4 Ra dx / (π d²) · 1e-2.
            let ri = 4.0 * ra * dx / (std::f64::consts::PI * diam * diam) * 1e-2;
            parent.push(p);
            area.push(std::f64::consts::PI * diam * dx);
            rinv.push(1.0 / ri);
            p = parent.len() - 1;
        }
        ends.push(p);
    }
    Morphology { parent, area, rinv }
}

/// The system of one backward-Euler step (dt = 0.025 ms, cm = 1 µF/cm², a
/// membrane conductance of 0.1–40 mS/cm²): a, b as NEURON sets them, the
/// diagonal, and a right-hand side of membrane currents (mA/cm²).
struct System {
    m: TreeMatrix,
    d: Vec<f64>,
    rhs: Vec<f64>,
}

/// One tree, or `copies` copies of it (roots first, then each copy's other
/// nodes) joined by `links` couplings of 1 nS between random nodes of
/// consecutive copies.
fn system(n: usize, copies: usize, links: usize, seed: u64) -> System {
    let mut rng = Rng(seed);
    let mo = morphology(n, &mut rng);
    let total = n * copies;
    // New index of node i of copy k.
    let idx = |k: usize, i: usize| {
        if i == 0 {
            k
        } else {
            copies + k * (n - 1) + i - 1
        }
    };
    let mut parent = vec![usize::MAX; total];
    let mut area = vec![0.0; total];
    let (mut a, mut b) = (vec![0.0; total], vec![0.0; total]);
    let cfac = 1e-3 / 0.025;
    let mut d = vec![0.0; total];
    let mut rhs = vec![0.0; total];
    for k in 0..copies {
        for i in 0..n {
            let j = idx(k, i);
            area[j] = mo.area[i];
            d[j] = cfac + rng.range(1e-4, 4e-2);
            rhs[j] = rng.range(-1e-2, 1e-2);
        }
        for i in 1..n {
            let (j, pj) = (idx(k, i), idx(k, mo.parent[i]));
            parent[j] = pj;
            a[j] = -1e2 * mo.rinv[i] / mo.area[mo.parent[i]];
            b[j] = -1e2 * mo.rinv[i] / mo.area[i];
            d[j] -= b[j];
            d[pj] -= a[j];
        }
    }
    let mut extra = Vec::new();
    for l in 0..links {
        let k = l % (copies - 1);
        let (r, c) = (idx(k, rng.below(n)), idx(k + 1, rng.below(n)));
        let g = 1e-3;
        extra.push((r, c, -g * 1e2 / area[r]));
        extra.push((c, r, -g * 1e2 / area[c]));
        d[r] += g * 1e2 / area[r];
        d[c] += g * 1e2 / area[c];
    }
    let m = TreeMatrix {
        ncell: copies,
        parent,
        a,
        b,
        extra,
    };
    assert_eq!(m.check(), Ok(()));
    System { m, d, rhs }
}

fn solve(s: &System, solver: &mut dyn Solver) -> Vec<f64> {
    let (mut d, mut x) = (s.d.clone(), s.rhs.clone());
    solver.solve(&s.m, &mut d, &mut x);
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

/// Check the solvers against each other and the residual; return the
/// Cholesky factor's nonzeros.
fn check(s: &System, with_hines: bool) -> usize {
    let lu = solve(s, &mut SparseLu::new());
    let mut ch = SparseCholesky::new();
    let x = solve(s, &mut ch);
    assert!(rel(&x, &lu) < 1e-9, "Cholesky vs LU: {}", rel(&x, &lu));
    if with_hines {
        let h = solve(s, &mut Hines);
        assert!(rel(&h, &lu) < 1e-9, "Hines vs LU: {}", rel(&h, &lu));
    }
    let r = tree_matvec(&s.m, &s.d, &lu);
    assert!(rel(&r, &s.rhs) < 1e-9, "residual: {}", rel(&r, &s.rhs));
    ch.factor_nnz().unwrap()
}

fn time_solver(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    s: &System,
    mut solver: Box<dyn Solver>,
    label: &str,
) {
    let n = s.m.len();
    // Analyse the pattern outside the timing, as a simulation does once.
    solve(s, solver.as_mut());
    let size = if n < 1000 {
        BatchSize::SmallInput
    } else {
        BatchSize::LargeInput
    };
    g.bench_with_input(BenchmarkId::new(label, n), &n, |bch, _| {
        bch.iter_batched_ref(
            || (s.d.clone(), s.rhs.clone()),
            |(d, x)| solver.solve(&s.m, d, x),
            size,
        )
    });
}

fn configure(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, n: usize) {
    if n >= 50_000 {
        g.sample_size(10).measurement_time(Duration::from_secs(6));
    } else if n >= 5_000 {
        g.sample_size(20).measurement_time(Duration::from_secs(4));
    } else {
        g.sample_size(50).measurement_time(Duration::from_secs(2));
    }
    g.warm_up_time(Duration::from_millis(500));
    g.throughput(Throughput::Elements(n as u64));
}

const SIZES: [usize; 5] = [10, 100, 1_000, 10_000, 100_000];

fn trees(c: &mut Criterion) {
    let mut g = c.benchmark_group("tree");
    for n in SIZES {
        let s = system(n, 1, 0, 0x5eed ^ n as u64);
        let nnz = check(&s, true);
        eprintln!(
            "tree N={n}: Cholesky factor nnz {nnz} (2N-1 = {})",
            2 * n - 1
        );
        configure(&mut g, n);
        time_solver(&mut g, &s, Box::new(Hines), "hines");
        time_solver(&mut g, &s, Box::new(SparseLu::new()), "faer_lu");
        time_solver(&mut g, &s, Box::new(SparseCholesky::new()), "cholesky");
    }
    g.finish();
}

fn coupled(c: &mut Criterion) {
    let mut g = c.benchmark_group("coupled");
    for n in SIZES {
        let links = 5.min(n);
        let s = system(n, 2, links, 0xc0de ^ n as u64);
        let nnz = check(&s, false);
        eprintln!(
            "coupled 2N={} ({links} couplings): Cholesky factor nnz {nnz} (tree: {})",
            2 * n,
            4 * n - 2
        );
        configure(&mut g, 2 * n);
        time_solver(&mut g, &s, Box::new(SparseLu::new()), "faer_lu");
        time_solver(&mut g, &s, Box::new(SparseCholesky::new()), "cholesky");
    }
    g.finish();
}

criterion_group!(benches, trees, coupled);
criterion_main!(benches);
