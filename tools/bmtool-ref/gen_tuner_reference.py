"""Reference values of the FSI synapse-tuner example, from bmtool and from NEURON.

Usage (from the repository root; see tools/bmtool-ref/README.md):

    /work/venv-bmtool/bin/python tools/bmtool-ref/gen_tuner_reference.py \\
        --bmtool-example /work/scratch/bmtool-ex \\
        --nrn9-python /work/nrn9/bin/python \\
        --modlib /work/scratch/modfiles/x86_64/libnrnmech.so

The interpreter running this script needs bmtool 0.8.7 (NEURON 8.2.4, numpy,
scipy).  It writes

* tests/fixtures/tuner/fsi_reference.json — Fac2FSI and Dep2FSI of
  examples/fsi/settings.json, each with vclamp true and false, in two
  conventions:
    - "bmtool": bmtool 0.8.7's own numbers.  An unmodified SynapseTuner built
      as neuron_chem_syn_tuner.ipynb builds it (mechanisms_dir "modfiles",
      templates_dir "templates.hoc", the real FSI_Cell template) runs
      SingleEvent, _simulate_model(50, 250) + _response_amplitude +
      _calc_ppr_induction_recovery + _find_max_amp, and stp_frequency_response;
    - "default": synaptune's default protocol (the one its Rust tuner runs),
      simulated in NEURON 9.0.2 on examples/fsi/cells/FSI_Cell.json built by
      tools/neuron-ref/synaptune_nrn.py, with the metrics of tuner_analysis.py;
* tests/fixtures/tuner/gap_reference.json — bmtool's GapJunctionTuner on the
  gap-junction notebook's settings (examples/fsi/gap.json): a coupling sweep
  and optimize_resistance;
* tests/fixtures/tuner/timings.json — wall times and machine information (the
  only output that changes between runs).

Every case runs in a fresh subprocess (NEURON keeps global state).  --only
{synapse,gap} regenerates one part (timings.json is updated, not replaced).

--bmtool-example is a folder holding bmtool's synaptic-tuner example files:
templates.hoc and modfiles/ compiled there with NEURON 8.2.4's nrnivmodl (so
modfiles/x86_64/ exists).  --modlib is the same mod files compiled with
NEURON 9.0.2's nrnivmodl.  Neither is part of this repository.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "tuner")
SETTINGS = os.path.join(ROOT, "examples", "fsi", "settings.json")
GAP_SETTINGS = os.path.join(ROOT, "examples", "fsi", "gap.json")
NEURON_REF = os.path.join(ROOT, "tools", "neuron-ref")

CONNECTIONS = ["Fac2FSI", "Dep2FSI"]
VCLAMP_KEYS = {True: "vclamp_true", False: "vclamp_false"}
TRAIN_FREQ = 50.0
TRAIN_DELAY = 250.0
# bmtool 0.8.7's stp_frequency_response defaults.
FREQS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 35, 50, 100, 200]
FREQ_DELAY = 250
# The gap-junction notebook.
GAP_SWEEP = ("np.logspace(-4, -2, 20)", -4, -2, 20)
GAP_TARGET_CC = 0.37
GAP_BOUNDS = (1e-4, 1e-2)

KINETIC_KEYS = ["baseline", "sign", "latency", "amp", "rise_time", "decay_time", "half_width"]


def load_json(path):
    with open(path) as f:
        return json.load(f)


def is_scalar(x):
    return not isinstance(x, (dict, list))


def dumps(v, indent=0, lead=0, width=100):
    """JSON, full float precision (repr), compact: whatever fits stays on one
    line, long lists of numbers wrap, a list of number lists gets one per line."""
    flat = json.dumps(v, allow_nan=False)
    if is_scalar(v) or not v or indent + lead + len(flat) <= width:
        return flat
    pad = " " * (indent + 2)
    if isinstance(v, dict):
        items = [
            pad + json.dumps(k) + ": " + dumps(x, indent + 2, len(json.dumps(k)) + 2, width)
            for k, x in v.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if all(is_scalar(x) for x in v):
        lines, cur = [], []
        for x in v:
            cand = cur + [json.dumps(x)]
            if cur and len(pad) + len(", ".join(cand)) + 1 > width:
                lines.append(", ".join(cur))
                cand = [json.dumps(x)]
            cur = cand
        lines.append(", ".join(cur))
        return "[\n" + ",\n".join(pad + line for line in lines) + "\n" + " " * indent + "]"
    if all(isinstance(x, list) and all(is_scalar(y) for y in x) for x in v):
        items = [pad + json.dumps(x) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    items = [pad + dumps(x, indent + 2, 0, width) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(dumps(obj) + "\n")
    os.replace(tmp, path)


def floats(xs):
    return [float(x) for x in xs]


def notebook_general_settings(settings, vclamp):
    """The notebook's general_settings (bmtool knows no v_init key)."""
    gs = {k: v for k, v in settings["general_settings"].items() if k != "v_init"}
    gs["rise_interval"] = tuple(gs["rise_interval"])
    gs["vclamp"] = vclamp
    return gs


