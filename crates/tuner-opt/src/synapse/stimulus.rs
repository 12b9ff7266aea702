//! How a run of the synapse tuner is built: the cell, the synapse, the clamp,
//! the stimulators of each protocol, the recordings.

use super::{Measure, SynapseTuner, Traces};
use crate::TunerError;
use cable_core::{
    ArtId, CellId, Loc, ModelBuilder, PointId, ProbeId, SimOptions, Simulation, SourceId, Target,
};
use stp_analysis::Convention;

/// The stimulus of one run.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stim {
    /// bmtool's `SingleEvent`.
    Single,
    /// The 8 + 4 train.
    Train { freq: f64, delay: f64 },
    /// Continuous input.
    Continuous { freq: f64, duration: f64 },
}

impl Stim {
    /// The kind of run, whatever its numbers: runs of one kind have the same
    /// stimulator mechanisms and start voltage.
    pub(super) fn kind(self) -> &'static str {
        match self {
            Stim::Single => "single event",
            Stim::Train { .. } => "train",
            Stim::Continuous { .. } => "continuous input",
        }
    }
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

/// A VecStim and the spike times it plays.
type VecStimTimes = (ArtId, Vec<f64>);

/// What one run (a lane) adds to a model: its cell, synapse, clamp,
/// stimulators and stop time.
pub(super) struct LaneParts {
    pub cell: CellId,
    pub soma: String,
    pub syn: PointId,
    pub clamp: Option<PointId>,
    pub sources: Vec<SourceId>,
    pub vecstim: Option<VecStimTimes>,
    pub tstop: f64,
}

/// Handles of one built run: the simulation, its one lane and the lane's
/// recordings.
pub(super) struct Built {
    pub sim: Simulation,
    pub lane: LaneParts,
    pub probes: Vec<ProbeId>,
}

impl SynapseTuner {
    /// The model of one run: the post cell, the synapse, the clamp, the
    /// stimulators and the recordings, in the order bmtool creates them.
    pub(super) fn build(&self, stim: Stim) -> Result<Built, TunerError> {
        let mut b = ModelBuilder::new(&self.reg);
        let lane = self.add_lane(&mut b, stim)?;
        let mut sim = self.build_sim(b, std::slice::from_ref(&lane))?;
        let probes = self.add_records(&mut sim, &lane)?;
        Ok(Built { sim, lane, probes })
    }

    /// One run's cell, synapse, clamp and stimulus added to `b`.
    pub(super) fn add_lane(
        &self,
        b: &mut ModelBuilder,
        stim: Stim,
    ) -> Result<LaneParts, TunerError> {
        let (syn, soma, cell) = self.add_cell_and_synapse(b)?;
        let tstop = self.tstop(stim);
        let clamp = self.add_clamp(b, cell, &soma, tstop)?;
        let (sources, vecstim) = self.add_stimulators(b, syn, stim, tstop)?;
        Ok(LaneParts {
            cell,
            soma,
            syn,
            clamp,
            sources,
            vecstim,
            tstop,
        })
    }

    /// The simulation of the lanes added to `b`, their VecStim times set.
    pub(super) fn build_sim(
        &self,
        b: ModelBuilder,
        lanes: &[LaneParts],
    ) -> Result<Simulation, TunerError> {
        let g = &self.settings.general;
        let mut sim = b.build(SimOptions {
            dt: g.dt,
            celsius: self.cell().celsius.unwrap_or(g.celsius),
            secondorder: 0,
            ..SimOptions::default()
        })?;
        for lane in lanes {
            if let Some((a, times)) = &lane.vecstim {
                sim.set_artificial_vector(*a, times.clone())?;
            }
        }
        if let Some(c) = &self.cancel {
            sim.set_cancel(c.clone());
        }
        Ok(sim)
    }

    /// The post cell and the synapse with the connection's parameters; the
    /// soma's name and the cell's id.
    fn add_cell_and_synapse(
        &self,
        b: &mut ModelBuilder,
    ) -> Result<(PointId, String, CellId), TunerError> {
        let conn = self.connection();
        let cell = &self.cells[&conn.spec_settings.post_cell];
        let c = b.add_cell(cell)?;
        let sec = cell.sections[conn.spec_settings.sec_id].name.clone();
        let params = self.synapse_params();
        let refs: Vec<(&str, f64)> = params.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let syn = b.add_point(
            &conn.spec_settings.level_of_detail,
            Loc::new(c, &sec, conn.spec_settings.sec_x),
            &refs,
        )?;
        let soma = cell.sections[cell.soma_index()].name.clone();
        Ok((syn, soma, c))
    }

    /// When the run of `stim` stops (ms).
    pub(super) fn tstop(&self, stim: Stim) -> f64 {
        let g = &self.settings.general;
        match stim {
            Stim::Single => g.tstart + g.tdur,
            Stim::Train { freq, delay } => train_times(g.tstart, freq, delay).1,
            Stim::Continuous { duration, .. } => g.tstart + duration + 300.0,
        }
    }

    /// bmtool's VClamp at soma(0.5) holding `vclamp_amp`: in voltage-clamp
    /// mode, and always under bmtool's convention.
    fn add_clamp(
        &self,
        b: &mut ModelBuilder,
        c: CellId,
        soma: &str,
        tstop: f64,
    ) -> Result<Option<PointId>, TunerError> {
        if !self.has_clamp() {
            return Ok(None);
        }
        let g = &self.settings.general;
        let a = self.connection().spec_settings.vclamp_amp;
        let clamp = b.add_point(
            "VClamp",
            Loc::new(c, soma, 0.5),
            &[
                ("dur[0]", g.tstart),
                ("dur[1]", tstop),
                ("dur[2]", 1e9),
                ("amp[0]", a),
                ("amp[1]", a),
                ("amp[2]", a),
            ],
        )?;
        Ok(Some(clamp))
    }

