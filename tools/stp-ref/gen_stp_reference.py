"""Reference values for crates/stp-analysis, computed by bmtool 0.8.7's own code.

Usage (from the repository root):

    /work/venv-bmtool/bin/python tools/stp-ref/gen_stp_reference.py

needs bmtool 0.8.7 (and so NEURON 8.2.4, numpy, scipy) in the interpreter's
environment. Writes tests/fixtures/stp/ (traces as CSV, bmtool's outputs in
reference.txt); see tests/fixtures/stp/README.md for the layout.

How bmtool's exact code is run without a NEURON model
-----------------------------------------------------
The analysis in bmtool.synapses lives in methods of SynapseTuner and
GapJunctionTuner that read a handful of attributes (the recorded vectors, the
NetCon spike times, the general settings) and NEURON's globals `h.dt` and
`h.tstop`. This script

* creates the tuner with `SynapseTuner.__new__` (no __init__, so no cell, no
  mechanisms) and sets only the attributes those methods read: `rec_vectors`,
  `current_name`, `ivcl`, `tspk`, `vclamp`, `general_settings`, and inert
  stand-ins for the NetStims, the VClamp and `conn` that `SingleEvent` writes to;
* replaces the module global `bmtool.synapses.h` by a namespace holding `dt`,
  `tstop` and a no-op `run()`, so `SingleEvent` "runs" on the trace we put in
  `rec_vectors`;
* wraps `np.trapz` (bmtool calls it inside `SingleEvent` and only prints the
  result) to capture the current integral that `SingleEvent` computes.

Then it calls, unmodified: `SingleEvent(plot_and_print=False)` (which calls
`_get_syn_prop` with the configured rise interval and computes the integral),
`_get_syn_prop()` with its defaults as `SynapseOptimizer._calculate_metrics`
does, `_response_amplitude()`, `_calc_ppr_induction_recovery(...,
print_math=False)`, `_find_max_amp(...)` and
`GapJunctionTuner.coupling_coefficient(...)`.

The one case `neuron_exp2syn` is different: it builds a real one-compartment
cell in NEURON, puts an Exp2Syn on it and runs bmtool's SynapseTuner end to end
(`SingleEvent` and `_simulate_model` with NEURON), then records what bmtool
computed from NEURON's vectors.

Traces are rounded to 10 significant digits *before* bmtool sees them, so the
CSV text is exactly the input bmtool analysed. Synthetic traces are sampled on
t_k = k * dt (np.arange(n) * dt); their CSVs hold no t column.
"""

import os
import sys
import types

import numpy as np

np.trapz = np.trapezoid  # bmtool 0.8.7 calls np.trapz, removed in numpy 2
import bmtool  # noqa: E402
import bmtool.synapses as S  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "fixtures", "stp"))
DT = 0.025


def r10(x):
    """Round every value to 10 significant digits (exactly representable text)."""
    return np.array([float(f"{v:.10g}") for v in np.asarray(x, dtype=float)])


def fmt(v):
    return repr(float(v))


def write_csv(name, columns):
    path = os.path.join(OUT, name)
    keys = list(columns)
    n = len(columns[keys[0]])
    with open(path, "w") as f:
        f.write(",".join(keys) + "\n")
        for k in range(n):
            f.write(",".join(fmt(columns[c][k]) for c in keys) + "\n")
    return name


def biexp(t, t0, amp, tau_r, tau_d):
    """Bi-exponential PSC starting at t0, peak value `amp` (signed)."""
    tp = tau_r * tau_d / (tau_d - tau_r) * np.log(tau_d / tau_r)
    norm = 1.0 / (np.exp(-tp / tau_d) - np.exp(-tp / tau_r))
    s = np.clip(t - t0, 0.0, None)
    y = amp * norm * (np.exp(-s / tau_d) - np.exp(-s / tau_r))
    return np.where(t > t0, y, 0.0)


def tm_pr(times, use, dep, fac):
    """Deterministic Tsodyks-Markram/Fuhrmann release probabilities (GABA_A_STP NET_RECEIVE)."""
    u, r, tsyn, out = 0.0, 1.0, 0.0, []
    for t in times:
        d = t - tsyn
        if fac > 0:
            u = u * np.exp(-d / fac)
            u = u + use * (1 - u)
        else:
            u = use
        r = 1 - (1 - r) * np.exp(-d / dep)
        pr = u * r
        r = r - u * r
        tsyn = t
        out.append(pr)
    return np.array(out)


