//! The stretch the trains of one call share: from `finitialize` to just
//! before the earliest first event. Trains at different frequencies and
//! recovery delays differ only in their stimulators (the NetStims or the
//! VecStim, whose events all come later) and in the clamp's second duration
//! (its stop, read only from `tstart` on), so up to that point their cells
//! compute the same bits. [`SynapseTuner::trains`] and
//! [`SynapseTuner::freq_response`] run that stretch once, on one lane, and
//! graft it into every simulation of the call
//! ([`cable_core::Simulation::graft_embedded`]). `tests/lanes.rs` compares
//! each train with the train run alone, every trace sample.

use super::stimulus::{train_times, LaneParts, Stim};
use super::{SynapseTuner, Traces};
use crate::TunerError;
use cable_core::{SimState, Simulation};
use std::sync::Arc;

/// One lane's state just before the first event of any of a call's trains
/// (or of one run: the tuner's saved start, `memo.rs`).
#[derive(Debug, Clone)]
pub(super) struct TrainPrefix {
    state: Arc<SimState>,
}

impl SynapseTuner {
    /// The shared stretch of the trains of `protocols` (frequency, recovery
    /// delay): the tuner's saved start if it comes before every first event,
    /// else run now (and saved), or `None` where none is worth running: no
    /// saved start and fewer than two trains, a first event at the start, or
    /// a model that draws random numbers (`serial.rs`).
    /// Any failure is left to the trains themselves, run whole.
    pub(super) fn train_prefix(&self, protocols: &[(f64, f64)]) -> Option<TrainPrefix> {
        let &[(freq, delay), ..] = protocols else {
            return None;
        };
        if self.draws_random() {
            return None;
        }
        let g = &self.settings.general;
        // Every stimulator's first event: the first spike time (NetStim and
        // VecStim alike give train_times's value).
        let first = protocols
            .iter()
            .map(|&(f, d)| train_times(g.tstart, f, d).0[0])
            .fold(f64::INFINITY, f64::min);
        let stim = Stim::Train { freq, delay };
        let key = self.start_key();
        if let Some(p) = self.starts.get(&key, stim.kind()) {
            if p.state.t() < first - g.dt {
                self.starts.count_use();
                return Some(p);
            }
        }
        if protocols.len() < 2 {
            return None;
        }
        let mut bl = self.build_lanes(&[stim]).ok()?;
        bl.sim.finitialize(self.start_v(stim)).ok()?;
        let own = bl.sim.next_event_time().unwrap_or(f64::INFINITY);
        // The last step boundary from which the next step delivers nothing.
        let stop = first.min(own) - g.dt;
        if stop.is_nan() || stop <= g.dt {
            return None;
        }
        bl.sim.continuerun(stop).ok()?;
        let p = TrainPrefix {
            state: Arc::new(bl.sim.take_state().ok()?),
        };
        self.starts.put(&key, stim.kind(), p.clone());
        Some(p)
    }

    /// Run `stim` alone: continued from the tuner's saved start when it
    /// applies, else from [`Self::start_v`] — saving its state just before
    /// its first event as the start of the next runs when a run of its kind
    /// ran before (see `memo.rs`).
    pub(super) fn run(&self, stim: Stim) -> Result<Traces, TunerError> {
        let v0 = self.start_v(stim);
        let whole = || {
            let mut bt = self.build(stim)?;
            bt.sim.run(bt.lane.tstop, v0)?;
            self.collect(bt)
        };
        if self.draws_random() {
            return whole();
        }
        let key = self.start_key();
        if let Some(p) = self.starts.get(&key, stim.kind()) {
            let mut bt = self.build(stim)?;
            bt.sim.finitialize(v0)?;
            if p.graft(self, &mut bt.sim, std::slice::from_ref(&bt.lane))
                .is_ok()
            {
                self.starts.count_use();
                bt.sim.continuerun(bt.lane.tstop)?;
                return self.collect(bt);
            }
        }
        if !self.starts.seen(&key, stim.kind()) {
            return whole();
        }
        let mut bt = self.build(stim)?;
        bt.sim.finitialize(v0)?;
        let own = bt.sim.next_event_time().unwrap_or(f64::INFINITY);
        // The last step boundary from which the next step delivers nothing.
        let stop = own.min(bt.lane.tstop) - self.settings.general.dt;
        if stop > self.settings.general.dt {
            bt.sim.continuerun(stop)?;
            let state = Arc::new(bt.sim.save_state()?);
            self.starts.put(&key, stim.kind(), TrainPrefix { state });
        }
        bt.sim.continuerun(bt.lane.tstop)?;
        self.collect(bt)
    }

