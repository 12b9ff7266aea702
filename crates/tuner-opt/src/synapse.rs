//! [`SynapseTuner`]: bmtool's SynapseTuner on cable-core.
//!
//! One post-synaptic cell, one synapse at `(sec_id, sec_x)` with the
//! connection's `spec_syn_param`, driven through a connection with the general
//! settings' threshold, delay and weight. Protocols: a single event at `tstart`;
//! the 8 + 4 train; continuous input; the frequency response (parallel).
//!
//! Two conventions ([`Convention`]):
//!
//! | | `Default` | `Bmtool` |
//! |---|---|---|
//! | voltage clamp | a VClamp at soma(0.5) only in voltage-clamp mode | always there (bmtool leaves it on in current mode too) |
//! | 8 + 4 train | all 12 pulses through one connection (a VecStim playing the times two NetStims would produce) | two NetStims, two connections: per-connection STP state restarts at pulse 9 |
//! | analysis | `stp_analysis` `Default` | `stp_analysis` `Bmtool` (bmtool's arithmetic, quirks included) |
//!
//! Both start every run from `finitialize(v_init)` (NEURON's `h.run()`); bmtool's
//! train mode starts from +70 mV, which its clamp removes within a few steps.

use crate::settings::{Connection, SettingsError, TunerSettings};
use crate::TunerError;
use cable_core::{
    CellSpec, Loc, ModelBuilder, PointId, ProbeId, SimOptions, SimState, Simulation, SourceId,
    Target,
};
use mech_api::{FieldKind, Kind, Registry};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
pub use stp_analysis::{Convention, Kinetics, StpMetrics};

/// bmtool's frequencies for the frequency response (Hz).
pub const BMTOOL_FREQUENCIES: [f64; 16] = [
    1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 20.0, 35.0, 50.0, 100.0, 200.0,
];

/// Recorded traces of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Traces {
    /// Time (ms).
    pub t: Vec<f64>,
    /// Soma voltage at 0.5 (mV).
    pub soma_v: Vec<f64>,
    /// The clamp current (nA, positive inward), when a clamp is present.
    pub i_clamp: Option<Vec<f64>>,
    /// The synapse's current `i` (nA, positive outward).
    pub i_syn: Vec<f64>,
    /// Extra synapse variables, as asked for.
    pub extras: Vec<(String, Vec<f64>)>,
    /// Presynaptic spike times (source side, without the delay).
    pub spikes: Vec<f64>,
    /// The stop time of the run.
    pub tstop: f64,
    /// Whether the analysed current is the clamp's.
    pub clamp_measured: bool,
}

impl Traces {
    /// The analysed ("measured") current: the clamp's in voltage-clamp mode, else
    /// the synapse's.
    pub fn measured(&self) -> &[f64] {
        match (&self.i_clamp, self.clamp_measured) {
            (Some(c), true) => c,
            _ => &self.i_syn,
        }
    }

    /// Columns for CSV output: names and values.
    pub fn columns(&self) -> (Vec<String>, Vec<&[f64]>) {
        let mut names = vec!["t".to_string(), "soma_v".into()];
        let mut cols: Vec<&[f64]> = vec![&self.t, &self.soma_v];
        if let Some(c) = &self.i_clamp {
            names.push("i_clamp".into());
            cols.push(c);
        }
        names.push("i_syn".into());
        cols.push(&self.i_syn);
        for (n, v) in &self.extras {
            names.push(n.clone());
            cols.push(v);
        }
        (names, cols)
    }
}

/// Result of a single event.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleEventResult {
    /// The kinetics.
    pub kinetics: Kinetics,
    /// The traces.
    pub traces: Traces,
}

/// Result of an 8 + 4 train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainResult {
    /// Stimulus frequency (Hz).
    pub freq: f64,
    /// Recovery delay between pulses 8 and 9 (ms).
    pub delay: f64,
    /// Per-pulse amplitudes (pA).
    pub amplitudes_pa: Vec<f64>,
    /// STP metrics.
    pub metrics: StpMetrics,
    /// The traces.
    pub traces: Traces,
}