class Vec(list):
    """Stands in for a hoc Vector: numpy reads it as a list, bmtool may call to_python()."""

    def to_python(self):
        return list(self)


class TrapzSpy:
    def __init__(self):
        self.calls = []

    def __call__(self, *args, **kwargs):
        v = np.trapezoid(*args, **kwargs)
        self.calls.append(float(v))
        return v


def make_tuner(i_meas, i_syn, tspk, vclamp, settings, tstop):
    S.h = types.SimpleNamespace(dt=DT, tstop=tstop, run=lambda: None)
    tu = S.SynapseTuner.__new__(S.SynapseTuner)
    tu.vclamp = vclamp
    tu.current_name = "i"
    tu.rec_vectors = {"i": Vec(i_syn)}
    tu.ivcl = Vec(i_meas)
    tu.tspk = Vec(tspk)
    tu.general_settings = {**S.DEFAULT_GENERAL_SETTINGS, **settings}
    tu.conn = {"spec_settings": {"vclamp_amp": -70.0}}
    tu.nstim = types.SimpleNamespace()
    tu.nstim2 = types.SimpleNamespace()
    tu.vcl = types.SimpleNamespace(amp=[0.0] * 3, dur=[0.0] * 3)
    tu.ispk = None
    return tu


def as_float_dict(d):
    return {k: float(v) for k, v in d.items()}


def run_single(tu):
    spy = TrapzSpy()
    old = np.trapz
    np.trapz = spy
    try:
        tu.SingleEvent(plot_and_print=False)
    finally:
        np.trapz = old
    assert len(spy.calls) == 1
    props = tu._get_syn_prop(
        rise_interval=tu.general_settings["rise_interval"], dt=S.h.dt
    )
    opt_props = tu._get_syn_prop()  # as SynapseOptimizer._calculate_metrics calls it
    return {
        "syn_prop": as_float_dict(props),
        "current_integral": spy.calls[0],
        "rise_time_from_single_event": float(tu.rise_time),
        "decay_time_from_single_event": float(tu.decay_time),
        "optimizer_syn_prop": as_float_dict(opt_props),
    }


def onset_index_info(i_meas, tspk0, dt):
    """Indices bmtool's _get_syn_prop uses internally (recomputed here, for the Default convention)."""
    isyn = np.asarray(i_meas, dtype=float)
    ispk = int(np.floor(tspk0 / dt))
    base = isyn[ispk]
    x = isyn[ispk:] - base
    sign = np.sign(x[np.argmax(np.abs(x))])
    x = x * sign
    from scipy.signal import find_peaks

    ipk = find_peaks(x)[0][0]
    istart = int(np.nonzero(np.diff(x[: ipk + 1]) > 0)[0][0])
    peak = x[ipk]
    hw1 = istart + int(np.nonzero(x[istart : ipk + 1] > 0.5 * peak)[0][0])
    below = np.nonzero(x[ipk:] < 0.5 * peak)[0]
    hw2 = x.size if below.size == 0 else int(below[0]) + ipk
    return {"ispk": ispk, "istart": istart, "ipk": int(ipk), "hw1": hw1, "hw2": hw2}


def default_integral(i_syn, tspk0, tstart, tdur, dt):
    """Default convention: i_syn minus its own baseline, trapezoid over [tstart, tstart + tdur]."""
    i_syn = np.asarray(i_syn, dtype=float)
    base = i_syn[int(np.floor(tspk0 / dt))]
    k0 = int(np.ceil(tstart / dt - 1e-9))
    k1 = min(int(np.floor((tstart + tdur) / dt + 1e-9)), i_syn.size - 1)
    c = (i_syn[k0 : k1 + 1] - base) * 1000
    return float(np.trapezoid(c, dx=dt))


# ----------------------------------------------------------------------------
# single events


