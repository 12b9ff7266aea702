//! A general sparse LU solver (faer) for the cable equation's linear system,
//! for models whose coupling is not a tree (implicit gap junctions between
//! cells). The pattern — tree plus [`TreeMatrix::extra`] — is analysed once
//! (fill-reducing ordering, symbolic factorisation); every step refactorises the
//! values and solves, reusing the workspace.

use crate::solver::{Solver, TreeMatrix};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::lu::partial_pivoting::factor::PartialPivLuParams;
use faer::sparse::linalg::lu::{factorize_symbolic_lu, NumericLu, SymbolicLu};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, MatMut, Par, Spec};

struct Prepared {
    n: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    values: Vec<f64>,
    diag: Vec<usize>,
    b_pos: Vec<usize>,
    a_pos: Vec<usize>,
    extra_pos: Vec<usize>,
    symbolic: SymbolicLu<usize>,
    numeric: NumericLu<usize, f64>,
    mem: MemBuffer,
    fingerprint: (usize, usize, Vec<(usize, usize)>),
}

/// Sparse LU (faer), for any sparsity pattern.
#[derive(Default)]
pub struct SparseLu {
    prepared: Option<Prepared>,
}

impl std::fmt::Debug for SparseLu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparseLu")
            .field("prepared", &self.prepared.as_ref().map(|p| p.n))
            .finish()
    }
}

impl SparseLu {
    /// A solver; the pattern is analysed at the first solve.
    pub fn new() -> SparseLu {
        SparseLu::default()
    }

    fn prepare(m: &TreeMatrix) -> Prepared {
        let n = m.len();
        // Entries (row, col) of the pattern.
        let mut entries: Vec<(usize, usize)> = (0..n).map(|i| (i, i)).collect();
        for i in m.ncell..n {
            let p = m.parent[i];
            entries.push((i, p));
            entries.push((p, i));
        }
        for &(r, c, _) in &m.extra {
            entries.push((r, c));
        }
        let mut sorted = entries.clone();
        // Column-major order, rows ascending within a column.
        sorted.sort_by_key(|&(r, c)| (c, r));
        sorted.dedup();
        let mut col_ptr = vec![0usize; n + 1];
        for &(_, c) in &sorted {
            col_ptr[c + 1] += 1;
        }
        for c in 0..n {
            col_ptr[c + 1] += col_ptr[c];
        }
        let row_idx: Vec<usize> = sorted.iter().map(|&(r, _)| r).collect();
        let pos = |r: usize, c: usize| -> usize {
            let s = &row_idx[col_ptr[c]..col_ptr[c + 1]];
            col_ptr[c] + s.binary_search(&r).expect("entry in pattern")
        };
        let diag = (0..n).map(|i| pos(i, i)).collect();
        let mut b_pos = vec![usize::MAX; n];
        let mut a_pos = vec![usize::MAX; n];
        for i in m.ncell..n {
            let p = m.parent[i];
            b_pos[i] = pos(i, p);
            a_pos[i] = pos(p, i);
        }
        let extra_pos = m.extra.iter().map(|&(r, c, _)| pos(r, c)).collect();
        let sym = SymbolicSparseColMatRef::new_checked(n, n, &col_ptr, None, &row_idx);
        let symbolic =
            factorize_symbolic_lu(sym, Default::default()).expect("symbolic LU of a valid pattern");
        let par = Par::Seq;
        let params: Spec<PartialPivLuParams, f64> = Default::default();
        let req = symbolic
            .factorize_numeric_lu_scratch::<f64>(par, params)
            .or(symbolic.solve_in_place_scratch::<f64>(1, par));
        Prepared {
            n,
            values: vec![0.0; row_idx.len()],
            col_ptr,
            row_idx,
            diag,
            b_pos,
            a_pos,
            extra_pos,
            symbolic,
            numeric: NumericLu::new(),
            mem: MemBuffer::new(req),
            fingerprint: (
                n,
                m.ncell,
                m.extra.iter().map(|&(r, c, _)| (r, c)).collect(),
            ),
        }
    }
}

impl Solver for SparseLu {
    fn name(&self) -> &'static str {
        "faer-sparse-lu"
    }

    fn solve(&mut self, m: &TreeMatrix, d: &mut [f64], rhs: &mut [f64]) {
        let fp = (
            m.len(),
            m.ncell,
            m.extra.iter().map(|&(r, c, _)| (r, c)).collect::<Vec<_>>(),
        );
        if self.prepared.as_ref().map(|p| &p.fingerprint) != Some(&fp) {
            self.prepared = Some(SparseLu::prepare(m));
        }
        let p = self.prepared.as_mut().unwrap();
        p.values.iter_mut().for_each(|x| *x = 0.0);
        for (&pos, &di) in p.diag.iter().zip(d.iter()) {
            p.values[pos] += di;
        }
        for i in m.ncell..p.n {
            p.values[p.b_pos[i]] += m.b[i];
            p.values[p.a_pos[i]] += m.a[i];
        }
        for (k, &(_, _, v)) in m.extra.iter().enumerate() {
            p.values[p.extra_pos[k]] += v;
        }
        let a = SparseColMatRef::new(
            SymbolicSparseColMatRef::new_checked(p.n, p.n, &p.col_ptr, None, &p.row_idx),
            &p.values,
        );
        let stack = MemStack::new(&mut p.mem);
        let lu = p
            .symbolic
            .factorize_numeric_lu(&mut p.numeric, a, Par::Seq, stack, Default::default())
            .expect("the cable matrix is diagonally dominant and never singular");
        let stack = MemStack::new(&mut p.mem);
        let x = MatMut::from_column_major_slice_mut(rhs, p.n, 1);
        lu.solve_in_place_with_conj(Conj::No, x, Par::Seq, stack);
    }
}
