//! Saved train starts: a train simulated up to just before its first event,
//! from which trains differing only in event-only parameters continue, one
//! per simulation or several side by side in lanes.

use super::lanes::BuiltLanes;
use super::runs::check_train;
use super::stimulus::Stim;
use super::{SynapseTuner, TrainResult, TRAIN_LANES};
use crate::TunerError;
use cable_core::SimState;

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
    /// How many copies of the train the saved simulation holds (lanes).
    lanes: usize,
}

impl TrainStart {
    /// The time at which the state was saved (ms).
    pub fn t(&self) -> f64 {
        self.state.t()
    }

    /// How many trains continue from this start in one simulation (see
    /// [`SynapseTuner::train_start_lanes`]).
    pub fn lanes(&self) -> usize {
        self.lanes
    }
}

impl SynapseTuner {
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
    pub(super) fn start_key(&self) -> String {
        let eo = self.event_only_params();
        let params: Vec<(String, f64)> = self
            .synapse_params()
            .into_iter()
            .filter(|(k, _)| !eo.contains(k))
            .collect();
        format!(
            "{:?}|{:?}|{:?}|{:?}|{}|{:?}|{:?}|{:?}|{:?}",
            self.connection().name,
            self.settings.general,
            self.connection().spec_settings,
            self.convention,
            self.vclamp,
            self.extra,
            params,
            self.current_name,
            self.measure
        )
    }

    /// Simulate the `freq` Hz train up to just before its first event and
    /// save the state there, for [`SynapseTuner::train_from`].
    pub fn train_start(&self, freq: f64, delay: f64) -> Result<TrainStart, TunerError> {
        self.train_start_lanes(freq, delay, 1)
    }

    /// [`Self::train_start`] for `lanes` trains side by side in one
    /// simulation (1 to [`TRAIN_LANES`]): [`SynapseTuner::trains_from`]
    /// continues that many trains at once from it, each in its own lane.
    pub fn train_start_lanes(
        &self,
        freq: f64,
        delay: f64,
        lanes: usize,
    ) -> Result<TrainStart, TunerError> {
        check_train(freq, delay)?;
        if self.draws_random() {
            return Err(TunerError::DrawsRandom(self.connection().name.clone()));
        }
        if !(1..=TRAIN_LANES).contains(&lanes) {
            return Err(TunerError::BadValue {
                what: format!("lanes of a saved train start (need 1 to {TRAIN_LANES})"),
                value: lanes as f64,
            });
        }
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
        let stim = Stim::Train { freq, delay };
        self.check_work(&self.run_work(stim, lanes as f64))?;
        let mut bl = self.build_lanes(&vec![stim; lanes])?;
        bl.sim.finitialize(self.start_v(stim))?;
        let tstop = bl.lanes[0].tstop;
        // The last step boundary from which the next step delivers nothing.
        let stop = bl
            .sim
            .next_event_time()
            .map_or(tstop, |te| te - g.dt)
            .min(tstop);
        bl.sim.continuerun(stop)?;
        Ok(TrainStart {
            freq,
            delay,
            state: bl.sim.save_state()?,
            key: self.start_key(),
            lanes,
        })
    }

    /// The train of [`SynapseTuner::train`], continued from `start` when this
    /// tuner differs from the one that saved it only in event-only parameters
    /// (bit-identical to simulating it whole; otherwise it is simulated whole).
    pub fn train_from(&self, start: &TrainStart) -> Result<TrainResult, TunerError> {
        let mut r = Self::trains_from(start, &[self])?;
        Ok(r.remove(0))
    }

