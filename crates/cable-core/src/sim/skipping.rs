//! Work that provably changes nothing, skipped (see
//! [`SimOptions::skip_stationary`](super::SimOptions::skip_stationary)):
//! whole stationary steps, and mechanism types whose calls are replaced by
//! their recorded effect while they are settled (frozen).

use super::probes::ProbeTarget;
use super::Simulation;
use crate::error::SimError;
use mech_api::abi::{IonState, STATUS_OK};

/// Bookkeeping of the stationary-step detection (see
/// [`SimOptions::skip_stationary`]).
#[derive(Default)]
pub(super) struct Quiet {
    /// `snapshot` holds the state at the end of the last step.
    pub(super) valid: bool,
    /// The last step reproduced `snapshot` exactly, without events.
    pub(super) stationary: bool,
    /// Midpoint time of that step.
    pub(super) midpoint: f64,
    /// Voltages, mechanism fields, ion variables and source flags, as bits.
    pub(super) snapshot: Vec<u64>,
    /// Scratch for the comparison.
    pub(super) now: Vec<u64>,
    /// Events delivered during the current step.
    pub(super) delivered: u64,
    /// Steps skipped since the last initialisation.
    pub(super) skipped: u64,
}

/// Mechanism types whose calls are replaced by their recorded effect (see
/// [`SimOptions::skip_stationary`]): a type whose fields did not change over a
/// step in which its nodes' voltages did not move either computes the same
/// contributions in the next step, so they are added without calling it, and
/// its state update (which would rewrite the same values) is skipped — until
/// a voltage at one of its nodes moves, an event reaches it, a transferred
/// value changes or its time horizon comes.
#[derive(Default)]
pub(super) struct Freeze {
    /// Per stepped type: may be frozen at all (it has a time horizon, it does
    /// not read the summed ionic current, no mechanism writes the
    /// concentrations of its ions, and point processes sit on distinct nodes).
    pub(super) eligible: Vec<bool>,
    pub(super) frozen: Vec<bool>,
    pub(super) horizon: Vec<f64>,
    /// Fields at the end of the last step, as bits, when `snap_ok`.
    pub(super) snap: Vec<Vec<u64>>,
    pub(super) snap_ok: Vec<bool>,
    pub(super) contrib: Vec<Contrib>,
    /// Stepped index of each type (`usize::MAX` if not stepped).
    pub(super) k_of: Vec<usize>,
    /// Per type: received an event during this step.
    pub(super) hit: Vec<bool>,
    /// Per node: its voltage changed during this step.
    pub(super) moved: Vec<bool>,
    pub(super) any_frozen: bool,
    /// Per stepped type: the step count before which no snapshot is taken
    /// (after a failed comparison the next attempt waits, doubling `backoff`,
    /// so a type whose fields change every step costs little).
    pub(super) next_try: Vec<u64>,
    pub(super) backoff: Vec<u64>,
    /// The last [`Simulation::detect_frozen`] reset every type not frozen
    /// that may be (their nodes moved or an event reached them), and no type
    /// has thawed since.
    pub(super) all_reset: bool,
    /// Mechanism calls replaced since the last initialisation.
    pub(super) replayed: u64,
}

/// What one call of a type's `current` adds, per instance (one term per array
/// at the instance's node, as the mechanism ABI requires), flat, in the order
/// the call adds them.
#[derive(Default, Clone)]
pub(super) struct Contrib {
    /// Per instance: its node, and its terms in `rhs` and `d`.
    pub(super) node: Vec<usize>,
    pub(super) rhs: Vec<f64>,
    pub(super) d: Vec<f64>,
    /// Per ion slot, then per instance: the ion, the node, and the terms in
    /// the ion's current and its derivative.
    pub(super) ion_term: Vec<IonTerm>,
}

/// One instance's term in one ion's current and its derivative.
#[derive(Clone, Copy)]
pub(super) struct IonTerm {
    ion: usize,
    node: usize,
    i: f64,
    didv: f64,
}

impl Simulation {
    /// How many of [`Simulation::steps`] were skipped as stationary.
    pub fn skipped_steps(&self) -> u64 {
        self.quiet.skipped
    }

