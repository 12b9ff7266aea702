//! The 8 + 4 pulse train: per-pulse amplitudes (bmtool's `_response_amplitude`)
//! and the short-term-plasticity metrics (`_calc_ppr_induction_recovery`,
//! `_find_max_amp`).

use serde::Serialize;

use crate::error::AnalysisError;
use crate::event::baseline_and_sign;
use crate::numeric::{mean, percentile_linear};
use crate::{check_finite, check_grid, check_traces, Convention};

/// Settings of the per-pulse amplitude extraction. Times in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// The fixed time step (NEURON's `h.dt`); sample `k` is at `t[0] + k·dt`.
    pub dt: f64,
    /// The NetCon delay (bmtool's `general_settings["delay"]`, default 1.3 ms):
    /// each pulse's window starts at its presynaptic event + `delay`.
    pub delay: f64,
    /// End of the run (bmtool's `h.tstop`): the last window ends at `tstop + delay`.
    pub tstop: f64,
    /// Where baseline and sign come from; see [`Convention`].
    pub convention: Convention,
}

impl Default for TrainOptions {
    /// bmtool's defaults for a 50 Hz train with a 250 ms gap starting at 500 ms:
    /// `dt = 0.025`, `delay = 1.3`, `tstop = 500 + 7·20 + 250 + 4·20 = 970`.
    fn default() -> Self {
        TrainOptions {
            dt: 0.025,
            delay: 1.3,
            tstop: 970.0,
            convention: Convention::Default,
        }
    }
}

/// The peak response to each presynaptic event of a train, in pA, rectified by
/// the response sign as bmtool does (so the dominant direction is positive for
/// both excitatory and inhibitory currents).
///
/// With `ispk = floor((event_times[0] − t0)/dt)`, `baseline = ref[ispk]` and
/// `sign` = the sign of `ref[ispk..] − baseline` at its largest magnitude, the
/// response is `y = (i_syn − baseline)·sign`; pulse `j` is
/// `1000 · max y[b_j .. b_{j+1})` with `b_j = floor((event_times[j] + delay − t0)/dt)`
/// and the last window ending at `floor((tstop + delay − t0)/dt)` (clipped to the trace).
///
/// `ref` is `i_measured` under [`Convention::Bmtool`] (bmtool reads the
/// baseline and sign from the clamp current in voltage clamp, then applies them to
/// the synaptic current) and `i_syn` under [`Convention::Default`]. In current
/// clamp pass the same trace twice and the two conventions agree.
///
/// As in bmtool, when the last window holds no sample (the run stopped before it)
/// the last pulse is dropped and one fewer amplitude is returned; an empty window
/// before it is an error ([`AnalysisError::EmptyWindow`]).
///
/// Errors: empty/mismatched/non-finite inputs, bad options, `t` off the grid, an
/// event before the trace, a flat reference trace, an empty window.
pub fn pulse_amplitudes(
    t: &[f64],
    i_measured: &[f64],
    i_syn: &[f64],
    event_times: &[f64],
    opts: &TrainOptions,
) -> Result<Vec<f64>, AnalysisError> {
    check_traces(t, &[("i_measured", i_measured), ("i_syn", i_syn)])?;
    if event_times.is_empty() {
        return Err(AnalysisError::Empty {
            what: "event_times",
        });
    }
    check_finite("event_times", event_times)?;
    if !(opts.dt.is_finite() && opts.dt > 0.0) {
        return Err(AnalysisError::InvalidOption {
            name: "dt",
            value: opts.dt,
            reason: "must be finite and positive",
        });
    }
    for (name, v) in [("delay", opts.delay), ("tstop", opts.tstop)] {
        if !v.is_finite() {
            return Err(AnalysisError::InvalidOption {
                name,
                value: v,
                reason: "must be finite",
            });
        }
    }
    check_grid(t, opts.dt)?;
    let dt = opts.dt;
    let t0 = t[0];
    let reference = match opts.convention {
        Convention::Bmtool => i_measured,
        Convention::Default => i_syn,
    };
    let rect = baseline_and_sign(t, reference, dt, event_times[0])?;
    // The rectified current `(v − baseline)·sign`, computed inside each
    // window only (no copy of the whole trace: the frequency response's
    // longest train records 470 000 samples).
    let y = |v: f64| (v - rect.baseline) * rect.sign;
    let mut bounds = Vec::with_capacity(event_times.len() + 1);
    for &e in event_times.iter().chain(std::iter::once(&opts.tstop)) {
        let k = ((e + opts.delay - t0) / dt).floor();
        if k < 0.0 {
            return Err(AnalysisError::OutOfRange {
                what: "event time + delay",
                time: e + opts.delay,
                first: t0,
                last: t[t.len() - 1],
            });
        }
        bounds.push(k);
    }
    let n = i_syn.len() as f64;
    let window = |j: usize| -> Option<f64> {
        let (a, b) = (bounds[j].min(n) as usize, bounds[j + 1].min(n) as usize);
        (a < b).then(|| {
            i_syn[a..b]
                .iter()
                .map(|&v| y(v))
                .fold(f64::NEG_INFINITY, f64::max)
        })
    };
    let pulses = event_times.len();
    let mut amps = Vec::with_capacity(pulses);
    for j in 0..pulses {
        match window(j) {
            Some(m) => amps.push(m * 1000.0),
            // bmtool's `except` branch: retry without the last window.
            None if j + 1 == pulses => break,
            None => {
                return Err(AnalysisError::EmptyWindow {
                    index: j,
                    start_ms: event_times[j] + opts.delay,
                    end_ms: event_times.get(j + 1).copied().unwrap_or(opts.tstop) + opts.delay,
                })
            }
        }
    }
    Ok(amps)
}

