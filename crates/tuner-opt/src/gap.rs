//! [`GapJunctionTuner`]: bmtool's GapJunctionTuner and GapJunctionOptimizer.
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

use crate::settings::{SettingsError, SettingsErrorKind};
use crate::TunerError;
use cable_core::{
    CellSpec, CouplingId, Loc, ModelBuilder, PointId, ProbeId, SimOptions, Simulation,
};
use mech_api::Registry;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// General settings of the gap-junction tuner (bmtool's defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct GapGeneral {
    /// Onset of the current step (ms).
    pub tstart: f64,
    /// Duration of the step (ms).
    pub tdur: f64,
    /// Time step (ms).
    pub dt: f64,
    /// Temperature (°C).
    pub celsius: f64,
    /// Step amplitude (nA), used when a connection gives none.
    pub iclamp_amp: f64,
    /// Initial voltage (mV); bmtool's `finitialize(-70)`.
    pub v_init: f64,
}

impl Default for GapGeneral {
    fn default() -> Self {
        GapGeneral {
            tstart: 500.0,
            tdur: 500.0,
            dt: 0.025,
            celsius: 20.0,
            iclamp_amp: -0.01,
            v_init: -70.0,
        }
    }
}

/// One gap-junction connection type (bmtool's keys).
#[derive(Debug, Clone, PartialEq)]
pub struct GapConnection {
    /// Its name.
    pub name: String,
    /// The cell (both copies).
    pub cell: String,
    /// Step amplitude for this connection (nA); bmtool 0.8.7 reads only the
    /// general setting, synaptune uses this when given.
    pub iclamp_amp: Option<f64>,
    /// Position on the section.
    pub sec_x: f64,
    /// Section index in the cell's `all` list.
    pub sec_id: usize,
    /// Mechanism (`gap` and `Gap` both mean the `Gap` mechanism).
    pub level_of_detail: String,
}

/// A gap-junction settings file.
#[derive(Debug, Clone, PartialEq)]
pub struct GapSettings {
    /// General settings.
    pub general: GapGeneral,
    /// Connection types in file order.
    pub connections: Vec<GapConnection>,
    /// Cell files by name.
    pub cells: Vec<(String, PathBuf)>,
    /// The file.
    pub source: PathBuf,
}

fn serr(
    file: &Path,
    field: &str,
    kind: SettingsErrorKind,
    msg: impl Into<String>,
) -> SettingsError {
    SettingsError {
        file: file.to_path_buf(),
        field: field.to_string(),
        kind,
        message: msg.into(),
    }
}

fn num(file: &Path, field: &str, v: &Value) -> Result<f64, SettingsError> {
    v.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
        serr(
            file,
            field,
            SettingsErrorKind::BadValue,
            format!("expected a finite number, found {v}"),
        )
    })
}