def notebook_conn_type_settings(settings):
    return {
        name: {
            "spec_settings": dict(c["spec_settings"]),
            "spec_syn_param": dict(c["spec_syn_param"]),
        }
        for name, c in settings["conn_type_settings"].items()
    }


# ---------------------------------------------------------------------------
# Worker: bmtool 0.8.7 SynapseTuner (bmtool venv, NEURON 8.2.4)
# ---------------------------------------------------------------------------


def import_bmtool():
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    np.trapz = np.trapezoid  # bmtool 0.8.7 calls np.trapz (removed in numpy 2)
    import bmtool
    import bmtool.synapses as S

    # tqdm.notebook's progress bar only prints; a plain iterator changes nothing.
    S.tqdm = lambda it, **kw: it
    return np, bmtool, S


def worker_bmtool_synapse(args):
    np, bmtool, S = import_bmtool()
    from neuron import h

    settings = load_json(SETTINGS)
    vclamp = args.vclamp == "true"
    os.chdir(args.bmtool_example)

    # SingleEvent computes the current integral and only prints it: capture
    # what np.trapz returns to it.
    captured = []
    trapz = np.trapezoid

    def capture_trapz(*a, **kw):
        r = trapz(*a, **kw)
        captured.append(float(r))
        return r

    np.trapz = capture_trapz

    tuner = S.SynapseTuner(
        mechanisms_dir="modfiles",
        templates_dir="templates.hoc",
        conn_type_settings=notebook_conn_type_settings(settings),
        general_settings=notebook_general_settings(settings, vclamp),
        connection=args.connection,
        current_name="i",
        other_vars_to_record=["record_Pr", "record_use"],
        slider_vars=["initW", "Dep", "Fac", "Use"],
    )
    gs = tuner.general_settings
    out = {}
    timing = {}

    # Single event.
    t0 = time.perf_counter()
    tuner.SingleEvent(plot_and_print=False)
    timing["single_event"] = time.perf_counter() - t0
    props = tuner._get_syn_prop(rise_interval=gs["rise_interval"], dt=h.dt)
    se = {k: float(props[k]) for k in KINETIC_KEYS}
    se["current_integral"] = captured[-1]
    se["event_times"] = floats(tuner.tspk)
    se["tstop"] = float(h.tstop)
    se["n_samples"] = len(tuner.t)
    out["single_event"] = se

    # 8 + 4 train at 50 Hz, 250 ms.
    t0 = time.perf_counter()
    tuner._simulate_model(TRAIN_FREQ, TRAIN_DELAY)
    t_sim = time.perf_counter() - t0
    amp = tuner._response_amplitude()
    ppr, induction, recovery, simple_ppr = tuner._calc_ppr_induction_recovery(
        amp, print_math=False
    )
    max_amp = tuner._find_max_amp(amp)
    timing["train_50hz"] = time.perf_counter() - t0
    timing["train_50hz_simulation_only"] = t_sim
    short = tuner._get_syn_prop(short=True, dt=h.dt)
    out["train"] = {
        "freq": TRAIN_FREQ,
        "delay": TRAIN_DELAY,
        "tstop": float(tuner.tstop),
        "n_samples": len(tuner.t),
        "event_times": floats(tuner.tspk),
        "baseline": float(short["baseline"]),
        "sign": float(short["sign"]),
        "amplitudes_nA": floats(amp),
        "amplitudes_pA": floats(np.array(amp) * 1000),
        "ppr": float(ppr),
        "induction": float(induction),
        "recovery": float(recovery),
        "simple_ppr": float(simple_ppr),
        "max_amplitude_pA": float(max_amp),
    }

    # Frequency response; record the amplitudes bmtool computes on the way.
    amps_seen = []
    times_seen = []
    response_amplitude = tuner._response_amplitude

    def recording_response_amplitude():
        a = response_amplitude()
        amps_seen.append(floats(np.array(a) * 1000))
        times_seen.append(floats(tuner.tspk))
        return a

    tuner._response_amplitude = recording_response_amplitude
    t0 = time.perf_counter()
    res = tuner.stp_frequency_response(plot=False)
    timing["freq_response"] = time.perf_counter() - t0
    tuner._response_amplitude = response_amplitude
    out["freq_response"] = {
        "frequencies": [float(f) for f in res["frequencies"]],
        "delay": float(FREQ_DELAY),
        "ppr": floats(res["ppr"]),
        "induction": floats(res["induction"]),
        "recovery": floats(res["recovery"]),
        "simple_ppr": floats(res["simple_ppr"]),
        "amplitudes_pA": amps_seen,
        "event_times": times_seen,
    }
    import neuron

    env = {
        "bmtool": bmtool.__version__ if hasattr(bmtool, "__version__") else package_version("bmtool"),
        "neuron": neuron.__version__,
        "numpy": np.__version__,
        "scipy": __import__("scipy").__version__,
        "python": platform.python_version(),
    }
    with open(args.out, "w") as f:
        json.dump({"result": out, "timing_s": timing, "environment": env}, f)


