//! A sparse Cholesky solver (nalgebra-sparse) for the cable equation's linear
//! system, trees and implicit couplings alike. Feature `nalgebra`.
//!
//! The cable matrix is not symmetric: row i reads
//! `d[i] Δv[i] + b[i] Δv[parent] + Σ_children a[c] Δv[c]`, and with NEURON's
//! coefficients `a[i] = -100 / (r_i · area[parent])`, `b[i] = -100 / (r_i · area[i])`
//! it is a symmetric conductance matrix divided row by row by the node areas.
//! Scaling row i by `s[i]` with `s[root] = 1`, `s[i] = s[parent] · a[i] / b[i]`
//! (that is, by `area[i] / area[root]`) makes it symmetric positive definite. An
//! implicit coupling `(r, c), (c, r)` between two cells fixes the ratio of their
//! roots' scales (the couplings are `-g / area` of their rows too), so the
//! scales of coupled cells are balanced through the couplings; whatever rounding
//! remains between a pair of scaled coupling values is averaged away.
//!
//! nalgebra-sparse does no fill-reducing ordering. The unknowns are numbered in
//! reverse (children before parents), so a tree factorises without fill; a
//! coupling adds fill along the path from its lower node to the root of the
//! elimination tree.
//!
//! The pattern is analysed once per matrix pattern (symbolic factorisation);
//! every solve writes the scaled values, refactorises and solves in place.

use crate::solver::{Solver, TreeMatrix};
use nalgebra::DMatrixViewMut;
use nalgebra_sparse::factorization::{CscCholesky, CscSymbolicCholesky};
use nalgebra_sparse::pattern::SparsityPattern;

/// Largest relative difference accepted between the two scaled values of a
/// coupling pair: rounding along the path from the roots (a few ulps per level)
/// is far below it; a genuinely unsymmetric pair is far above it.
const SYMMETRY_TOL: f64 = 1e-8;

/// A coupling between two distinct nodes, in the original numbering (`lo < hi`).
#[derive(Debug)]
struct Link {
    lo: usize,
    hi: usize,
    /// Position of the entry in row `hi`, column `lo` of the original matrix,
    /// which in the reversed numbering is below the diagonal.
    lower: usize,
    /// Position of the transposed entry.
    upper: usize,
    /// The position is shared with a tree entry (the coupling joins a parent and
    /// its child): add to it instead of overwriting it.
    on_tree: bool,
}

struct Prepared {
    n: usize,
    ncell: usize,
    parent: Vec<usize>,
    extra_pattern: Vec<(usize, usize)>,
    /// Scaled values of the reordered matrix, in the CSC order of `symbolic`'s pattern.
    values: Vec<f64>,
    /// Position of node i's diagonal entry.
    diag: Vec<usize>,
    /// Position of the entry (parent, i) (below the diagonal after reordering)
    /// and of (i, parent), for non-root i.
    lower: Vec<usize>,
    upper: Vec<usize>,
    links: Vec<Link>,
    /// For each extra entry: its link and whether it is the `(lo, hi)` entry;
    /// `usize::MAX` for a diagonal extra entry (`r == c`).
    extra_link: Vec<(usize, bool)>,
    /// Per link, the sums of the raw `(lo, hi)` and `(hi, lo)` values.
    link_vals: Vec<(f64, f64)>,
    /// Root (cell) of every node.
    comp: Vec<usize>,
    /// Links between different cells, as adjacency lists over cells (CSR):
    /// `(other cell, link)`.
    cell_adj_ptr: Vec<usize>,
    cell_adj: Vec<(usize, usize)>,
    /// Row scales, and per-cell factors (balancing through couplings).
    s: Vec<f64>,
    cell_scale: Vec<f64>,
    queue: Vec<usize>,
    symbolic: CscSymbolicCholesky,
    numeric: Option<CscCholesky<f64>>,
}