    /// [`SynapseTuner::train_from`] for each of `tuners`, in order, each
    /// result bit-identical to that tuner's train simulated whole. The tuners
    /// that `start` applies to continue from it `start.lanes()` at a time, one
    /// per lane of one simulation (a last, partial group fills its spare lanes
    /// with a copy of its last train); the others are simulated whole.
    pub fn trains_from(
        start: &TrainStart,
        tuners: &[&SynapseTuner],
    ) -> Result<Vec<TrainResult>, TunerError> {
        let (freq, delay) = (start.freq, start.delay);
        let (fits, whole): (Vec<usize>, Vec<usize>) =
            (0..tuners.len()).partition(|&i| tuners[i].start_key() == start.key);
        let mut out: Vec<Option<TrainResult>> = (0..tuners.len()).map(|_| None).collect();
        for &i in &whole {
            out[i] = Some(tuners[i].train(freq, delay)?);
        }
        for group in fits.chunks(start.lanes) {
            let lanes: Vec<&SynapseTuner> = (0..start.lanes)
                .map(|k| tuners[group[k.min(group.len() - 1)]])
                .collect();
            let results = continue_lanes(start, &lanes)?;
            for (&i, r) in group.iter().zip(results) {
                out[i] = Some(r);
            }
        }
        Ok(out
            .into_iter()
            .map(|r| r.expect("every tuner ran"))
            .collect())
    }

    /// [`SynapseTuner::trains_from`], but each train keeps its own outcome:
    /// if the shared simulation fails, each train is simulated whole, alone,
    /// and gives its own result or error.
    pub fn try_trains_from(
        start: &TrainStart,
        tuners: &[&SynapseTuner],
    ) -> Vec<Result<TrainResult, TunerError>> {
        match Self::trains_from(start, tuners) {
            Ok(rs) => rs.into_iter().map(Ok).collect(),
            Err(_) => tuners
                .iter()
                .map(|t| t.train(start.freq, start.delay))
                .collect(),
        }
    }

    /// The trains of `tuners`, one result each in order (as
    /// [`SynapseTuner::try_trains_from`] gives it), on every core. With more
    /// trains than threads and a start saved in lanes (`lanes`, of the same
    /// train as `one`), each thread's share runs up to `lanes.lanes()` trains
    /// per simulation; otherwise each train continues alone from `one`.
    /// `tick` runs once per train when its simulation ends.
    pub fn par_trains_from(
        one: &TrainStart,
        lanes: Option<&TrainStart>,
        tuners: &[&SynapseTuner],
        tick: &(dyn Fn() + Sync),
    ) -> Vec<Result<TrainResult, TunerError>> {
        use rayon::prelude::*;
        let threads = rayon::current_num_threads();
        let (start, per) = match lanes {
            Some(l) if tuners.len() > threads => (l, tuners.len().div_ceil(threads).min(l.lanes)),
            _ => (one, 1),
        };
        tuners
            .par_chunks(per)
            .flat_map_iter(|g| {
                let start = if g.len() > 1 { start } else { one };
                let r = Self::try_trains_from(start, g);
                g.iter().for_each(|_| tick());
                r
            })
            .collect()
    }
}

/// One simulation of `start`'s lanes restored and continued, lane `k` with the
/// event-only parameters of `lanes[k]` (tuners that `start` applies to).
fn continue_lanes(
    start: &TrainStart,
    lanes: &[&SynapseTuner],
) -> Result<Vec<TrainResult>, TunerError> {
    let (freq, delay) = (start.freq, start.delay);
    let base = lanes[0];
    let stim = Stim::Train { freq, delay };
    let BuiltLanes {
        mut sim,
        lanes: parts,
        probes,
    } = base.build_lanes(&vec![stim; start.lanes])?;
    sim.restore_state(&start.state)?;
    // Every event-only parameter takes its lane's tuner's value (its
    // setting, else the mechanism's default), whatever the saved run had.
    for (t, lane) in lanes.iter().zip(&parts) {
        for name in t.event_only_params() {
            if let Some(v) = t.param(&name) {
                sim.set_point_param(lane.syn, &name, v)?;
            }
        }
    }
    sim.continuerun(parts[0].tstop)?;
    lanes
        .iter()
        .zip(&parts)
        .zip(&probes)
        .map(|((t, lane), p)| {
            let traces = t.collect_from(&mut sim, lane, p)?;
            t.train_result(freq, delay, traces)
        })
        .collect()
}