/// Result of continuous input.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousResult {
    /// Stimulus frequency (Hz).
    pub freq: f64,
    /// Stimulation duration (ms).
    pub duration: f64,
    /// Per-pulse amplitudes (pA).
    pub amplitudes_pa: Vec<f64>,
    /// The traces.
    pub traces: Traces,
}

/// The frequency response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreqResponse {
    /// Frequencies (Hz).
    pub frequencies: Vec<f64>,
    /// Recovery delay (ms).
    pub delay: f64,
    /// a2/a1 per frequency.
    pub ppr: Vec<f64>,
    /// Induction per frequency.
    pub induction: Vec<f64>,
    /// Recovery per frequency.
    pub recovery: Vec<f64>,
    /// a2/a1 per frequency (bmtool 0.8's name).
    pub simple_ppr: Vec<f64>,
    /// (a2 − a1)/p90 per frequency (bmtool 0.8's `ppr`).
    pub stp_initial_p90: Vec<f64>,
    /// bmtool 0.8's induction per frequency.
    pub induction_p90: Vec<f64>,
    /// bmtool 0.8's recovery per frequency.
    pub recovery_p90: Vec<f64>,
}

/// The stimulus of one run.
#[derive(Debug, Clone, Copy)]
enum Stim {
    Single,
    Train { freq: f64, delay: f64 },
    Continuous { freq: f64, duration: f64 },
}

/// The 12 spike times of the 8 + 4 train, computed as NEURON's two NetStims
/// produce them: `t0 = (start + interval) − interval`, `t_{k+1} = t_k + interval`.
pub fn train_times(tstart: f64, freq: f64, delay: f64) -> (Vec<f64>, f64) {
    let interval = 1000.0 / freq;
    let start2 = tstart + (8 - 1) as f64 * interval + delay;
    let mut times = Vec::with_capacity(12);
    let mut t = (tstart + interval) - interval;
    for _ in 0..8 {
        times.push(t);
        t += interval;
    }
    let mut t = (start2 + interval) - interval;
    for _ in 0..4 {
        times.push(t);
        t += interval;
    }
    (times, start2 + 4.0 * interval)
}

/// One row of [`SynapseTuner::table`]: the kinetics and the train metrics.
pub type TableRow = Result<(Kinetics, StpMetrics), TunerError>;

/// bmtool's SynapseTuner.
#[derive(Debug, Clone)]
pub struct SynapseTuner {
    reg: Registry,
    settings: TunerSettings,
    current: usize,
    cells: HashMap<String, CellSpec>,
    convention: Convention,
    vclamp: bool,
    extra: Vec<String>,
    warnings: Vec<String>,
}

/// A train simulated up to just before its first event and saved there (see
/// [`SynapseTuner::train_start`]): trains that differ from it only in the
/// synapse's event-only parameters (`Use`, `Dep`, `Fac` of the STP synapses)
/// are identical up to that point, and continue from it.
#[derive(Debug, Clone)]
pub struct TrainStart {
    freq: f64,
    delay: f64,
    state: SimState,
    /// Everything the run depends on except the event-only parameters.
    key: String,
}

impl TrainStart {
    /// The time at which the state was saved (ms).
    pub fn t(&self) -> f64 {
        self.state.t()
    }
}

/// Handles of one built run.
struct Built {
    sim: Simulation,
    syn: PointId,
    sources: Vec<SourceId>,
    probes: Vec<ProbeId>,
    has_clamp: bool,
    tstop: f64,
}

impl SynapseTuner {
    /// A tuner over `settings`, on connection `connection` (default: the first),
    /// with mechanisms from `reg`. Every post cell named by a connection is loaded
    /// and checked now.
    pub fn new(
        reg: Registry,
        settings: TunerSettings,
        connection: Option<&str>,
        convention: Convention,
    ) -> Result<SynapseTuner, TunerError> {
        let current = match connection {
            Some(n) => {
                settings.connection(n)?;
                settings
                    .connections
                    .iter()
                    .position(|c| c.name == n)
                    .unwrap()
            }
            None => 0,
        };
        let mut t = SynapseTuner {
            vclamp: settings.general.vclamp,
            reg,
            settings,
            current,
            cells: HashMap::new(),
            convention,
            extra: Vec::new(),
            warnings: Vec::new(),
        };
        t.load_cell()?;
        Ok(t)
    }

