//! Saving a running simulation's state and restoring it into another
//! simulation of the same model (a checkpoint to continue from).

use super::probes::ProbeTarget;
use super::queue::{EventKind, Queue};
use super::Simulation;
use crate::error::SimError;
use crate::geometry::CellNodes;

/// Where a queued self event's weight vector lives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum WeightRef {
    Null,
    Spare,
    Conn(usize),
}

#[derive(Debug, Clone)]
pub(super) struct SavedEvent {
    t: f64,
    seq: u64,
    pub(super) kind: SavedKind,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum SavedKind {
    NetCon(usize),
    SelfEvent {
        ti: usize,
        inst: u32,
        flag: f64,
        weights: WeightRef,
    },
}

/// One mechanism type's saved storage.
#[derive(Debug, Clone)]
pub(super) struct SavedType {
    pub(super) name: String,
    pub(super) n: usize,
    /// Each instance's node (`u32::MAX` for artificial cells).
    pub(super) nodes: Vec<u32>,
    pub(super) data: Vec<f64>,
    pub(super) globals: Vec<f64>,
    pub(super) scratch: Vec<f64>,
}

/// Everything that changes while a simulation runs, at a step boundary:
/// time and step count, voltages, every mechanism field, global and cache,
/// the ion variables, connection weights, source flags and recorded spikes,
/// the queued events and the samples recorded so far. See
/// [`Simulation::save_state`].
#[derive(Debug, Clone)]
pub struct SimState {
    pub(super) t: f64,
    pub(super) steps: u64,
    pub(super) skipped: u64,
    pub(super) v: Vec<f64>,
    /// The saved model's node numbers per cell (see `Simulation::restore_embedded`).
    pub(super) cells: Vec<CellNodes>,
    pub(super) types: Vec<SavedType>,
    pub(super) ions: Vec<[Vec<f64>; 5]>,
    pub(super) weights: Vec<Box<[f64]>>,
    pub(super) presyns: Vec<(bool, Vec<f64>)>,
    pub(super) events: Vec<SavedEvent>,
    pub(super) queue_seq: u64,
    /// The self events `net_move` can move (see `Queue::movable`).
    pub(super) movable: Vec<((usize, u32), u64)>,
    pub(super) probes: Vec<ProbeTarget>,
    pub(super) traces: Vec<Vec<f64>>,
}

impl SimState {
    /// The time at which the state was saved.
    pub fn t(&self) -> f64 {
        self.t
    }
}

/// A state that does not fit the simulation it is restored into.
pub(super) fn mismatch(what: impl Into<String>) -> SimError {
    SimError::StateMismatch(what.into())
}

impl Simulation {
    /// Save the state reached (see [`SimState`]); the simulation must have
    /// been initialised.
    ///
    /// With [`Simulation::restore_state`], a run can be continued from here in
    /// another simulation built from the same model — the continuation is
    /// bit-identical to continuing this one, provided any parameter changed
    /// after the restore was not read before the save (the caller's promise;
    /// see `mech_api::FieldInfo::event_only`).
    pub fn save_state(&self) -> Result<SimState, SimError> {
        if !self.initialized {
            return Err(mismatch("the simulation was not initialised"));
        }
        let mut events = Vec::with_capacity(self.queue.len());
        for e in self.queue.events() {
            let kind = match e.kind {
                EventKind::NetCon(c) => SavedKind::NetCon(c),
                EventKind::SelfEvent {
                    ti,
                    inst,
                    flag,
                    weights,
                } => SavedKind::SelfEvent {
                    ti,
                    inst,
                    flag,
                    weights: self.weight_ref(weights)?,
                },
            };
            events.push(SavedEvent {
                t: e.t,
                seq: e.seq,
                kind,
            });
        }
        Ok(SimState {
            t: self.t,
            steps: self.steps,
            skipped: self.quiet.skipped,
            v: self.v.clone(),
            cells: self.disc.cells.clone(),
            types: self
                .types
                .iter()
                .map(|ts| SavedType {
                    name: ts.ty.info.name.clone(),
                    n: ts.n,
                    nodes: ts.nodes.clone(),
                    data: ts.data.clone(),
                    globals: ts.globals.clone(),
                    scratch: ts.scratch.clone(),
                })
                .collect(),
            ions: self
                .ions
                .iter()
                .map(|i| {
                    [
                        i.e.clone(),
                        i.i.clone(),
                        i.didv.clone(),
                        i.ci.clone(),
                        i.co.clone(),
                    ]
                })
                .collect(),
            weights: self.conns.iter().map(|c| c.weights.clone()).collect(),
            presyns: self
                .presyns
                .iter()
                .map(|p| (p.flag, p.spikes.clone()))
                .collect(),
            events,
            queue_seq: self.queue.seq(),
            movable: self.queue.movable(),
            probes: self.probes.clone(),
            traces: self.traces.clone(),
        })
    }

    /// [`Simulation::save_state`] without copying the recorded traces: they
    /// move into the state, and this simulation's traces are left empty (the
    /// next `finitialize` starts them again).
    pub fn take_state(&mut self) -> Result<SimState, SimError> {
        let traces: Vec<Vec<f64>> = self.traces.iter_mut().map(std::mem::take).collect();
        let mut s = self.save_state();
        if let Ok(s) = &mut s {
            s.traces = traces;
        } else {
            self.traces = traces;
        }
        s
    }

