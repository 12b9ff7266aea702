//! [`GapJunctionTuner`]: bmtool's GapJunctionTuner.
//!
//! Two copies of a cell joined by a gap junction at `(sec_id, sec_x)`, a current
//! step of `iclamp_amp` nA into cell 1 from `tstart` for `tdur` ms, run to
//! `tstart + tdur + 100` from `finitialize(v_init)` (−70 mV as bmtool); the
//! coupling coefficient is ΔV₂/ΔV₁ at the somata between the last samples
//! before `tstart` and `tstart + tdur`.
//!
//! The conductance is called what it is, `g` in µS (the `g` of the `Gap`
//! mechanism); bmtool names it "resistance".
//!
//! Two couplings ([`GapCoupling`]):
//!
//! * `Neuron` (default): bmtool's wiring in NEURON — a `Gap` point process at
//!   `sec(0.5)` of each cell whose `vgap` is the partner's voltage at
//!   `sec(sec_x)`, copied after each voltage update (`pc.source_var` /
//!   `pc.target_var`), so each cell sees its partner's voltage of the previous
//!   step. Bit-identical to NEURON.
//! * `Implicit`: a conductance between the two `sec(sec_x)` nodes in one linear
//!   system (sparse LU): no lag. Both agree as dt → 0 (and exactly at steady
//!   state when `sec_x` is 0.5).
//!
//! With `Neuron` coupling the stretch before `tstart`, where both cells of a
//! pair compute the same bits, is simulated on one cell per pair and restored
//! into both (`gap_half.rs`; [`GapJunctionTuner::set_half_start`]).

use crate::gap_half::{HalfModel, HalfSpec};
use crate::settings::{GapConnection, GapSettings, SettingsError, SettingsErrorKind};
use crate::{Budget, Cancel, TunerError, Work};
use cable_core::{
    CellId, CellSpec, CouplingId, Loc, ModelBuilder, PointId, ProbeId, SimOptions, Simulation,
};
use mech_api::Registry;
use rayon::prelude::*;
use serde::Serialize;

/// How the two cells are coupled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GapCoupling {
    /// NEURON's transfer (bmtool's model), bit-identical to NEURON.
    #[default]
    Neuron,
    /// Both cells in one matrix (sparse LU), no lag.
    Implicit,
}

/// Traces and coupling of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRun {
    /// Gap conductance (µS).
    pub g: f64,
    /// ΔV₂/ΔV₁.
    pub coupling_coefficient: f64,
    /// Time (ms).
    pub t: Vec<f64>,
    /// Soma voltage of the injected cell (mV).
    pub v1: Vec<f64>,
    /// Soma voltage of the coupled cell (mV).
    pub v2: Vec<f64>,
}

/// The gap-junction tuner.
#[derive(Debug, Clone)]
pub struct GapJunctionTuner {
    reg: Registry,
    settings: GapSettings,
    current: usize,
    cell: CellSpec,
    coupling: GapCoupling,
    budget: Budget,
    cancel: Option<Cancel>,
    half_start: bool,
}

/// A built model whose conductance can be changed between runs: one pair of
/// cells per lane (several lanes run independent conductances in one
/// simulation, see [`GapJunctionTuner::sweep`]).
struct GapModel {
    sim: Simulation,
    lanes: Vec<PairLane>,
    time: ProbeId,
    tstop: f64,
    /// The stretch before the current step on one cell per pair (`None`
    /// where it does not apply).
    half: Option<HalfModel>,
}

/// One pair of cells in a [`GapModel`]: its gap point processes or implicit
/// coupling, and the soma probes of its two cells.
struct PairLane {
    cells: (usize, usize),
    gaps: Vec<PointId>,
    coupling: Option<CouplingId>,
    probes: [ProbeId; 2],
}

/// At most this many conductances share one simulation in a sweep: each
/// lane's pair is independent of the others (its own cells, stimulus and
/// junction), so every lane computes the bits of the run done alone; the
/// processor overlaps their dependency chains.
pub const SWEEP_LANES: usize = 8;

