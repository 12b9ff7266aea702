//! Lanes: several trains of the tuner's model in one simulation.
//!
//! Each lane is its own copy of the post cell with its synapse, clamp and
//! stimulators; the lanes share no arithmetic (their own Hines trees, their own
//! instances and events), so each lane computes the bits of the train run
//! alone. The simulation runs to the longest lane's stop; a lane's traces are
//! cut where its own run would have stopped (NEURON's `continuerun`: the first
//! sample at or after `tstop − dt/2`) and its spikes to that time.

use super::prefix::TrainPrefix;
use super::stimulus::{train_times, LaneParts, Stim};
use super::{SynapseTuner, Traces, TrainResult};
use crate::TunerError;
use cable_core::{ModelBuilder, ProbeId, Simulation};
use rayon::prelude::*;

/// At most this many trains share one simulation in [`SynapseTuner::trains`].
pub const TRAIN_LANES: usize = 8;

impl SynapseTuner {
    /// Trains at several `(frequency Hz, recovery delay ms)` protocols, one
    /// result each, in the order given; each is the bits [`Self::train`] gives
    /// alone. Trains of similar length (within a factor 4/3) share one
    /// simulation, at most [`TRAIN_LANES`] of them; the simulations run in
    /// parallel (for a model that draws random numbers, each train alone, in
    /// order: [`Self::draws_random`]).
    pub fn trains(&self, protocols: &[(f64, f64)]) -> Result<Vec<TrainResult>, TunerError> {
        let mut work = crate::Work::new(format!("{} trains", protocols.len()));
        for &(freq, delay) in protocols {
            super::runs::check_train(freq, delay)?;
            work.add(&self.run_work(Stim::Train { freq, delay }, 1.0), 1.0);
        }
        self.check_work(&work)?;
        if self.draws_random() {
            // One after another, in order (`serial.rs`).
            return protocols.iter().map(|&(f, d)| self.train(f, d)).collect();
        }
        let groups = self.lane_groups(protocols, TRAIN_LANES);
        // The stretch before the first event, run once for all the trains.
        let prefix = self.train_prefix(protocols);
        let done: Vec<Vec<(usize, Result<TrainResult, TunerError>)>> = groups
            .par_iter()
            .map(|group| self.group_trains(protocols, group, prefix.as_ref()))
            .collect();
        let mut all: Vec<(usize, Result<TrainResult, TunerError>)> =
            done.into_iter().flatten().collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    }

    /// The trains of `group` (indices into `protocols`) with their indices:
    /// one simulation in lanes (continued from `prefix` if given), or the
    /// train alone for a group of one without a prefix; if the shared
    /// simulation fails, each train alone, with its own result or error.
    pub(super) fn group_trains(
        &self,
        protocols: &[(f64, f64)],
        group: &[usize],
        prefix: Option<&TrainPrefix>,
    ) -> Vec<(usize, Result<TrainResult, TunerError>)> {
        let alone = |i: usize| (i, self.train(protocols[i].0, protocols[i].1));
        if group.len() == 1 && prefix.is_none() {
            return vec![alone(group[0])];
        }
        let stims: Vec<Stim> = group
            .iter()
            .map(|&i| Stim::Train {
                freq: protocols[i].0,
                delay: protocols[i].1,
            })
            .collect();
        match self.run_lanes(&stims, prefix) {
            Ok(traces) => group
                .iter()
                .zip(traces)
                .map(|(&i, tr)| (i, self.train_result(protocols[i].0, protocols[i].1, tr)))
                .collect(),
            Err(_) => group.iter().map(|&i| alone(i)).collect(),
        }
    }

    /// Protocol indices grouped by length: longest first, a group taking the
    /// next ones while they are at least 3/4 of its first's length, at most
    /// `max` each.
    pub(super) fn lane_groups(&self, protocols: &[(f64, f64)], max: usize) -> Vec<Vec<usize>> {
        let tstart = self.settings.general.tstart;
        let length = |i: usize| train_times(tstart, protocols[i].0, protocols[i].1).1;
        let mut order: Vec<usize> = (0..protocols.len()).collect();
        order.sort_by(|&a, &b| length(b).total_cmp(&length(a)));
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in order {
            match groups.last_mut() {
                Some(g) if g.len() < max && length(i) >= 0.75 * length(g[0]) => g.push(i),
                _ => groups.push(vec![i]),
            }
        }
        groups
    }

    /// The model of several runs in one simulation, one lane per stimulus in
    /// `stims`' order: each lane's parts and recordings.
    pub(super) fn build_lanes(&self, stims: &[Stim]) -> Result<BuiltLanes, TunerError> {
        let mut b = ModelBuilder::new(&self.reg);
        let lanes: Vec<LaneParts> = stims
            .iter()
            .map(|&s| self.add_lane(&mut b, s))
            .collect::<Result<_, _>>()?;
        let mut sim = self.build_sim(b, &lanes)?;
        let probes = lanes
            .iter()
            .map(|l| self.add_records(&mut sim, l))
            .collect::<Result<_, _>>()?;
        Ok(BuiltLanes { sim, lanes, probes })
    }

    /// Runs of `stims` (which start from the same voltage) in one
    /// simulation, continued from `prefix` if given: the traces of each, cut
    /// to its own stop.
    pub(super) fn run_lanes(
        &self,
        stims: &[Stim],
        prefix: Option<&TrainPrefix>,
    ) -> Result<Vec<Traces>, TunerError> {
        let v0 = self.start_v(stims[0]);
        debug_assert!(stims
            .iter()
            .all(|&s| self.start_v(s).to_bits() == v0.to_bits()));
        let mut bl = self.build_lanes(stims)?;
        let tstop = bl.lanes.iter().map(|l| l.tstop).fold(f64::MIN, f64::max);
        match prefix {
            Some(p) => {
                bl.sim.finitialize(v0)?;
                p.graft(self, &mut bl.sim, &bl.lanes)?;
                bl.sim.continuerun(tstop)?;
            }
            None => bl.sim.run(tstop, v0)?,
        }
        let dt = self.settings.general.dt;
        bl.lanes
            .iter()
            .zip(&bl.probes)
            .map(|(l, p)| {
                let mut tr = self.collect_from(&mut bl.sim, l, p)?;
                cut(&mut tr, l.tstop - dt / 2.0);
                Ok(tr)
            })
            .collect()
    }
}

/// Handles of several runs built in one simulation: the simulation, its
/// lanes and each lane's recordings.
pub(super) struct BuiltLanes {
    pub sim: Simulation,
    pub lanes: Vec<LaneParts>,
    pub probes: Vec<Vec<ProbeId>>,
}

/// Cut a lane's traces where a run alone to `ts` (= tstop − dt/2) stops: after
/// the first sample at or after `ts`; spikes after that sample's time go.
fn cut(tr: &mut Traces, ts: f64) {
    let n =
        tr.t.iter()
            .position(|&t| t >= ts || t.is_nan())
            .map_or(tr.t.len(), |k| k + 1);
    let end = tr.t[n - 1];
    tr.t.truncate(n);
    tr.soma_v.truncate(n);
    if let Some(c) = tr.i_clamp.as_mut() {
        c.truncate(n);
    }
    tr.i_syn.truncate(n);
    for (_, x) in tr.extras.iter_mut() {
        x.truncate(n);
    }
    tr.spikes.retain(|&s| s <= end);
}