impl GapSettings {
    /// Read a gap-junction settings file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<GapSettings, SettingsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            serr(
                path,
                "(file)",
                SettingsErrorKind::Io,
                format!("cannot read: {e}"),
            )
        })?;
        let v: Value = serde_json::from_str(&text).map_err(|e| {
            serr(
                path,
                "(file)",
                SettingsErrorKind::Syntax,
                format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        GapSettings::from_value(&v, path, path.parent().unwrap_or(Path::new(".")))
    }

    /// Build from JSON; relative paths resolve against `base`.
    pub fn from_value(v: &Value, file: &Path, base: &Path) -> Result<GapSettings, SettingsError> {
        let o = v.as_object().ok_or_else(|| {
            serr(
                file,
                "(top level)",
                SettingsErrorKind::BadValue,
                "expected a JSON object",
            )
        })?;
        let mut g = GapGeneral::default();
        if let Some(gs) = o.get("general_settings") {
            let gs = gs.as_object().ok_or_else(|| {
                serr(
                    file,
                    "general_settings",
                    SettingsErrorKind::BadValue,
                    "expected an object",
                )
            })?;
            for (k, x) in gs {
                let f = format!("general_settings.{k}");
                match k.as_str() {
                    "tstart" => g.tstart = num(file, &f, x)?,
                    "tdur" => g.tdur = num(file, &f, x)?,
                    "dt" => g.dt = num(file, &f, x)?,
                    "celsius" => g.celsius = num(file, &f, x)?,
                    "iclamp_amp" => g.iclamp_amp = num(file, &f, x)?,
                    "v_init" => g.v_init = num(file, &f, x)?,
                    "vclamp" => {}
                    _ => {
                        return Err(serr(
                            file,
                            &f,
                            SettingsErrorKind::UnknownField,
                            "expected tstart, tdur, dt, celsius, iclamp_amp, v_init",
                        ))
                    }
                }
            }
        }
        if g.dt <= 0.0 || g.tdur <= 0.0 || g.tstart < 0.0 {
            return Err(serr(
                file,
                "general_settings",
                SettingsErrorKind::BadValue,
                "dt and tdur must be > 0, tstart ≥ 0",
            ));
        }
        let ct = o
            .get("conn_type_settings")
            .and_then(Value::as_object)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                serr(
                    file,
                    "conn_type_settings",
                    SettingsErrorKind::Missing,
                    "missing or empty",
                )
            })?;
        let mut connections = Vec::new();
        for (name, c) in ct {
            let f = |k: &str| format!("conn_type_settings.{name}.{k}");
            let c = c.as_object().ok_or_else(|| {
                serr(
                    file,
                    &f(""),
                    SettingsErrorKind::BadValue,
                    "expected an object",
                )
            })?;
            let cell = c
                .get("cell")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    serr(
                        file,
                        &f("cell"),
                        SettingsErrorKind::Missing,
                        "missing; expected the cell's name",
                    )
                })?
                .to_string();
            let sec_x = c
                .get("sec_x")
                .map(|x| num(file, &f("sec_x"), x))
                .transpose()?
                .unwrap_or(0.5);
            if !(0.0..=1.0).contains(&sec_x) {
                return Err(serr(
                    file,
                    &f("sec_x"),
                    SettingsErrorKind::BadValue,
                    format!("must be in [0, 1], found {sec_x}"),
                ));
            }
            let sec_id = c
                .get("sec_id")
                .map(|x| num(file, &f("sec_id"), x))
                .transpose()?
                .unwrap_or(0.0);
            if sec_id < 0.0 || sec_id.fract() != 0.0 {
                return Err(serr(
                    file,
                    &f("sec_id"),
                    SettingsErrorKind::BadValue,
                    format!("must be a section index ≥ 0, found {sec_id}"),
                ));
            }
            connections.push(GapConnection {
                name: name.clone(),
                cell,
                iclamp_amp: c
                    .get("iclamp_amp")
                    .map(|x| num(file, &f("iclamp_amp"), x))
                    .transpose()?,
                sec_x,
                sec_id: sec_id as usize,
                level_of_detail: c
                    .get("level_of_detail")
                    .and_then(Value::as_str)
                    .unwrap_or("Gap")
                    .to_string(),
            });
        }
        let mut cells = Vec::new();
        if let Some(c) = o.get("cells").and_then(Value::as_object) {
            for (k, p) in c {
                let p = p.as_str().ok_or_else(|| {
                    serr(
                        file,
                        &format!("cells.{k}"),
                        SettingsErrorKind::BadValue,
                        "expected a path",
                    )
                })?;
                cells.push((k.clone(), base.join(p)));
            }
        }
        Ok(GapSettings {
            general: g,
            connections,
            cells,
            source: file.to_path_buf(),
        })
    }
}

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

/// One evaluation of the optimiser.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapEvaluation {
    /// Conductance tried (µS).
    pub g: f64,
    /// Coupling coefficient obtained.
    pub cc: f64,
    /// (cc − target)².
    pub error: f64,
}

/// Result of [`GapJunctionTuner::optimize`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapOptimization {
    /// The conductance found (µS).
    pub optimal_g: f64,
    /// Its coupling coefficient.
    pub achieved_cc: f64,
    /// The target.
    pub target_cc: f64,
    /// (achieved − target)².
    pub error: f64,
    /// Simulations run.
    pub n_simulations: usize,
    /// Every evaluation, in order.
    pub history: Vec<GapEvaluation>,
}