/// Short-term-plasticity metrics of the 8 + 4 train, from amplitudes `a1..a12`.
///
/// Serialized with the CLI's keys (`max_amplitude` as `max_amplitude_pA`).
/// `p90` is `np.percentile(a, 90)` (linear interpolation) over *all* amplitudes,
/// `max` the amplitude of largest magnitude (bmtool's `_find_max_amp`); means use
/// numpy's summation, so every value equals bmtool's bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StpMetrics {
    /// `a2 / a1` (bmtool's `simple_ppr`).
    pub ppr: f64,
    /// `(mean(a6, a7, a8) − a1) / max`.
    pub induction: f64,
    /// `(mean(a9..a12) − mean(a1..a4)) / max`.
    pub recovery: f64,
    /// `a2 / a1` again, under bmtool 0.8's name.
    pub simple_ppr: f64,
    /// The amplitude of largest magnitude, signed: `min(a)` when `|min(a)| > max(a)`,
    /// else `max(a)` (bmtool's `_find_max_amp`). pA when the amplitudes are.
    #[serde(rename = "max_amplitude_pA")]
    pub max_amplitude: f64,
    /// `(a2 − a1) / p90` — what bmtool 0.8.7 returns as `ppr`.
    pub stp_initial_p90: f64,
    /// `(mean(a6, a7, a8) − a1) / p90` — bmtool 0.8.7's `induction`.
    pub induction_p90: f64,
    /// `(mean(a9..a12) − mean(a1..a4)) / p90` — bmtool 0.8.7's `recovery`.
    pub recovery_p90: f64,
}

/// Computes [`StpMetrics`] from the per-pulse amplitudes (normally the 12 of
/// [`pulse_amplitudes`], in pA). More than 12 are accepted: the pulse indices stay
/// fixed and `p90`/`max` run over all of them, as in bmtool.
///
/// The metrics are invariant to scaling the amplitudes by any non-zero factor
/// except the p90 variants under a negative factor (a percentile is not odd), which
/// is why amplitudes are rectified by the response sign first.
///
/// Errors: fewer than 12 amplitudes, a non-finite one, or a zero denominator
/// (`a1`, the max amplitude, or `p90`).
pub fn stp_metrics(amps: &[f64]) -> Result<StpMetrics, AnalysisError> {
    let StpTerms {
        a1,
        a2,
        mean_a6_a8: mean678,
        mean_a1_a4: early,
        mean_a9_a12: late,
        max: max_amplitude,
        p90,
    } = stp_terms(amps)?;
    if a1 == 0.0 {
        return Err(AnalysisError::ZeroDenominator {
            what: "a1",
            metric: "ppr",
        });
    }
    if max_amplitude == 0.0 {
        return Err(AnalysisError::ZeroDenominator {
            what: "the max amplitude",
            metric: "induction",
        });
    }
    if p90 == 0.0 {
        return Err(AnalysisError::ZeroDenominator {
            what: "the 90th percentile",
            metric: "stp_initial_p90",
        });
    }
    let ppr = a2 / a1;
    Ok(StpMetrics {
        ppr,
        induction: (mean678 - a1) / max_amplitude,
        recovery: (late - early) / max_amplitude,
        simple_ppr: ppr,
        max_amplitude,
        stp_initial_p90: (a2 - a1) / p90,
        induction_p90: (mean678 - a1) / p90,
        recovery_p90: (late - early) / p90,
    })
}

/// The inputs of the [`StpMetrics`] formulas, exactly as [`stp_metrics`] uses
/// them (so a page can show the arithmetic with the very numbers). Serialized
/// with these field names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StpTerms {
    /// The first amplitude.
    pub a1: f64,
    /// The second amplitude.
    pub a2: f64,
    /// `mean(a6, a7, a8)` (numpy's summation).
    pub mean_a6_a8: f64,
    /// `mean(a1..a4)`.
    pub mean_a1_a4: f64,
    /// `mean(a9..a12)`.
    pub mean_a9_a12: f64,
    /// The amplitude of largest magnitude, signed (bmtool's `_find_max_amp`).
    pub max: f64,
    /// `np.percentile(a, 90)` over all amplitudes.
    pub p90: f64,
}

/// The [`StpTerms`] of amplitudes `a1..a12` (more are accepted, as in
/// [`stp_metrics`]). Errors: fewer than 12 amplitudes, a non-finite one.
pub fn stp_terms(amps: &[f64]) -> Result<StpTerms, AnalysisError> {
    if amps.len() < 12 {
        return Err(AnalysisError::TooFewAmplitudes { got: amps.len() });
    }
    check_finite("amplitudes", amps)?;
    let hi = amps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = amps.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(StpTerms {
        a1: amps[0],
        a2: amps[1],
        mean_a6_a8: mean(&amps[5..8]),
        mean_a1_a4: mean(&amps[0..4]),
        mean_a9_a12: mean(&amps[8..12]),
        max: if lo.abs() > hi { lo } else { hi },
        p90: percentile_linear(amps, 90.0),
    })
}