impl GapJunctionTuner {
    /// A tuner on `connection` (default: the first).
    pub fn new(
        reg: Registry,
        settings: GapSettings,
        connection: Option<&str>,
        coupling: GapCoupling,
    ) -> Result<GapJunctionTuner, TunerError> {
        let current = match connection {
            None => 0,
            Some(n) => connection_index(&settings, n)?,
        };
        let conn = &settings.connections[current];
        let cell = crate::load_cell_file(cell_path(&settings, &conn.cell)?, &conn.cell, &reg)?;
        cell.check_mechanisms(&reg)?;
        if conn.sec_id >= cell.sections.len() {
            return Err(TunerError::SectionIndex {
                connection: conn.name.clone(),
                sec_id: conn.sec_id,
                cell: cell.name.clone(),
                sections: cell.section_names(),
            });
        }
        if !conn.level_of_detail.eq_ignore_ascii_case("gap") {
            return Err(TunerError::UnknownMechanism {
                connection: conn.name.clone(),
                mechanism: conn.level_of_detail.clone(),
                known: "Gap (bmtool's gap.mod)".into(),
            });
        }
        Ok(GapJunctionTuner {
            reg,
            settings,
            current,
            cell,
            coupling,
            budget: Budget::default(),
            cancel: None,
            half_start: true,
        })
    }

    /// The work budget every run is checked against (default [`Budget::DEFAULT`]).
    pub fn set_budget(&mut self, b: Budget) {
        self.budget = b;
    }

    /// Stop every simulation of this tuner once `flag` is set.
    pub fn set_cancel(&mut self, flag: Option<Cancel>) {
        self.cancel = flag;
    }

    /// Whether the stretch before the current step is simulated on one cell
    /// per pair and restored into both (default on; see `gap_half.rs`). Off,
    /// every run simulates both cells from the start: the same bits, in 8 %
    /// (the fit) to 28 % (a sweep in lanes) more time on the FSI example.
    pub fn set_half_start(&mut self, on: bool) {
        self.half_start = on;
    }

    /// Build `b` into a simulation with the tuner's options and cancel flag
    /// (the pair model and the half model alike).
    fn build_sim(&self, b: ModelBuilder) -> Result<Simulation, TunerError> {
        let gen = &self.settings.general;
        let mut sim = b.build(SimOptions {
            dt: gen.dt,
            celsius: self.cell.celsius.unwrap_or(gen.celsius),
            secondorder: 0,
            ..SimOptions::default()
        })?;
        if let Some(c) = &self.cancel {
            sim.set_cancel(c.clone());
        }
        Ok(sim)
    }

    /// Whether the cancel flag is set.
    pub(crate) fn cancelled(&self) -> bool {
        crate::budget::cancelled(&self.cancel)
    }

    /// The cost of `count` coupling-coefficient runs (three traces each).
    pub fn cc_work(&self, what: String, count: f64) -> Work {
        let gen = &self.settings.general;
        let mut w = Work::new(what);
        w.add_runs(count, gen.tstart + gen.tdur + 100.0, gen.dt, 3);
        w
    }

    /// Refuse `w` beyond the budget.
    pub fn check_work(&self, w: &Work) -> Result<(), TunerError> {
        self.budget.check(w)
    }

    /// The settings.
    pub fn settings(&self) -> &GapSettings {
        &self.settings
    }

    /// The current connection.
    pub fn connection(&self) -> &GapConnection {
        &self.settings.connections[self.current]
    }

    /// The step amplitude in use (nA).
    pub fn iclamp_amp(&self) -> f64 {
        self.connection()
            .iclamp_amp
            .unwrap_or(self.settings.general.iclamp_amp)
    }

    fn build(&self, g: f64) -> Result<GapModel, TunerError> {
        self.build_lanes(&[g])
    }

