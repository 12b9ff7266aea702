//! Single-event kinetics (bmtool's `SynapseTuner._get_syn_prop` and the current
//! integral of `SingleEvent`).

use serde::Serialize;

use crate::error::AnalysisError;
use crate::numeric::{argmax_abs_of, first_local_max, sign, trapezoid_dx_of};
use crate::{check_grid, check_traces, sample_index, Convention};

/// Settings of a single-event analysis. Times in ms.
///
/// `Default` gives bmtool 0.8.7's `DEFAULT_GENERAL_SETTINGS`: `dt = 0.025`,
/// `tstart = 500`, `tdur = 100`, `rise_interval = (0.1, 0.9)`, the event at
/// `tstart`, and [`Convention::Default`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventOptions {
    /// The fixed time step of the recording (NEURON's `h.dt`). Sample `k` is taken
    /// to be at `t[0] + k·dt`, as bmtool's index arithmetic assumes.
    pub dt: f64,
    /// Time of the first presynaptic event as the NetCon records it (bmtool's
    /// `tspk[0]`; normally `tstart`). Baseline and sign are read at sample
    /// `floor((event_time − t[0]) / dt)`, and the latency counts from there, so it
    /// includes the NetCon delay.
    pub event_time: f64,
    /// Start of the run's stimulus window (bmtool's `tstart`): the default
    /// convention integrates the current over `[tstart, tstart + tdur]`.
    pub tstart: f64,
    /// Length of that window (bmtool's `tdur`).
    pub tdur: f64,
    /// Fractions of the peak between which the rise time is measured
    /// (bmtool's `general_settings["rise_interval"]`); `0 ≤ lo < hi ≤ 1`.
    pub rise_interval: (f64, f64),
    /// Which half width and current integral to compute.
    pub convention: Convention,
}

impl Default for EventOptions {
    fn default() -> Self {
        EventOptions {
            dt: 0.025,
            event_time: 500.0,
            tstart: 500.0,
            tdur: 100.0,
            rise_interval: (0.1, 0.9),
            convention: Convention::Default,
        }
    }
}

/// Kinetics of one synaptic event, serialized with bmtool's keys.
///
/// `amp` and `baseline` are in the trace's units (nA for NEURON currents), times
/// in ms, `current_integral` in pA·ms (the trace × 1000 integrated over ms).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Kinetics {
    /// Measured trace at the event sample: `i[ispk]`, `ispk = floor((event_time − t0)/dt)`.
    pub baseline: f64,
    /// Direction of the response, ±1: the sign of `x = i[ispk..] − baseline` at its
    /// largest magnitude. All other kinetics are computed on `sign · x`.
    pub sign: f64,
    /// `dt · (istart + 1)`, where `istart` is the first sample (from `ispk`) at which
    /// the rectified response increases before the peak.
    pub latency: f64,
    /// Peak of the rectified response at the *first* local maximum after the event
    /// (scipy `find_peaks` rule), always positive.
    pub amp: f64,
    /// `dt · (k_hi − k_lo)`, the first samples after `istart` strictly above
    /// `lo·amp` and `hi·amp` (`rise_interval = (lo, hi)`).
    pub rise_time: f64,
    /// τ of `a·exp(−t/τ)` fitted (Levenberg–Marquardt, start `(amp, dt·n/2)`) to the
    /// `n` samples from the peak to the last one before the response first rises again.
    pub decay_time: f64,
    /// Width at half amplitude; see [`Convention`] for the two definitions.
    pub half_width: f64,
    /// Integral of the baseline-subtracted synaptic current in pA·ms; see [`Convention`].
    pub current_integral: f64,
}

fn validate_options(opts: &EventOptions) -> Result<(), AnalysisError> {
    if !(opts.dt.is_finite() && opts.dt > 0.0) {
        return Err(AnalysisError::InvalidOption {
            name: "dt",
            value: opts.dt,
            reason: "must be finite and positive",
        });
    }
    for (name, v) in [
        ("event_time", opts.event_time),
        ("tstart", opts.tstart),
        ("tdur", opts.tdur),
    ] {
        if !v.is_finite() {
            return Err(AnalysisError::InvalidOption {
                name,
                value: v,
                reason: "must be finite",
            });
        }
    }
    if opts.tdur < 0.0 {
        return Err(AnalysisError::InvalidOption {
            name: "tdur",
            value: opts.tdur,
            reason: "must not be negative",
        });
    }
    let (lo, hi) = opts.rise_interval;
    if !(lo.is_finite() && lo >= 0.0) {
        return Err(AnalysisError::InvalidOption {
            name: "rise_interval.0",
            value: lo,
            reason: "must be in [0, 1) and below rise_interval.1",
        });
    }
    if !(hi.is_finite() && hi > lo && hi <= 1.0) {
        return Err(AnalysisError::InvalidOption {
            name: "rise_interval.1",
            value: hi,
            reason: "must be in (rise_interval.0, 1]",
        });
    }
    Ok(())
}

