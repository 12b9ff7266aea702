//! NEURON's fixed step (`fadvance`): threshold detection and events, the tree
//! matrix assembly (`setup_tree_matrix`), the solve, the voltage update,
//! gap-junction transfers, the mechanism state update, recording; and
//! `continuerun` over many steps.

use super::faults::CANCEL_EVERY;
use super::Simulation;
use crate::error::SimError;
use mech_api::abi::STATUS_OK;

/// What [`update_voltages`] saw: the OR of every node's changed bits (−0 to
/// +0 counts), whether every node changed, and the sum of the new voltages
/// (non-finite if any of them is: one addition per node, the culprit looked
/// for only after a detection).
struct Moved {
    any: u64,
    all: bool,
    sum: f64,
}

/// `v += factor·Δv` per node (`factor` 2 for Crank–Nicolson, as NEURON's
/// `2*rhs`). With `moved`, each node's flag says whether its voltage changed.
#[inline(always)]
fn update_voltages(v: &mut [f64], dv: &[f64], factor: f64, moved: Option<&mut [bool]>) -> Moved {
    let mut any = 0u64;
    let mut all = true;
    let mut sum = 0.0f64;
    let mut step = |v: &mut f64, dv: f64| {
        let old = *v;
        if factor == 2.0 {
            *v += 2.0 * dv;
        } else {
            *v += dv;
        }
        let m = old.to_bits() ^ v.to_bits();
        any |= m;
        all &= m != 0;
        sum += *v;
        m != 0
    };
    match moved {
        Some(flags) => {
            for ((v, &dv), f) in v.iter_mut().zip(dv).zip(flags.iter_mut()) {
                *f = step(v, dv);
            }
        }
        None => {
            for (v, &dv) in v.iter_mut().zip(dv) {
                step(v, dv);
            }
        }
    }
    Moved { any, all, sum }
}

/// A `source_var` → `target_var` copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transfer {
    pub source_node: usize,
    pub ti: usize,
    pub field: usize,
    pub inst: u32,
}

impl Simulation {
    /// One fixed step (NEURON's `fadvance`).
    pub fn fadvance(&mut self) -> Result<(), SimError> {
        if !self.initialized {
            self.finitialize(-65.0)?;
        }
        let dt = self.opts.dt;
        let freezing = self.opts.skip_stationary;
        if freezing {
            self.refresh_packs();
            // Every hit comes with a delivery: without one, none is set.
            if self.quiet.delivered > 0 {
                self.freeze.hit.iter_mut().for_each(|h| *h = false);
            }
        }
        self.quiet.delivered = 0;
        self.check_thresholds();
        self.deliver(self.t + 0.5 * dt)?;
        if self.freeze.any_frozen {
            // A frozen type's behaviour in t is promised only up to its horizon.
            let mut end = self.t;
            end += 0.5 * dt;
            end += 0.5 * dt;
            for k in 0..self.stepped.len() {
                if self.freeze.frozen[k] && end >= self.freeze.horizon[k] {
                    self.thaw(k);
                }
            }
        }
        self.t += 0.5 * dt;
        let midpoint = self.t;
        self.setup_tree_matrix()?;
        self.solve_system();
        if self.opts.secondorder == 2 {
            for ion in self.ions.iter_mut() {
                for (k, x) in ion.i.iter_mut().enumerate() {
                    *x += ion.didv[k] * self.rhs[k];
                }
            }
        }
        // Whether any voltage changed, bitwise (-0 to +0 counts), per node.
        let factor = if self.opts.secondorder > 0 { 2.0 } else { 1.0 };
        let track = freezing && self.freeze.moved.len() == self.v.len();
        let mv = if track {
            update_voltages(&mut self.v, &self.rhs, factor, Some(&mut self.freeze.moved))
        } else {
            update_voltages(&mut self.v, &self.rhs, factor, None)
        };
        let moved = mv.any;
        if !mv.sum.is_finite() && self.v.iter().any(|x| !x.is_finite()) {
            return Err(self.voltage_fault(dt));
        }
        self.t += 0.5 * dt;
        self.transfer();
        self.refresh_packs();
        // A frozen type thaws when a voltage at one of its nodes moved.
        if self.freeze.any_frozen && moved != 0 {
            let mut any = false;
            for k in 0..self.stepped.len() {
                if self.freeze.frozen[k] {
                    if self.nodes_moved(k) {
                        self.thaw(k);
                    } else {
                        any = true;
                    }
                }
            }
            self.freeze.any_frozen = any;
        }
        self.call_states(self.t)?;
        self.steps += 1;
        self.record_all()?;
        self.deliver(self.t)?;
        if freezing {
            // Whole steps can repeat only once every type has settled; until
            // then the (costly) comparison of the whole state is not tried.
            let settled = !track || self.detect_frozen(midpoint, mv.all)?;
            if settled || moved != 0 {
                self.check_stationary(moved == 0, midpoint);
            } else {
                self.quiet.stationary = false;
                self.quiet.valid = false;
            }
        }
        Ok(())
    }

    /// A non-finite voltage after the update: the time at the step's end, the
    /// error naming the culprit.
    #[cold]
    #[inline(never)]
    fn voltage_fault(&mut self, dt: f64) -> SimError {
        self.t += 0.5 * dt;
        self.nonfinite_voltage()
    }

