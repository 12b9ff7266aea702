"""The default-convention metrics of synaptune's synapse tuner, in numpy/scipy.

These functions are the Python statement of the contract that
`crates/stp-analysis` implements under `Convention::Default` (see
`crates/stp-analysis/src/event.rs` and `train.rs`); gen_tuner_reference.py
applies them to NEURON 9.0.2 traces to produce the "default" reference values.
They follow bmtool 0.8.7's `SynapseTuner._get_syn_prop` / `_response_amplitude`
/ `_calc_ppr_induction_recovery` line by line except where the default
convention differs:

* half width: both 50 % crossings counted from the event sample
  (`dt * (hw2 - (istart + hw1))`; bmtool omits `istart`);
* current integral: `(i_syn - i_syn[ispk]) * 1000`, trapezoid (dx = dt) over
  the grid samples inside [tstart, tstart + tdur] (bmtool: minus the *measured*
  trace's baseline, over the whole run);
* train amplitudes: baseline and sign read from the synaptic current itself
  (bmtool reads them from the clamp current in voltage clamp);
* ppr = a2/a1, induction and recovery normalised by the amplitude of largest
  magnitude; bmtool's p90-normalised numbers are kept as *_p90.

Only numpy is imported at module level (the NEURON 9 environment has no scipy);
`kinetics` imports scipy when called.
"""

import math

import numpy as np


def sample_index(t0, dt, time):
    """bmtool's int(np.floor(time / dt)), relative to the first sample."""
    return int(math.floor((time - t0) / dt))


def baseline_and_sign(i, t0, dt, event_time):
    """Baseline at the event sample and sign of the largest excursion after it."""
    i = np.asarray(i, dtype=float)
    ispk = sample_index(t0, dt, event_time)
    baseline = i[ispk]
    tail = i[ispk:] - baseline
    sign = np.sign(tail[np.argmax(np.abs(tail))])
    return ispk, float(baseline), float(sign)


def kinetics(t, i_measured, i_syn, dt, event_time, tstart, tdur, rise_interval):
    """Single-event kinetics, default convention.

    Baseline, sign, latency, amp, rise time and decay tau exactly as bmtool's
    `_get_syn_prop` computes them on `i_measured` (its current-clamp logic);
    half width and current integral as described in the module docstring."""
    from scipy.optimize import curve_fit
    from scipy.signal import find_peaks

    t = np.asarray(t, dtype=float)
    i_measured = np.asarray(i_measured, dtype=float)
    i_syn = np.asarray(i_syn, dtype=float)
    t0 = float(t[0])
    ispk, baseline, sign = baseline_and_sign(i_measured, t0, dt, event_time)
    isyn = i_measured[ispk:] - baseline
    isyn *= sign
    ipk, _ = find_peaks(isyn)
    ipk = int(ipk[0])
    peak = isyn[ipk]
    # latency
    istart = int(np.nonzero(np.diff(isyn[: ipk + 1]) > 0)[0][0])
    latency = dt * (istart + 1)
    # rise time
    rising = isyn[istart : ipk + 1]
    rt1 = int(np.nonzero(rising > rise_interval[0] * peak)[0][0])
    rt2 = int(np.nonzero(rising > rise_interval[1] * peak)[0][0])
    rise_time = (rt2 - rt1) * dt
    # decay time
    up = np.nonzero(np.diff(isyn[ipk:]) > 0)[0]
    iend = isyn.size - 1 if up.size == 0 else int(up[0]) + ipk
    decay_len = iend - ipk + 1
    popt, _ = curve_fit(
        lambda tt, a, tau: a * np.exp(-tt / tau),
        dt * np.arange(decay_len),
        isyn[ipk : iend + 1],
        p0=(peak, dt * decay_len / 2),
    )
    decay_time = popt[1]
    # half width, both crossings counted from the event sample
    hw1 = int(np.nonzero(rising > 0.5 * peak)[0][0])
    below = np.nonzero(isyn[ipk:] < 0.5 * peak)[0]
    hw2 = isyn.size if below.size == 0 else int(below[0]) + ipk
    half_width = dt * (hw2 - (istart + hw1))
    return {
        "baseline": float(baseline),
        "sign": float(sign),
        "latency": float(latency),
        "amp": float(peak),
        "rise_time": float(rise_time),
        "decay_time": float(decay_time),
        "half_width": float(half_width),
        "current_integral": current_integral(t, i_syn, dt, event_time, tstart, tdur),
    }


