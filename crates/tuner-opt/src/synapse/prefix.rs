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
use super::SynapseTuner;
use crate::TunerError;
use cable_core::{SimState, Simulation};

/// One lane's state just before the first event of any of a call's trains.
pub(super) struct TrainPrefix {
    state: SimState,
}

impl SynapseTuner {
    /// The shared stretch of the trains of `protocols` (frequency, recovery
    /// delay), or `None` where none is worth running: fewer than two trains,
    /// or a first event at the start. Any failure is left to the trains
    /// themselves, run whole.
    pub(super) fn train_prefix(&self, protocols: &[(f64, f64)]) -> Option<TrainPrefix> {
        let &[(freq, delay), _, ..] = protocols else {
            return None;
        };
        let g = &self.settings.general;
        // Every stimulator's first event: the first spike time (NetStim and
        // VecStim alike give train_times's value).
        let first = protocols
            .iter()
            .map(|&(f, d)| train_times(g.tstart, f, d).0[0])
            .fold(f64::INFINITY, f64::min);
        let stim = Stim::Train { freq, delay };
        let mut bl = self.build_lanes(&[stim]).ok()?;
        bl.sim.finitialize(self.start_v(stim)).ok()?;
        let own = bl.sim.next_event_time().unwrap_or(f64::INFINITY);
        // The last step boundary from which the next step delivers nothing.
        let stop = first.min(own) - g.dt;
        if stop.is_nan() || stop <= g.dt {
            return None;
        }
        bl.sim.continuerun(stop).ok()?;
        Some(TrainPrefix {
            state: bl.sim.take_state().ok()?,
        })
    }
}

impl TrainPrefix {
    /// Continue `sim` (the trains of `lanes`, just initialised) from the
    /// prefix: every lane's cell takes the prefix's, and each clamp its own
    /// stop.
    pub(super) fn graft(
        &self,
        sim: &mut Simulation,
        lanes: &[LaneParts],
    ) -> Result<(), TunerError> {
        let cells = vec![0; lanes.len()];
        sim.graft_embedded(self.state.clone(), &cells)?;
        for lane in lanes {
            if let Some(clamp) = lane.clamp {
                sim.set_point_param(clamp, "dur[1]", lane.tstop)?;
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