    pub(super) fn setup_tree_matrix(&mut self) -> Result<(), SimError> {
        self.rhs.iter_mut().for_each(|x| *x = 0.0);
        self.d.iter_mut().for_each(|x| *x = 0.0);
        let celsius = self.opts.celsius;
        for ion in self.ions.iter_mut() {
            ion.ion_cur(celsius);
        }
        self.refresh_packs();
        self.call_currents(self.t)?;
        for &(i, j, g) in &self.couplings {
            let (fi, fj) = (g * 1e2 / self.disc.area[i], g * 1e2 / self.disc.area[j]);
            let dv = self.v[j] - self.v[i];
            self.rhs[i] += fi * dv;
            self.rhs[j] -= fj * dv;
            self.d[i] += fi;
            self.d[j] += fj;
        }
        self.axial_terms();
        Ok(())
    }

    /// The axial currents into `rhs` and the capacitive and axial terms into
    /// `d`, in NEURON's order (`nrn_rhs`'s and `nrn_lhs`'s loops).
    fn axial_terms(&mut self) {
        let n = self.v.len();
        let ncell = self.matrix.ncell;
        let (a, b, par) = (
            &self.matrix.a[..n],
            &self.matrix.b[..n],
            &self.matrix.parent[..n],
        );
        let v = &self.v[..n];
        let rhs = &mut self.rhs[..n];
        for i in ncell..n {
            let pi = par[i];
            // SAFETY: pi < i < n, the tree invariant `TreeMatrix::check`
            // verified when the model was built (the matrix is not mutable
            // afterwards).
            unsafe {
                let dv = *v.get_unchecked(pi) - v[i];
                rhs[i] -= b[i] * dv;
                *rhs.get_unchecked_mut(pi) += a[i] * dv;
            }
        }
        let cj = if self.opts.secondorder > 0 {
            2.0 / self.opts.dt
        } else {
            1.0 / self.opts.dt
        };
        let cfac = 0.001 * cj;
        let d = &mut self.d[..n];
        for (&i, &cm) in self.cap_nodes.iter().zip(&self.cap_cm) {
            d[i] += cfac * cm;
        }
        for i in ncell..n {
            let pi = par[i];
            d[i] -= b[i];
            // SAFETY: as above.
            unsafe { *d.get_unchecked_mut(pi) -= a[i] };
        }
    }

    /// Call `current` (BREAKPOINT) of every stepped type at time `t`.
    fn call_currents(&mut self, t: f64) -> Result<(), SimError> {
        self.call_stepped(t, true)
    }

    /// Call `state` of every stepped type at time `t` (frozen ones are skipped:
    /// they would rewrite the values they hold).
    fn call_states(&mut self, t: f64) -> Result<(), SimError> {
        self.call_stepped(t, false)
    }

    fn call_stepped(&mut self, t: f64, current: bool) -> Result<(), SimError> {
        for k in 0..self.stepped.len() {
            if self.freeze.any_frozen && self.freeze.frozen[k] {
                if current {
                    self.replay_current(k);
                }
                self.freeze.replayed += 1;
                continue;
            }
            let pp = &mut self.packs[k];
            pp.t = t;
            let ty = &self.types[self.stepped[k]].ty;
            // SAFETY: the pack describes storage owned by self (rebuilt whenever
            // a pointer in it may have changed).
            let st = unsafe {
                if current {
                    ty.call_current(pp)
                } else {
                    ty.call_state(pp)
                }
            };
            if st != STATUS_OK {
                let what = if current {
                    "BREAKPOINT"
                } else {
                    "state update"
                };
                return self.status(self.stepped[k], st, what);
            }
        }
        Ok(())
    }

    pub(super) fn transfer(&mut self) {
        for j in 0..self.transfers.len() {
            let tr = self.transfers[j];
            let v = self.v[tr.source_node];
            if self.types[tr.ti].get(tr.field, tr.inst as usize).to_bits() != v.to_bits() {
                if let Some(&k) = self.freeze.k_of.get(tr.ti) {
                    if k != usize::MAX && self.freeze.frozen[k] {
                        self.thaw(k);
                    }
                }
            }
            self.types[tr.ti].set(tr.field, tr.inst as usize, v);
        }
    }

    /// NEURON's `continuerun(tstop)`: step while t < tstop − dt/2.
    pub fn continuerun(&mut self, tstop: f64) -> Result<(), SimError> {
        if !tstop.is_finite() {
            return Err(SimError::BadSetting {
                what: "tstop".into(),
                expected: "a finite time".into(),
                value: tstop,
            });
        }
        if !self.initialized {
            self.finitialize(-65.0)?;
        }
        let ts = tstop - self.opts.dt / 2.0;
        // One sample per step: reserve them all now (no reallocation on the way).
        let expected = ((ts - self.t) / self.opts.dt).ceil();
        if expected > 0.0 && expected < 1e9 {
            for tr in self.traces.iter_mut() {
                tr.reserve(expected as usize + 1);
            }
        }
        self.check_cancel()?;
        while self.t < ts {
            if self.steps & (CANCEL_EVERY - 1) == 0 {
                self.check_cancel()?;
            }
            self.fadvance()?;
            if self.quiet.stationary {
                self.skip_stationary(ts)?;
            }
        }
        Ok(())
    }

    /// NEURON's `run()`: `finitialize(v_init)` then `continuerun(tstop)`.
    pub fn run(&mut self, tstop: f64, v_init: f64) -> Result<(), SimError> {
        self.finitialize(v_init)?;
        self.continuerun(tstop)
    }
}