    fn load_cell(&mut self) -> Result<(), TunerError> {
        let name = self.connection().spec_settings.post_cell.clone();
        if !self.cells.contains_key(&name) {
            let path = self.settings.cell_path(&name)?.to_path_buf();
            let cell = CellSpec::from_file(&path)?;
            cell.check_mechanisms(&self.reg)?;
            self.cells.insert(name, cell);
        }
        self.check_connection()
    }

    /// Check the current connection: section index, mechanism, parameters.
    fn check_connection(&mut self) -> Result<(), TunerError> {
        let conn = self.connection().clone();
        let cell = &self.cells[&conn.spec_settings.post_cell];
        if conn.spec_settings.sec_id >= cell.sections.len() {
            return Err(TunerError::SectionIndex {
                connection: conn.name.clone(),
                sec_id: conn.spec_settings.sec_id,
                cell: cell.name.clone(),
                sections: cell.section_names(),
            });
        }
        let ty = self
            .reg
            .get(&conn.spec_settings.level_of_detail)
            .ok_or_else(|| TunerError::UnknownMechanism {
                connection: conn.name.clone(),
                mechanism: conn.spec_settings.level_of_detail.clone(),
                known: self
                    .reg
                    .types()
                    .iter()
                    .filter(|t| t.info.kind == Kind::Point && t.info.has_net_receive())
                    .map(|t| t.info.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if ty.info.kind != Kind::Point || !ty.info.has_net_receive() {
            return Err(TunerError::NotASynapse {
                connection: conn.name.clone(),
                mechanism: ty.info.name.clone(),
            });
        }
        self.warnings
            .retain(|w| !w.starts_with(&format!("{}: ", conn.name)));
        for (k, _) in conn.numeric_params() {
            let ok = ty
                .info
                .field_index(&k)
                .is_some_and(|f| ty.info.fields[f].kind == FieldKind::Parameter);
            if !ok {
                // bmtool prints a warning and skips such keys.
                self.warnings.push(format!(
                    "{}: `{k}` is not a parameter of {} and is ignored",
                    conn.name, ty.info.name
                ));
            }
        }
        for v in &self.extra {
            if ty.info.field_index(v).is_none() {
                return Err(TunerError::UnknownVariable {
                    mechanism: ty.info.name.clone(),
                    name: v.clone(),
                    known: ty
                        .info
                        .fields
                        .iter()
                        .map(|f| f.name.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        Ok(())
    }

    /// The current connection.
    pub fn connection(&self) -> &Connection {
        &self.settings.connections[self.current]
    }

    /// The settings (with any overrides applied).
    pub fn settings(&self) -> &TunerSettings {
        &self.settings
    }

    /// The convention in use.
    pub fn convention(&self) -> Convention {
        self.convention
    }

    /// Warnings collected while checking connections (ignored parameters).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Switch to another connection.
    pub fn switch_connection(&mut self, name: &str) -> Result<(), TunerError> {
        self.settings.connection(name)?;
        let previous = self.current;
        self.current = self
            .settings
            .connections
            .iter()
            .position(|c| c.name == name)
            .unwrap();
        if let Err(e) = self.load_cell() {
            self.current = previous;
            return Err(e);
        }
        Ok(())
    }

    /// Voltage-clamp mode on or off (default: `general_settings.vclamp`).
    pub fn set_vclamp(&mut self, on: bool) {
        self.vclamp = on;
    }

    /// Whether voltage-clamp mode is on.
    pub fn vclamp(&self) -> bool {
        self.vclamp
    }

    /// Set a synaptic parameter of the current connection by name.
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<(), TunerError> {
        let mech = self.connection().spec_settings.level_of_detail.clone();
        let ty = self.synapse_type();
        let ok = ty
            .info
            .field_index(name)
            .is_some_and(|f| ty.info.fields[f].kind == FieldKind::Parameter);
        if !ok {
            return Err(TunerError::UnknownParameter {
                mechanism: mech,
                name: name.to_string(),
                known: ty.info.parameter_names().join(", "),
            });
        }
        if !value.is_finite() {
            return Err(TunerError::BadValue {
                what: format!("{mech}.{name}"),
                value,
            });
        }
        self.settings.connections[self.current].set_param(name, value);
        Ok(())
    }

    /// The current value of a synaptic parameter (given, or the mechanism's default).
    pub fn param(&self, name: &str) -> Option<f64> {
        if let Some((_, v)) = self
            .connection()
            .numeric_params()
            .into_iter()
            .find(|(k, _)| k == name)
        {
            return Some(v);
        }
        let ty = self.synapse_type();
        ty.info.field_index(name).map(|f| ty.info.fields[f].default)
    }

    /// The current connection's synapse type (checked when it was loaded).
    fn synapse_type(&self) -> &mech_api::MechType {
        self.reg
            .get(&self.connection().spec_settings.level_of_detail)
            .expect("checked when the connection was loaded")
    }

    /// Record extra synapse variables (`record_Pr`, `record_use`, ...).
    pub fn set_extra_records(&mut self, vars: &[String]) -> Result<(), TunerError> {
        let old = std::mem::replace(&mut self.extra, vars.to_vec());
        if let Err(e) = self.check_connection() {
            self.extra = old;
            return Err(e);
        }
        Ok(())
    }

    fn synapse_params(&self) -> Vec<(String, f64)> {
        let ty = self.synapse_type();
        self.connection()
            .numeric_params()
            .into_iter()
            .filter(|(k, _)| {
                ty.info
                    .field_index(k)
                    .is_some_and(|f| ty.info.fields[f].kind == FieldKind::Parameter)
            })
            .collect()
    }

    fn build(&self, stim: Stim) -> Result<Built, TunerError> {
        let conn = self.connection();
        let g = &self.settings.general;
        let cell = &self.cells[&conn.spec_settings.post_cell];
        let bmtool = self.convention == Convention::Bmtool;
        let mut b = ModelBuilder::new(&self.reg);
        let c = b.add_cell(cell)?;
        let sec = cell.sections[conn.spec_settings.sec_id].name.clone();
        let params = self.synapse_params();
        let refs: Vec<(&str, f64)> = params.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let syn = b.add_point(
            &conn.spec_settings.level_of_detail,
            Loc::new(c, &sec, conn.spec_settings.sec_x),
            &refs,
        )?;
        let tstop = match stim {
            Stim::Single => g.tstart + g.tdur,
            Stim::Train { freq, delay } => train_times(g.tstart, freq, delay).1,
            Stim::Continuous { duration, .. } => g.tstart + duration + 300.0,
        };
        let soma = cell.sections[cell.soma_index()].name.clone();
        let has_clamp = bmtool || self.vclamp;
        let mut clamp = None;
        if has_clamp {
            let a = conn.spec_settings.vclamp_amp;
            clamp = Some(b.add_point(
                "VClamp",
                Loc::new(c, &soma, 0.5),
                &[
                    ("dur[0]", g.tstart),
                    ("dur[1]", tstop),
                    ("dur[2]", 1e9),
                    ("amp[0]", a),
                    ("amp[1]", a),
                    ("amp[2]", a),
                ],
            )?);
        }
        let mut sources = Vec::new();
        let mut vecstim = None;
        let netstim = |b: &mut ModelBuilder, p: &[(&str, f64)]| -> Result<SourceId, TunerError> {
            let a = b.add_artificial("NetStim", p)?;
            let s = b.artificial_source(a)?;
            b.connect(s, Target::Point(syn), g.delay, &[g.weight])?;
            Ok(s)
        };
        match stim {
            Stim::Single => {
                sources.push(netstim(
                    &mut b,
                    &[
                        ("start", g.tstart),
                        ("number", 1.0),
                        ("interval", g.tdur),
                        ("noise", 0.0),
                    ],
                )?);
                if bmtool {
                    // bmtool's second stimulator, parked at tstop.
                    sources.push(netstim(&mut b, &[("start", tstop), ("noise", 0.0)])?);
                }
            }
            Stim::Train { freq, delay } => {
                let interval = 1000.0 / freq;
                if bmtool {
                    let start2 = g.tstart + (8 - 1) as f64 * interval + delay;
                    sources.push(netstim(
                        &mut b,
                        &[
                            ("start", g.tstart),
                            ("interval", interval),
                            ("number", 8.0),
                            ("noise", 0.0),
                        ],
                    )?);
                    sources.push(netstim(
                        &mut b,
                        &[
                            ("start", start2),
                            ("interval", interval),
                            ("number", 4.0),
                            ("noise", 0.0),
                        ],
                    )?);
                } else {
                    let (times, _) = train_times(g.tstart, freq, delay);
                    let a = b.add_artificial("VecStim", &[])?;
                    let s = b.artificial_source(a)?;
                    b.connect(s, Target::Point(syn), g.delay, &[g.weight])?;
                    sources.push(s);
                    vecstim = Some((a, times));
                }
            }
            Stim::Continuous { freq, duration } => {
                let number = (duration / 1000.0 * freq + 1.0).ceil();
                sources.push(netstim(
                    &mut b,
                    &[
                        ("start", g.tstart),
                        ("interval", 1000.0 / freq),
                        ("number", number),
                        ("noise", 0.0),
                    ],
                )?);
                if bmtool {
                    sources.push(netstim(&mut b, &[("number", 0.0), ("noise", 0.0)])?);
                }
            }
        }
        let mut sim = b.build(SimOptions {
            dt: g.dt,
            celsius: g.celsius,
            secondorder: 0,
            ..SimOptions::default()
        })?;
        if let Some((a, times)) = &vecstim {
            sim.set_artificial_vector(*a, times.clone())?;
        }
        for &s in &sources {
            sim.record_spikes(s)?;
        }
        let mut probes = vec![sim.record_time(), sim.record(0, &soma, 0.5, "v")?];
        if let Some(cl) = clamp {
            probes.push(sim.record_point(cl, "i")?);
        }
        probes.push(sim.record_point(syn, "i")?);
        for v in &self.extra {
            probes.push(sim.record_point(syn, v)?);
        }
        Ok(Built {
            sim,
            syn,
            sources,
            probes,
            has_clamp,
            tstop,
        })
    }

    fn run(&self, stim: Stim) -> Result<Traces, TunerError> {
        let mut bt = self.build(stim)?;
        bt.sim.run(bt.tstop, self.settings.general.v_init)?;
        self.collect(bt)
    }

    /// The synapse's parameters that only NET_RECEIVE reads
    /// (`mech_api::FieldInfo::event_only`).
    pub fn event_only_params(&self) -> Vec<String> {
        self.synapse_type()
            .info
            .fields
            .iter()
            .filter(|f| f.event_only)
            .map(|f| f.name.clone())
            .collect()
    }

    /// What a run depends on apart from the event-only parameters.
    fn start_key(&self) -> String {
        let eo = self.event_only_params();
        let params: Vec<(String, f64)> = self
            .synapse_params()
            .into_iter()
            .filter(|(k, _)| !eo.contains(k))
            .collect();
        format!(
            "{:?}|{:?}|{:?}|{:?}|{}|{:?}|{:?}",
            self.connection().name,
            self.settings.general,
            self.connection().spec_settings,
            self.convention,
            self.vclamp,
            self.extra,
            params
        )
    }

    /// Simulate the `freq` Hz train up to just before its first event and
    /// save the state there, for [`SynapseTuner::train_from`].
    pub fn train_start(&self, freq: f64, delay: f64) -> Result<TrainStart, TunerError> {
        check_train(freq, delay)?;
        let g = &self.settings.general;
        // The synapse's first event arrives at tstart + delay; at t = 0 it
        // would be delivered by finitialize itself, before any save.
        let first = g.tstart + g.delay;
        if first.is_nan() || first <= 0.0 {
            return Err(TunerError::BadValue {
                what: "tstart + delay (ms) for a saved train start (need > 0)".into(),
                value: first,
            });
        }
        let mut bt = self.build(Stim::Train { freq, delay })?;
        bt.sim.finitialize(g.v_init)?;
        // The last step boundary from which the next step delivers nothing.
        let stop = bt
            .sim
            .next_event_time()
            .map_or(bt.tstop, |te| te - g.dt)
            .min(bt.tstop);
        bt.sim.continuerun(stop)?;
        Ok(TrainStart {
            freq,
            delay,
            state: bt.sim.save_state()?,
            key: self.start_key(),
        })
    }

    /// The train of [`SynapseTuner::train`], continued from `start` when this
    /// tuner differs from the one that saved it only in event-only parameters
    /// (bit-identical to simulating it whole; otherwise it is simulated whole).
    pub fn train_from(&self, start: &TrainStart) -> Result<TrainResult, TunerError> {
        let (freq, delay) = (start.freq, start.delay);
        if start.key != self.start_key() {
            return self.train(freq, delay);
        }
        let mut bt = self.build(Stim::Train { freq, delay })?;
        bt.sim.restore_state(&start.state)?;
        // Every event-only parameter takes this tuner's value (its setting,
        // else the mechanism's default), whatever the saved run had.
        for name in self.event_only_params() {
            if let Some(v) = self.param(&name) {
                bt.sim.set_point_param(bt.syn, &name, v)?;
            }
        }
        bt.sim.continuerun(bt.tstop)?;
        let traces = self.collect(bt)?;
        self.train_result(freq, delay, traces)
    }

    fn collect(&self, mut bt: Built) -> Result<Traces, TunerError> {
        let mut spikes = Vec::new();
        for &s in &bt.sources {
            spikes.extend_from_slice(bt.sim.spikes(s)?);
        }
        spikes.sort_by(f64::total_cmp);
        let mut tr = |k: usize| bt.sim.take_trace(bt.probes[k]);
        let mut k = 2;
        let i_clamp = if bt.has_clamp {
            k += 1;
            Some(tr(2))
        } else {
            None
        };
        let i_syn = tr(k);
        let extras = self
            .extra
            .iter()
            .enumerate()
            .map(|(j, n)| (n.clone(), tr(k + 1 + j)))
            .collect();
        Ok(Traces {
            t: tr(0),
            soma_v: tr(1),
            i_clamp,
            i_syn,
            extras,
            spikes,
            tstop: bt.tstop,
            clamp_measured: self.vclamp,
        })
    }

    /// A single event at `tstart` (bmtool's `SingleEvent`).
    pub fn single_event(&self) -> Result<SingleEventResult, TunerError> {
        let traces = self.run(Stim::Single)?;
        let g = &self.settings.general;
        let event_time = *traces.spikes.first().ok_or(TunerError::NoEvent)?;
        let opts = stp_analysis::EventOptions {
            dt: g.dt,
            event_time,
            tstart: g.tstart,
            tdur: g.tdur,
            rise_interval: g.rise_interval,
            convention: self.convention,
        };
        let kinetics =
            stp_analysis::single_event(&traces.t, traces.measured(), &traces.i_syn, &opts)?;
        Ok(SingleEventResult { kinetics, traces })
    }

    fn amplitudes(&self, traces: &Traces) -> Result<Vec<f64>, TunerError> {
        let g = &self.settings.general;
        let opts = stp_analysis::TrainOptions {
            dt: g.dt,
            delay: g.delay,
            tstop: traces.tstop,
            convention: self.convention,
        };
        Ok(stp_analysis::pulse_amplitudes(
            &traces.t,
            traces.measured(),
            &traces.i_syn,
            &traces.spikes,
            &opts,
        )?)
    }

    /// The 8 + 4 train at `freq` Hz with `delay` ms between pulses 8 and 9.
    pub fn train(&self, freq: f64, delay: f64) -> Result<TrainResult, TunerError> {
        check_train(freq, delay)?;
        let traces = self.run(Stim::Train { freq, delay })?;
        self.train_result(freq, delay, traces)
    }

    fn train_result(
        &self,
        freq: f64,
        delay: f64,
        traces: Traces,
    ) -> Result<TrainResult, TunerError> {
        let amplitudes_pa = self.amplitudes(&traces)?;
        let metrics = stp_analysis::stp_metrics(&amplitudes_pa)?;
        Ok(TrainResult {
            freq,
            delay,
            amplitudes_pa,
            metrics,
            traces,
        })
    }

    /// Pulses at `freq` Hz for `duration` ms (bmtool's continuous input mode).
    pub fn continuous(&self, freq: f64, duration: f64) -> Result<ContinuousResult, TunerError> {
        check_freq(freq)?;
        if !(duration > 0.0 && duration.is_finite()) {
            return Err(TunerError::BadValue {
                what: "duration (ms)".into(),
                value: duration,
            });
        }
        let traces = self.run(Stim::Continuous { freq, duration })?;
        let amplitudes_pa = self.amplitudes(&traces)?;
        Ok(ContinuousResult {
            freq,
            duration,
            amplitudes_pa,
            traces,
        })
    }

    /// The train metrics over a list of frequencies, run in parallel;
    /// `progress` is called once per finished frequency.
    pub fn freq_response(
        &self,
        freqs: &[f64],
        delay: f64,
        progress: &(dyn Fn() + Sync),
    ) -> Result<FreqResponse, TunerError> {
        if freqs.is_empty() {
            return Err(TunerError::BadValue {
                what: "number of frequencies".into(),
                value: 0.0,
            });
        }
        for &f in freqs {
            check_freq(f)?;
        }
        // Longest trains first, each taken by the next free thread (greedy
        // list scheduling): the 1 Hz train alone is a third of the work, and
        // rayon's halving of the list would pair it with the next longest.
        let g = &self.settings.general;
        let mut order: Vec<usize> = (0..freqs.len()).collect();
        let length = |f: f64| train_times(g.tstart, f, delay).1;
        order.sort_by(|&a, &b| length(freqs[b]).total_cmp(&length(freqs[a])));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done = std::sync::Mutex::new(Vec::with_capacity(freqs.len()));
        let workers = rayon::current_num_threads().clamp(1, freqs.len());
        rayon::scope(|s| {
            for _ in 0..workers {
                s.spawn(|_| loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&i) = order.get(k) else { break };
                    let r = self.train(freqs[i], delay).map(|r| r.metrics);
                    progress();
                    crate::lock(&done).push((i, r));
                });
            }
        });
        let mut results = done.into_inner().unwrap_or_else(|e| e.into_inner());
        results.sort_by_key(|(i, _)| *i);
        let mut out = FreqResponse {
            frequencies: freqs.to_vec(),
            delay,
            ppr: Vec::new(),
            induction: Vec::new(),
            recovery: Vec::new(),
            simple_ppr: Vec::new(),
            stp_initial_p90: Vec::new(),
            induction_p90: Vec::new(),
            recovery_p90: Vec::new(),
        };
        for (_, r) in results {
            let m = r?;
            out.ppr.push(m.ppr);
            out.induction.push(m.induction);
            out.recovery.push(m.recovery);
            out.simple_ppr.push(m.simple_ppr);
            out.stp_initial_p90.push(m.stp_initial_p90);
            out.induction_p90.push(m.induction_p90);
            out.recovery_p90.push(m.recovery_p90);
        }
        Ok(out)
    }

    /// One row per connection: kinetics of the single event and the train
    /// metrics at `freq`/`delay` (bmtool's `generate_synaptic_table`).
    pub fn table(&self, freq: f64, delay: f64) -> Vec<(String, TableRow)> {
        let names = self.settings.connection_names();
        names
            .par_iter()
            .map(|n| {
                let row = (|| {
                    let mut t = self.clone();
                    t.switch_connection(n)?;
                    let k = t.single_event()?.kinetics;
                    let m = t.train(freq, delay)?.metrics;
                    Ok((k, m))
                })();
                (n.clone(), row)
            })
            .collect()
    }
}

fn check_train(freq: f64, delay: f64) -> Result<(), TunerError> {
    check_freq(freq)?;
    if !(delay >= 0.0 && delay.is_finite()) {
        return Err(TunerError::BadValue {
            what: "train delay (ms)".into(),
            value: delay,
        });
    }
    Ok(())
}

fn check_freq(freq: f64) -> Result<(), TunerError> {
    if !(freq > 0.0 && freq.is_finite() && freq <= 10_000.0) {
        return Err(TunerError::BadValue {
            what: "frequency (Hz, 0 < f ≤ 10000)".into(),
            value: freq,
        });
    }
    Ok(())
}

impl From<SettingsError> for TunerError {
    fn from(e: SettingsError) -> Self {
        TunerError::Settings(Box::new(e))
    }
}