/// Baseline, sign and rectified response `sign·(i[ispk..] − baseline)`.
pub(crate) struct Rectified {
    pub(crate) ispk: usize,
    pub(crate) baseline: f64,
    pub(crate) sign: f64,
}

/// bmtool's `_get_syn_prop(short=True)`: baseline at the event sample and the sign
/// of the largest excursion after it.
pub(crate) fn baseline_and_sign(
    t: &[f64],
    i: &[f64],
    dt: f64,
    event_time: f64,
) -> Result<Rectified, AnalysisError> {
    let ispk = sample_index(t, dt, event_time, "event_time")?;
    let baseline = i[ispk];
    let tail = &i[ispk..];
    let k = argmax_abs_of(tail, |v| v - baseline);
    let s = sign(tail[k] - baseline);
    if s == 0.0 {
        return Err(AnalysisError::NoResponse {
            reason: "the trace never leaves its baseline after the event",
        });
    }
    Ok(Rectified {
        ispk,
        baseline,
        sign: s,
    })
}

fn first_index(x: &[f64], pred: impl Fn(f64) -> bool) -> Option<usize> {
    x.iter().position(|&v| pred(v))
}

/// Kinetics of a single synaptic event, as bmtool 0.8.7's
/// `SynapseTuner._get_syn_prop` and `SingleEvent` compute them.
///
/// * `t` — sample times (ms), the fixed-step grid `t[0] + k·dt` (NEURON's
///   accumulated rounding is accepted).
/// * `i_measured` — the trace the kinetics are measured on: the synaptic current
///   in current clamp, the clamp current (`VClamp.i`) in voltage clamp (bmtool's
///   `ivcl`). nA.
/// * `i_syn` — the synaptic current itself (nA), for the current integral; pass
///   `i_measured` again in current clamp.
///
/// The algorithm, with `x = sign·(i_measured[ispk..] − baseline)`:
/// first peak `ipk` of `x` (scipy's local-maximum rule), onset `istart` = first
/// `k < ipk` with `x[k+1] > x[k]`, rise samples and 50 % crossings by strict
/// comparison, decay fitted from `ipk` to `iend` = the last sample before `x`
/// first increases again (or the end). See [`Kinetics`] for each formula and
/// [`Convention`] for the half width and integral.
///
/// Errors: empty or mismatched traces, non-finite samples or options, `t` off the
/// `dt` grid, the event outside the trace, no response (flat trace, no local
/// maximum, or a first maximum not above the baseline — where bmtool would crash
/// or return nonsense), and a decay fit that does not converge.
pub fn single_event(
    t: &[f64],
    i_measured: &[f64],
    i_syn: &[f64],
    opts: &EventOptions,
) -> Result<Kinetics, AnalysisError> {
    check_traces(t, &[("i_measured", i_measured), ("i_syn", i_syn)])?;
    validate_options(opts)?;
    check_grid(t, opts.dt)?;
    let dt = opts.dt;
    let rect = baseline_and_sign(t, i_measured, dt, opts.event_time)?;
    let x: Vec<f64> = i_measured[rect.ispk..]
        .iter()
        .map(|v| (v - rect.baseline) * rect.sign)
        .collect();
    let ipk = first_local_max(&x).ok_or(AnalysisError::NoResponse {
        reason: "the response has no local maximum after the event",
    })?;
    let peak = x[ipk];
    if peak <= 0.0 {
        return Err(AnalysisError::NoResponse {
            reason: "the first local maximum after the event is not above the baseline",
        });
    }
    // Onset: first increase before the peak (exists: x[ipk] > x[ipk - 1]).
    let istart = (0..ipk)
        .find(|&k| x[k + 1] > x[k])
        .ok_or(AnalysisError::NoResponse {
            reason: "the response does not rise before its peak",
        })?;
    let latency = dt * (istart + 1) as f64;
    let rising = &x[istart..=ipk];
    let (lo, hi) = opts.rise_interval;
    let rt1 = first_index(rising, |v| v > lo * peak);
    let rt2 = first_index(rising, |v| v > hi * peak);
    let (Some(rt1), Some(rt2)) = (rt1, rt2) else {
        return Err(AnalysisError::NoResponse {
            reason: "the rise never crosses the rise_interval fractions of the peak",
        });
    };
    let rise_time = (rt2 as f64 - rt1 as f64) * dt;
    // Decay window: from the peak to the first re-rise.
    let after = &x[ipk..];
    let iend = match after.windows(2).position(|w| w[1] - w[0] > 0.0) {
        Some(k) => k + ipk,
        None => x.len() - 1,
    };
    let decay_len = iend - ipk + 1;
    let t_fit: Vec<f64> = (0..decay_len).map(|k| dt * k as f64).collect();
    let fit = crate::fit::fit_exp_decay(
        &t_fit,
        &x[ipk..=iend],
        Some((peak, dt * decay_len as f64 / 2.0)),
    )?;
    // Half width: first sample above 50 % on the rise (counted from istart), first
    // sample below 50 % after the peak (counted from ispk).
    let hw1 = first_index(rising, |v| v > 0.5 * peak).ok_or(AnalysisError::NoResponse {
        reason: "the rise never crosses half the peak",
    })?;
    let hw2 = first_index(after, |v| v < 0.5 * peak).map_or(x.len(), |k| k + ipk);
    let half_width = match opts.convention {
        Convention::Bmtool => (hw2 as f64 - hw1 as f64) * dt,
        Convention::Default => (hw2 as f64 - (istart + hw1) as f64) * dt,
    };
    let current_integral = integral_with(t, i_syn, opts, rect.baseline)?;
    Ok(Kinetics {
        baseline: rect.baseline,
        sign: rect.sign,
        latency,
        amp: peak,
        rise_time,
        decay_time: fit.tau,
        half_width,
        current_integral,
    })
}

