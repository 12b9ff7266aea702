//! Saved train starts: a train simulated up to just before its first event,
//! from which trains differing only in event-only parameters continue.

use super::runs::check_train;
use super::stimulus::Stim;
use super::{SynapseTuner, TrainResult};
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
}

impl TrainStart {
    /// The time at which the state was saved (ms).
    pub fn t(&self) -> f64 {
        self.state.t()
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
    fn start_key(&self) -> String {
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
        let stim = Stim::Train { freq, delay };
        self.check_work(&self.run_work(stim, 1.0))?;
        let mut bt = self.build(stim)?;
        bt.sim.finitialize(self.start_v(stim))?;
        // The last step boundary from which the next step delivers nothing.
        let stop = bt
            .sim
            .next_event_time()
            .map_or(bt.lane.tstop, |te| te - g.dt)
            .min(bt.lane.tstop);
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
                bt.sim.set_point_param(bt.lane.syn, &name, v)?;
            }
        }
        bt.sim.continuerun(bt.lane.tstop)?;
        let traces = self.collect(bt)?;
        self.train_result(freq, delay, traces)
    }
}
