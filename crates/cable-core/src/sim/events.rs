//! Events: sources (NEURON's PreSyn), connections (NetCon), threshold
//! detection, and delivery of queued events to NET_RECEIVE, with what the
//! calls queue in turn (`net_send`, `net_event`).

use super::queue::{EventKind, MoveError};
use super::Simulation;
use crate::error::SimError;
use crate::ids::{ConnId, SourceId};

/// What an event source is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SourceKind {
    Voltage { node: usize, threshold: f64 },
    Mech { ti: usize, inst: u32 },
}

/// NEURON's PreSyn.
#[derive(Debug, Clone)]
pub(crate) struct PreSyn {
    pub kind: SourceKind,
    pub conns: Vec<usize>,
    pub flag: bool,
    pub record: bool,
    pub spikes: Vec<f64>,
}

/// NEURON's NetCon.
#[derive(Debug, Clone)]
pub(crate) struct Conn {
    pub target: Option<(usize, u32)>,
    pub delay: f64,
    pub weights: Box<[f64]>,
    /// weight[0] as configured (kept across initialisations).
    pub weight0: f64,
    pub active: bool,
}

impl Simulation {
    pub(super) fn check_thresholds(&mut self) {
        let t = self.t;
        for ps in 0..self.presyns.len() {
            if let SourceKind::Voltage { node, threshold } = self.presyns[ps].kind {
                let val = self.v[node] - threshold;
                if val > 0.0 {
                    if !self.presyns[ps].flag {
                        self.presyns[ps].flag = true;
                        self.presyn_send(ps, t + 1e-10);
                    }
                } else {
                    self.presyns[ps].flag = false;
                }
            }
        }
    }

    pub(super) fn deliver(&mut self, til: f64) -> Result<(), SimError> {
        while let Some(ev) = self.queue.pop_until(til) {
            let te = ev.t;
            let (ti, inst, w, flag) = match ev.kind {
                EventKind::NetCon(c) => {
                    let conn = &mut self.conns[c];
                    let (ti, inst) = match conn.target {
                        Some(x) => x,
                        None => continue,
                    };
                    (ti, inst, conn.weights.as_mut_ptr(), 0.0)
                }
                EventKind::SelfEvent {
                    ti,
                    inst,
                    flag,
                    weights,
                } => (ti, inst, weights, flag),
            };
            let mut pp = self.ppack(ti, te);
            // SAFETY: pp describes storage owned by self; `w` points to a
            // connection's weight vector (boxed, never reallocated) or is null
            // for self events sent outside NET_RECEIVE.
            let w = if w.is_null() {
                self.spare_weights.iter_mut().for_each(|x| *x = 0.0);
                self.spare_weights.as_mut_ptr()
            } else {
                w
            };
            self.quiet.delivered += 1;
            if let Some(h) = self.freeze.hit.get_mut(ti) {
                *h = true;
                let k = self.freeze.k_of[ti];
                if k != usize::MAX && self.freeze.frozen[k] {
                    self.thaw(k);
                }
            }
            self.host.outbox.event_t = te;
            let st = unsafe { self.types[ti].ty.call_net_receive(&mut pp, inst, w, flag) };
            self.status(ti, st, "NET_RECEIVE")?;
            self.drain_outbox(ti)?;
        }
        Ok(())
    }

    /// Move what a mechanism call queued into the event queue.
    pub(super) fn drain_outbox(&mut self, ti: usize) -> Result<(), SimError> {
        if self.host.outbox.sends.is_empty()
            && self.host.outbox.spikes.is_empty()
            && self.host.outbox.moves.is_empty()
        {
            return Ok(());
        }
        let sends = std::mem::take(&mut self.host.outbox.sends);
        let moves = std::mem::take(&mut self.host.outbox.moves);
        let mut next_move = 0;
        for (k, (inst, te, flag, w)) in sends.iter().enumerate() {
            self.apply_moves(ti, &moves, &mut next_move, k)?;
            if !te.is_finite() {
                return Err(SimError::Mechanism {
                    mech: self.types[ti].ty.info.name.clone(),
                    message: format!("net_send to a non-finite time {te}"),
                });
            }
            self.queue.push(
                *te,
                EventKind::SelfEvent {
                    ti,
                    inst: *inst,
                    flag: *flag,
                    weights: *w,
                },
            );
        }
        self.apply_moves(ti, &moves, &mut next_move, sends.len())?;
        let mut sends = sends;
        sends.clear();
        self.host.outbox.sends = sends;
        let mut moves = moves;
        moves.clear();
        self.host.outbox.moves = moves;
        let spikes = std::mem::take(&mut self.host.outbox.spikes);
        for (inst, ts) in &spikes {
            if let Some(ps) = self.mech_source[ti].get(*inst as usize).copied().flatten() {
                self.presyn_send(ps, *ts);
            }
        }
        let mut spikes = spikes;
        spikes.clear();
        self.host.outbox.spikes = spikes;
        Ok(())
    }

