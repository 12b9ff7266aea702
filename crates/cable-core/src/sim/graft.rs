//! Grafting: the cells of a just-initialised simulation take the state of a
//! run saved before any event reached them, while its stimulators (artificial
//! cells, connections, queued events) stay its own. Runs that differ only in
//! their stimulators share the stretch before the first event: the synapse
//! tuner's trains at several frequencies run it once.

use super::events::SourceKind;
use super::queue::{holds_all_given, EventKind};
use super::state::{mismatch, SavedKind, SimState};
use super::Simulation;
use crate::error::SimError;

impl Simulation {
    /// Continue from a state saved in a model whose cells are those of this
    /// one (`cell_of` as in [`Simulation::restore_embedded`]) and whose
    /// stimulators may differ: the cells take the saved voltages, ion
    /// variables, mechanism fields, globals and caches, the recorded traces
    /// and the time; the artificial cells, connections, spike sources and
    /// queued events are this simulation's own, as `finitialize` left them.
    ///
    /// Required: this simulation is initialised and has not stepped; in both
    /// models every spike source is an artificial cell, every queued event is
    /// an artificial cell's self event, and no event has been delivered (each
    /// queue holds every event it was given); this one's events all come
    /// after the saved time. So, up to the saved time,
    /// nothing but the cells' own equations moved their state.
    ///
    /// The continuation is this model's run from the start whenever its
    /// cells, before the saved time, computed what their counterparts did:
    /// the caller's promise — in particular, the parameters that differ
    /// between the models (set them after the graft) were not read before
    /// the saved time. `tuner-opt`'s lane tests compare both, bit for bit.
    pub fn graft_embedded(&mut self, s: SimState, cell_of: &[usize]) -> Result<(), SimError> {
        if !self.initialized || self.steps != 0 {
            return Err(mismatch(
                "a state is grafted only into a simulation just initialised",
            ));
        }
        self.check_same_types(&s)?;
        self.check_untouched(&s)?;
        let node_of = self.node_map(&s, cell_of)?;
        let inst_of = self.instance_maps(&s, &node_of)?;
        let skipped = s.skipped;
        self.take_cells(s, &node_of, &inst_of)?;
        self.resume(skipped);
        Ok(())
    }

    /// Both models' events only stimulate: sources are artificial cells,
    /// queued events their self events, none delivered yet; this one's come
    /// after the saved time.
    fn check_untouched(&self, s: &SimState) -> Result<(), SimError> {
        let artificial = |ti: usize| self.types.get(ti).is_some_and(|ts| ts.is_artificial());
        let saved_queue = s.events.iter().all(|e| match e.kind {
            SavedKind::SelfEvent { ti, .. } => artificial(ti),
            SavedKind::NetCon(_) => false,
        });
        let saved_whole = holds_all_given(s.queue_seq, s.events.len());
        let no_spikes = s.presyns.iter().all(|(_, spikes)| spikes.is_empty());
        if !(saved_queue && saved_whole && no_spikes) {
            return Err(mismatch(
                "the saved run had delivered events or spikes: its state cannot be grafted",
            ));
        }
        let own_sources = self.presyns.iter().all(|p| match p.kind {
            SourceKind::Mech { ti, .. } => artificial(ti),
            SourceKind::Voltage { .. } => false,
        });
        let own_queue = self.queue.events().all(|e| match e.kind {
            EventKind::SelfEvent { ti, .. } => artificial(ti),
            EventKind::NetCon(_) => false,
        });
        let own_whole = holds_all_given(self.queue.seq(), self.queue.len());
        if !(own_sources && own_queue && own_whole) {
            return Err(mismatch(
                "a state is grafted only into a model stimulated by artificial cells alone",
            ));
        }
        // An own event due by the saved time would have been delivered.
        if self.queue.events().any(|e| e.t <= s.t) {
            return Err(mismatch(format!(
                "an event of this model is due by the saved time ({} ms)",
                s.t
            )));
        }
        Ok(())
    }
}