    /// How many mechanism calls (`current` or `state` of one type in one
    /// step) were replaced by their recorded effect since the last
    /// initialisation (see [`SimOptions::skip_stationary`](super::SimOptions::skip_stationary)).
    pub fn replayed_calls(&self) -> u64 {
        self.freeze.replayed
    }

    /// Which stepped types may be frozen; nothing frozen yet.
    pub(super) fn setup_freeze(&mut self) {
        use mech_api::abi::{ION_READ_I, ION_WRITE_CI, ION_WRITE_CO, ION_WRITE_E};
        let nk = self.stepped.len();
        let mut written = vec![false; self.ions.len()];
        for &ti in &self.stepped {
            let ts = &self.types[ti];
            for (slot, iu) in ts.ty.info.ions.iter().enumerate() {
                if iu.flags & (ION_WRITE_CI | ION_WRITE_CO | ION_WRITE_E) != 0 {
                    written[ts.ion_slots[slot]] = true;
                }
            }
        }
        let eligible =
            self.stepped
                .iter()
                .map(|&ti| {
                    let ts = &self.types[ti];
                    let info = &ts.ty.info;
                    let ions_ok = info.ions.iter().enumerate().all(|(slot, iu)| {
                        iu.flags & ION_READ_I == 0 && !written[ts.ion_slots[slot]]
                    });
                    let mut nodes = ts.nodes.clone();
                    nodes.sort_unstable();
                    nodes.dedup();
                    ts.ty.has_time_horizon() && ions_ok && nodes.len() == ts.nodes.len()
                })
                .collect();
        let mut k_of = vec![usize::MAX; self.types.len()];
        for (k, &ti) in self.stepped.iter().enumerate() {
            k_of[ti] = k;
        }
        self.freeze = Freeze {
            eligible,
            frozen: vec![false; nk],
            horizon: vec![f64::INFINITY; nk],
            snap: vec![Vec::new(); nk],
            snap_ok: vec![false; nk],
            contrib: vec![Contrib::default(); nk],
            k_of,
            hit: vec![false; self.types.len()],
            moved: vec![true; self.v.len()],
            any_frozen: false,
            next_try: vec![0; nk],
            backoff: vec![1; nk],
            all_reset: false,
            replayed: self.freeze.replayed,
        };
    }

    /// Call every frozen type for real again.
    pub(super) fn thaw_all(&mut self) {
        self.freeze.all_reset = false;
        self.freeze.frozen.iter_mut().for_each(|f| *f = false);
        self.freeze.snap_ok.iter_mut().for_each(|f| *f = false);
        self.freeze.next_try.iter_mut().for_each(|f| *f = 0);
        self.freeze.backoff.iter_mut().for_each(|f| *f = 1);
        self.freeze.any_frozen = false;
    }

    pub(super) fn thaw(&mut self, k: usize) {
        self.freeze.all_reset = false;
        self.freeze.frozen[k] = false;
        self.freeze.snap_ok[k] = false;
    }

    /// Whether a voltage moved at one of stepped type `k`'s nodes this step.
    pub(super) fn nodes_moved(&self, k: usize) -> bool {
        let ts = &self.types[self.stepped[k]];
        ts.nodes.iter().any(|&nd| self.freeze.moved[nd as usize])
    }

    /// Add a frozen type's recorded contributions, in the order its `current`
    /// would have added them.
    pub(super) fn replay_current(&mut self, k: usize) {
        let c = &self.freeze.contrib[k];
        for ((&nd, &r), &d) in c.node.iter().zip(&c.rhs).zip(&c.d) {
            self.rhs[nd] += r;
            self.d[nd] += d;
        }
        for t in &c.ion_term {
            let ion = &mut self.ions[t.ion];
            ion.i[t.node] += t.i;
            ion.didv[t.node] += t.didv;
        }
    }

