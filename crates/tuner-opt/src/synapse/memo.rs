//! The tuner's saved starts: the state of its last one-lane run just before
//! the run's first event, kept for the next calls.
//!
//! Up to its first event a run computes only the cell's own equations, from
//! the start voltage, so every later protocol of the same tuner (a single
//! event, a train at any frequency, continuous input) computes the same bits
//! up to that time — unless something the run reads changed in between.
//! The first run of a kind only notes that it ran: a state is saved from the
//! second run of that kind under the same key on (saving copies the traces
//! recorded so far, about a tenth of a single event's time, which a call
//! made once — a command-line process — would pay for nothing).
//! The entry is keyed by [`SynapseTuner`]'s `start_key`: everything a run
//! depends on except the synapse's event-only parameters (`Use`, `Dep`, `Fac`
//! of the STP synapses, which only NET_RECEIVE reads). So the calls of a
//! notebook that moves those parameters, or changes protocols, continue from
//! the saved start ([`cable_core::Simulation::graft_embedded`], which refuses
//! a start past any of the new run's events); any other change misses, and
//! the run is simulated whole and saves its own start.
//!
//! Clones of a tuner share its saved starts (the web page and the Python
//! package run each request on a clone with the request's parameters); the
//! key keeps a clone with other parameters from using a start that is not
//! its own.

use super::prefix::TrainPrefix;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Saved starts, one per kind of run (single event, train, continuous
/// input: their stimulators are different mechanisms, and under
/// `Convention::Bmtool` single events start from `v_init`, the others from
/// +70 mV).
#[derive(Debug, Default)]
pub(super) struct StartMemo {
    entries: Mutex<Vec<Entry>>,
    /// Runs (or calls of several trains) continued from a saved start.
    used: AtomicU64,
}

/// One kind's saved start (or only that it ran, `None`) and what it was made
/// under.
#[derive(Debug, Clone)]
struct Entry {
    key: Arc<str>,
    kind: &'static str,
    prefix: Option<TrainPrefix>,
}

impl StartMemo {
    /// The start of a `kind` run saved under `key`, if any.
    pub(super) fn get(&self, key: &str, kind: &str) -> Option<TrainPrefix> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|e| e.kind == kind && &*e.key == key)
            .and_then(|e| e.prefix.clone())
    }

    /// Whether a `kind` run under `key` ran before (its start saved or not);
    /// if not, note that one has.
    pub(super) fn seen(&self, key: &str, kind: &'static str) -> bool {
        let Ok(mut entries) = self.entries.lock() else {
            return false;
        };
        if entries.iter().any(|e| e.kind == kind && &*e.key == key) {
            return true;
        }
        entries.retain(|e| e.kind != kind);
        entries.push(Entry {
            key: key.into(),
            kind,
            prefix: None,
        });
        false
    }

    /// Keep `prefix` as the start of `kind` runs under `key`, replacing the
    /// one saved for that kind.
    pub(super) fn put(&self, key: &str, kind: &'static str, prefix: TrainPrefix) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // One entry per kind (three at most).
        entries.retain(|e| e.kind != kind);
        entries.push(Entry {
            key: key.into(),
            kind,
            prefix: Some(prefix),
        });
    }

    /// Forget every saved start.
    pub(super) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    /// Count one run continued from a saved start.
    pub(super) fn count_use(&self) {
        self.used.fetch_add(1, Ordering::Relaxed);
    }

    /// How many runs continued from a saved start.
    pub(super) fn uses(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// How many starts are saved.
    pub(super) fn len(&self) -> usize {
        self.entries
            .lock()
            .map_or(0, |e| e.iter().filter(|e| e.prefix.is_some()).count())
    }
}

#[cfg(test)]
mod tests {
    use crate::{SynapseTuner, Traces, TunerSettings};
    use stp_analysis::Convention;

    fn tuner(conv: Convention) -> SynapseTuner {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/fsi/settings.json");
        SynapseTuner::new(
            standard_mechanisms::registry(),
            TunerSettings::from_file(&p).unwrap(),
            Some("Dep2FSI"),
            conv,
        )
        .unwrap()
    }

    fn bits(x: &[f64]) -> Vec<u64> {
        x.iter().map(|v| v.to_bits()).collect()
    }

    /// Two traces with the same bits, or the first sample that differs.
    fn same_bits(a: &[f64], b: &[f64], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        let k = bits(a).iter().zip(bits(b)).position(|(x, y)| *x != y);
        assert_eq!(k, None, "{what}: first differing sample");
    }

    fn same(a: &Traces, b: &Traces, what: &str) {
        same_bits(&a.t, &b.t, &format!("{what}: t"));
        same_bits(&a.soma_v, &b.soma_v, &format!("{what}: v"));
        same_bits(&a.i_syn, &b.i_syn, &format!("{what}: i_syn"));
        let clamp = |t: &Traces| t.i_clamp.clone().unwrap_or_default();
        same_bits(&clamp(a), &clamp(b), &format!("{what}: i_clamp"));
        same_bits(&a.spikes, &b.spikes, &format!("{what}: spikes"));
    }

    /// One tuner's calls in sequence, continued from its saved starts where
    /// they apply, against a fresh tuner per call (every run simulated from
    /// its start): single events and trains at other frequencies, after an
    /// event-only parameter changed (continued) and after another parameter
    /// changed (simulated whole), and on a clone; both conventions.
    #[test]
    fn runs_continued_from_a_saved_start_are_the_runs_simulated_whole() {
        for conv in [Convention::Bmtool, Convention::Default] {
            let mut t = tuner(conv);
            let fresh = |params: &[(&str, f64)]| {
                let mut f = tuner(conv);
                for &(k, v) in params {
                    f.set_param(k, v).unwrap();
                }
                f
            };
            let mut set: Vec<(&str, f64)> = Vec::new();
            let check = |t: &SynapseTuner, set: &[(&str, f64)], f: f64, used: u64| {
                let w = fresh(set);
                let what = format!("{conv:?} {set:?}");
                let a = t.single_event().unwrap();
                let b = w.single_event().unwrap();
                same(&a.traces, &b.traces, &format!("{what} single"));
                let a = t.train(f, 125.0).unwrap();
                let b = w.train(f, 125.0).unwrap();
                same(&a.traces, &b.traces, &format!("{what} train"));
                assert_eq!(a.amplitudes_pa, b.amplitudes_pa);
                assert_eq!(t.saved_start_uses(), used, "{conv:?} {set:?}");
            };
            // The first call of each kind under a key saves nothing, the
            // second saves its start, the next ones continue from it.
            check(&t, &set, 50.0, 0);
            assert_eq!(t.saved_starts(), 0);
            check(&t, &set, 40.0, 0);
            assert_eq!(t.saved_starts(), 2);
            set.push(("Use", 0.7));
            t.set_param("Use", 0.7).unwrap();
            check(&t, &set, 20.0, 2);
            set.push(("tau_d_GABAA", 9.0));
            t.set_param("tau_d_GABAA", 9.0).unwrap();
            check(&t, &set, 35.0, 2);
            check(&t, &set, 30.0, 2);
            check(&t, &set, 25.0, 4);
            assert_eq!(t.saved_starts(), 2);
            // A clone (the web page's and Python's per-request copies)
            // continues from the starts its original saved, and they share
            // what it saves.
            let c = t.clone();
            same(
                &c.single_event().unwrap().traces,
                &fresh(&set).single_event().unwrap().traces,
                "clone",
            );
            assert_eq!(t.saved_start_uses(), 5);
            t.clear_saved_starts();
            assert_eq!(t.saved_starts(), 0);
        }
    }
}