    /// One simulation with a pair of cells per conductance in `gs`.
    fn build_lanes(&self, gs: &[f64]) -> Result<GapModel, TunerError> {
        let gen = &self.settings.general;
        let mut b = ModelBuilder::new(&self.reg);
        let mut cells = Vec::with_capacity(gs.len());
        for &g in gs {
            check_g(g)?;
            cells.push(self.add_pair(&mut b, g)?);
        }
        let mut sim = self.build_sim(b)?;
        let time = sim.record_time();
        let soma = self.cell.sections[self.cell.soma_index()].name.clone();
        let mut lanes = Vec::with_capacity(gs.len());
        for (c1, c2, gaps, coupling) in cells {
            let probes = [
                sim.record(c1, &soma, 0.5, "v")?,
                sim.record(c2, &soma, 0.5, "v")?,
            ];
            lanes.push(PairLane {
                cells: (c1, c2),
                gaps,
                coupling,
                probes,
            });
        }
        let pairs: Vec<(usize, usize)> = lanes.iter().map(|l| l.cells).collect();
        Ok(GapModel {
            sim,
            lanes,
            time,
            tstop: gen.tstart + gen.tdur + 100.0,
            half: self.build_half(gs, &pairs)?,
        })
    }

    /// Two copies of the cell joined at conductance `g`, a current step into
    /// the first: (cell 1, cell 2, gap points, implicit coupling).
    #[allow(clippy::type_complexity)]
    fn add_pair(
        &self,
        b: &mut ModelBuilder,
        g: f64,
    ) -> Result<(usize, usize, Vec<PointId>, Option<CouplingId>), TunerError> {
        let conn = self.connection();
        let sec = self.cell.sections[conn.sec_id].name.clone();
        let c1 = b.add_cell(&self.cell)?;
        let c2 = b.add_cell(&self.cell)?;
        self.add_current_step(b, c1)?;
        match self.coupling {
            GapCoupling::Neuron => {
                let g1 = self.add_junction(b, c1, c2, g)?;
                let g2 = self.add_junction(b, c2, c1, g)?;
                Ok((c1.0, c2.0, vec![g1, g2], None))
            }
            GapCoupling::Implicit => {
                let c = b.couple(
                    Loc::new(c1, &sec, conn.sec_x),
                    Loc::new(c2, &sec, conn.sec_x),
                    g,
                )?;
                Ok((c1.0, c2.0, Vec::new(), Some(c)))
            }
        }
    }

    /// The half model for a pair model of `gs.len()` lanes whose cells are
    /// `pairs` (see `gap_half.rs`), or `None` where it does not apply
    /// (implicit coupling, turned off, no whole step before the current
    /// step, or a model that draws random numbers).
    fn build_half(
        &self,
        gs: &[f64],
        pairs: &[(usize, usize)],
    ) -> Result<Option<HalfModel>, TunerError> {
        let gen = &self.settings.general;
        let t_stop = gen.tstart - gen.dt;
        // False for a NaN too.
        let a_whole_step = t_stop >= gen.dt;
        if !self.half_start
            || self.coupling != GapCoupling::Neuron
            || !a_whole_step
            || self.draws_random()
        {
            return Ok(None);
        }
        let spec = HalfSpec {
            reg: &self.reg,
            cell: &self.cell,
            soma: self.cell.sections[self.cell.soma_index()].name.clone(),
            add_junction: &|b, at, partner, g| self.add_junction(b, at, partner, g),
            add_step: &|b, c| self.add_current_step(b, c),
            build: &|b| self.build_sim(b),
            t_stop,
            v_init: gen.v_init,
        };
        Ok(Some(HalfModel::build(spec, gs, pairs)?))
    }

    /// bmtool's junction: a `Gap` of conductance `g` at `at`'s `sec(0.5)`,
    /// reading `partner`'s voltage at `sec(sec_x)` (the pair model's two
    /// junctions, and the half model's, whose partner is the cell itself).
    fn add_junction(
        &self,
        b: &mut ModelBuilder,
        at: CellId,
        partner: CellId,
        g: f64,
    ) -> Result<PointId, TunerError> {
        let conn = self.connection();
        let sec = &self.cell.sections[conn.sec_id].name;
        let gap = b.add_point("Gap", Loc::new(at, sec, 0.5), &[("g", g)])?;
        b.transfer(Loc::new(partner, sec, conn.sec_x), gap, "vgap")?;
        Ok(gap)
    }