def package_version(name):
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return "?"


# ---------------------------------------------------------------------------
# Worker: bmtool 0.8.7 GapJunctionTuner (bmtool venv, NEURON 8.2.4)
# ---------------------------------------------------------------------------


def worker_bmtool_gap(args):
    np, bmtool, S = import_bmtool()

    gap = load_json(GAP_SETTINGS)
    os.chdir(args.bmtool_example)
    general = {k: v for k, v in gap["general_settings"].items() if k != "v_init"}
    conn = {k: dict(v) for k, v in gap["conn_type_settings"].items()}
    tuner = S.GapJunctionTuner(
        mechanisms_dir="modfiles",
        templates_dir="templates.hoc",
        general_settings=general,
        conn_type_settings=conn,
    )
    calls = []
    model = tuner.model

    def counting_model(g):
        calls.append(float(g))
        return model(g)

    tuner.model = counting_model
    opt = S.GapJunctionOptimizer(tuner)
    timing = {}

    # As the notebook: optimise first, then sweep.
    t0 = time.perf_counter()
    result = opt.optimize_resistance(target_cc=GAP_TARGET_CC, resistance_bounds=GAP_BOUNDS)
    timing["optimize_resistance"] = time.perf_counter() - t0
    n_opt = len(calls)
    path = [
        {"g": float(p["resistance"]), "cc": float(p["achieved_cc"]), "error": float(p["error"])}
        for p in result.optimization_path
    ]
    del calls[:]
    g_range = np.logspace(GAP_SWEEP[1], GAP_SWEEP[2], GAP_SWEEP[3])
    t0 = time.perf_counter()
    sweep = opt.parameter_sweep(g_range)
    timing["parameter_sweep"] = time.perf_counter() - t0
    n_sweep = len(calls)
    import neuron

    out = {
        "tuner": {
            "icl_amp_nA": float(tuner.icl.amp),
            "icl_delay": float(tuner.icl.delay),
            "icl_dur": float(tuner.icl.dur),
            "tstop": float(S.h.tstop),
            "n_samples": len(tuner.t_vec),
        },
        "sweep": {
            "g": floats(sweep["resistance"]),
            "coupling_coefficient": floats(sweep["coupling_coefficient"]),
            "n_model_calls": n_sweep,
        },
        "optimize": {
            "target_cc": GAP_TARGET_CC,
            "bounds": list(GAP_BOUNDS),
            "method": "bounded",
            "optimal_g": float(result.optimal_resistance),
            "achieved_cc": float(result.achieved_cc),
            "error": float(result.error),
            "n_objective_evaluations": len(path),
            "n_model_calls": n_opt,
            "history": path,
        },
    }
    env = {
        "bmtool": package_version("bmtool"),
        "neuron": neuron.__version__,
        "numpy": np.__version__,
        "scipy": __import__("scipy").__version__,
        "python": platform.python_version(),
    }
    with open(args.out, "w") as f:
        json.dump({"result": out, "timing_s": timing, "environment": env}, f)