/// Sparse Cholesky factorisation (nalgebra-sparse) of the symmetrically scaled
/// cable matrix, for trees and for trees with [`TreeMatrix::extra`] couplings.
///
/// The system must be symmetrisable by diagonal row scaling with positive
/// factors, as every cable matrix is (`a[i] / b[i] > 0`, couplings in
/// `(r, c), (c, r)` pairs whose values are `-g / area` of their rows). The
/// [`Solver`] trait has no error path: when the scaled matrix is not positive
/// definite (the factorisation fails), when the scales are not positive and
/// finite, or when a coupling has no partner with a matching scaled value (the
/// system is not symmetrisable), [`Solver::solve`] fills `rhs` with NaN.
#[derive(Default)]
pub struct SparseCholesky {
    prepared: Option<Prepared>,
}

impl std::fmt::Debug for SparseCholesky {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparseCholesky")
            .field("prepared", &self.prepared.as_ref().map(|p| p.n))
            .finish()
    }
}

impl SparseCholesky {
    /// A solver; the pattern is analysed at the first solve (and again whenever
    /// the parent array or the coupling pattern changes).
    pub fn new() -> SparseCholesky {
        SparseCholesky::default()
    }

    /// Number of nonzeros of the Cholesky factor `L` of the last analysed
    /// pattern (`None` before the first solve): `2n - ncell` on a tree, more
    /// with the fill that couplings cause.
    pub fn factor_nnz(&self) -> Option<usize> {
        self.prepared.as_ref().map(|p| p.symbolic.l_pattern().nnz())
    }

    fn matches(p: &Prepared, m: &TreeMatrix) -> bool {
        p.n == m.len()
            && p.ncell == m.ncell
            && p.extra_pattern.len() == m.extra.len()
            && p.extra_pattern
                .iter()
                .zip(&m.extra)
                .all(|(&(r, c), &(r2, c2, _))| r == r2 && c == c2)
            && p.parent[p.ncell..] == m.parent[m.ncell..]
    }