    /// Forget the starts this tuner saved (see `memo.rs`): the next run of
    /// each kind is simulated from the start and saves its own. Runs give the
    /// same bits either way; this only frees their memory.
    pub fn clear_saved_starts(&self) {
        self.starts.clear();
    }

    /// How many saved starts this tuner keeps (at most one per kind of run:
    /// single event, train, continuous input).
    pub fn saved_starts(&self) -> usize {
        self.starts.len()
    }

    /// How many runs of this tuner (or calls of several trains) continued
    /// from a saved start instead of simulating it.
    pub fn saved_start_uses(&self) -> u64 {
        self.starts.uses()
    }
}

impl TrainPrefix {
    /// Continue `sim` (the runs of `lanes` of tuner `t`, just initialised)
    /// from the prefix: every lane's cell takes the prefix's, each clamp its
    /// own stop, and each synapse `t`'s event-only parameters (the prefix may
    /// come from a tuner that differs in those: they are not read before the
    /// first event, but the saved fields hold the saving tuner's values).
    pub(super) fn graft(
        &self,
        t: &SynapseTuner,
        sim: &mut Simulation,
        lanes: &[LaneParts],
    ) -> Result<(), TunerError> {
        let cells = vec![0; lanes.len()];
        sim.graft_embedded(SimState::clone(&self.state), &cells)?;
        let event_only = t.event_only_params();
        for lane in lanes {
            if let Some(clamp) = lane.clamp {
                sim.set_point_param(clamp, "dur[1]", lane.tstop)?;
            }
            for name in &event_only {
                if let Some(v) = t.param(name) {
                    sim.set_point_param(lane.syn, name, v)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TunerSettings;
    use stp_analysis::Convention;

    fn bits(x: &[f64]) -> Vec<u64> {
        x.iter().map(|v| v.to_bits()).collect()
    }

    /// The grafted runs themselves (no fallback to whole runs in between):
    /// a pair of trains at other frequencies than the prefix's, continued
    /// from it, record the bits of the pair run whole; under both
    /// conventions (NetStims and a clamp, a VecStim without one).
    #[test]
    fn trains_continued_from_the_prefix_are_the_trains_run_whole() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/fsi/settings.json");
        for (conv, clamp) in [(Convention::Bmtool, true), (Convention::Default, false)] {
            let mut t = SynapseTuner::new(
                standard_mechanisms::registry(),
                TunerSettings::from_file(&p).unwrap(),
                Some("Dep2FSI"),
                conv,
            )
            .unwrap();
            t.set_vclamp(clamp);
            let prefix = t.train_prefix(&[(10.0, 250.0), (40.0, 100.0)]).unwrap();
            assert!(prefix.state.t() > 0.0);
            let stims = [
                Stim::Train {
                    freq: 40.0,
                    delay: 100.0,
                },
                Stim::Train {
                    freq: 35.0,
                    delay: 300.0,
                },
            ];
            let grafted = t.run_lanes(&stims, Some(&prefix)).unwrap();
            let whole = t.run_lanes(&stims, None).unwrap();
            for (g, w) in grafted.iter().zip(&whole) {
                assert_eq!(bits(&g.t), bits(&w.t), "{conv:?}: t");
                assert_eq!(bits(&g.soma_v), bits(&w.soma_v), "{conv:?}: v");
                assert_eq!(bits(&g.i_syn), bits(&w.i_syn), "{conv:?}: i_syn");
                assert_eq!(
                    g.i_clamp.as_deref().map(bits),
                    w.i_clamp.as_deref().map(bits),
                    "{conv:?}: i_clamp"
                );
                assert_eq!(bits(&g.spikes), bits(&w.spikes), "{conv:?}: spikes");
            }
        }
    }
}
