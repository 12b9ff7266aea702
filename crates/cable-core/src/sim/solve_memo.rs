//! The last solve remembered (with [`SimOptions::skip_stationary`]
//! (super::SimOptions::skip_stationary)): a step whose assembled `d` and
//! `rhs` are bitwise those of the last solve gets that solve's outputs back
//! without solving again.
//!
//! The solve is a function of the tree matrix and of `d` and `rhs` (a
//! [`Solver`](crate::solver::Solver) keeps no state between calls that changes
//! its results), so its outputs are then the same bits. This is the regime of
//! a cell settled under a clamp while a synapse decays: every voltage and
//! every other type is settled, the synapse's shrinking current no longer
//! changes the matrix's bits, but its state still changes, so whole steps
//! cannot be skipped. The tree matrix itself changes only with a coupling's
//! conductance, which forgets the memo.
//!
//! Remembering costs two copies of both vectors, and comparing one pass over
//! them; after a miss the next attempt waits, doubling up to
//! [`MAX_BACKOFF`] steps, so a step whose matrix changes every time (any
//! active cell) pays for it about once in that many steps.

/// The longest wait between attempts (steps).
const MAX_BACKOFF: u64 = 64;

/// Inputs and outputs of the last solve that was remembered.
#[derive(Default)]
pub(super) struct SolveMemo {
    /// `d_in`, `rhs_in` → `d_out`, `rhs_out` hold one solve.
    valid: bool,
    d_in: Vec<f64>,
    rhs_in: Vec<f64>,
    d_out: Vec<f64>,
    rhs_out: Vec<f64>,
    /// The step count before which nothing is remembered.
    next_try: u64,
    backoff: u64,
    /// Solves replaced since the last initialisation.
    pub(super) hits: u64,
}

/// Whether two slices hold the same bits.
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

impl SolveMemo {
    /// Forget the remembered solve and the wait (when the tree matrix
    /// changes).
    pub(super) fn forget(&mut self) {
        self.valid = false;
        self.next_try = 0;
        self.backoff = 1;
    }

    /// [`SolveMemo::forget`], and count from zero (at initialisation and at a
    /// restore).
    pub(super) fn reset(&mut self) {
        self.forget();
        self.hits = 0;
    }

    /// If `d` and `rhs` are the last remembered inputs, bitwise, overwrite them
    /// with that solve's outputs and return true. Otherwise return false, after
    /// which the caller solves.
    pub(super) fn replay(&mut self, d: &mut [f64], rhs: &mut [f64]) -> bool {
        if self.valid && same_bits(rhs, &self.rhs_in) && same_bits(d, &self.d_in) {
            d.copy_from_slice(&self.d_out);
            rhs.copy_from_slice(&self.rhs_out);
            self.hits += 1;
            self.backoff = 1;
            return true;
        }
        false
    }

    /// After a miss at step `steps`: whether to remember this solve (its
    /// inputs are saved now; pass the outputs to [`SolveMemo::keep`]).
    pub(super) fn begin(&mut self, steps: u64, d: &[f64], rhs: &[f64]) -> bool {
        if self.valid {
            self.valid = false;
            self.backoff = (self.backoff.max(1) * 2).min(MAX_BACKOFF);
            self.next_try = steps + self.backoff;
        }
        if steps < self.next_try {
            return false;
        }
        copy_into(&mut self.d_in, d);
        copy_into(&mut self.rhs_in, rhs);
        true
    }

    /// The outputs of the solve whose inputs [`SolveMemo::begin`] saved.
    pub(super) fn keep(&mut self, d: &[f64], rhs: &[f64]) {
        copy_into(&mut self.d_out, d);
        copy_into(&mut self.rhs_out, rhs);
        self.valid = true;
    }
}

fn copy_into(to: &mut Vec<f64>, from: &[f64]) {
    to.clear();
    to.extend_from_slice(from);
}

impl super::Simulation {
    /// Solve the assembled system in place (`rhs` becomes Δv), reusing the
    /// last remembered solve when skipping is on and the system repeats.
    pub(super) fn solve_system(&mut self) {
        if !self.opts.skip_stationary {
            self.solver.solve(&self.matrix, &mut self.d, &mut self.rhs);
            return;
        }
        if self.memo.replay(&mut self.d, &mut self.rhs) {
            return;
        }
        let keep = self.memo.begin(self.steps, &self.d, &self.rhs);
        self.solver.solve(&self.matrix, &mut self.d, &mut self.rhs);
        if keep {
            self.memo.keep(&self.d, &self.rhs);
        }
    }

    /// How many solves were replaced by the remembered one since the last
    /// initialisation (see [`SimOptions::skip_stationary`](super::SimOptions::skip_stationary)).
    pub fn replayed_solves(&self) -> u64 {
        self.memo.hits
    }
}