    /// A NetStim with `p` connected to the synapse with the general settings'
    /// delay and weight.
    fn netstim(
        &self,
        b: &mut ModelBuilder,
        syn: PointId,
        p: &[(&str, f64)],
    ) -> Result<SourceId, TunerError> {
        let g = &self.settings.general;
        let a = b.add_artificial("NetStim", p)?;
        let s = b.artificial_source(a)?;
        b.connect(s, Target::Point(syn), g.delay, &[g.weight])?;
        Ok(s)
    }

    /// The stimulators of `stim`; a VecStim and the times it plays, when the
    /// train is one connection.
    fn add_stimulators(
        &self,
        b: &mut ModelBuilder,
        syn: PointId,
        stim: Stim,
        tstop: f64,
    ) -> Result<(Vec<SourceId>, Option<VecStimTimes>), TunerError> {
        let g = &self.settings.general;
        let bmtool = self.convention == Convention::Bmtool;
        let mut sources = Vec::new();
        let mut vecstim = None;
        match stim {
            Stim::Single => {
                let p = [
                    ("start", g.tstart),
                    ("number", 1.0),
                    ("interval", g.tdur),
                    ("noise", 0.0),
                ];
                sources.push(self.netstim(b, syn, &p)?);
                if bmtool {
                    // bmtool's second stimulator, parked at tstop.
                    sources.push(self.netstim(b, syn, &[("start", tstop), ("noise", 0.0)])?);
                }
            }
            Stim::Train { freq, delay } if bmtool => {
                // Two NetStims, two connections: per-connection state restarts at pulse 9.
                let interval = 1000.0 / freq;
                let start2 = g.tstart + (8 - 1) as f64 * interval + delay;
                for (start, number) in [(g.tstart, 8.0), (start2, 4.0)] {
                    let p = [
                        ("start", start),
                        ("interval", interval),
                        ("number", number),
                        ("noise", 0.0),
                    ];
                    sources.push(self.netstim(b, syn, &p)?);
                }
            }
            Stim::Train { freq, delay } => {
                let (times, _) = train_times(g.tstart, freq, delay);
                let a = b.add_artificial("VecStim", &[])?;
                let s = b.artificial_source(a)?;
                b.connect(s, Target::Point(syn), g.delay, &[g.weight])?;
                sources.push(s);
                vecstim = Some((a, times));
            }
            Stim::Continuous { freq, duration } => {
                let number = (duration / 1000.0 * freq + 1.0).ceil();
                let p = [
                    ("start", g.tstart),
                    ("interval", 1000.0 / freq),
                    ("number", number),
                    ("noise", 0.0),
                ];
                sources.push(self.netstim(b, syn, &p)?);
                if bmtool {
                    sources.push(self.netstim(b, syn, &[("number", 0.0), ("noise", 0.0)])?);
                }
            }
        }
        Ok((sources, vecstim))
    }

    /// Record a lane's spikes, time, soma voltage, the clamp's and the
    /// synapse's current and the extra variables (in the order
    /// [`Self::collect_from`] takes them).
    pub(super) fn add_records(
        &self,
        sim: &mut Simulation,
        lane: &LaneParts,
    ) -> Result<Vec<ProbeId>, TunerError> {
        for &s in &lane.sources {
            sim.record_spikes(s)?;
        }
        let mut probes = vec![
            sim.record_time(),
            sim.record(lane.cell.0, &lane.soma, 0.5, "v")?,
        ];
        if let Some(cl) = lane.clamp {
            probes.push(sim.record_point(cl, "i")?);
        }
        probes.push(sim.record_point(lane.syn, &self.current_name)?);
        for v in &self.extra {
            probes.push(sim.record_point(lane.syn, v)?);
        }
        Ok(probes)
    }

    /// Whether a clamp is in the model: in voltage-clamp mode, and always
    /// under bmtool's convention.
    pub(super) fn has_clamp(&self) -> bool {
        self.convention == Convention::Bmtool || self.vclamp
    }

    /// Whether the responses are measured on the clamp's current.
    pub(super) fn measures_clamp(&self) -> bool {
        match self.measure {
            None => self.vclamp,
            Some(Measure::Clamp) => true,
            Some(Measure::Synapse) => false,
        }
    }

    /// The voltage a run of `stim` starts from: `v_init`, except bmtool's
    /// trains and continuous input (`_simulate_model`'s `finitialize(70 * mV)`).
    pub(super) fn start_v(&self, stim: Stim) -> f64 {
        match stim {
            Stim::Train { .. } | Stim::Continuous { .. }
                if self.convention == Convention::Bmtool =>
            {
                70.0
            }
            _ => self.settings.general.v_init,
        }
    }

    /// The traces of a finished run.
    pub(super) fn collect(&self, mut bt: Built) -> Result<Traces, TunerError> {
        self.collect_from(&mut bt.sim, &bt.lane, &bt.probes)
    }

    /// The traces of one lane of a finished run: its spikes and the probes
    /// `add_records` made for it.
    pub(super) fn collect_from(
        &self,
        sim: &mut Simulation,
        lane: &LaneParts,
        probes: &[ProbeId],
    ) -> Result<Traces, TunerError> {
        let mut spikes = Vec::new();
        for &s in &lane.sources {
            spikes.extend_from_slice(sim.spikes(s)?);
        }
        spikes.sort_by(f64::total_cmp);
        let mut tr = |k: usize| sim.take_trace(probes[k]);
        let mut k = 2;
        let i_clamp = if lane.clamp.is_some() {
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
            tstop: lane.tstop,
            clamp_measured: self.measures_clamp(),
        })
    }
}