    /// Record what stepped type `k`'s `current` adds, by calling it once on
    /// zeroed matrix and ion-current arrays (it also rewrites its own assigned
    /// fields with the values they hold). Starting from zero, `0 − x` and
    /// `0 + x` give back each term exactly, and adding them later rounds as the
    /// original subtraction or addition did (the sums never hold −0).
    fn capture(&mut self, k: usize, t: f64) -> Result<(), SimError> {
        let ti = self.stepped[k];
        let nn = self.v.len();
        let mut rhs = vec![0.0; nn];
        let mut d = vec![0.0; nn];
        let nslots = self.types[ti].ion_states.len();
        let mut ion_i = vec![vec![0.0; nn]; nslots];
        let mut ion_didv = vec![vec![0.0; nn]; nslots];
        let states: Vec<IonState> = self.types[ti]
            .ion_states
            .iter()
            .enumerate()
            .map(|(slot, s)| IonState {
                i: ion_i[slot].as_mut_ptr(),
                didv: ion_didv[slot].as_mut_ptr(),
                ..*s
            })
            .collect();
        let mut pp = self.ppack(ti, t);
        pp.rhs = rhs.as_mut_ptr();
        pp.d = d.as_mut_ptr();
        pp.ions = states.as_ptr();
        // SAFETY: pp describes storage owned by self, except rhs, d and the
        // ionic currents, which point to the local arrays of n_nodes doubles.
        let st = unsafe { self.types[ti].ty.call_current(&mut pp) };
        if st != STATUS_OK {
            return self.status(ti, st, "BREAKPOINT");
        }
        let nodes: Vec<usize> = self.types[ti].nodes.iter().map(|&n| n as usize).collect();
        let ts = &self.types[ti];
        let ion_term = ts
            .ion_slots
            .iter()
            .enumerate()
            .flat_map(|(slot, &ion)| {
                let (a, b) = (&ion_i[slot], &ion_didv[slot]);
                nodes.iter().map(move |&node| IonTerm {
                    ion,
                    node,
                    i: a[node],
                    didv: b[node],
                })
            })
            .collect();
        self.freeze.contrib[k] = Contrib {
            rhs: nodes.iter().map(|&n| rhs[n]).collect(),
            d: nodes.iter().map(|&n| d[n]).collect(),
            node: nodes,
            ion_term,
        };
        Ok(())
    }

    /// After a step: freeze the eligible types that reproduced their fields
    /// over a step in which their nodes did not move and no event reached them.
    /// Returns whether every type that can be frozen is now frozen.
    /// `all_moved`: every node's voltage changed this step; when the last call
    /// found every candidate moved too, nothing can change (each was reset).
    pub(super) fn detect_frozen(
        &mut self,
        midpoint: f64,
        all_moved: bool,
    ) -> Result<bool, SimError> {
        if all_moved && self.freeze.all_reset {
            return Ok(false);
        }
        let dt = self.opts.dt;
        let mut next_end = self.t;
        next_end += 0.5 * dt;
        next_end += 0.5 * dt;
        let mut all = true;
        let mut all_reset = true;
        for k in 0..self.stepped.len() {
            if self.freeze.frozen[k] || !self.freeze.eligible[k] {
                continue;
            }
            all = false;
            let ti = self.stepped[k];
            if self.freeze.hit[ti] || self.nodes_moved(k) {
                self.freeze.snap_ok[k] = false;
                self.freeze.next_try[k] = 0;
                self.freeze.backoff[k] = 1;
                continue;
            }
            all_reset = false;
            if !self.freeze.snap_ok[k] && self.steps < self.freeze.next_try[k] {
                continue;
            }
            let data = &self.types[ti].data;
            let same = self.freeze.snap_ok[k]
                && self.freeze.snap[k].len() == data.len()
                && self.freeze.snap[k]
                    .iter()
                    .zip(data)
                    .all(|(a, b)| *a == b.to_bits());
            if !same {
                if self.freeze.snap_ok[k] {
                    // Changed since the last step: try again later.
                    self.freeze.snap_ok[k] = false;
                    self.freeze.next_try[k] = self.steps + self.freeze.backoff[k];
                    self.freeze.backoff[k] = (self.freeze.backoff[k] * 2).min(64);
                } else {
                    let snap = &mut self.freeze.snap[k];
                    snap.clear();
                    snap.extend(data.iter().map(|x| x.to_bits()));
                    self.freeze.snap_ok[k] = true;
                }
                continue;
            }
            match self.type_horizon(ti, midpoint)? {
                None => self.freeze.eligible[k] = false,
                Some(h) if next_end < h => {
                    self.capture(k, midpoint)?;
                    self.freeze.horizon[k] = h;
                    self.freeze.frozen[k] = true;
                    self.freeze.any_frozen = true;
                }
                Some(_) => {}
            }
        }
        // Only while some candidate is left: then `false` is the answer.
        self.freeze.all_reset = all_reset && !all;
        Ok(all)
    }