    fn prepare(m: &TreeMatrix) -> Prepared {
        let n = m.len();
        let ncell = m.ncell;
        let rev = |i: usize| n - 1 - i;
        // Entries (row, col) of the reordered pattern: symmetric.
        let mut entries: Vec<(usize, usize)> = Vec::with_capacity(3 * n + 2 * m.extra.len());
        entries.extend((0..n).map(|i| (i, i)));
        for i in ncell..n {
            let (ri, rp) = (rev(i), rev(m.parent[i]));
            entries.push((ri, rp));
            entries.push((rp, ri));
        }
        for &(r, c, _) in &m.extra {
            entries.push((rev(r), rev(c)));
            entries.push((rev(c), rev(r)));
        }
        entries.sort_unstable_by_key(|&(r, c)| (c, r));
        entries.dedup();
        let mut col_ptr = vec![0usize; n + 1];
        for &(_, c) in &entries {
            col_ptr[c + 1] += 1;
        }
        for c in 0..n {
            col_ptr[c + 1] += col_ptr[c];
        }
        let row_idx: Vec<usize> = entries.iter().map(|&(r, _)| r).collect();
        // Position of original entry (r, c) in the reordered CSC arrays.
        let pos = |r: usize, c: usize| -> usize {
            let (r, c) = (rev(r), rev(c));
            let s = &row_idx[col_ptr[c]..col_ptr[c + 1]];
            col_ptr[c] + s.binary_search(&r).expect("entry in pattern")
        };
        let diag: Vec<usize> = (0..n).map(|i| pos(i, i)).collect();
        let mut lower = vec![usize::MAX; n];
        let mut upper = vec![usize::MAX; n];
        for i in ncell..n {
            let p = m.parent[i];
            lower[i] = pos(p, i);
            upper[i] = pos(i, p);
        }
        let mut comp: Vec<usize> = (0..n).map(|i| i.min(ncell.max(1) - 1)).collect();
        for (i, &p) in m.parent.iter().enumerate().skip(ncell) {
            comp[i] = comp[p];
        }
        // Pair the extra entries into links.
        let mut keys: Vec<((usize, usize), usize)> = m
            .extra
            .iter()
            .enumerate()
            .filter(|(_, &(r, c, _))| r != c)
            .map(|(k, &(r, c, _))| ((r.min(c), r.max(c)), k))
            .collect();
        keys.sort_unstable();
        let mut links: Vec<Link> = Vec::new();
        let mut extra_link = vec![(usize::MAX, false); m.extra.len()];
        for (j, &((lo, hi), k)) in keys.iter().enumerate() {
            if j == 0 || keys[j - 1].0 != (lo, hi) {
                let tree_edge =
                    (hi >= ncell && m.parent[hi] == lo) || (lo >= ncell && m.parent[lo] == hi);
                links.push(Link {
                    lo,
                    hi,
                    lower: pos(lo, hi),
                    upper: pos(hi, lo),
                    on_tree: tree_edge,
                });
            }
            extra_link[k] = (links.len() - 1, m.extra[k].0 == lo);
        }
        // Cell adjacency through links between different cells.
        let ncomp = ncell.max(1);
        let mut deg = vec![0usize; ncomp + 1];
        for l in &links {
            let (a, b) = (comp[l.lo], comp[l.hi]);
            if a != b {
                deg[a + 1] += 1;
                deg[b + 1] += 1;
            }
        }
        for c in 0..ncomp {
            deg[c + 1] += deg[c];
        }
        let mut fill = deg.clone();
        let mut cell_adj = vec![(0usize, 0usize); deg[ncomp]];
        for (k, l) in links.iter().enumerate() {
            let (a, b) = (comp[l.lo], comp[l.hi]);
            if a != b {
                cell_adj[fill[a]] = (b, k);
                fill[a] += 1;
                cell_adj[fill[b]] = (a, k);
                fill[b] += 1;
            }
        }
        let pattern = SparsityPattern::try_from_offsets_and_indices(n, n, col_ptr, row_idx)
            .expect("a sorted, deduplicated CSC pattern");
        let nnz = pattern.nnz();
        let symbolic = CscSymbolicCholesky::factor(pattern);
        Prepared {
            n,
            ncell,
            parent: m.parent.clone(),
            extra_pattern: m.extra.iter().map(|&(r, c, _)| (r, c)).collect(),
            values: vec![0.0; nnz],
            diag,
            lower,
            upper,
            link_vals: vec![(0.0, 0.0); links.len()],
            links,
            extra_link,
            comp,
            cell_adj_ptr: deg,
            cell_adj,
            s: vec![0.0; n],
            cell_scale: vec![0.0; ncomp],
            queue: Vec::with_capacity(ncomp),
            symbolic,
            numeric: None,
        }
    }
}