def single_cases():
    cases = []
    tstart, tdur = 50.0, 100.0
    n = int(round((tstart + tdur) / DT)) + 1
    t = np.arange(n) * DT

    def add(name, i_meas, i_syn=None, tspk=(tstart,), vclamp=False, rise=(0.1, 0.9), note="", file=None, scale=1.0, **st):
        """`file`/`scale`: reuse another case's CSV; bmtool sees scale * that trace."""
        i_meas = r10(i_meas)
        i_syn = i_meas if i_syn is None else r10(i_syn)
        base_meas, base_syn = i_meas, i_syn
        i_meas, i_syn = scale * i_meas, scale * i_syn
        settings = {"tstart": tstart, "tdur": tdur, "rise_interval": tuple(rise), "dt": DT}
        settings.update(st)
        tu = make_tuner(i_meas, i_syn, list(tspk), vclamp, settings, tstart + tdur)
        res = run_single(tu)
        cols = {"i_measured": base_meas}
        if vclamp:
            cols["i_syn"] = base_syn
        fname = file if file is not None else write_csv(f"event_{name}.csv", cols)
        info = onset_index_info(i_meas, tspk[0], DT)
        cases.append(
            {
                "name": name,
                "note": note,
                "file": fname,
                "scale": scale,
                "dt": DT,
                "t0": 0.0,
                "event_time": float(tspk[0]),
                "tstart": tstart,
                "tdur": tdur,
                "rise_interval": list(rise),
                "vclamp": vclamp,
                "bmtool": res,
                "indices": info,
                "default_half_width": DT * (info["hw2"] - info["hw1"]),
                "default_current_integral": default_integral(i_syn, tspk[0], tstart, tdur, DT),
            }
        )

    d = 1.3
    exc = biexp(t, tstart + d, -0.05, 0.3, 3.0)
    add("exc_ampa", exc, note="inward (negative) AMPA-like PSC, 0.3/3 ms, -50 pA")
    add(
        "exc_ampa_rise2080",
        exc,
        rise=(0.2, 0.8),
        note="same trace, rise_interval (0.2, 0.8)",
        file="event_exc_ampa.csv",
    )
    inh = biexp(t, tstart + d, 0.02, 1.0, 20.0)
    add("inh_gaba_slow", inh, note="outward GABA_A-like PSC, 1/20 ms, +20 pA; decay runs to the end")
    add(
        "offset_baseline",
        0.3 + biexp(t, tstart + d, -0.08, 0.5, 8.0),
        note="constant +0.3 nA offset under an inward PSC",
    )
    # second event 25 ms later: the decay window ends at the re-rise
    rr = biexp(t, tstart + d, -0.04, 0.4, 6.0) + biexp(t, tstart + 25 + d, -0.03, 0.4, 6.0)
    add("re_rise", rr, tspk=(tstart, tstart + 25), note="second PSC 25 ms later cuts the decay fit")
    # event off the sampling grid: floor(t/dt) picks the sample before it
    add(
        "off_grid_event",
        biexp(t, tstart + 0.0125 + d, -0.03, 0.2, 2.5),
        tspk=(tstart + 0.0125,),
        note="presynaptic event between two samples",
    )
    # quantised trace: plateaus at the peak and a flat tail (find_peaks midpoint rule)
    q = np.round(biexp(t, tstart + d, 0.01, 0.6, 4.0) / 2e-5) * 2e-5
    add("quantised_plateau", q, note="values on a 2e-5 nA grid: flat peak, flat tail")
    # voltage-clamp style: the measured (clamp) current carries a holding current,
    # the synaptic current itself has baseline 0
    syn = biexp(t, tstart + d, -0.06, 0.4, 5.0)
    meas = -0.15 + 0.98 * syn
    add(
        "vclamp_holding",
        meas,
        i_syn=syn,
        vclamp=True,
        note="vclamp: clamp current = -0.15 nA holding + 0.98 * i_syn",
    )
    # inverted copy of exc_ampa: same kinetics, opposite sign
    add("exc_ampa_inverted", exc, scale=-1.0, file="event_exc_ampa.csv", note="exc_ampa times -1")
    return cases


# ----------------------------------------------------------------------------
# trains (8 + 4 pulses)


def train_times(tstart, freq, delay):
    iv = 1000.0 / freq
    first = [tstart + k * iv for k in range(8)]
    start2 = tstart + 7 * iv + delay
    second = [start2 + k * iv for k in range(4)]
    tstop = start2 + 4 * iv
    return first + second, tstop


