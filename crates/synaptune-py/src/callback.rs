//! Python callables called from simulation threads: progress ticks and the
//! optimiser's cost. Each takes the GIL only for the call; the first Python
//! exception (a failing callback, or Ctrl-C seen by `check_signals`) is kept
//! and raised when the native call returns.

use pyo3::prelude::*;
use std::sync::Mutex;

/// The first Python error raised inside a callback.
#[derive(Default)]
pub struct ErrorSlot(Mutex<Option<PyErr>>);

impl ErrorSlot {
    /// Keep `e` unless an earlier error is kept already.
    pub fn keep(&self, e: PyErr) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if g.is_none() {
            *g = Some(e);
        }
    }

    /// Whether an error is kept.
    pub fn failed(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// `Err` with the kept error, if any.
    pub fn check(self) -> PyResult<()> {
        match self.0.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A progress callback: `f(n)` after each finished unit of work.
pub struct Progress {
    f: Option<Py<PyAny>>,
    done: std::sync::atomic::AtomicUsize,
    /// Errors raised by `f` or a pending KeyboardInterrupt.
    pub errors: ErrorSlot,
}

impl Progress {
    /// Wrap `f` (None: no calls).
    pub fn new(f: Option<Py<PyAny>>) -> Progress {
        Progress {
            f,
            done: Default::default(),
            errors: ErrorSlot::default(),
        }
    }

    /// One more unit done: call `f(total done)`.
    pub fn tick(&self) {
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        self.report(n);
    }

    /// Call `f(n)` with an explicit count (the optimisers count for us).
    pub fn report(&self, n: usize) {
        let Some(f) = &self.f else { return };
        if self.errors.failed() {
            return;
        }
        Python::attach(|py| {
            if let Err(e) = py.check_signals().and_then(|_| f.bind(py).call1((n,))) {
                self.errors.keep(e);
            }
        });
    }
}
