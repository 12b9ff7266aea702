//! # stp-analysis
//!
//! Pure functions on recorded traces, with no simulation code: the analysis half
//! of bmtool 0.8.7's `bmtool.synapses` (`SynapseTuner`, `GapJunctionTuner`),
//! reproduced so that on the same trace the numbers are bmtool's.
//!
//! * [`single_event`] — baseline, sign, latency, amplitude, rise time, decay τ
//!   (exponential fit, [`fit_exp_decay`]), half width and [`current_integral`] of one
//!   synaptic event ([`Kinetics`]);
//! * [`pulse_amplitudes`] — the peak of each response of the 8 + 4 train;
//!   [`pulse_peaks`] — the sample where each pulse peaks (for numbering pulses
//!   on a plot);
//! * [`stp_metrics`] — paired-pulse ratio, induction, recovery, the max amplitude
//!   and bmtool's p90-normalised variants ([`StpMetrics`]), from the terms
//!   [`stp_terms`] returns ([`StpTerms`]: a1, a2, the means, max, p90);
//! * [`coupling_coefficient`] — the gap-junction coupling ΔV₂/ΔV₁, and its terms
//!   ([`coupling_terms`]).
//!
//! ## Units and conventions
//!
//! Times are in ms, currents in nA as NEURON records them; amplitudes of the train
//! and the current integral are converted to pA (× 1000) exactly where bmtool does.
//! Traces are on NEURON's fixed-step grid: sample `k` at `t[0] + k·dt`, and event
//! times map to samples by `floor((time − t[0]) / dt)` as in bmtool. Responses are
//! *rectified*: the sign of the largest excursion after the first event is
//! reported as `sign` and everything else is measured on `sign · (i − baseline)`,
//! so inward and outward currents give the same positive amplitudes.
//!
//! Two conventions ([`Convention`]) differ only where bmtool's arithmetic is
//! questionable; everything else is computed the same way and equals bmtool's
//! result on the same trace (see the [`Convention`] table).
//!
//! ## Formulas
//!
//! With `a1..a12` the per-pulse amplitudes:
//!
//! | metric | formula |
//! |---|---|
//! | `ppr`, `simple_ppr` | `a2 / a1` |
//! | `induction` | `(mean(a6, a7, a8) − a1) / max` |
//! | `recovery` | `(mean(a9..a12) − mean(a1..a4)) / max` |
//! | `max_amplitude` | amplitude of largest magnitude, signed (`_find_max_amp`) |
//! | `stp_initial_p90` | `(a2 − a1) / p90` (bmtool 0.8.7's `ppr`) |
//! | `induction_p90` | `(mean(a6..a8) − a1) / p90` (bmtool's `induction`) |
//! | `recovery_p90` | `(mean(a9..a12) − mean(a1..a4)) / p90` (bmtool's `recovery`) |
//! | coupling | `(v2(t_end) − v2(t_start)) / (v1(t_end) − v1(t_start))`, last samples before each time |
//!
//! ## Example
//!
//! ```
//! use stp_analysis::{single_event, stp_metrics, Convention, EventOptions};
//!
//! // An inward bi-exponential PSC 1.3 ms after an event at 20 ms, dt = 0.025 ms.
//! let dt = 0.025;
//! let t: Vec<f64> = (0..=4000).map(|k| k as f64 * dt).collect();
//! let i: Vec<f64> = t
//!     .iter()
//!     .map(|&t| {
//!         let s = t - 21.3;
//!         if s > 0.0 { -0.05 * ((-s / 3.0).exp() - (-s / 0.3).exp()) } else { 0.0 }
//!     })
//!     .collect();
//! let opts = EventOptions {
//!     dt,
//!     event_time: 20.0,
//!     tstart: 20.0,
//!     tdur: 80.0,
//!     convention: Convention::Default,
//!     ..EventOptions::default()
//! };
//! let k = single_event(&t, &i, &i, &opts).unwrap();
//! assert_eq!(k.sign, -1.0);
//! assert!((k.latency - 1.3).abs() < 1.5 * dt); // the first rising sample
//! assert!((k.decay_time - 3.0).abs() < 0.1);
//!
//! // A depressing train: every pulse 20 % smaller than the previous one.
//! let amps: Vec<f64> = (0..12).map(|k| 50.0 * 0.8f64.powi(k)).collect();
//! let m = stp_metrics(&amps).unwrap();
//! assert!((m.ppr - 0.8).abs() < 1e-12);
//! assert!(m.induction < 0.0);
//! ```
//!
//! ## Dependencies
//!
//! * `thiserror` — the typed [`AnalysisError`] with descriptive messages.
//! * `serde` — `Serialize` for [`Kinetics`] and [`StpMetrics`] with bmtool's keys.
//! * `mech-api`, without its host side (no dependencies of its own) — the C
//!   library's `exp`, bit for bit, four lanes at a time (`mech_api::math::exp4`)
//!   for the decay fit's residuals, its largest cost. It is the mechanism API's
//!   math module, not the simulator: this crate still knows nothing of simulation.
//! * dev: `proptest` (property tests), `serde_json` (checks the serialized keys),
//!   `criterion` (the benches in `benches/`).
//!
//! The reference values the tests compare against are produced by bmtool 0.8.7
//! itself (`tools/stp-ref/gen_stp_reference.py`, fixtures in `tests/fixtures/stp/`).
#![deny(missing_docs)]

