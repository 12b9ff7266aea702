"""synaptune against bmtool 0.8.7 + NEURON on the FSI example, in one go.

Usage (from the repository root; see benches/compare_neuron/README.md):

    python3 benches/compare_neuron/compare.py \\
        [--bmtool-python PY] [--bmtool-example DIR] \\
        [--reps 5] [--long-reps 3] [--only single_event,train] [--out results.json]

The bmtool side runs on bmtool 0.8.7 as `pip install bmtool==0.8.7` gives it
(it pins NEURON 8.2.4): --bmtool-python if given, else $SYNAPTUNE_BMTOOL_PYTHON
if set, else a virtual environment created once under
~/.cache/synaptune/bmtool-0.8.7/ (this interpreter's `-m venv`, then
`pip install bmtool==0.8.7`; needs PyPI the first time). The versions of
bmtool, NEURON and Python that were timed, the CPU and its core count are
printed first and written to --out.

For each job, bmtool runs in a fresh worker process (this file, run by
--bmtool-python): the tuner is built once, untimed, then the job is timed
--reps times (--long-reps for the frequency response, the fits and the sweep).
synaptune runs the same jobs in process, timed the same number of times, with
`cargo bench --bench compare_neuron` (release build), once with all cores and
once with one thread; and its command line is timed as whole processes. The
table gives medians, the min–max spread, and the ratio of medians with the
range of ratios the spreads allow.

The jobs (bmtool's calls and protocol; synaptune with `--compat bmtool`, which
reproduces bmtool's numbers):

  single_event   SynapseTuner.SingleEvent(plot_and_print=False)
  train          _simulate_model(50, 250) + _response_amplitude +
                 _calc_ppr_induction_recovery + _find_max_amp
  freq_response  stp_frequency_response(plot=False): 16 frequencies, delay 250
  stp_fit        SynapseOptimizer.optimize_parameters on Dep2FSI: targets
                 induction -0.97 and ppr -0.1 (bmtool 0.8's meanings), sum of
                 squared errors, Dep 0–800, Fac 0–100, Use 0.1–1, middle start
                 (bmtool: SLSQP; synaptune: its default bounded LM)
  gap_fit        GapJunctionOptimizer.optimize_resistance(0.37, (1e-4, 1e-2))
  gap_sweep      GapJunctionOptimizer.parameter_sweep(np.logspace(-4, -2, 20))

Both sides build their tuner once, untimed; synaptune's jobs still build a
model per simulation, and each repetition starts with no saved start (a first
call). The single event and the train are also timed again as the calls after
a slider move (synaptune's `single_event_again` and `train_again`: `Use`
alternating between 0.4 and 0.41, each call continuing from the start its
tuner saved on the previous one), against bmtool's times for the same jobs
(bmtool has no saved start; its time does not depend on `Use`).

The model bmtool loads is, by default, the repository's own: the FSI_Cell
template examples/fsi/templates.hoc and the mod files of examples/nmodl/ it
needs (OWN_MODS below). --bmtool-example DIR takes bmtool's synaptic-tuner
example files instead (templates.hoc and modfiles/*.mod, not part of this
repository; see tools/bmtool-ref/README.md). check_example.py shows that bmtool
computes the same numbers on both. The files are copied to a temporary folder
and the mod files compiled there with the nrnivmodl beside the bmtool
interpreter.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SETTINGS = os.path.join(ROOT, "examples", "fsi", "settings.json")
GAP_SETTINGS = os.path.join(ROOT, "examples", "fsi", "gap.json")

# bmtool's release and the NEURON it pins (`pip install bmtool==0.8.7`).
BMTOOL_VERSION = "0.8.7"
NEURON_PIN = "8.2.4"
PINNED_VENV = os.path.join(os.path.expanduser("~"), ".cache", "synaptune",
                           f"bmtool-{BMTOOL_VERSION}")

# What the pinned venv installs. bmtool 0.8.7 does not declare ipywidgets
# (nor IPython) as a dependency, but bmtool.synapses imports both at the top,
# so `pip install bmtool==0.8.7` alone cannot import the tuners.
PINNED_PACKAGES = [f"bmtool=={BMTOOL_VERSION}", "ipywidgets"]

# The repository's own example: the FSI_Cell template and the mod files it
# (leak, nainter, kdrinter), the Dep2FSI synapse (GABA_A_STP) and the gap
# junction (Gap) need. Everything else bmtool builds (NetStim, VClamp, IClamp)
# is NEURON's own. The names keep the alphabetical order of bmtool's files
# (GABA_A_STP, gap, kdrinter, leak, nainter), which is NEURON's registration
# order and so the order the currents are summed in.
OWN_TEMPLATE = os.path.join(ROOT, "examples", "fsi", "templates.hoc")
OWN_MODS_DIR = os.path.join(ROOT, "examples", "nmodl")
STDRUN_LINE = '{load_file("stdrun.hoc")}\n'
OWN_MODS = ["GabaAStp.mod", "gap_junction.mod", "kdr_fsi.mod", "leak_fsi.mod", "na_fsi.mod"]

JOBS = ["single_event", "train", "freq_response", "stp_fit", "gap_fit", "gap_sweep"]
LONG = {"freq_response", "stp_fit", "gap_fit", "gap_sweep"}
# synaptune's jobs timing the calls after a slider move, by bmtool job.
AGAIN = {"single_event": "single_event_again", "train": "train_again"}
CONNECTION = "Dep2FSI"
FIT_TARGETS = {"induction": -0.97, "ppr": -0.1}
FIT_BOUNDS = {"Dep": (0.0, 800.0), "Fac": (0.0, 100.0), "Use": (0.1, 1.0)}

# The synaptune command line for each job (timed as whole processes).
CLI = {
    "single_event": ["single-event"],
    "train": ["train", "--freq", "50", "--delay", "250"],
    "freq_response": ["freq-response", "--delay", "250"],
    "stp_fit": ["optimize"]
    + [a for k, v in FIT_TARGETS.items() for a in ("--target", f"{k}={v}")]
    + [a for k, (lo, hi) in FIT_BOUNDS.items() for a in ("--bound", f"{k}={lo}:{hi}")],
    "gap_fit": ["gap-optimize", "--target-cc", "0.37", "--bounds", "1e-4:1e-2"],
    "gap_sweep": ["gap-sweep", "--g", "1e-4:1e-2", "--n", "20", "--log"],
}


def load_json(path):
    with open(path) as f:
        return json.load(f)


# ---------------------------------------------------------------------------
# Worker (run by the bmtool interpreter)
# ---------------------------------------------------------------------------


def import_bmtool():
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    np.trapz = np.trapezoid  # bmtool 0.8.7 calls np.trapz (removed in numpy 2)
    import bmtool.synapses as S

    S.tqdm = lambda it, **kw: it  # the notebook progress bar only displays
    return np, S


def synapse_tuner(S):
    settings = load_json(SETTINGS)
    gs = {k: v for k, v in settings["general_settings"].items() if k != "v_init"}
    gs["rise_interval"] = tuple(gs["rise_interval"])
    conns = {
        name: {
            "spec_settings": dict(c["spec_settings"]),
            "spec_syn_param": dict(c["spec_syn_param"]),
        }
        for name, c in settings["conn_type_settings"].items()
    }
    return S.SynapseTuner(
        mechanisms_dir="modfiles",
        templates_dir="templates.hoc",
        conn_type_settings=conns,
        general_settings=gs,
        connection=CONNECTION,
        current_name="i",
        other_vars_to_record=["record_Pr", "record_use"],
        slider_vars=["initW", "Dep", "Fac", "Use"],
    )


def gap_tuner(S):
    gap = load_json(GAP_SETTINGS)
    general = {k: v for k, v in gap["general_settings"].items() if k != "v_init"}
    conns = {k: dict(v) for k, v in gap["conn_type_settings"].items()}
    return S.GapJunctionTuner(
        mechanisms_dir="modfiles",
        templates_dir="templates.hoc",
        general_settings=general,
        conn_type_settings=conns,
    )


def versions():
    """The versions this interpreter times: bmtool, NEURON, Python, numpy."""
    from importlib import metadata

    import neuron
    import numpy

    try:
        dist = metadata.version("NEURON")
    except metadata.PackageNotFoundError:  # a NEURON built from source
        dist = None
    return {
        "bmtool": metadata.version("bmtool"),
        "neuron": neuron.__version__,
        "neuron_dist": dist,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "executable": sys.executable,
    }


def worker(args):
    if args.worker == "versions":
        import_bmtool()  # fails here, before anything is timed, if bmtool cannot load
        json.dump(versions(), sys.stdout)
        return
    t_start = time.perf_counter()
    os.chdir(args.dir)
    np, S = import_bmtool()

    job = args.worker
    if job.startswith("gap"):
        tuner = gap_tuner(S)
        calls = []
        model = tuner.model

        def counting_model(g):
            calls.append(g)
            return model(g)

        tuner.model = counting_model
        opt = S.GapJunctionOptimizer(tuner)
    else:
        tuner = synapse_tuner(S)
        calls = []
        run = tuner._simulate_model

        def counting_run(*a, **kw):
            calls.append(1)
            return run(*a, **kw)

        tuner._simulate_model = counting_run
        initial = {k: getattr(tuner.syn, k) for k in FIT_BOUNDS}
    setup = time.perf_counter() - t_start

    def once():
        if job == "single_event":
            tuner.SingleEvent(plot_and_print=False)
            return 1, {"amp_nA": float(tuner._get_syn_prop()["amp"])}
        if job == "train":
            tuner._simulate_model(50, 250)
            amp = tuner._response_amplitude()
            ppr, induction, recovery, simple_ppr = tuner._calc_ppr_induction_recovery(
                amp, print_math=False
            )
            tuner._find_max_amp(amp)
            return 1, {"ppr": float(ppr), "induction": float(induction)}
        if job == "freq_response":
            del calls[:]
            res = tuner.stp_frequency_response(plot=False)
            return len(calls), {"n": len(res["ppr"])}
        if job == "stp_fit":
            for k, v in initial.items():
                setattr(tuner.syn, k, v)
            del calls[:]

            def cost(metrics, targets):
                return float(sum((metrics[k] - v) ** 2 for k, v in targets.items()))

            r = S.SynapseOptimizer(tuner).optimize_parameters(
                target_metrics=dict(FIT_TARGETS),
                param_bounds=dict(FIT_BOUNDS),
                cost_function=cost,
                init_guess="middle_guess",
            )
            return len(calls), {
                "error": float(r.error),
                "params": {k: float(v) for k, v in r.optimal_params.items()},
            }
        if job == "gap_fit":
            del calls[:]
            r = opt.optimize_resistance(target_cc=0.37, resistance_bounds=(1e-4, 1e-2))
            return len(calls), {"g": float(r.optimal_resistance), "cc": float(r.achieved_cc)}
        if job == "gap_sweep":
            del calls[:]
            res = opt.parameter_sweep(np.logspace(-4, -2, 20))
            cc = res["coupling_coefficient"]
            return len(calls), {"cc_first": float(cc[0]), "cc_last": float(cc[-1])}
        raise SystemExit(f"unknown job {job}")

    times = []
    sims = 0
    result = None
    for _ in range(args.reps):
        t0 = time.perf_counter()
        sims, result = once()
        times.append(time.perf_counter() - t0)
    json.dump(
        {
            "times_s": times,
            "simulations": sims,
            "result": result,
            "setup_s": setup,
            "versions": versions(),
        },
        sys.stdout,
    )


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def example_files(example_dir):
    """The template and mod files bmtool loads: bmtool's example folder
    (templates.hoc, modfiles/*.mod) if one is given, else the repository's own
    (OWN_TEMPLATE and OWN_MODS). Returns (description, template, [mod paths])."""
    if example_dir is None:
        mods = [os.path.join(OWN_MODS_DIR, m) for m in OWN_MODS]
        desc = (f"repository's own: {os.path.relpath(OWN_TEMPLATE, ROOT)} + "
                f"{os.path.relpath(OWN_MODS_DIR, ROOT)}/{{{','.join(OWN_MODS)}}}")
        return desc, OWN_TEMPLATE, mods
    moddir = os.path.join(example_dir, "modfiles")
    mods = sorted(os.path.join(moddir, m) for m in os.listdir(moddir) if m.endswith(".mod"))
    if not mods:
        raise SystemExit(f"{moddir} has no .mod files")
    return f"bmtool's example folder {example_dir}", os.path.join(example_dir, "templates.hoc"), mods


def prepare_example(bmtool_python, example_dir, tmp, name="example"):
    """Copy the template (as templates.hoc) and the mod files (to modfiles/)
    into tmp/name and compile them with the bmtool interpreter's own
    nrnivmodl. Returns (folder, description)."""
    desc, template, mods = example_files(example_dir)
    dst = os.path.join(tmp, name)
    os.makedirs(os.path.join(dst, "modfiles"))
    with open(template) as f:
        text = f.read()
    if example_dir is None:
        # bmtool's templates.hoc starts with {load_file("stdrun.hoc")}; its
        # GapJunctionTuner relies on that (it sets h.tstop and calls
        # h.continuerun without loading stdrun.hoc itself, unlike its
        # SynapseTuner). The repository's template does not load it, so the
        # copy bmtool reads gets bmtool's first line.
        text = STDRUN_LINE + text
    with open(os.path.join(dst, "templates.hoc"), "w") as f:
        f.write(text)
    for m in mods:
        shutil.copy(m, os.path.join(dst, "modfiles"))
    nrnivmodl = os.path.join(os.path.dirname(bmtool_python), "nrnivmodl")
    log(f"compiling {len(mods)} mod files with {nrnivmodl}")
    r = subprocess.run(
        [nrnivmodl], cwd=os.path.join(dst, "modfiles"), capture_output=True, text=True
    )
    if r.returncode != 0:
        raise SystemExit(f"nrnivmodl failed:\n{r.stdout}\n{r.stderr}")
    return dst, desc


def pinned_python():
    """The interpreter of the cached pinned environment, created on first use:
    a venv under PINNED_VENV with `pip install` PINNED_PACKAGES (bmtool brings
    its own NEURON pin). The file `installed` holds the packages of the last
    finished install; without it, or with other packages in it, pip installs
    PINNED_PACKAGES again into the venv (a venv without an interpreter is made
    again)."""
    py = os.path.join(PINNED_VENV, "bin", "python")
    done = os.path.join(PINNED_VENV, "installed")
    spec = " ".join(PINNED_PACKAGES) + "\n"
    if os.path.exists(done):
        with open(done) as f:
            if f.read() == spec:
                return py
    if os.path.exists(PINNED_VENV) and not os.path.exists(py):
        log(f"{PINNED_VENV} has no interpreter; making it again")
        shutil.rmtree(PINNED_VENV)
    if not os.path.exists(PINNED_VENV):
        log(f"creating {PINNED_VENV} with {sys.executable} -m venv (once)")
        os.makedirs(os.path.dirname(PINNED_VENV), exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", PINNED_VENV], check=True)
    log(f"pip install {' '.join(PINNED_PACKAGES)} into {PINNED_VENV} (once; needs PyPI)")
    r = subprocess.run([py, "-m", "pip", "install", "-q"] + PINNED_PACKAGES)
    if r.returncode != 0:
        raise SystemExit(
            f"pip install {' '.join(PINNED_PACKAGES)} failed in {PINNED_VENV} (NEURON "
            f"{NEURON_PIN} has wheels for CPython 3.8-3.12 only); give an interpreter with "
            "bmtool with --bmtool-python or $SYNAPTUNE_BMTOOL_PYTHON")
    with open(done, "w") as f:
        f.write(spec)
    return py


def bmtool_python(arg):
    """--bmtool-python, else $SYNAPTUNE_BMTOOL_PYTHON, else the pinned venv.
    Returns (interpreter, where it came from)."""
    if arg:
        return os.path.abspath(arg), "--bmtool-python"
    env = os.environ.get("SYNAPTUNE_BMTOOL_PYTHON")
    if env:
        return os.path.abspath(env), "$SYNAPTUNE_BMTOOL_PYTHON"
    return pinned_python(), f"pinned environment {PINNED_VENV}"


def probe_versions(python):
    """Run the `versions` worker in the bmtool interpreter."""
    r = subprocess.run([python, os.path.abspath(__file__), "--worker", "versions"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{python} cannot import bmtool and neuron:\n{r.stderr[-4000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def is_pin(v):
    """Whether the NEURON timed is bmtool's pin. The 8.2.4 wheel's
    neuron.__version__ is "8.2.4+" (built one commit past the tag); its pip
    distribution says 8.2.4."""
    if v.get("neuron_dist"):
        return v["neuron_dist"] == NEURON_PIN
    return v["neuron"].rstrip("+") == NEURON_PIN


def neuron_label(v):
    """`8.2.4+ (pip: NEURON 8.2.4)`, or the version alone."""
    if v.get("neuron_dist") and v["neuron_dist"] != v["neuron"]:
        return f"{v['neuron']} (pip: NEURON {v['neuron_dist']})"
    return v["neuron"]


def pin_warnings(v):
    """Lines saying that what is timed is not bmtool 0.8.7 on its NEURON pin."""
    out = []
    if not is_pin(v):
        out.append(f"NOTE: NEURON {v['neuron']} is not bmtool {BMTOOL_VERSION}'s pin "
                   f"(NEURON {NEURON_PIN}, what `pip install bmtool=={BMTOOL_VERSION}` "
                   "installs): these figures are not against what bmtool users get.")
    if v["bmtool"] != BMTOOL_VERSION:
        out.append(f"NOTE: bmtool {v['bmtool']} is not the bmtool {BMTOOL_VERSION} "
                   "this comparison is written for.")
    return out


def run_bmtool(args, example, job, reps):
    cmd = [args.bmtool_python, os.path.abspath(__file__), "--worker", job, "--dir", example,
           "--reps", str(reps)]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"bmtool worker for {job} failed:\n{r.stderr[-4000:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["process_s"] = wall
    return out


def run_synaptune(args, jobs, reps, threads):
    cmd = ["cargo", "bench", "-q", "--bench", "compare_neuron", "--", "--reps", str(reps),
           "--only", ",".join(jobs)]
    if threads:
        cmd += ["--threads", str(threads)]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"synaptune harness failed:\n{r.stderr[-4000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_cli(args, job, reps):
    exe = os.path.join(args.target_dir, "release", "synaptune")
    settings = GAP_SETTINGS if job.startswith("gap") else SETTINGS
    cmd = [exe] + CLI[job] + ["--settings", settings, "--json"]
    if not job.startswith("gap"):
        cmd += ["--connection", CONNECTION, "--compat", "bmtool"]
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return times


def fmt_t(xs):
    m = statistics.median(xs)
    return f"{m * 1e3:9.2f} ms [{min(xs) * 1e3:.2f}–{max(xs) * 1e3:.2f}]"


def ratio(b, s):
    r = statistics.median(b) / statistics.median(s)
    lo = min(b) / max(s)
    hi = max(b) / min(s)
    return r, lo, hi


def header(args, v, mach):
    """What is timed, printed before anything runs and kept for --out."""
    info = {
        "bmtool": v["bmtool"],
        "neuron": v["neuron"],
        "neuron_dist": v["neuron_dist"],
        "neuron_is_bmtool_pin": is_pin(v),
        "python": v["python"],
        "numpy": v["numpy"],
        "bmtool_python": args.bmtool_python,
        "bmtool_python_from": args.bmtool_python_from,
        "cpu": mach["cpu"],
        "logical_cpus": mach["logical_cpus"],
        "system": mach["system"],
    }
    print(f"bmtool {v['bmtool']} on NEURON {neuron_label(v)}, Python {v['python']}, "
          f"numpy {v['numpy']} ({args.bmtool_python}, from {args.bmtool_python_from})")
    print(f"CPU: {mach['cpu']}, {mach['logical_cpus']} logical CPUs; {mach['system']}; "
          f"load average {mach['load_average']}")
    for line in pin_warnings(v):
        print(line)
    sys.stdout.flush()
    return info


def print_variant(results, jobs, key, ratio_key):
    """Rows of the jobs timed another way (`key`), against bmtool's times."""
    for j in jobs:
        r = results["jobs"][j]
        if key in r:
            b, s = r["bmtool"]["times_s"], r[key]["times_s"]
            x, lo, hi = ratio(b, s)
            r[ratio_key] = {"median": x, "min": lo, "max": hi}
            print(f"{j:<14} {fmt_t(s):>30} {x:7.1f}× [{lo:5.1f}–{hi:5.1f}]")


def print_table(results, jobs):
    """The comparison table (stdout); adds the ratios to results."""
    t = results["timed"]
    print(f"\nFSI example, {CONNECTION} / FSI_gap; bmtool {t['bmtool']} on NEURON {neuron_label(t)} "
          f"(Python {t['python']}); {t['cpu']}, {t['logical_cpus']} logical CPUs")
    print(f"model bmtool loaded: {results['example']}")
    for line in pin_warnings(t):
        print(line)
    print("times: median [min–max]; ratio: of medians [range the spreads allow]\n")
    head = f"{'job':<14} {'bmtool':>30} {'synaptune':>30} {'ratio':>22} {'sims b/s':>9}"
    print(head)
    print("-" * len(head))
    for j in jobs:
        r = results["jobs"][j]
        b, s = r["bmtool"]["times_s"], r["synaptune"]["times_s"]
        x, lo, hi = ratio(b, s)
        sims = f"{r['bmtool']['simulations']}/{r['synaptune']['simulations']}"
        print(f"{j:<14} {fmt_t(b):>30} {fmt_t(s):>30} {x:7.1f}× [{lo:5.1f}–{hi:5.1f}] {sims:>9}")
        r["ratio"] = {"median": x, "min": lo, "max": hi}
    print("\nagain after a slider move (synaptune continues from its saved start):")
    print_variant(results, jobs, "synaptune_again", "ratio_again")
    print("\none thread (synaptune's parallel jobs):")
    print_variant(results, jobs, "synaptune_1_thread", "ratio_1_thread")
    print("\nwhole processes (bmtool: interpreter start, imports, model build and one job; "
          "synaptune: the CLI command; last column: bmtool's in-process call, the table's "
          "median, against the CLI process):")
    for j in jobs:
        r = results["jobs"][j]
        bm = r["bmtool"]
        call = statistics.median(bm["times_s"])
        whole = bm["setup_s"] + call
        cli = statistics.median(r["synaptune_cli_s"])
        r["ratio_process"] = whole / cli
        r["ratio_call_vs_cli"] = call / cli
        print(f"{j:<14} bmtool {whole * 1e3:9.1f} ms   synaptune {cli * 1e3:8.1f} ms   "
              f"{whole / cli:7.1f}×   call/CLI {call / cli:6.1f}×")
    print(f"\nload average before {results['machine']['load_average']}, after "
          f"{results['machine']['load_average_after']}")


def driver(args):
    jobs = args.only.split(",") if args.only else JOBS
    for j in jobs:
        if j not in JOBS:
            raise SystemExit(f"unknown job {j}; jobs: {', '.join(JOBS)}")
    reps = {j: (args.long_reps if j in LONG else args.reps) for j in jobs}
    before = machine()
    v = probe_versions(args.bmtool_python)
    results = {"timed": header(args, v, before), "machine": before, "jobs": {}}
    log("building synaptune (release)")
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "synaptune-cli"], cwd=ROOT,
                   check=True)
    subprocess.run(["cargo", "bench", "-q", "--bench", "compare_neuron", "--no-run"], cwd=ROOT,
                   check=True)
    with tempfile.TemporaryDirectory(prefix="synaptune-compare-") as tmp:
        example, results["example"] = prepare_example(args.bmtool_python, args.bmtool_example, tmp)
        for j in jobs:
            log(f"bmtool: {j} ×{reps[j]}")
            out = run_bmtool(args, example, j, reps[j])
            if out["versions"] != v:
                raise SystemExit(f"the {j} worker ran {out['versions']}, not {v}")
            results["jobs"].setdefault(j, {})["bmtool"] = out
    for j in jobs:
        log(f"synaptune: {j} ×{reps[j]}")
        syn = run_synaptune(args, [j], reps[j], None)
        results["jobs"][j]["synaptune"] = syn[j]
        results["jobs"][j]["synaptune"]["threads"] = syn["threads"]
        if j in AGAIN:
            again = run_synaptune(args, [AGAIN[j]], reps[j], None)
            results["jobs"][j]["synaptune_again"] = again[AGAIN[j]]
        if j in LONG:
            one = run_synaptune(args, [j], reps[j], 1)
            results["jobs"][j]["synaptune_1_thread"] = one[j]
        results["jobs"][j]["synaptune_cli_s"] = run_cli(args, j, reps[j])
    results["machine"]["load_average_after"] = machine()["load_average"]
    print_table(results, jobs)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
        log(f"wrote {args.out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    ap.add_argument("--bmtool-python",
                    help="interpreter with bmtool 0.8.7 and NEURON (default: "
                    "$SYNAPTUNE_BMTOOL_PYTHON, else the pinned venv in " + PINNED_VENV + ")")
    ap.add_argument("--bmtool-example",
                    help="bmtool's example folder (templates.hoc, modfiles/*.mod); default: "
                    "the repository's examples/fsi/templates.hoc and examples/nmodl mod files")
    ap.add_argument("--reps", type=int, default=5, help="repetitions of the short jobs")
    ap.add_argument("--long-reps", type=int, default=3,
                    help="repetitions of the frequency response, fits and sweep")
    ap.add_argument("--only", help="comma-separated jobs: " + ", ".join(JOBS))
    ap.add_argument("--out", help="write every time and ratio as JSON")
    ap.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR",
                                                           os.path.join(ROOT, "target")))
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    args.bmtool_python, args.bmtool_python_from = bmtool_python(args.bmtool_python)
    if args.bmtool_example:
        args.bmtool_example = os.path.abspath(args.bmtool_example)
    driver(args)


if __name__ == "__main__":
    main()