# ---------------------------------------------------------------------------
# Worker: synaptune's default protocol in NEURON 9.0.2 (no scipy there)
# ---------------------------------------------------------------------------


def worker_nrn9(args):
    import numpy as np

    sys.path.insert(0, NEURON_REF)
    sys.path.insert(0, HERE)
    from neuron import h

    h.nrn_load_dll(os.path.abspath(args.modlib))
    import synaptune_nrn
    import tuner_analysis as A

    settings = load_json(SETTINGS)
    gs = settings["general_settings"]
    conn = settings["conn_type_settings"][args.connection]
    spec = conn["spec_settings"]
    vclamp = args.vclamp == "true"
    cell_path = os.path.join(os.path.dirname(SETTINGS), settings["cells"][spec["post_cell"]])
    cell = synaptune_nrn.Cell(synaptune_nrn.load_json(cell_path))

    dt = gs["dt"]
    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    h.celsius = gs["celsius"]
    h.secondorder = 0
    v_init = gs["v_init"]
    tstart, tdur = gs["tstart"], gs["tdur"]
    threshold, delay, weight = gs["threshold"], gs["delay"], gs["weight"]

    sec = cell.order[spec["sec_id"]]
    syn = getattr(h, spec["level_of_detail"])(sec(spec["sec_x"]))
    for k, v in conn["spec_syn_param"].items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            setattr(syn, k, v)
    vcl = None
    if vclamp:
        vcl = h.VClamp(cell.sec("soma[0]")(0.5))
        for k in range(3):
            vcl.amp[k] = spec["vclamp_amp"]

    t_vec, i_syn_vec = h.Vector(), h.Vector()
    t_vec.record(h._ref_t)
    i_syn_vec.record(syn._ref_i)
    i_meas_vec = i_syn_vec
    if vclamp:
        i_meas_vec = h.Vector()
        i_meas_vec.record(vcl._ref_i)

    def run(source, tstop):
        if vclamp:
            vcl.dur[0], vcl.dur[1], vcl.dur[2] = tstart, tstop, 1e9
        nc = h.NetCon(source, syn, threshold, delay, weight)
        spikes = h.Vector()
        nc.record(spikes)
        t0 = time.perf_counter()
        h.finitialize(v_init)
        h.continuerun(tstop)
        wall = time.perf_counter() - t0
        return (
            np.array(t_vec),
            np.array(i_meas_vec),
            np.array(i_syn_vec),
            [float(x) for x in spikes],
            wall,
        )

    timing = {}
    out = {}

    # Single event: one NetStim event at tstart.
    ns = h.NetStim()
    ns.start, ns.number, ns.interval, ns.noise = tstart, 1, tdur, 0
    tstop = tstart + tdur
    t, im, isn, spikes, wall = run(ns, tstop)
    timing["single_event"] = wall
    del ns
    np.save(os.path.join(args.tmp, "se_t.npy"), t)
    np.save(os.path.join(args.tmp, "se_im.npy"), im)
    np.save(os.path.join(args.tmp, "se_is.npy"), isn)
    out["single_event"] = {"event_times": spikes, "tstop": tstop, "n_samples": int(t.size)}

    def train(freq, tdelay):
        times, tstop = A.train_times(tstart, freq, tdelay)
        vs = h.VecStim()
        tv = h.Vector(times)
        vs.play(tv)
        t, im, isn, spikes, wall = run(vs, tstop)
        # VecStim schedules each next event as t + (etime - t), which can be an
        # ulp or two away from the played time: the analysis uses what the
        # NetCon recorded (as bmtool does with its tspk).
        if len(spikes) != len(times) or any(abs(a - b) > 1e-9 for a, b in zip(spikes, times)):
            raise SystemExit(f"VecStim delivered {spikes!r}, played {times!r}")
        # The measured current: the clamp's under voltage clamp (what a
        # recording gives, as bmtool measures), else the synapse's.
        amps, base, sign = A.train_amplitudes(t, im, spikes, dt, delay, tstop)
        m = A.stp_metrics(amps)
        res = {
            "freq": float(freq),
            "delay": float(tdelay),
            "tstop": float(tstop),
            "n_samples": int(t.size),
            "played_times": times,
            "event_times": spikes,
            "baseline": base,
            "sign": sign,
            "amplitudes_pA": amps,
        }
        res.update(m)
        return res, wall

    out["train"], timing["train_50hz"] = train(TRAIN_FREQ, TRAIN_DELAY)
    fr = {"frequencies": [float(f) for f in FREQS], "delay": float(FREQ_DELAY)}
    keys = [
        "ppr",
        "induction",
        "recovery",
        "simple_ppr",
        "max_amplitude_pA",
        "stp_initial_p90",
        "induction_p90",
        "recovery_p90",
    ]
    per_freq = keys + ["amplitudes_pA", "event_times"]
    for k in per_freq:
        fr[k] = []
    total = 0.0
    for f in FREQS:
        r, wall = train(float(f), float(FREQ_DELAY))
        total += wall
        for k in per_freq:
            fr[k].append(r[k])
    timing["freq_response"] = total
    out["freq_response"] = fr
    env = {
        "neuron": h.nrnversion(5),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    with open(args.out, "w") as f:
        json.dump({"result": out, "timing_s": timing, "environment": env}, f)


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def run_worker(python, worker, extra, tmp, log):
    out = os.path.join(tmp, "result.json")
    if os.path.exists(out):
        os.remove(out)
    cmd = [python, os.path.abspath(__file__), "--worker", worker, "--out", out, "--tmp", tmp]
    cmd += extra
    env = dict(os.environ, MPLBACKEND="Agg")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr + "\n")
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        raise SystemExit(f"worker {worker} {extra} failed (exit {p.returncode})")
    return load_json(out)