mod coupling;
mod error;
mod event;
mod fit;
mod numeric;
mod peaks;
mod train;

pub use coupling::{coupling_coefficient, coupling_terms, CouplingTerms};
pub use error::AnalysisError;
pub use event::{current_integral, single_event, EventOptions, Kinetics};
pub use fit::{fit_exp_decay, ExpFit};
pub use peaks::pulse_peaks;
pub use train::{pulse_amplitudes, stp_metrics, stp_terms, StpMetrics, StpTerms, TrainOptions};

/// Which definitions to use where bmtool 0.8.7's arithmetic is questionable.
///
/// | quantity | `Default` | `Bmtool` |
/// |---|---|---|
/// | half width | `dt·(hw2 − hw1)`, the first sample above 50 % on the rise and the first below 50 % after the peak, both counted from the event sample | bmtool's index arithmetic: the rising crossing is counted from the response onset `istart` while the falling one is counted from the event sample, so `dt·istart` (= latency − dt) is added |
/// | current integral | `i_syn − i_syn[ispk]`, trapezoid over the grid samples in `[tstart, tstart + tdur]` | `i_syn − i_measured[ispk]` (the *clamp* current's baseline in voltage clamp), `np.trapz` over the whole run |
/// | train baseline and sign | read from `i_syn` | read from `i_measured` and applied to `i_syn` (in voltage clamp the clamp's holding current shifts every amplitude) |
/// | rise interval | `rise_interval` | `rise_interval` (bmtool's optimiser re-reads the other kinetics with its default (0.2, 0.8), but in 0.8.7 none of them depends on the interval, so nothing changes) |
///
/// In current clamp (`i_measured == i_syn`) the train amplitudes are the same in
/// both, and so are the integrals when the trace sits at its baseline before
/// `tstart` and has decayed by `tstart + tdur` (up to summation order); the half
/// width always differs by `dt·istart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Convention {
    /// The project's definitions.
    #[default]
    Default,
    /// bmtool 0.8.7's numbers, including its quirks.
    Bmtool,
}

/// First non-finite sample of `x`, as an error naming `what`.
pub(crate) fn check_finite(what: &'static str, x: &[f64]) -> Result<(), AnalysisError> {
    // A scan without an exit per sample (it vectorises); the index only on failure.
    if !x.iter().fold(false, |bad, v| bad | !v.is_finite()) {
        return Ok(());
    }
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(AnalysisError::NonFinite {
            what,
            index,
            value: x[index],
        }),
        None => Ok(()),
    }
}

/// `t` non-empty and finite; every trace as long as `t` and finite.
pub(crate) fn check_traces(
    t: &[f64],
    traces: &[(&'static str, &[f64])],
) -> Result<(), AnalysisError> {
    if t.is_empty() {
        return Err(AnalysisError::Empty { what: "t" });
    }
    for &(what, x) in traces {
        if x.is_empty() {
            return Err(AnalysisError::Empty { what });
        }
        if x.len() != t.len() {
            return Err(AnalysisError::LengthMismatch {
                what,
                got: x.len(),
                expected: t.len(),
            });
        }
    }
    check_finite("t", t)?;
    for &(what, x) in traces {
        check_finite(what, x)?;
    }
    Ok(())
}

/// `t[k]` within `dt/1000` of `t[0] + k·dt` for every `k` (NEURON's accumulated
/// `t += dt` rounding is far below that).
pub(crate) fn check_grid(t: &[f64], dt: f64) -> Result<(), AnalysisError> {
    let t0 = t[0];
    // `k` is the index as a float (exact: integers below 2^53).
    let off = |k: f64, value: f64| (value - (t0 + k * dt)).abs() > 1e-3 * dt;
    // A scan without an exit per sample, eight samples a round (it
    // vectorises); the index is looked for only on failure.
    let scan = |c: &[f64], base: f64| {
        let mut bad = false;
        for (j, &v) in c.iter().enumerate() {
            bad |= off(base + j as f64, v);
        }
        bad
    };
    let chunks = t.chunks_exact(8);
    let mut bad = scan(chunks.remainder(), (t.len() / 8 * 8) as f64);
    let mut base = 0.0f64;
    for c in chunks {
        bad |= scan(c, base);
        base += 8.0;
    }
    if !bad {
        return Ok(());
    }
    for (index, &value) in t.iter().enumerate() {
        let expected = t0 + index as f64 * dt;
        if off(index as f64, value) {
            return Err(AnalysisError::TimeGrid {
                dt,
                index,
                value,
                expected,
            });
        }
    }
    Ok(())
}

/// bmtool's `int(np.floor(time / dt))`, relative to `t[0]`, checked to be a sample.
pub(crate) fn sample_index(
    t: &[f64],
    dt: f64,
    time: f64,
    what: &'static str,
) -> Result<usize, AnalysisError> {
    let k = ((time - t[0]) / dt).floor();
    if !(k >= 0.0 && k < t.len() as f64) {
        return Err(AnalysisError::OutOfRange {
            what,
            time,
            first: t[0],
            last: t[t.len() - 1],
        });
    }
    Ok(k as usize)
}