    /// The current step into `cell`'s soma: `iclamp_amp` from `tstart` for
    /// `tdur`.
    fn add_current_step(&self, b: &mut ModelBuilder, cell: CellId) -> Result<(), TunerError> {
        let gen = &self.settings.general;
        let soma = self.cell.sections[self.cell.soma_index()].name.clone();
        b.add_point(
            "IClamp",
            Loc::new(cell, &soma, 0.5),
            &[
                ("del", gen.tstart),
                ("dur", gen.tdur),
                ("amp", self.iclamp_amp()),
            ],
        )?;
        Ok(())
    }

    /// Run every lane of `m` at its conductance in `gs`. With `cc_only` the
    /// run stops two steps after the end of the current step: the coupling
    /// coefficient reads only samples before then, and they do not depend on
    /// where the run stops; the runs returned then carry the coefficient and
    /// empty traces.
    fn run_lanes(
        &self,
        m: &mut GapModel,
        gs: &[f64],
        cc_only: bool,
    ) -> Result<Vec<GapRun>, TunerError> {
        for (lane, &g) in m.lanes.iter().zip(gs) {
            check_g(g)?;
            for &p in &lane.gaps {
                m.sim.set_point_param(p, "g", g)?;
            }
            if let Some(c) = lane.coupling {
                m.sim.set_coupling(c, g)?;
            }
        }
        let gen = &self.settings.general;
        let tstop = if cc_only {
            m.tstop.min(gen.tstart + gen.tdur + 2.0 * gen.dt)
        } else {
            m.tstop
        };
        match &mut m.half {
            Some(h) => {
                let start = h.state(gs)?;
                m.sim.restore_embedded(start, &h.cell_of)?;
                m.sim.continuerun(tstop)?;
            }
            None => m.sim.run(tstop, gen.v_init)?,
        }
        let t = m.sim.take_trace(m.time);
        let mut runs = Vec::with_capacity(gs.len());
        for (lane, &g) in m.lanes.iter().zip(gs) {
            let (v1, v2) = (
                m.sim.take_trace(lane.probes[0]),
                m.sim.take_trace(lane.probes[1]),
            );
            let cc = stp_analysis::coupling_coefficient(
                &t,
                &v1,
                &v2,
                gen.tstart,
                gen.tstart + gen.tdur,
            )?;
            // Only the coefficient is read after a `cc_only` run: its traces
            // (40 000 samples each at bmtool's settings) are not copied out.
            let (t, v1, v2) = if cc_only {
                Default::default()
            } else {
                (t.clone(), v1, v2)
            };
            runs.push(GapRun {
                g,
                coupling_coefficient: cc,
                t,
                v1,
                v2,
            });
        }
        Ok(runs)
    }

    /// Run at `g` (a model of one lane).
    fn run_model(&self, m: &mut GapModel, g: f64, cc_only: bool) -> Result<GapRun, TunerError> {
        Ok(self.run_lanes(m, &[g], cc_only)?.remove(0))
    }

    /// One run at conductance `g` (µS).
    pub fn run(&self, g: f64) -> Result<GapRun, TunerError> {
        self.check_work(&self.cc_work(format!("a gap-junction run at g = {g} µS"), 1.0))?;
        let mut m = self.build(g)?;
        self.run_model(&mut m, g, false)
    }

    /// The coupling coefficient at conductance `g` (µS).
    pub fn coupling_coefficient(&self, g: f64) -> Result<f64, TunerError> {
        let mut m = self.build(g)?;
        Ok(self.run_model(&mut m, g, true)?.coupling_coefficient)
    }

    /// Whole runs (traces to `tstart + tdur + 100`) at several conductances,
    /// in parallel, [`SWEEP_LANES`] pairs per simulation; each run is the bits
    /// [`Self::run`] gives alone.
    pub fn run_batch(&self, gs: &[f64]) -> Result<Vec<GapRun>, TunerError> {
        self.check_work(&self.cc_work(format!("{} gap-junction runs", gs.len()), gs.len() as f64))?;
        let batch = |chunk: &[f64]| {
            let mut m = self.build_lanes(chunk)?;
            self.run_lanes(&mut m, chunk, false)
        };
        self.in_batches(gs, SWEEP_LANES, batch)
    }

