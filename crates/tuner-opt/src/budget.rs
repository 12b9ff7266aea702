//! Work budgets: what a protocol costs, computed before anything is simulated,
//! and the limits beyond which it is refused ([`Budget`]); the cancel flag
//! every simulation of a tuner watches ([`Cancel`]).
//!
//! A protocol's cost is counted in **steps** (model time / dt of each run,
//! summed over its runs: a frequency response is one train per frequency, an
//! optimisation at most `max_evaluations` evaluations of a train and/or a
//! single event, a sweep one run per conductance) and in **memory** (the
//! samples one run records — one per step per recorded trace — times 8 bytes;
//! runs in parallel hold one such run per thread).
//!
//! The defaults are far beyond normal work and far below what wedges a
//! machine. On the FSI example a step costs about 0.4 µs, a 50 Hz train is
//! 38 800 steps and bmtool's 16-frequency response 1.9 million (4.2 million
//! with a 4 s recovery delay); a 10 s continuous input is 432 000 steps; an
//! optimisation with 500 evaluations of a 50 Hz train 19 million.
//! [`Budget::DEFAULT`] allows 10⁹ steps (minutes of simulation of a small
//! cell, 200 frequency responses) and 2 GiB of traces per run;
//! [`Budget::SERVER`], for one request of the web page, 2·10⁷ steps (seconds)
//! and 256 MiB, which every choice the page offers stays within.

use crate::TunerError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The cancel flag: set it (from another thread, a Ctrl-C handler, a server
/// whose client went away) and every simulation of the tuner stops within 256
/// steps with [`cable_core::SimError::Cancelled`].
pub type Cancel = Arc<AtomicBool>;

/// Whether a cancel flag is set.
pub(crate) fn cancelled(c: &Option<Cancel>) -> bool {
    c.as_ref().is_some_and(|c| c.load(Ordering::Relaxed))
}

/// Limits of the work a protocol may ask for (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most steps, summed over every run of the protocol.
    pub max_steps: u64,
    /// Most bytes of recorded traces one run may hold.
    pub max_memory: u64,
}

impl Budget {
    /// The tuner commands' and the library's default: 10⁹ steps, 2 GiB.
    pub const DEFAULT: Budget = Budget {
        max_steps: 1_000_000_000,
        max_memory: 2 << 30,
    };
    /// One request of the web page (`synaptune serve`): 2·10⁷ steps, 256 MiB.
    pub const SERVER: Budget = Budget {
        max_steps: 20_000_000,
        max_memory: 256 << 20,
    };
    /// No limit.
    pub const UNLIMITED: Budget = Budget {
        max_steps: u64::MAX,
        max_memory: u64::MAX,
    };

    /// Refuse `work` beyond this budget.
    pub fn check(&self, work: &Work) -> Result<(), TunerError> {
        if work.steps <= self.max_steps as f64 && work.bytes <= self.max_memory as f64 {
            return Ok(());
        }
        Err(TunerError::OverBudget {
            what: work.what.clone(),
            runs: work.runs,
            steps: work.steps,
            bytes: work.bytes,
            max_steps: self.max_steps,
            max_memory: self.max_memory,
        })
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

/// The cost of a protocol, before it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Work {
    /// What was asked ("a train at 0.001 Hz with a 250 ms recovery delay").
    pub what: String,
    /// Simulations.
    pub runs: f64,
    /// Steps over all runs.
    pub steps: f64,
    /// Bytes of traces the largest run records.
    pub bytes: f64,
}

impl Work {
    /// Nothing yet.
    pub fn new(what: impl Into<String>) -> Work {
        Work {
            what: what.into(),
            runs: 0.0,
            steps: 0.0,
            bytes: 0.0,
        }
    }

    /// Add `count` runs to `tstop` ms at `dt` recording `traces` traces.
    pub fn add_runs(&mut self, count: f64, tstop: f64, dt: f64, traces: usize) -> &mut Work {
        let steps = steps(tstop, dt);
        self.runs += count;
        self.steps += count * steps;
        self.bytes = self.bytes.max((steps + 1.0) * traces as f64 * 8.0);
        self
    }

    /// Add another protocol's runs (`times` over).
    pub fn add(&mut self, other: &Work, times: f64) -> &mut Work {
        self.runs += times * other.runs;
        self.steps += times * other.steps;
        self.bytes = self.bytes.max(other.bytes);
        self
    }
}

/// Steps of one run to `tstop` (continuerun's count; ∞ for a non-finite stop).
fn steps(tstop: f64, dt: f64) -> f64 {
    let n = (tstop / dt).ceil();
    if n.is_nan() {
        f64::INFINITY
    } else {
        n.max(0.0)
    }
}

/// `12 345 678` style for messages.
pub(crate) fn grouped(x: f64) -> String {
    if !x.is_finite() || x >= 1e15 {
        return format!("{x:.3e}");
    }
    let s = format!("{}", x.round() as u64);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as MiB/GiB for messages.
pub(crate) fn bytes(x: f64) -> String {
    if !x.is_finite() || x >= 1e18 {
        format!("{x:.3e} bytes")
    } else if x >= (1u64 << 30) as f64 {
        format!("{:.1} GiB", x / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MiB", x / (1u64 << 20) as f64)
    }
}