def machine_info():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
    }
    try:
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def check_bmtool_times(name, key, res, A, tstart):
    """bmtool's NetStim times must be the ones tuner_analysis.train_times
    computes (what the default protocol plays); then drop them from the
    fixture (only the 50 Hz train keeps its times)."""
    fr = res["freq_response"]
    for f, seen in zip(fr["frequencies"], fr.pop("event_times")):
        want, _ = A.train_times(tstart, f, fr["delay"])
        if seen != want:
            raise SystemExit(f"{name} {key}: bmtool's {f} Hz NetStim times {seen} != {want}")
    want, _ = A.train_times(tstart, res["train"]["freq"], res["train"]["delay"])
    if res["train"]["event_times"] != want:
        raise SystemExit(f"{name} {key}: bmtool's train times differ from {want}")


def run_synapse(args, tmp, log, timings):
    import numpy as np

    sys.path.insert(0, HERE)
    import tuner_analysis as A

    settings = load_json(SETTINGS)
    gs = settings["general_settings"]
    cases = {}
    envs = {}
    old_bmtool_timing = timings.get("bmtool", {})
    timings["bmtool"] = {}
    timings["default_neuron9"] = {}
    for name in CONNECTIONS:
        cases[name] = {}
        timings["bmtool"][name] = {}
        timings["default_neuron9"][name] = {}
        for vclamp in (True, False):
            key = VCLAMP_KEYS[vclamp]
            flag = ["--connection", name, "--vclamp", "true" if vclamp else "false"]
            if args.only == "default":
                old = load_json(os.path.join(OUT, "fsi_reference.json"))
                b = {
                    "result": old["cases"][name][key]["bmtool"],
                    "environment": old["environments"]["bmtool"],
                    "timing_s": old_bmtool_timing.get(name, {}).get(key, {}),
                }
                b["result"]["freq_response"]["event_times"] = [
                    A.train_times(gs["tstart"], f, FREQ_DELAY)[0] for f in FREQS
                ]
            else:
                print(f"  {name} {key}: bmtool 0.8.7 ...", file=sys.stderr)
                b = run_worker(
                    sys.executable,
                    "bmtool-synapse",
                    flag + ["--bmtool-example", args.bmtool_example],
                    tmp,
                    log,
                )
            print(f"  {name} {key}: NEURON 9 default protocol ...", file=sys.stderr)
            d = run_worker(args.nrn9_python, "nrn9", flag + ["--modlib", args.modlib], tmp, log)
            envs["bmtool"] = b["environment"]
            envs["default"] = d["environment"]
            dres = d["result"]
            se = dres["single_event"]
            t = np.load(os.path.join(tmp, "se_t.npy"))
            im = np.load(os.path.join(tmp, "se_im.npy"))
            isn = np.load(os.path.join(tmp, "se_is.npy"))
            k = A.kinetics(
                t, im, isn, gs["dt"], se["event_times"][0], gs["tstart"], gs["tdur"], gs["rise_interval"]
            )
            k.update(se)
            dres["single_event"] = k
            check_bmtool_times(name, key, b["result"], A, gs["tstart"])
            cases[name][key] = {"bmtool": b["result"], "default": dres}
            timings["bmtool"][name][key] = b["timing_s"]
            timings["default_neuron9"][name][key] = d["timing_s"]
    envs["default"]["scipy_for_analysis"] = __import__("scipy").__version__
    ref = {
        "schema": "synaptune-tuner-reference/1",
        "description": (
            "FSI example (examples/fsi/settings.json): single event, 50 Hz 8+4 train "
            "(250 ms gap) and frequency response of Fac2FSI and Dep2FSI, with vclamp true "
            "and false; 'bmtool' = bmtool 0.8.7's SynapseTuner on the real FSI_Cell "
            "template in NEURON 8.2.4; 'default' = synaptune's default protocol and "
            "metrics in NEURON 9.0.2 on cells/FSI_Cell.json. Generated by "
            "tools/bmtool-ref/gen_tuner_reference.py; see tools/bmtool-ref/README.md."
        ),
        "settings": {
            "general_settings": settings["general_settings"],
            "conn_type_settings": settings["conn_type_settings"],
            "cell": "examples/fsi/cells/FSI_Cell.json",
        },
        "train": {"freq": TRAIN_FREQ, "delay": TRAIN_DELAY},
        "freq_response": {"frequencies": [float(f) for f in FREQS], "delay": float(FREQ_DELAY)},
        "environments": envs,
        "cases": cases,
    }
    write_json(os.path.join(OUT, "fsi_reference.json"), ref)