    /// Coupling coefficients for several conductances, in parallel: the
    /// conductances are dealt into one batch per thread (at most
    /// [`SWEEP_LANES`] each), each batch one simulation of a pair per
    /// conductance. Every coefficient is the bits [`Self::coupling_coefficient`]
    /// gives alone.
    pub fn sweep(&self, gs: &[f64], progress: &(dyn Fn() + Sync)) -> Result<Vec<f64>, TunerError> {
        self.check_work(&self.cc_work(
            format!("a sweep over {} conductances", gs.len()),
            gs.len() as f64,
        ))?;
        let batch = |chunk: &[f64]| -> Result<Vec<f64>, TunerError> {
            let mut m = self.build_lanes(chunk)?;
            let runs = self.run_lanes(&mut m, chunk, true)?;
            chunk.iter().for_each(|_| progress());
            Ok(runs.into_iter().map(|r| r.coupling_coefficient).collect())
        };
        // Batches of at most SWEEP_LANES, as many per thread each.
        let threads = rayon::current_num_threads().max(1);
        let batches = threads * gs.len().div_ceil(threads * SWEEP_LANES).max(1);
        let per = gs.len().div_ceil(batches).max(1);
        self.in_batches(gs, per, batch)
    }

    /// `batch` over `gs` in chunks of `per`, in parallel, the results in
    /// order; for a model that draws random numbers one conductance at a time,
    /// one after another ([`Self::draws_random`]).
    fn in_batches<T: Send>(
        &self,
        gs: &[f64],
        per: usize,
        batch: impl Fn(&[f64]) -> Result<Vec<T>, TunerError> + Sync + Send,
    ) -> Result<Vec<T>, TunerError> {
        let batches: Vec<Vec<T>> = if self.draws_random() {
            gs.chunks(1).map(batch).collect::<Result<_, _>>()?
        } else {
            gs.par_chunks(per).map(batch).collect::<Result<_, _>>()?
        };
        Ok(batches.into_iter().flatten().collect())
    }

    /// Whether a mechanism of the pair model (the cell's, the junction, the
    /// current step) draws random numbers from a stream that outlives a run
    /// (mech-api's `draws_random`): then its runs go one after another, in
    /// order, each from its start — no lanes, no parallel runs, no shared
    /// stretch before the current step — as NEURON runs them (see
    /// `synapse/serial.rs`).
    pub fn draws_random(&self) -> bool {
        self.random_notice().is_some()
    }

    /// The notice for a model that draws random numbers (`None` otherwise):
    /// which mechanisms, and that its runs go one after another.
    pub fn random_notice(&self) -> Option<String> {
        let inserted = self
            .cell
            .sections
            .iter()
            .flat_map(|s| s.mechanisms.iter().map(|m| m.name.as_str()));
        let names = crate::synapse::random_among(&self.reg, inserted.chain(["Gap", "IClamp"]));
        let name = &self.connection().name;
        (!names.is_empty()).then(|| crate::synapse::serial_notice(name, &names))
    }
}

/// The index of connection `name`.
fn connection_index(s: &GapSettings, name: &str) -> Result<usize, SettingsError> {
    s.connections
        .iter()
        .position(|c| c.name == name)
        .ok_or_else(|| SettingsError {
            file: s.source.clone(),
            field: "conn_type_settings".into(),
            kind: SettingsErrorKind::UnknownConnection,
            message: format!(
                "no connection `{name}`; connections: {}",
                s.connections
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

/// The cell file of `cell`.
fn cell_path<'s>(s: &'s GapSettings, cell: &str) -> Result<&'s std::path::Path, SettingsError> {
    s.cells
        .iter()
        .find(|(k, _)| k == cell)
        .map(|(_, p)| p.as_path())
        .ok_or_else(|| SettingsError {
            file: s.source.clone(),
            field: format!("cells.{cell}"),
            kind: SettingsErrorKind::UnknownCell,
            message: format!(
                "no cell description for `{cell}`; add \"cells\": {{\"{cell}\": \"path/to/{cell}.json\"}}"
            ),
        })
}

/// A usable conductance (µS, ≥ 0).
pub(crate) fn check_g(g: f64) -> Result<(), TunerError> {
    if !(g >= 0.0 && g.is_finite()) {
        return Err(TunerError::BadValue {
            what: "gap conductance g (µS, ≥ 0)".into(),
            value: g,
        });
    }
    Ok(())
}