impl Prepared {
    /// Row scales and scaled values. `false` if the system cannot be made
    /// symmetric positive definite by positive row scaling.
    fn assemble(&mut self, m: &TreeMatrix, d: &[f64]) -> bool {
        let (n, ncell) = (self.n, self.ncell);
        let (a, b, par) = (&m.a[..n], &m.b[..n], &m.parent[..n]);
        let s = &mut self.s;
        s[..ncell].fill(1.0);
        for i in ncell..n {
            s[i] = s[par[i]] * (a[i] / b[i]);
        }
        // Raw coupling values per link.
        self.link_vals.fill((0.0, 0.0));
        let mut diag_extra = false;
        for (&(k, fwd), &(_, _, v)) in self.extra_link.iter().zip(&m.extra) {
            if k == usize::MAX {
                diag_extra = true;
            } else if fwd {
                self.link_vals[k].0 += v;
            } else {
                self.link_vals[k].1 += v;
            }
        }
        // Balance the cells' scales through the couplings between them.
        if !self.cell_adj.is_empty() {
            self.cell_scale.fill(0.0);
            for start in 0..self.cell_scale.len() {
                if self.cell_scale[start] != 0.0 {
                    continue;
                }
                self.cell_scale[start] = 1.0;
                self.queue.clear();
                self.queue.push(start);
                let mut q = 0;
                while q < self.queue.len() {
                    let c = self.queue[q];
                    q += 1;
                    for &(o, k) in &self.cell_adj[self.cell_adj_ptr[c]..self.cell_adj_ptr[c + 1]] {
                        if self.cell_scale[o] != 0.0 {
                            continue;
                        }
                        let l = &self.links[k];
                        let (vlh, vhl) = self.link_vals[k];
                        if vlh == 0.0 || vhl == 0.0 {
                            continue; // no coupling now: no constraint
                        }
                        // Want C_lo s_lo v_lo,hi = C_hi s_hi v_hi,lo.
                        let (clo, chi) = (self.comp[l.lo], self.comp[l.hi]);
                        let ratio = (s[l.lo] * vlh) / (s[l.hi] * vhl);
                        self.cell_scale[o] = if o == chi {
                            self.cell_scale[clo] * ratio
                        } else {
                            self.cell_scale[chi] / ratio
                        };
                        self.queue.push(o);
                    }
                }
            }
            if self.cell_scale.iter().any(|&c| c != 1.0) {
                for (si, &c) in s.iter_mut().zip(&self.comp) {
                    *si *= self.cell_scale[c];
                }
            }
        }
        let v = &mut self.values;
        for i in 0..ncell {
            v[self.diag[i]] = s[i] * d[i];
        }
        for i in ncell..n {
            v[self.diag[i]] = s[i] * d[i];
            let off = s[i] * b[i];
            v[self.lower[i]] = off;
            v[self.upper[i]] = off;
        }
        if diag_extra {
            for (&(k, _), &(r, _, x)) in self.extra_link.iter().zip(&m.extra) {
                if k == usize::MAX {
                    v[self.diag[r]] += s[r] * x;
                }
            }
        }
        let mut ok = true;
        for (l, &(vlh, vhl)) in self.links.iter().zip(&self.link_vals) {
            let (x, y) = (s[l.lo] * vlh, s[l.hi] * vhl);
            if (x - y).abs() > SYMMETRY_TOL * x.abs().max(y.abs()) {
                ok = false;
            }
            let avg = 0.5 * (x + y);
            if l.on_tree {
                v[l.lower] += avg;
                v[l.upper] += avg;
            } else {
                v[l.lower] = avg;
                v[l.upper] = avg;
            }
        }
        ok
    }
}

impl Solver for SparseCholesky {
    fn name(&self) -> &'static str {
        "nalgebra-sparse-cholesky"
    }

    /// Solve in place. `d` is left untouched. On failure (see
    /// [`SparseCholesky`]) `rhs` is filled with NaN.
    fn solve(&mut self, m: &TreeMatrix, d: &mut [f64], rhs: &mut [f64]) {
        let n = m.len();
        assert!(d.len() == n && rhs.len() == n);
        if !self
            .prepared
            .as_ref()
            .is_some_and(|p| SparseCholesky::matches(p, m))
        {
            self.prepared = Some(SparseCholesky::prepare(m));
        }
        let p = self.prepared.as_mut().unwrap();
        if n == 0 {
            return;
        }
        if !p.assemble(m, d) {
            rhs.fill(f64::NAN);
            return;
        }
        let factored = match p.numeric.as_mut() {
            Some(f) => f.refactor(&p.values).is_ok(),
            None => match CscCholesky::factor_numerical(p.symbolic.clone(), &p.values) {
                Ok(f) => {
                    p.numeric = Some(f);
                    true
                }
                Err(_) => false,
            },
        };
        if !factored {
            // A failed refactor leaves the workspace dirty: start afresh next time.
            p.numeric = None;
            rhs.fill(f64::NAN);
            return;
        }
        for (r, &s) in rhs.iter_mut().zip(&p.s) {
            *r *= s;
        }
        rhs.reverse();
        let chol = p.numeric.as_ref().unwrap();
        chol.solve_mut(DMatrixViewMut::from_slice(rhs, n, 1));
        rhs.reverse();
    }

    fn handles_extra(&self) -> bool {
        true
    }
}
