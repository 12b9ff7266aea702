//! The stretch before the current step on one cell per pair.
//!
//! Before `tstart` the two cells of a pair (copies of one cell, a `Gap` at
//! `sec(0.5)` of each reading the partner's `sec(sec_x)`) compute the same
//! bits: the same equations from the same `v_init`, each partner's voltage
//! equal to its own, so the junction's current is zero in both, and the
//! current step's `IClamp` adds zero until `del`. That stretch is simulated
//! once, on a model of one cell per pair whose `Gap` reads the cell's own
//! `sec(sec_x)` (the same `g`, so the same term in the matrix), and its state
//! is restored into both cells of the pair model
//! ([`cable_core::Simulation::restore_embedded`]), which continues from there.
//! About half the computed steps of a coupling run are before `tstart`.
//! `tests/gap_half.rs` compares the result with runs from the start, bit for
//! bit; `GapJunctionTuner::set_half_start` turns it off.

use crate::TunerError;
use cable_core::{CellId, CellSpec, ModelBuilder, PointId, SimState, Simulation};
use mech_api::Registry;

/// Adds a junction of conductance `g` (the last argument) to the first
/// cell, reading the second's voltage.
pub(crate) type AddJunction<'a> =
    dyn Fn(&mut ModelBuilder, CellId, CellId, f64) -> Result<PointId, TunerError> + 'a;

/// What the half model is built from (the gap tuner fills it in).
pub(crate) struct HalfSpec<'a> {
    pub reg: &'a Registry,
    pub cell: &'a CellSpec,
    pub soma: String,
    /// Adds the pair's junction (conductance `g`) to a cell, reading a
    /// partner's voltage: here the cell's own.
    pub add_junction: &'a AddJunction<'a>,
    /// Adds the pair's current step to a cell.
    pub add_step: &'a dyn Fn(&mut ModelBuilder, CellId) -> Result<(), TunerError>,
    /// Builds the simulation (options, cancel flag).
    pub build: &'a dyn Fn(ModelBuilder) -> Result<Simulation, TunerError>,
    /// One step before `tstart`, and the initial voltage.
    pub t_stop: f64,
    pub v_init: f64,
}

/// A model of one cell per lane of a pair model, for the stretch before the
/// current step.
pub(crate) struct HalfModel {
    sim: Simulation,
    /// Per lane, its `Gap`.
    gaps: Vec<PointId>,
    /// Per cell of the pair model, the half model's cell it copies.
    pub(crate) cell_of: Vec<usize>,
    t_stop: f64,
    v_init: f64,
}

impl HalfModel {
    /// The half model for a pair model of `gs.len()` lanes whose cells are
    /// `pairs`: per lane one cell with the current step and a `Gap` of the
    /// lane's conductance reading the cell's own voltage.
    pub(crate) fn build(
        spec: HalfSpec,
        gs: &[f64],
        pairs: &[(usize, usize)],
    ) -> Result<HalfModel, TunerError> {
        let mut builder = ModelBuilder::new(spec.reg);
        let b = &mut builder;
        let mut cells = Vec::with_capacity(gs.len());
        let mut gaps = Vec::with_capacity(gs.len());
        for &g in gs {
            let c = b.add_cell(spec.cell)?;
            (spec.add_step)(b, c)?;
            let gap = (spec.add_junction)(b, c, c, g)?;
            cells.push(c.0);
            gaps.push(gap);
        }
        let mut sim = (spec.build)(builder)?;
        sim.record_time();
        for &c in &cells {
            sim.record(c, &spec.soma, 0.5, "v")?;
        }
        let n_cells = pairs.iter().map(|&(a, b)| a.max(b) + 1).max().unwrap_or(0);
        let mut cell_of = vec![usize::MAX; n_cells];
        for (&(a, b), &c) in pairs.iter().zip(&cells) {
            cell_of[a] = c;
            cell_of[b] = c;
        }
        Ok(HalfModel {
            sim,
            gaps,
            cell_of,
            t_stop: spec.t_stop,
            v_init: spec.v_init,
        })
    }

    /// Run at the lanes' conductances `gs` from `v_init` to one step before
    /// `tstart`, and take the state.
    pub(crate) fn state(&mut self, gs: &[f64]) -> Result<SimState, TunerError> {
        for (&p, &g) in self.gaps.iter().zip(gs) {
            self.sim.set_point_param(p, "g", g)?;
        }
        self.sim.run(self.t_stop, self.v_init)?;
        Ok(self.sim.take_state()?)
    }
}