    /// Write the state that the stationarity test compares into `out`.
    fn state_bits(&self, out: &mut Vec<u64>) {
        out.clear();
        out.extend(self.v.iter().map(|x| x.to_bits()));
        for ts in &self.types {
            if !ts.is_artificial() {
                out.extend(ts.data.iter().map(|x| x.to_bits()));
            }
        }
        for ion in &self.ions {
            for a in [&ion.e, &ion.i, &ion.didv, &ion.ci, &ion.co] {
                out.extend(a.iter().map(|x| x.to_bits()));
            }
        }
        out.extend(self.presyns.iter().map(|p| p.flag as u64));
    }

    /// After a step: keep the snapshot of a step that left the voltages alone,
    /// and mark the simulation stationary when the next such step reproduces it
    /// exactly without delivering an event.
    pub(super) fn check_stationary(&mut self, v_unchanged: bool, midpoint: f64) {
        self.quiet.stationary = false;
        if !v_unchanged || self.quiet.delivered > 0 {
            self.quiet.valid = false;
            return;
        }
        let mut now = std::mem::take(&mut self.quiet.now);
        self.state_bits(&mut now);
        if self.quiet.valid && now == self.quiet.snapshot {
            self.quiet.stationary = true;
            self.quiet.midpoint = midpoint;
        }
        std::mem::swap(&mut self.quiet.snapshot, &mut now);
        self.quiet.now = now;
        self.quiet.valid = true;
    }

    /// Type `ti`'s time horizon from `from` (`None`: it cannot tell).
    fn type_horizon(&mut self, ti: usize, from: f64) -> Result<Option<f64>, SimError> {
        let mut pp = self.ppack(ti, from);
        // SAFETY: pp describes storage owned by self.
        match unsafe { self.types[ti].ty.call_time_horizon(&mut pp) } {
            Ok(h) => Ok(h),
            Err(st) => self.status(ti, st, "time horizon").map(|_| None),
        }
    }

    /// The earliest time a mechanism's `current` or `state` may start to behave
    /// differently in `t` than at `from` (`None` if some type cannot tell).
    fn time_horizon(&mut self, from: f64) -> Result<Option<f64>, SimError> {
        let mut h = f64::INFINITY;
        for k in 0..self.stepped.len() {
            match self.type_horizon(self.stepped[k], from)? {
                Some(x) => h = h.min(x),
                None => return Ok(None),
            }
        }
        Ok(Some(h))
    }

    /// After a stationary step: advance over the steps that would repeat it,
    /// stopping before `ts` (continuerun's bound), before the next event and
    /// before the time horizon. Records get the steps' samples; `t` advances by
    /// the same additions a step makes.
    pub(super) fn skip_stationary(&mut self, ts: f64) -> Result<(), SimError> {
        self.quiet.stationary = false;
        let Some(h) = self.time_horizon(self.quiet.midpoint)? else {
            return Ok(());
        };
        let next_event = self.queue.next_time().unwrap_or(f64::INFINITY);
        let dt = self.opts.dt;
        let mut samples = Vec::with_capacity(self.probes.len());
        for &p in &self.probes {
            samples.push(self.sample(p));
        }
        // The skipped steps' end times, as the steps would make them, go
        // straight into the first time record (`continuerun` reserved room).
        let time_k = self.probes.iter().position(|p| *p == ProbeTarget::Time);
        let mut t = self.t;
        let mut n = 0;
        while t < ts {
            let mut end = t;
            end += 0.5 * dt;
            end += 0.5 * dt;
            if !(end < h && end < next_event) {
                break;
            }
            t = end;
            n += 1;
            if let Some(k) = time_k {
                self.traces[k].push(t);
            }
        }
        for (k, &sample) in samples.iter().enumerate() {
            match time_k {
                Some(f) if f == k => {}
                // A second time record copies the first's new samples.
                Some(f) if self.probes[k] == ProbeTarget::Time => {
                    let all = &self.traces[f];
                    let tail = all[all.len() - n..].to_vec();
                    self.traces[k].extend_from_slice(&tail);
                }
                _ => self.traces[k].extend(std::iter::repeat_n(sample, n)),
            }
        }
        self.t = t;
        self.steps += n as u64;
        self.quiet.skipped += n as u64;
        Ok(())
    }
}