def train_cases():
    cases = []

    def add(name, freq, delay, amp, tau_r, tau_d, use, dep, fac, syn_delay=1.3, vclamp=None, truncate_ms=None, note="", file=None):
        """`file`: the CSV of another case holding the full trace (with `truncate_ms`)."""
        tstart = 20.0
        tspk, tstop = train_times(tstart, freq, delay)
        n = int(round(tstop / DT)) + 1
        t = np.arange(n) * DT
        pr = tm_pr(tspk, use, dep, fac)
        syn = np.zeros(n)
        for tk, p in zip(tspk, pr):
            syn = syn + biexp(t, tk + syn_delay, amp * p / pr[0], tau_r, tau_d)
        syn = r10(syn)
        meas = syn if vclamp is None else r10(vclamp + 0.97 * syn)
        if truncate_ms is not None:
            keep = int(round((tstop - truncate_ms) / DT)) + 1
            syn, meas = syn[:keep], meas[:keep]
        settings = {"tstart": tstart, "delay": syn_delay}
        tu = make_tuner(meas, syn, tspk, vclamp is not None, settings, tstop)
        amps = tu._response_amplitude()
        rec = {"amplitudes_nA": [float(a) for a in amps]}
        if vclamp is not None:
            # the Default convention reads baseline and sign from i_syn itself: that is
            # bmtool's own code path with vclamp=False on the same synaptic current
            cc = make_tuner(syn, syn, tspk, False, settings, tstop)
            rec["amplitudes_nA_baseline_from_i_syn"] = [float(a) for a in cc._response_amplitude()]
        if len(amps) >= 12:
            ppr, ind, rec_, sppr = tu._calc_ppr_induction_recovery(amps, print_math=False)
            rec.update(
                {
                    "ppr": float(ppr),
                    "induction": float(ind),
                    "recovery": float(rec_),
                    "simple_ppr": float(sppr),
                    "max_amp_pA": float(tu._find_max_amp(amps)),
                }
            )
        cols = {"i_syn": syn}
        if vclamp is not None:
            cols["i_measured"] = meas
        if file is None:
            fname = write_csv(f"train_{name}.csv", cols)
        else:
            fname = file
        cases.append(
            {
                "name": name,
                "note": note,
                "file": fname,
                "dt": DT,
                "t0": 0.0,
                "freq": freq,
                "train_delay": delay,
                "syn_delay": syn_delay,
                "event_times": [float(x) for x in tspk],
                "tstop": tstop,
                "vclamp": vclamp is not None,
                "samples": len(syn),
                "tm": {"Use": use, "Dep": dep, "Fac": fac},
                "release_probabilities": [float(p) for p in pr],
                "bmtool": rec,
            }
        )

    add("fac_exc_50hz", 50.0, 250.0, -0.04, 0.3, 3.0, 0.1, 100.0, 300.0, note="facilitating, inward, 50 Hz, 250 ms gap")
    add("dep_inh_100hz", 100.0, 100.0, 0.03, 0.5, 6.0, 0.6, 300.0, 0.0, note="depressing, outward, 100 Hz, 100 ms gap, summating tails")
    add(
        "dep_exc_vclamp",
        100.0,
        100.0,
        -0.05,
        0.3,
        3.0,
        0.5,
        200.0,
        10.0,
        vclamp=-0.12,
        note="vclamp: clamp current = -0.12 nA holding + 0.97 i_syn; bmtool takes baseline/sign from the clamp current",
    )
    add(
        "truncated",
        100.0,
        100.0,
        0.03,
        0.5,
        6.0,
        0.6,
        300.0,
        0.0,
        truncate_ms=10.0,
        file="train_dep_inh_100hz.csv",
        note="trace cut before the 12th window starts: bmtool's except branch returns 11 amplitudes",
    )
    return cases


# ----------------------------------------------------------------------------
# STP metrics straight from amplitude vectors


def np_mean(x):
    return float(np.mean(np.asarray(x, dtype=float)))


def contract_metrics(amp_pA):
    """The project's contract (max-normalised) next to bmtool's p90 variants, same numpy arithmetic."""
    a = np.asarray(amp_pA, dtype=float)
    mx = max(a)
    mn = min(a)
    max_amp = mn if abs(mn) > mx else mx
    return {
        "ppr": float(a[1] / a[0]),
        "induction": float((np.mean(a[5:8]) - a[0]) / max_amp),
        "recovery": float((np.mean(a[8:12]) - np.mean(a[:4])) / max_amp),
        "max_amplitude": float(max_amp),
    }