def run_gap(args, tmp, log, timings):
    gap = load_json(GAP_SETTINGS)
    print("  FSI_gap: bmtool 0.8.7 GapJunctionTuner ...", file=sys.stderr)
    g = run_worker(
        sys.executable, "bmtool-gap", ["--bmtool-example", args.bmtool_example], tmp, log
    )
    timings["gap_bmtool"] = g["timing_s"]
    ref = {
        "schema": "synaptune-gap-reference/1",
        "description": (
            "bmtool 0.8.7's GapJunctionTuner (NEURON 8.2.4, the real FSI_Cell template) on "
            "the gap-junction notebook's settings (examples/fsi/gap.json): "
            "GapJunctionOptimizer.optimize_resistance and parameter_sweep. g in uS "
            "(bmtool calls it resistance). Generated by "
            "tools/bmtool-ref/gen_tuner_reference.py."
        ),
        "settings": {
            "general_settings": gap["general_settings"],
            "conn_type_settings": gap["conn_type_settings"],
            "cell": "examples/fsi/cells/FSI_Cell.json",
        },
        "sweep_range": GAP_SWEEP[0],
        "environment": g["environment"],
    }
    ref.update(g["result"])
    write_json(os.path.join(OUT, "gap_reference.json"), ref)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bmtool-example", help="folder with templates.hoc and modfiles/ (NEURON 8.2.4 build)")
    ap.add_argument("--nrn9-python", help="a python with NEURON 9.0.2 and numpy")
    ap.add_argument("--modlib", help="libnrnmech.so of the same mod files built for NEURON 9.0.2")
    ap.add_argument(
        "--only",
        choices=["synapse", "gap", "default"],
        help="regenerate one part ('default': only the NEURON 9 default-protocol cases, "
        "keeping bmtool's numbers of the existing fsi_reference.json)",
    )
    # internal
    ap.add_argument("--worker", choices=["bmtool-synapse", "bmtool-gap", "nrn9"], help=argparse.SUPPRESS)
    ap.add_argument("--connection", help=argparse.SUPPRESS)
    ap.add_argument("--vclamp", choices=["true", "false"], help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker == "bmtool-synapse":
        return worker_bmtool_synapse(args)
    if args.worker == "bmtool-gap":
        return worker_bmtool_gap(args)
    if args.worker == "nrn9":
        return worker_nrn9(args)

    need = (["bmtool_example"] if args.only != "default" else []) + (
        [] if args.only == "gap" else ["nrn9_python", "modlib"]
    )
    missing = ["--" + n.replace("_", "-") for n in need if not getattr(args, n)]
    if missing:
        ap.error("required: " + ", ".join(missing))
    if args.only != "default":
        args.bmtool_example = os.path.abspath(args.bmtool_example)
        for p in ("templates.hoc", "modfiles"):
            if not os.path.exists(os.path.join(args.bmtool_example, p)):
                ap.error(f"--bmtool-example {args.bmtool_example} has no {p}")
    if args.modlib:
        args.modlib = os.path.abspath(args.modlib)

    os.makedirs(OUT, exist_ok=True)
    timings_path = os.path.join(OUT, "timings.json")
    timings = load_json(timings_path).get("timing_s", {}) if os.path.exists(timings_path) else {}
    machine = machine_info()
    tmp = tempfile.mkdtemp(prefix="bmtool-ref-")
    log = os.path.join(tmp, "workers.log")
    started = time.time()
    try:
        if args.only in (None, "synapse", "default"):
            run_synapse(args, tmp, log, timings)
        if args.only in (None, "gap"):
            run_gap(args, tmp, log, timings)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {
        "note": "wall times in seconds (time.perf_counter around each call); they vary "
        "between runs and machines, so they live apart from the reference values",
        "machine": machine,
        "generated_unix": int(started),
    }
    try:
        machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    out["timing_s"] = {
        k: timings[k] for k in ("bmtool", "default_neuron9", "gap_bmtool") if k in timings
    }
    write_json(timings_path, out)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