/// The current integral of a single event in pA·ms.
///
/// * [`Convention::Default`]: `∫ (i_syn − i_syn[ispk])·1000 dt` over the samples of
///   the grid `t[0] + k·dt` inside `[tstart, tstart + tdur]` (trapezoid rule).
/// * [`Convention::Bmtool`]: `np.trapz((i_syn − i_measured[ispk])·1000, dx=dt)`
///   over the whole trace, as `SingleEvent` does — in voltage clamp the synaptic
///   current minus the *clamp* current's baseline, and the pre-event part included.
///
/// Both use numpy's pairwise summation. Errors as for [`single_event`] (inputs,
/// options, grid, event outside the trace).
pub fn current_integral(
    t: &[f64],
    i_measured: &[f64],
    i_syn: &[f64],
    opts: &EventOptions,
) -> Result<f64, AnalysisError> {
    check_traces(t, &[("i_measured", i_measured), ("i_syn", i_syn)])?;
    validate_options(opts)?;
    check_grid(t, opts.dt)?;
    let ispk = sample_index(t, opts.dt, opts.event_time, "event_time")?;
    integral_with(t, i_syn, opts, i_measured[ispk])
}

fn integral_with(
    t: &[f64],
    i_syn: &[f64],
    opts: &EventOptions,
    measured_baseline: f64,
) -> Result<f64, AnalysisError> {
    let dt = opts.dt;
    match opts.convention {
        Convention::Bmtool => Ok(trapezoid_dx_of(i_syn, dt, |v| {
            (v - measured_baseline) * 1000.0
        })),
        Convention::Default => {
            let ispk = sample_index(t, dt, opts.event_time, "event_time")?;
            let base = i_syn[ispk];
            let n = t.len();
            // Grid samples in [tstart, tstart + tdur]; the 1e-9 slack keeps an end
            // sample that NEURON's accumulated t puts a hair outside.
            let k0 = ((opts.tstart - t[0]) / dt - 1e-9).ceil().max(0.0);
            let k1 = ((opts.tstart + opts.tdur - t[0]) / dt + 1e-9).floor();
            if k1 < 0.0 || k0 > (n - 1) as f64 || k1 < k0 {
                return Ok(0.0);
            }
            let (k0, k1) = (k0 as usize, (k1 as usize).min(n - 1));
            Ok(trapezoid_dx_of(&i_syn[k0..=k1], dt, |v| {
                (v - base) * 1000.0
            }))
        }
    }
}