def amplitude_cases():
    rng = np.random.default_rng(20240607)
    sets = []
    tu = make_tuner([0.0], [0.0], [0.0], False, {}, 1.0)
    tu.train_freq, tu.train_delay = 50.0, 250.0

    def add(name, amps_nA):
        amps_nA = [float(f"{v:.10g}") for v in amps_nA]
        ppr, ind, rec, sppr = tu._calc_ppr_induction_recovery(amps_nA, print_math=False)
        pA = np.array(amps_nA) * 1000
        sets.append(
            {
                "name": name,
                "amplitudes_nA": amps_nA,
                "bmtool": {
                    "ppr": float(ppr),
                    "induction": float(ind),
                    "recovery": float(rec),
                    "simple_ppr": float(sppr),
                    "max_amp_pA": float(tu._find_max_amp(amps_nA)),
                    "percentile_90_pA": float(np.percentile(pA.reshape(1, -1), 90)),
                },
                "contract": contract_metrics(pA),
            }
        )

    for k in range(6):
        add(f"random_positive_{k}", rng.uniform(0.005, 0.2, 12))
    add("random_mixed_sign", rng.uniform(-0.05, 0.02, 12))
    add("all_negative", -rng.uniform(0.01, 0.1, 12))
    add("fifteen_amplitudes", rng.uniform(0.01, 0.1, 15))
    add("ties", [0.05] * 6 + [0.1] * 6)
    for use, dep, fac, freq in [(0.5, 200.0, 0.0, 50.0), (0.05, 50.0, 500.0, 20.0), (0.3, 400.0, 50.0, 100.0)]:
        tspk, _ = train_times(0.0, freq, 250.0)
        add(f"tm_U{use:g}_D{dep:g}_F{fac:g}_{freq:g}Hz".replace(".", "p"), 0.05 * tm_pr(tspk, use, dep, fac))
    return sets


# ----------------------------------------------------------------------------
# gap junction coupling coefficient


def coupling_cases():
    out = []
    dt = DT
    tstart, tdur, tstop = 20.0, 50.0, 80.0
    n = int(round(tstop / dt)) + 1
    # NEURON 8.2's fixed step advances t by two half steps (t += dt/2; t += dt/2);
    # reproduce that rounding (t[800] is 19.9999999999994, not 20)
    t = np.empty(n)
    acc = 0.0
    for k in range(n):
        t[k] = acc
        acc = acc + 0.5 * dt
        acc = acc + 0.5 * dt
    on = (t >= tstart) & (t < tstart + tdur)
    s = np.where(on, 1 - np.exp(-(t - tstart) / 8.0), 0.0)
    off = t >= tstart + tdur
    s = np.where(off, (1 - np.exp(-tdur / 8.0)) * np.exp(-(t - tstart - tdur) / 8.0), s)
    v1 = r10(-70.0 - 6.0 * s + 0.01 * np.sin(t))
    v2 = r10(-70.0 - 0.9 * s + 0.003 * np.cos(t))
    fname = write_csv("coupling_gap.csv", {"t": t, "v1": v1, "v2": v2})
    for ts, te in [(tstart, tstart + tdur), (tstart + 0.0125, tstart + 10.0), (5.0, 79.0)]:
        cc = S.GapJunctionTuner.coupling_coefficient(None, t, v1, v2, ts, te)
        out.append({"file": fname, "t_start": ts, "t_end": te, "bmtool": float(cc)})
    return out


# ----------------------------------------------------------------------------
# an end-to-end NEURON run through an unmodified SynapseTuner