    fn weight_ref(&self, w: *mut f64) -> Result<WeightRef, SimError> {
        if w.is_null() {
            return Ok(WeightRef::Null);
        }
        if std::ptr::eq(w, self.spare_weights.as_ptr()) {
            return Ok(WeightRef::Spare);
        }
        self.conns
            .iter()
            .position(|c| std::ptr::eq(w, c.weights.as_ptr()))
            .map(WeightRef::Conn)
            .ok_or_else(|| mismatch("a queued self event carries an unknown weight vector"))
    }

    /// Continue from a saved state: every variable [`SimState`] lists takes
    /// its saved value. The simulation must be built from the same model
    /// (cells, mechanism instances, connections, probes); parameters may
    /// differ and keep the values saved — set the ones that should differ
    /// afterwards. Then [`Simulation::continuerun`] goes on from the saved time.
    pub fn restore_state(&mut self, s: &SimState) -> Result<(), SimError> {
        if s.v.len() != self.v.len() {
            return Err(mismatch(format!(
                "{} nodes saved, the simulation has {}",
                s.v.len(),
                self.v.len()
            )));
        }
        if s.types.len() != self.types.len()
            || s.types.iter().zip(&self.types).any(|(st, ts)| {
                st.name != ts.ty.info.name
                    || st.n != ts.n
                    || st.data.len() != ts.data.len()
                    || st.globals.len() != ts.globals.len()
                    || st.scratch.len() != ts.scratch.len()
            })
        {
            return Err(mismatch("the mechanism types or their instances differ"));
        }
        if s.ions.len() != self.ions.len()
            || s.ions
                .iter()
                .zip(&self.ions)
                .any(|(a, i)| a[0].len() != i.e.len())
        {
            return Err(mismatch("the ions differ"));
        }
        if s.weights.len() != self.conns.len()
            || s.weights
                .iter()
                .zip(&self.conns)
                .any(|(w, c)| w.len() != c.weights.len())
        {
            return Err(mismatch("the connections differ"));
        }
        if s.presyns.len() != self.presyns.len() {
            return Err(mismatch("the spike sources differ"));
        }
        if s.probes != self.probes {
            return Err(mismatch("the recorded variables differ"));
        }
        for e in &s.events {
            let ok = match e.kind {
                SavedKind::NetCon(c) => c < self.conns.len(),
                SavedKind::SelfEvent { ti, inst, .. } => {
                    ti < self.types.len() && (inst as usize) < self.types[ti].n
                }
            };
            if !ok {
                return Err(mismatch("a queued event names a missing target"));
            }
        }
        // Checked: now write.
        self.t = s.t;
        self.steps = s.steps;
        self.v.copy_from_slice(&s.v);
        for (ts, st) in self.types.iter_mut().zip(&s.types) {
            ts.data.copy_from_slice(&st.data);
            ts.globals.copy_from_slice(&st.globals);
            ts.scratch.copy_from_slice(&st.scratch);
        }
        for (ion, a) in self.ions.iter_mut().zip(&s.ions) {
            ion.e.copy_from_slice(&a[0]);
            ion.i.copy_from_slice(&a[1]);
            ion.didv.copy_from_slice(&a[2]);
            ion.ci.copy_from_slice(&a[3]);
            ion.co.copy_from_slice(&a[4]);
        }
        for (c, w) in self.conns.iter_mut().zip(&s.weights) {
            c.weights.copy_from_slice(w);
        }
        for (p, (flag, spikes)) in self.presyns.iter_mut().zip(&s.presyns) {
            p.flag = *flag;
            p.spikes.clone_from(spikes);
        }
        let mut queue = Queue::default();
        for e in &s.events {
            let kind = match e.kind {
                SavedKind::NetCon(c) => EventKind::NetCon(c),
                SavedKind::SelfEvent {
                    ti,
                    inst,
                    flag,
                    weights,
                } => EventKind::SelfEvent {
                    ti,
                    inst,
                    flag,
                    weights: match weights {
                        WeightRef::Null => std::ptr::null_mut(),
                        WeightRef::Spare => self.spare_weights.as_mut_ptr(),
                        WeightRef::Conn(c) => self.conns[c].weights.as_mut_ptr(),
                    },
                },
            };
            queue.push_with_seq(e.t, e.seq, kind);
        }
        queue.set_seq(s.queue_seq);
        queue.set_movable(&s.movable);
        self.queue = queue;
        for (tr, saved) in self.traces.iter_mut().zip(&s.traces) {
            tr.clone_from(saved);
        }
        self.resume(s.skipped);
        Ok(())
    }

    /// After a restore: initialised, with `skipped` steps counted, and
    /// nothing remembered from before it (stationarity, frozen types, the
    /// last solve), so the next step is computed in full.
    pub(super) fn resume(&mut self, skipped: u64) {
        self.initialized = true;
        self.quiet.valid = false;
        self.quiet.stationary = false;
        self.quiet.skipped = skipped;
        self.packs_stale = true;
        self.refresh_packs();
        self.thaw_all();
        self.memo.reset();
    }
}
