//! The tree matrix and the solvers of its per-step linear system.
//!
//! The structure (parent array, off-diagonals `a` and `b`) is fixed for a
//! morphology — the "symbolic" part. The diagonal `d` and right-hand side `rhs`
//! change every step — the "numeric" part, passed to [`Solver::solve`].

/// The constant part of the tree matrix. Row i reads
/// `d[i] Δv[i] + b[i] Δv[parent i] + Σ_children a[c] Δv[c] = rhs[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeMatrix {
    /// Number of root nodes (they come first).
    pub ncell: usize,
    /// Parent of each node (ignored for the first `ncell`).
    pub parent: Vec<usize>,
    /// Coefficient of node i's Δv in its parent's row.
    pub a: Vec<f64>,
    /// Coefficient of the parent's Δv in row i.
    pub b: Vec<f64>,
    /// Constant coefficients outside the tree, `(row, column, value)`: couplings
    /// between nodes that are not parent and child (implicit gap junctions).
    /// Only solvers for general sparse systems accept them.
    pub extra: Vec<(usize, usize, f64)>,
}

impl TreeMatrix {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether the matrix is empty.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Check the invariant every solver relies on: each non-root node's parent
    /// has a lower index. Returns the first offending node.
    pub fn check(&self) -> Result<(), usize> {
        for i in self.ncell..self.len() {
            if self.parent[i] >= i {
                return Err(i);
            }
        }
        Ok(())
    }
}

/// Solves `A Δv = rhs` in place for one step: on return `rhs` holds Δv. `d` may be
/// overwritten.
pub trait Solver: Send {
    /// A short name for benches and messages.
    fn name(&self) -> &'static str;
    /// Solve in place. The outputs must be a function of `m`, `d` and `rhs`
    /// alone: with [`SimOptions::skip_stationary`](crate::SimOptions::skip_stationary),
    /// a step whose `d` and `rhs` repeat the last solved ones bitwise gets
    /// that solve's outputs without a call.
    fn solve(&mut self, m: &TreeMatrix, d: &mut [f64], rhs: &mut [f64]);
    /// Whether the solver accepts [`TreeMatrix::extra`] couplings.
    fn handles_extra(&self) -> bool {
        true
    }
}

/// NEURON's Hines elimination (`solve.cpp : triang, bksub`): O(N) on a tree whose
/// nodes are numbered parent-first. The operation order is NEURON's, so results
/// are bit-identical to it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hines;

impl Solver for Hines {
    fn name(&self) -> &'static str {
        "hines"
    }

    fn solve(&mut self, m: &TreeMatrix, d: &mut [f64], rhs: &mut [f64]) {
        assert!(
            m.extra.is_empty(),
            "Hines elimination solves trees only; couplings outside the tree need the sparse LU solver"
        );
        hines_solve(m, d, rhs)
    }

    fn handles_extra(&self) -> bool {
        false
    }
}

/// Hines elimination as a function.
pub fn hines_solve(m: &TreeMatrix, d: &mut [f64], rhs: &mut [f64]) {
    let n = m.len();
    assert!(d.len() == n && rhs.len() == n);
    let (a, b, par) = (&m.a[..n], &m.b[..n], &m.parent[..n]);
    if n == 0 {
        return;
    }
    if m.ncell == 1 && par.iter().enumerate().skip(1).all(|(i, &p)| p + 1 == i) {
        return hines_chain(a, b, d, rhs);
    }
    // Along an unbranched stretch (parent i − 1) the value just computed for
    // the parent is the next node's: it is carried in registers instead of
    // being stored and loaded back, which shortens the chain of divisions.
    // The operations are the same.
    let (mut di, mut ri) = (d[n - 1], rhs[n - 1]);
    for i in (m.ncell..n).rev() {
        let p = a[i] / di;
        let pi = par[i];
        let dp = d[pi] - p * b[i];
        let rp = rhs[pi] - p * ri;
        d[pi] = dp;
        rhs[pi] = rp;
        if pi + 1 == i {
            (di, ri) = (dp, rp);
        } else if i > 0 {
            (di, ri) = (d[i - 1], rhs[i - 1]);
        }
    }
    for i in 0..m.ncell {
        rhs[i] /= d[i];
    }
    let mut last = if m.ncell > 0 { rhs[m.ncell - 1] } else { 0.0 };
    for i in m.ncell..n {
        let pi = par[i];
        let up = if pi + 1 == i { last } else { rhs[pi] };
        let mut x = rhs[i];
        x -= b[i] * up;
        x /= d[i];
        rhs[i] = x;
        last = x;
    }
}

/// [`hines_solve`] on one unbranched cable (one root, node i's parent i − 1):
/// the same operations, without the parent lookups.
fn hines_chain(a: &[f64], b: &[f64], d: &mut [f64], rhs: &mut [f64]) {
    let n = d.len();
    let (a, b, rhs) = (&a[..n], &b[..n], &mut rhs[..n]);
    let (mut di, mut ri) = (d[n - 1], rhs[n - 1]);
    for i in (1..n).rev() {
        let p = a[i] / di;
        di = d[i - 1] - p * b[i];
        ri = rhs[i - 1] - p * ri;
        d[i - 1] = di;
        rhs[i - 1] = ri;
    }
    let mut last = ri / di;
    rhs[0] = last;
    for i in 1..n {
        let mut x = rhs[i];
        x -= b[i] * last;
        x /= d[i];
        rhs[i] = x;
        last = x;
    }
}

/// Multiply the full tree matrix by `x` (for residual checks in tests).
pub fn tree_matvec(m: &TreeMatrix, d: &[f64], x: &[f64]) -> Vec<f64> {
    let n = m.len();
    let mut y: Vec<f64> = (0..n).map(|i| d[i] * x[i]).collect();
    for i in m.ncell..n {
        let p = m.parent[i];
        y[i] += m.b[i] * x[p];
        y[p] += m.a[i] * x[i];
    }
    for &(r, c, v) in &m.extra {
        y[r] += v * x[c];
    }
    y
}
