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
//! bit; [`GapJunctionTuner::set_half_start`] turns it off.

use crate::gap::{check_g, GapCoupling, GapJunctionTuner};
use crate::TunerError;
use cable_core::{Loc, ModelBuilder, PointId, SimState, Simulation};

/// A model of one cell per lane of a pair model, for the stretch before the
/// current step.
pub(crate) struct HalfModel {
    sim: Simulation,
    /// Per lane, its `Gap`.
    gaps: Vec<PointId>,
    /// Per cell of the pair model, the half model's cell it copies.
    pub(crate) cell_of: Vec<usize>,
    /// Where the half run stops: one step before `tstart`.
    t_stop: f64,
}

impl GapJunctionTuner {
    /// The half model for a pair model of `gs.len()` lanes whose cells are
    /// `pairs`, or `None` where it does not apply (implicit coupling, turned
    /// off, or no whole step before the current step).
    pub(crate) fn build_half(
        &self,
        gs: &[f64],
        pairs: &[(usize, usize)],
    ) -> Result<Option<HalfModel>, TunerError> {
        let gen = &self.settings().general;
        let t_stop = gen.tstart - gen.dt;
        // False for a NaN too.
        let a_whole_step = t_stop >= gen.dt;
        if !self.half_start() || self.coupling() != GapCoupling::Neuron || !a_whole_step {
            return Ok(None);
        }
        let mut b = ModelBuilder::new(self.registry());
        let mut cells = Vec::with_capacity(gs.len());
        let mut gaps = Vec::with_capacity(gs.len());
        for &g in gs {
            check_g(g)?;
            let (c, gap) = self.add_half_cell(&mut b, g)?;
            cells.push(c);
            gaps.push(gap);
        }
        let mut sim = self.with_cancel(b.build(self.sim_options())?);
        let soma = self.cell().sections[self.cell().soma_index()].name.clone();
        sim.record_time();
        for &c in &cells {
            sim.record(c, &soma, 0.5, "v")?;
        }
        let n_cells = pairs.iter().map(|&(a, b)| a.max(b) + 1).max().unwrap_or(0);
        let mut cell_of = vec![usize::MAX; n_cells];
        for (&(a, b), &c) in pairs.iter().zip(&cells) {
            cell_of[a] = c;
            cell_of[b] = c;
        }
        Ok(Some(HalfModel {
            sim,
            gaps,
            cell_of,
            t_stop,
        }))
    }

    /// One cell with the pair's first cell's current step and a `Gap` of
    /// conductance `g` reading the cell's own voltage: (cell, gap).
    fn add_half_cell(&self, b: &mut ModelBuilder, g: f64) -> Result<(usize, PointId), TunerError> {
        let conn = self.connection();
        let sec = self.cell().sections[conn.sec_id].name.clone();
        let c = b.add_cell(self.cell())?;
        self.add_current_step(b, c)?;
        let gap = b.add_point("Gap", Loc::new(c, &sec, 0.5), &[("g", g)])?;
        b.transfer(Loc::new(c, &sec, conn.sec_x), gap, "vgap")?;
        Ok((c.0, gap))
    }

    /// The half model run at the lanes' conductances `gs` to one step before
    /// `tstart`, saved.
    pub(crate) fn half_state(&self, h: &mut HalfModel, gs: &[f64]) -> Result<SimState, TunerError> {
        for (&p, &g) in h.gaps.iter().zip(gs) {
            h.sim.set_point_param(p, "g", g)?;
        }
        h.sim.run(h.t_stop, self.settings().general.v_init)?;
        Ok(h.sim.take_state()?)
    }
}