/// The gap-junction tuner.
#[derive(Debug, Clone)]
pub struct GapJunctionTuner {
    reg: Registry,
    settings: GapSettings,
    current: usize,
    cell: CellSpec,
    coupling: GapCoupling,
}

/// A built model whose conductance can be changed between runs.
struct GapModel {
    sim: Simulation,
    gaps: Vec<PointId>,
    coupling: Option<CouplingId>,
    probes: [ProbeId; 3],
    tstop: f64,
}

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
            Some(n) => settings
                .connections
                .iter()
                .position(|c| c.name == n)
                .ok_or_else(|| {
                    TunerError::from(serr(
                        &settings.source,
                        "conn_type_settings",
                        SettingsErrorKind::UnknownConnection,
                        format!(
                            "no connection `{n}`; connections: {}",
                            settings
                                .connections
                                .iter()
                                .map(|c| c.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ))
                })?,
        };
        let conn = &settings.connections[current];
        let path = settings
            .cells
            .iter()
            .find(|(k, _)| *k == conn.cell)
            .map(|(_, p)| p.clone())
            .ok_or_else(|| {
                TunerError::from(serr(
                    &settings.source,
                    &format!("cells.{}", conn.cell),
                    SettingsErrorKind::UnknownCell,
                    format!("no cell description for `{0}`; add \"cells\": {{\"{0}\": \"path/to/{0}.json\"}}", conn.cell),
                ))
            })?;
        let cell = CellSpec::from_file(&path)?;
        cell.check_mechanisms(&reg)?;
        if conn.sec_id >= cell.sections.len() {
            return Err(TunerError::SectionIndex {
                connection: conn.name.clone(),
                sec_id: conn.sec_id,
                cell: cell.name.clone(),
                sections: cell.section_names(),
            });
        }
        let lod = conn.level_of_detail.to_ascii_lowercase();
        if lod != "gap" {
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
        })
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
        check_g(g)?;
        let gen = &self.settings.general;
        let conn = self.connection();
        let sec = self.cell.sections[conn.sec_id].name.clone();
        let soma = self.cell.sections[self.cell.soma_index()].name.clone();
        let mut b = ModelBuilder::new(&self.reg);
        let c1 = b.add_cell(&self.cell)?;
        let c2 = b.add_cell(&self.cell)?;
        b.add_point(
            "IClamp",
            Loc::new(c1, &soma, 0.5),
            &[
                ("del", gen.tstart),
                ("dur", gen.tdur),
                ("amp", self.iclamp_amp()),
            ],
        )?;
        let mut gaps = Vec::new();
        let mut coupling = None;
        match self.coupling {
            GapCoupling::Neuron => {
                let g1 = b.add_point("Gap", Loc::new(c1, &sec, 0.5), &[("g", g)])?;
                let g2 = b.add_point("Gap", Loc::new(c2, &sec, 0.5), &[("g", g)])?;
                b.transfer(Loc::new(c2, &sec, conn.sec_x), g1, "vgap")?;
                b.transfer(Loc::new(c1, &sec, conn.sec_x), g2, "vgap")?;
                gaps = vec![g1, g2];
            }
            GapCoupling::Implicit => {
                coupling = Some(b.couple(
                    Loc::new(c1, &sec, conn.sec_x),
                    Loc::new(c2, &sec, conn.sec_x),
                    g,
                )?);
            }
        }
        let mut sim = b.build(SimOptions {
            dt: gen.dt,
            celsius: gen.celsius,
            secondorder: 0,
            ..SimOptions::default()
        })?;
        let probes = [
            sim.record_time(),
            sim.record(0, &soma, 0.5, "v")?,
            sim.record(1, &soma, 0.5, "v")?,
        ];
        Ok(GapModel {
            sim,
            gaps,
            coupling,
            probes,
            tstop: gen.tstart + gen.tdur + 100.0,
        })
    }

    /// Run at `g`. With `cc_only` the run stops two steps after the end of
    /// the current step: the coupling coefficient reads only samples before
    /// then, and they do not depend on where the run stops.
    fn run_model(&self, m: &mut GapModel, g: f64, cc_only: bool) -> Result<GapRun, TunerError> {
        check_g(g)?;
        for &p in &m.gaps {
            m.sim.set_point_param(p, "g", g)?;
        }
        if let Some(c) = m.coupling {
            m.sim.set_coupling(c, g)?;
        }
        let gen = &self.settings.general;
        let tstop = if cc_only {
            m.tstop.min(gen.tstart + gen.tdur + 2.0 * gen.dt)
        } else {
            m.tstop
        };
        m.sim.run(tstop, gen.v_init)?;
        let (t, v1, v2) = (
            m.sim.take_trace(m.probes[0]),
            m.sim.take_trace(m.probes[1]),
            m.sim.take_trace(m.probes[2]),
        );
        let cc =
            stp_analysis::coupling_coefficient(&t, &v1, &v2, gen.tstart, gen.tstart + gen.tdur)?;
        Ok(GapRun {
            g,
            coupling_coefficient: cc,
            t,
            v1,
            v2,
        })
    }

    /// One run at conductance `g` (µS).
    pub fn run(&self, g: f64) -> Result<GapRun, TunerError> {
        let mut m = self.build(g)?;
        self.run_model(&mut m, g, false)
    }

    /// The coupling coefficient at conductance `g` (µS).
    pub fn coupling_coefficient(&self, g: f64) -> Result<f64, TunerError> {
        let mut m = self.build(g)?;
        Ok(self.run_model(&mut m, g, true)?.coupling_coefficient)
    }

    /// Coupling coefficients for several conductances, in parallel.
    pub fn sweep(&self, gs: &[f64], progress: &(dyn Fn() + Sync)) -> Result<Vec<f64>, TunerError> {
        gs.par_iter()
            .map(|&g| {
                let r = self.coupling_coefficient(g);
                progress();
                r
            })
            .collect()
    }

    /// Find `g` in `[lo, hi]` whose coupling coefficient is `target`; when the
    /// target is outside `[cc(lo), cc(hi)]`, the bound closest to it.
    ///
    /// Two cells joined by `g` have nearly `cc = g / (g + G)` with `G` the
    /// partner's input conductance, so `h(u) = ln(g (1/cc − 1)) − u −
    /// ln(1/target − 1)`, with `u = ln g`, is nearly linear in `u` and its root
    /// is the answer. The search evaluates two conductances at a time (in
    /// parallel): the bounds; then the secant root of `h` and a point just
    /// beside it; then Newton steps on the local slope — typically five
    /// simulations in three rounds, to |cc − target| ≤ 1e-10. If `h` misbehaves
    /// it falls back to bounded Brent root finding on the bracket found so far.
    pub fn optimize(
        &self,
        target: f64,
        lo: f64,
        hi: f64,
        progress: &(dyn Fn() + Sync),
    ) -> Result<GapOptimization, TunerError> {
        if !(target.is_finite() && lo.is_finite() && hi.is_finite() && lo >= 0.0 && lo < hi) {
            return Err(TunerError::BadValue {
                what: format!(
                    "gap-optimize target {target} with bounds [{lo}, {hi}] (need 0 ≤ lo < hi)"
                ),
                value: target,
            });
        }
        const TOL: f64 = 1e-10;
        let history = std::sync::Mutex::new(Vec::<GapEvaluation>::new());
        let eval = |gs: &[f64]| -> Result<Vec<f64>, TunerError> {
            let ccs = gs
                .par_iter()
                .map(|&g| {
                    let cc = self.coupling_coefficient(g);
                    progress();
                    cc
                })
                .collect::<Result<Vec<f64>, TunerError>>()?;
            let mut h = crate::lock(&history);
            for (&g, &cc) in gs.iter().zip(&ccs) {
                h.push(GapEvaluation {
                    g,
                    cc,
                    error: (cc - target).powi(2),
                });
            }
            Ok(ccs)
        };
        let done = |history: std::sync::Mutex<Vec<GapEvaluation>>| {
            let history = history.into_inner().unwrap_or_else(|e| e.into_inner());
            let best = history
                .iter()
                .min_by(|a, b| a.error.total_cmp(&b.error))
                .cloned()
                .expect("at least the bracket was evaluated");
            GapOptimization {
                optimal_g: best.g,
                achieved_cc: best.cc,
                target_cc: target,
                error: best.error,
                n_simulations: history.len(),
                history,
            }
        };
        let ends = eval(&[lo, hi])?;
        let (c_lo, c_hi) = (ends[0], ends[1]);
        let bracketed = (c_lo - target) * (c_hi - target) <= 0.0;
        let model_ok = lo > 0.0 && target > 0.0 && target < 1.0;
        if !bracketed || !model_ok {
            if !bracketed {
                return Ok(done(history));
            }
            return self.brent_fallback(target, lo, hi, &history, progress, done);
        }
        let k = (1.0 / target - 1.0).ln();
        // h(u) for a (g, cc) pair; None when the model does not apply.
        let h = |g: f64, cc: f64| -> Option<f64> {
            let y = g * (1.0 / cc - 1.0);
            (cc > 0.0 && cc < 1.0 && y > 0.0).then(|| y.ln() - g.ln() - k)
        };
        let (Some(h_lo), Some(h_hi)) = (h(lo, c_lo), h(hi, c_hi)) else {
            return self.brent_fallback(target, lo, hi, &history, progress, done);
        };
        let (u_lo, u_hi) = (lo.ln(), hi.ln());
        // Secant root of h through the bounds.
        let mut u = u_lo - h_lo * (u_hi - u_lo) / (h_hi - h_lo);
        let mut step = 1e-4;
        for _ in 0..6 {
            if !(u.is_finite() && u > u_lo && u < u_hi) {
                break;
            }
            let (g1, g2) = (u.exp(), (u + step).exp().min(hi));
            let ccs = eval(&[g1, g2])?;
            if ccs.iter().any(|c| (c - target).abs() <= TOL) {
                return Ok(done(history));
            }
            let (Some(h1), Some(h2)) = (h(g1, ccs[0]), h(g2, ccs[1])) else {
                break;
            };
            let slope = (h2 - h1) / (g2.ln() - g1.ln());
            if !(slope.is_finite() && slope != 0.0) {
                break;
            }
            // Newton from the closer point; the next pair brackets tighter.
            let (ub, hb) = if h1.abs() <= h2.abs() {
                (g1.ln(), h1)
            } else {
                (g2.ln(), h2)
            };
            u = ub - hb / slope;
            step = (hb / slope).abs().clamp(1e-12, 1e-4);
        }
        // The model did not converge: bracket with what was evaluated.
        let (mut a, mut b) = (lo, hi);
        for e in crate::lock(&history).iter() {
            if e.cc <= target && e.g > a && (c_lo <= target) {
                a = e.g;
            }
            if e.cc >= target && e.g < b && (c_hi >= target) {
                b = e.g;
            }
        }
        let (a, b) = if a < b { (a, b) } else { (lo, hi) };
        self.brent_fallback(target, a, b, &history, progress, done)
    }

    /// Bounded Brent root finding on cc(g) − target over [lo, hi] (monotonic
    /// in g), one simulation at a time, adding to `history`.
    fn brent_fallback(
        &self,
        target: f64,
        lo: f64,
        hi: f64,
        history: &std::sync::Mutex<Vec<GapEvaluation>>,
        progress: &(dyn Fn() + Sync),
        done: impl FnOnce(std::sync::Mutex<Vec<GapEvaluation>>) -> GapOptimization,
    ) -> Result<GapOptimization, TunerError> {
        let model = std::sync::Mutex::new(self.build(lo)?);
        let eval = |g: f64| -> Result<f64, TunerError> {
            let mut m = crate::lock(&model);
            let cc = self.run_model(&mut m, g, true)?.coupling_coefficient;
            crate::lock(history).push(GapEvaluation {
                g,
                cc,
                error: (cc - target).powi(2),
            });
            progress();
            Ok(cc - target)
        };
        crate::brent::root(&eval, lo, hi, 1e-12 + 1e-9 * hi, 100)?;
        let h = std::mem::take(&mut *crate::lock(history));
        Ok(done(std::sync::Mutex::new(h)))
    }
}

fn check_g(g: f64) -> Result<(), TunerError> {
    if !(g >= 0.0 && g.is_finite()) {
        return Err(TunerError::BadValue {
            what: "gap conductance g (µS, ≥ 0)".into(),
            value: g,
        });
    }
    Ok(())
}
