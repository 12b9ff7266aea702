//! The event queue: a min-heap on (time, insertion number), so events at equal
//! times come out first in, first out, as NEURON's queue delivers them; with
//! NEURON's `net_move`: each point process's latest self event with flag 1 can
//! be moved to another time.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// What an event does when delivered.
#[derive(Debug, Clone, Copy)]
pub(crate) enum EventKind {
    /// A spike arriving through connection `0`.
    NetCon(usize),
    /// A self event (`net_send`) to instance `inst` of type `ti`.
    SelfEvent {
        ti: usize,
        inst: u32,
        flag: f64,
        weights: *mut f64,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    pub t: f64,
    pub seq: u64,
    pub kind: EventKind,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        other
            .t
            .total_cmp(&self.t)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The queue.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    heap: BinaryHeap<Event>,
    seq: u64,
    /// Per (type, instance), the insertion number of its latest self event
    /// with flag 1 (NEURON's `_tqitem`, which `net_send(…, 1)` sets).
    movable: HashMap<(usize, u32), u64>,
}

/// Why [`Queue::move_self_event`] failed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum MoveError {
    /// The instance never sent a self event with flag 1.
    NoEvent,
    /// Its latest self event with flag 1 was delivered already.
    Delivered,
}

/// The insertion number of an empty queue: room below it for the events
/// `move_self_event` puts in front.
const SEQ_BASE: u64 = 1 << 32;

/// Whether a queue whose last insertion number is `seq` and which holds
/// `len` events still holds every event it was given since it was cleared
/// (none delivered, none moved).
pub(super) fn holds_all_given(seq: u64, len: usize) -> bool {
    seq == SEQ_BASE + len as u64
}

impl Queue {
    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = SEQ_BASE;
        self.movable.clear();
    }

    pub fn push(&mut self, t: f64, kind: EventKind) {
        self.seq += 1;
        if let EventKind::SelfEvent { ti, inst, flag, .. } = kind {
            if flag == 1.0 {
                self.movable.insert((ti, inst), self.seq);
            }
        }
        self.heap.push(Event {
            t,
            seq: self.seq,
            kind,
        });
    }

    /// NEURON's `net_move(tnew)` for instance `inst` of type `ti`: its latest
    /// self event with flag 1 is taken out and queued again at `tnew`, behind
    /// the events already queued at that time (TQueue::move's `remove` and
    /// `enqueue`).
    pub fn move_self_event(&mut self, ti: usize, inst: u32, tnew: f64) -> Result<(), MoveError> {
        let seq = *self.movable.get(&(ti, inst)).ok_or(MoveError::NoEvent)?;
        let mut events = std::mem::take(&mut self.heap).into_vec();
        let found = events.iter().position(|e| e.seq == seq);
        let result = match found {
            Some(k) => {
                // NEURON's TQueue keeps its earliest item apart (`least_`):
                // moved no later than the next event, it stays in front of
                // the events at its new time; any other move re-enqueues it
                // behind them.
                let me = events[k];
                let least = events
                    .iter()
                    .all(|e| e.seq == seq || e.cmp(&me) == Ordering::Less);
                let next = events
                    .iter()
                    .filter(|e| e.seq != seq)
                    .map(|e| e.t)
                    .fold(f64::INFINITY, f64::min);
                let new_seq = if least && tnew <= next {
                    events
                        .iter()
                        .map(|e| e.seq)
                        .min()
                        .unwrap_or(1)
                        .saturating_sub(1)
                } else {
                    self.seq += 1;
                    self.seq
                };
                events[k].t = tnew;
                events[k].seq = new_seq;
                self.movable.insert((ti, inst), new_seq);
                Ok(())
            }
            None => Err(MoveError::Delivered),
        };
        self.heap = BinaryHeap::from(events);
        result
    }

    /// The movable self events: ((type, instance), insertion number).
    pub fn movable(&self) -> Vec<((usize, u32), u64)> {
        let mut m: Vec<_> = self.movable.iter().map(|(k, v)| (*k, *v)).collect();
        m.sort_unstable();
        m
    }

    /// Restore the movable self events saved by [`Queue::movable`].
    pub fn set_movable(&mut self, m: &[((usize, u32), u64)]) {
        self.movable = m.iter().copied().collect();
    }

    /// Remove and return the earliest event if its time is ≤ `til`.
    pub fn pop_until(&mut self, til: f64) -> Option<Event> {
        match self.heap.peek() {
            Some(e) if e.t <= til => self.heap.pop(),
            _ => None,
        }
    }

    /// Time of the earliest event.
    pub fn next_time(&self) -> Option<f64> {
        self.heap.peek().map(|e| e.t)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// The queued events, in no particular order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.heap.iter()
    }

    /// The last insertion number given.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Queue an event with a given insertion number (restoring a saved queue).
    pub fn push_with_seq(&mut self, t: f64, seq: u64, kind: EventKind) {
        self.heap.push(Event { t, seq, kind });
    }

    /// Set the last insertion number given (restoring a saved queue).
    pub fn set_seq(&mut self, seq: u64) {
        self.seq = seq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_ev(inst: u32, flag: f64) -> EventKind {
        EventKind::SelfEvent {
            ti: 0,
            inst,
            flag,
            weights: std::ptr::null_mut(),
        }
    }

    /// The instances of the delivered events, in delivery order.
    fn drain(q: &mut Queue) -> Vec<(f64, u32)> {
        let mut out = Vec::new();
        while let Some(e) = q.pop_until(f64::INFINITY) {
            match e.kind {
                EventKind::SelfEvent { inst, .. } => out.push((e.t, inst)),
                EventKind::NetCon(c) => out.push((e.t, 100 + c as u32)),
            }
        }
        out
    }

    #[test]
    fn net_move_requeues_behind_equal_times_unless_the_earliest_stays_first() {
        // Not the earliest: removed and queued again behind the event at 6.
        let mut q = Queue::default();
        q.clear();
        q.push(4.0, EventKind::NetCon(0));
        q.push(5.0, self_ev(1, 1.0));
        q.push(6.0, EventKind::NetCon(1));
        q.move_self_event(0, 1, 6.0).unwrap();
        assert_eq!(drain(&mut q), vec![(4.0, 100), (6.0, 101), (6.0, 1)]);
        // The earliest, moved to the next event's time: stays in front (TQueue's least_).
        q.clear();
        q.push(5.0, self_ev(1, 1.0));
        q.push(6.0, EventKind::NetCon(1));
        q.move_self_event(0, 1, 6.0).unwrap();
        assert_eq!(drain(&mut q), vec![(6.0, 1), (6.0, 101)]);
        // The earliest, moved past the next event: behind it.
        q.clear();
        q.push(5.0, self_ev(1, 1.0));
        q.push(6.0, EventKind::NetCon(1));
        q.move_self_event(0, 1, 7.0).unwrap();
        assert_eq!(drain(&mut q), vec![(6.0, 101), (7.0, 1)]);
    }

    #[test]
    fn net_move_moves_the_latest_flag_one_event_and_names_missing_ones() {
        let mut q = Queue::default();
        q.clear();
        assert_eq!(q.move_self_event(0, 3, 1.0), Err(MoveError::NoEvent));
        q.push(2.0, self_ev(3, 1.0));
        q.push(3.0, self_ev(3, 2.0));
        q.push(4.0, self_ev(3, 1.0));
        q.move_self_event(0, 3, 1.0).unwrap();
        assert_eq!(drain(&mut q), vec![(1.0, 3), (2.0, 3), (3.0, 3)]);
        assert_eq!(q.move_self_event(0, 3, 9.0), Err(MoveError::Delivered));
    }
}