    /// Carry out the `net_move`s made before the `upto`-th `net_send` of the
    /// call, from `moves[*next]` on (NEURON's `nrn_net_move`, with its errors).
    fn apply_moves(
        &mut self,
        ti: usize,
        moves: &[(usize, u32, f64)],
        next: &mut usize,
        upto: usize,
    ) -> Result<(), SimError> {
        while let Some(&(before, inst, tt)) = moves.get(*next) {
            if before > upto {
                break;
            }
            *next += 1;
            let message = if !tt.is_finite() {
                format!("net_move to a non-finite time {tt} (instance {inst})")
            } else if tt < self.host.outbox.event_t {
                format!(
                    "net_move tt < t: to {tt} ms before t = {} ms (instance {inst})",
                    self.host.outbox.event_t
                )
            } else {
                match self.queue.move_self_event(ti, inst, tt) {
                    Ok(()) => continue,
                    Err(MoveError::NoEvent) => format!("No event with flag=1 for net_move in instance {inst}"),
                    Err(MoveError::Delivered) => format!(
                        "net_move in instance {inst}: its self event with flag=1 was delivered already (NEURON would move a freed event)"
                    ),
                }
            };
            return Err(SimError::Mechanism {
                mech: self.types[ti].ty.info.name.clone(),
                message,
            });
        }
        Ok(())
    }

    fn presyn_send(&mut self, ps: usize, ts: f64) {
        let p = &mut self.presyns[ps];
        if p.record {
            p.spikes.push(ts);
        }
        for k in 0..self.presyns[ps].conns.len() {
            let c = self.presyns[ps].conns[k];
            let conn = &self.conns[c];
            if conn.active && conn.target.is_some() {
                let te = ts + conn.delay;
                self.queue.push(te, EventKind::NetCon(c));
            }
        }
    }

    /// Set weight `k` of a connection (weight 0 is kept across initialisations).
    pub fn set_weight(&mut self, c: ConnId, k: usize, value: f64) -> Result<(), SimError> {
        let conn = self
            .conns
            .get_mut(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("connection {}", c.0)))?;
        if k >= conn.weights.len() {
            return Err(SimError::BadHandle(format!(
                "weight {k} of a connection with {} weights",
                conn.weights.len()
            )));
        }
        conn.weights[k] = value;
        if k == 0 {
            conn.weight0 = value;
        }
        Ok(())
    }

    /// Set a connection's delay (ms).
    pub fn set_delay(&mut self, c: ConnId, delay: f64) -> Result<(), SimError> {
        if !(delay >= 0.0 && delay.is_finite()) {
            return Err(SimError::BadSetting {
                what: "connection delay".into(),
                expected: "a finite number ≥ 0 ms".into(),
                value: delay,
            });
        }
        self.conns
            .get_mut(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("connection {}", c.0)))?
            .delay = delay;
        Ok(())
    }

    /// Switch a connection on or off (NEURON's `NetCon.active`).
    pub fn set_active(&mut self, c: ConnId, on: bool) -> Result<(), SimError> {
        self.conns
            .get_mut(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("connection {}", c.0)))?
            .active = on;
        Ok(())
    }

    /// Read a connection's weight vector (its per-connection state included).
    pub fn weights(&self, c: ConnId) -> Result<&[f64], SimError> {
        Ok(&self
            .conns
            .get(c.0)
            .ok_or_else(|| SimError::BadHandle(format!("connection {}", c.0)))?
            .weights)
    }

    /// Record the spike times a source sends (NEURON's `NetCon.record`); cleared
    /// at every initialisation.
    pub fn record_spikes(&mut self, s: SourceId) -> Result<(), SimError> {
        self.presyns
            .get_mut(s.0)
            .ok_or_else(|| SimError::BadHandle(format!("source {}", s.0)))?
            .record = true;
        Ok(())
    }

    /// The spike times a source sent since the last initialisation.
    pub fn spikes(&self, s: SourceId) -> Result<&[f64], SimError> {
        Ok(&self
            .presyns
            .get(s.0)
            .ok_or_else(|| SimError::BadHandle(format!("source {}", s.0)))?
            .spikes)
    }

    /// Number of events waiting.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// Time of the next event, if any.
    pub fn next_event_time(&self) -> Option<f64> {
        self.queue.next_time()
    }
}