def current_integral(t, i_syn, dt, event_time, tstart, tdur):
    """pA*ms: trapezoid of (i_syn - i_syn[event sample]) * 1000 over the grid
    samples t0 + k*dt inside [tstart, tstart + tdur] (1e-9 slack on the
    ends, as crates/stp-analysis does)."""
    t = np.asarray(t, dtype=float)
    i_syn = np.asarray(i_syn, dtype=float)
    t0 = float(t[0])
    ispk = sample_index(t0, dt, event_time)
    base = i_syn[ispk]
    n = t.size
    k0 = max(math.ceil((tstart - t0) / dt - 1e-9), 0)
    k1 = math.floor((tstart + tdur - t0) / dt + 1e-9)
    if k1 < 0 or k0 > n - 1 or k1 < k0:
        return 0.0
    k1 = min(k1, n - 1)
    c = (i_syn[k0 : k1 + 1] - base) * 1000.0
    return float(np.trapezoid(c, dx=dt))


def train_amplitudes(t, i_syn, event_times, dt, delay, tstop):
    """Per-pulse peaks (pA), default convention: bmtool's `_response_amplitude`
    on the measured current `i_syn` (the clamp's under voltage clamp, else the
    synapse's) with baseline and sign read from that same trace (under voltage
    clamp the holding current just before the first pulse); windows from
    floor((t_k + delay)/dt) to the next, the last one to floor((tstop + delay)/dt)
    clipped to the trace (numpy slicing)."""
    t = np.asarray(t, dtype=float)
    i_syn = np.asarray(i_syn, dtype=float)
    t0 = float(t[0])
    ispk, baseline, sign = baseline_and_sign(i_syn, t0, dt, event_times[0])
    y = (i_syn - baseline) * sign
    bounds = [math.floor((e + delay - t0) / dt) for e in list(event_times) + [tstop]]
    n = y.size
    amps = []
    for j in range(len(event_times)):
        a, b = min(bounds[j], n), min(bounds[j + 1], n)
        if a < b:
            amps.append(float(y[a:b].max() * 1000.0))
        elif j + 1 == len(event_times):
            break  # bmtool's `except` branch: the run stopped before the last window
        else:
            raise ValueError(f"empty window for pulse {j + 1}")
    return amps, baseline, sign


def stp_metrics(amps):
    """ppr, induction, recovery, simple_ppr, max_amplitude_pA and the p90 variants."""
    a = np.asarray(amps, dtype=float)
    if a.size < 12:
        raise ValueError(f"need 12 amplitudes, got {a.size}")
    a1, a2 = a[0], a[1]
    m678 = np.mean(a[5:8])
    late = np.mean(a[8:12])
    early = np.mean(a[0:4])
    p90 = np.percentile(a, 90)
    hi, lo = a.max(), a.min()
    max_amp = lo if abs(lo) > hi else hi
    ppr = a2 / a1
    return {
        "ppr": float(ppr),
        "induction": float((m678 - a1) / max_amp),
        "recovery": float((late - early) / max_amp),
        "simple_ppr": float(ppr),
        "max_amplitude_pA": float(max_amp),
        "stp_initial_p90": float((a2 - a1) / p90),
        "induction_p90": float((m678 - a1) / p90),
        "recovery_p90": float((late - early) / p90),
    }


def train_times(tstart, freq, delay, n_init=8, n_end=4):
    """The 12 presynaptic times two NetStims would produce (bmtool's
    `_set_drive_train`), and the run's tstop."""
    interval = 1000 / freq
    start2 = tstart + (n_init - 1) * interval + delay
    times = []
    a = (tstart + interval) - interval
    for _ in range(n_init):
        times.append(a)
        a = a + interval
    b = (start2 + interval) - interval
    for _ in range(n_end):
        times.append(b)
        b = b + interval
    tstop = start2 + n_end * interval
    return times, tstop