def neuron_case():
    from neuron import h as H

    class Cell:
        def __init__(self):
            self.soma_sec = H.Section(name="soma")
            self.soma_sec.L = self.soma_sec.diam = 15.0
            self.soma_sec.insert("pas")
            for seg in self.soma_sec:
                seg.pas.g = 1e-4
                seg.pas.e = -70.0
            self.soma = [self.soma_sec]
            self.all = [self.soma_sec]

    S.h = H
    cell = Cell()
    conn = {
        "exc2pyr": {
            "spec_settings": {"post_cell": "none", "vclamp_amp": -70.0, "sec_id": 0, "sec_x": 0.5, "level_of_detail": "Exp2Syn"},
            "spec_syn_param": {"tau1": 0.4, "tau2": 4.0, "e": 0.0},
        }
    }
    gs = {"tstart": 20.0, "tdur": 60.0, "celsius": 20, "dt": DT, "delay": 1.3, "weight": 0.002}
    tu = S.SynapseTuner(conn_type_settings=conn, connection="exc2pyr", hoc_cell=cell, general_settings=gs)
    spy = TrapzSpy()
    np.trapz = spy
    tu.SingleEvent(plot_and_print=False)
    np.trapz = np.trapezoid
    t = np.array(tu.t)
    i_syn = np.array(tu.rec_vectors["i"])
    tspk0 = float(np.array(tu.tspk)[0])
    props = as_float_dict(tu._get_syn_prop(rise_interval=gs.get("rise_interval", (0.1, 0.9)), dt=H.dt))
    single = {
        "t": t,
        "i_syn": i_syn,
        "event_time": tspk0,
        "syn_prop": props,
        "current_integral": spy.calls[0],
    }
    info = onset_index_info(i_syn, tspk0, H.dt)
    default_int = default_integral(i_syn, tspk0, gs["tstart"], gs["tdur"], H.dt)
    # the train, in current clamp (bmtool's _simulate_model starts it at v = +70 mV)
    tu._simulate_model(100.0, 100.0)
    tt = np.array(tu.t)
    ti = np.array(tu.rec_vectors["i"])
    tspk = [float(x) for x in np.array(tu.tspk)]
    amps = tu._response_amplitude()
    ppr, ind, rec, sppr = tu._calc_ppr_induction_recovery(amps, print_math=False)
    maxamp = tu._find_max_amp(amps)
    f1 = write_csv("neuron_event.csv", {"t": t, "i_syn": i_syn})
    f2 = write_csv("neuron_train.csv", {"t": tt, "i_syn": ti})
    return {
        "event": {
            "name": "neuron_exp2syn",
            "note": "NEURON 8.2.4 one-compartment passive soma + Exp2Syn(0.4, 4), weight 0.002, current clamp; unmodified SynapseTuner.SingleEvent",
            "file": f1,
            "scale": 1.0,
            "dt": float(H.dt),
            "t0": float(t[0]),
            "event_time": tspk0,
            "tstart": gs["tstart"],
            "tdur": gs["tdur"],
            "rise_interval": [0.1, 0.9],
            "vclamp": False,
            "bmtool": {"syn_prop": props, "current_integral": single["current_integral"]},
            "indices": info,
            "default_half_width": float(H.dt) * (info["hw2"] - info["hw1"]),
            "default_current_integral": default_int,
        },
        "train": {
            "name": "neuron_exp2syn_100hz",
            "note": "same synapse, 8 + 4 pulses at 100 Hz, 100 ms gap, via SynapseTuner._simulate_model",
            "file": f2,
            "dt": float(H.dt),
            "t0": float(tt[0]),
            "freq": 100.0,
            "train_delay": 100.0,
            "syn_delay": gs["delay"],
            "event_times": tspk,
            "tstop": float(H.tstop),
            "vclamp": False,
            "bmtool": {
                "amplitudes_nA": [float(a) for a in amps],
                "ppr": float(ppr),
                "induction": float(ind),
                "recovery": float(rec),
                "simple_ppr": float(sppr),
                "max_amp_pA": float(maxamp),
            },
        },
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    events = single_cases()
    trains = train_cases()
    amps = amplitude_cases()
    coupling = coupling_cases()
    nrn = neuron_case()
    events.append(nrn["event"])
    trains.append(nrn["train"])
    ref = {
        "generator": "tools/stp-ref/gen_stp_reference.py",
        "bmtool_version": bmtool.__version__ if hasattr(bmtool, "__version__") else "0.8.7",
        "numpy_version": np.__version__,
        "scipy_version": __import__("scipy").__version__,
        "events": events,
        "trains": trains,
        "amplitude_sets": amps,
        "coupling": coupling,
    }
    lines = []
    flatten("", ref, lines)
    with open(os.path.join(OUT, "reference.txt"), "w") as f:
        f.write(
            "# bmtool 0.8.7 reference values for crates/stp-analysis; generated by\n"
            "# tools/stp-ref/gen_stp_reference.py -- do not edit. One `key = value` a line;\n"
            "# numbers are Python repr (shortest round-trip), lists are space separated.\n"
        )
        f.write("\n".join(lines) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


def flatten(prefix, obj, lines):
    """Nested dicts/lists -> `a.b.c = value` lines. Lists of dicts are keyed by their `name`
    (or their index); lists of scalars become one space-separated value."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            flatten(f"{prefix}.{k}" if prefix else k, v, lines)
    elif isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], dict):
        for idx, item in enumerate(obj):
            key = item.get("name", str(idx))
            flatten(f"{prefix}.{key}", {k: v for k, v in item.items() if k != "name"}, lines)
    elif isinstance(obj, (list, tuple)):
        lines.append(f"{prefix} = " + " ".join(scalar(v) for v in obj))
    else:
        lines.append(f"{prefix} = {scalar(obj)}")


def scalar(v):
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(v)


if __name__ == "__main__":
    main()
