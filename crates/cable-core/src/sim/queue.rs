//! The event queue: a min-heap on (time, insertion number), so events at equal
//! times come out first in, first out, as NEURON's queue delivers them.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
}

impl Queue {
    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }

    pub fn push(&mut self, t: f64, kind: EventKind) {
        self.seq += 1;
        self.heap.push(Event {
            t,
            seq: self.seq,
            kind,
        });
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
