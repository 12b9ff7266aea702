"""synaptune against bmtool 0.8.7 + NEURON on the FSI example, in one go.

Usage (from the repository root; see benches/compare_neuron/README.md):

    python3 benches/compare_neuron/compare.py \\
        --bmtool-python /work/venv-bmtool9/bin/python \\
        --bmtool-example /work/scratch/bmtool-ex \\
        [--reps 5] [--long-reps 3] [--only single_event,train] [--out results.json]

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
Both sides build their tuner once, untimed; synaptune's jobs still build a
model per simulation.
  gap_fit        GapJunctionOptimizer.optimize_resistance(0.37, (1e-4, 1e-2))
  gap_sweep      GapJunctionOptimizer.parameter_sweep(np.logspace(-4, -2, 20))

--bmtool-example is a folder with bmtool's synaptic-tuner example files,
templates.hoc and modfiles/*.mod (not part of this repository; see
tools/bmtool-ref/README.md). They are copied to a temporary folder and
compiled there with the nrnivmodl of --bmtool-python's NEURON.
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

JOBS = ["single_event", "train", "freq_response", "stp_fit", "gap_fit", "gap_sweep"]
LONG = {"freq_response", "stp_fit", "gap_fit", "gap_sweep"}
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


def worker(args):
    t_start = time.perf_counter()
    os.chdir(args.dir)
    np, S = import_bmtool()
    import neuron

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
            "neuron": neuron.__version__,
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


def prepare_example(args, tmp):
    """Copy templates.hoc and the mod files; compile them with the bmtool
    interpreter's own nrnivmodl."""
    src = args.bmtool_example
    dst = os.path.join(tmp, "example")
    os.makedirs(os.path.join(dst, "modfiles"))
    shutil.copy(os.path.join(src, "templates.hoc"), dst)
    mods = [m for m in os.listdir(os.path.join(src, "modfiles")) if m.endswith(".mod")]
    if not mods:
        raise SystemExit(f"{src}/modfiles has no .mod files")
    for m in mods:
        shutil.copy(os.path.join(src, "modfiles", m), os.path.join(dst, "modfiles"))
    nrnivmodl = os.path.join(os.path.dirname(args.bmtool_python), "nrnivmodl")
    log(f"compiling {len(mods)} mod files with {nrnivmodl}")
    r = subprocess.run(
        [nrnivmodl], cwd=os.path.join(dst, "modfiles"), capture_output=True, text=True
    )
    if r.returncode != 0:
        raise SystemExit(f"nrnivmodl failed:\n{r.stdout}\n{r.stderr}")
    return dst


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


def driver(args):
    jobs = args.only.split(",") if args.only else JOBS
    for j in jobs:
        if j not in JOBS:
            raise SystemExit(f"unknown job {j}; jobs: {', '.join(JOBS)}")
    reps = {j: (args.long_reps if j in LONG else args.reps) for j in jobs}
    before = machine()
    log("building synaptune (release)")
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "synaptune-cli"], cwd=ROOT,
                   check=True)
    subprocess.run(["cargo", "bench", "-q", "--bench", "compare_neuron", "--no-run"], cwd=ROOT,
                   check=True)
    results = {"machine": before, "jobs": {}}
    with tempfile.TemporaryDirectory(prefix="synaptune-compare-") as tmp:
        example = prepare_example(args, tmp)
        for j in jobs:
            log(f"bmtool: {j} ×{reps[j]}")
            results["jobs"].setdefault(j, {})["bmtool"] = run_bmtool(args, example, j, reps[j])
    for j in jobs:
        log(f"synaptune: {j} ×{reps[j]}")
        syn = run_synaptune(args, [j], reps[j], None)
        results["jobs"][j]["synaptune"] = syn[j]
        results["jobs"][j]["synaptune"]["threads"] = syn["threads"]
        if j in LONG:
            one = run_synaptune(args, [j], reps[j], 1)
            results["jobs"][j]["synaptune_1_thread"] = one[j]
        results["jobs"][j]["synaptune_cli_s"] = run_cli(args, j, reps[j])
    results["machine"]["load_average_after"] = machine()["load_average"]
    nrn = next(iter(results["jobs"].values()))["bmtool"]["neuron"]
    results["neuron"] = nrn

    print(f"\nFSI example, {CONNECTION} / FSI_gap; bmtool 0.8.7 on NEURON {nrn}; "
          f"{before['cpu']}, {before['logical_cpus']} logical CPUs")
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
    print("\none thread (synaptune's parallel jobs):")
    for j in jobs:
        r = results["jobs"][j]
        if "synaptune_1_thread" in r:
            b, s = r["bmtool"]["times_s"], r["synaptune_1_thread"]["times_s"]
            x, lo, hi = ratio(b, s)
            r["ratio_1_thread"] = {"median": x, "min": lo, "max": hi}
            print(f"{j:<14} {fmt_t(s):>30} {x:7.1f}× [{lo:5.1f}–{hi:5.1f}]")
    print("\nwhole processes (bmtool: interpreter start, imports, model build and one job; "
          "synaptune: the CLI command):")
    for j in jobs:
        r = results["jobs"][j]
        bm = r["bmtool"]
        whole = bm["setup_s"] + statistics.median(bm["times_s"])
        cli = statistics.median(r["synaptune_cli_s"])
        r["ratio_process"] = whole / cli
        print(f"{j:<14} bmtool {whole * 1e3:9.1f} ms   synaptune {cli * 1e3:8.1f} ms   "
              f"{whole / cli:7.1f}×")
    print(f"\nload average before {before['load_average']}, after "
          f"{results['machine']['load_average_after']}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
        log(f"wrote {args.out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    ap.add_argument("--bmtool-python", help="interpreter with bmtool 0.8.7 and NEURON")
    ap.add_argument("--bmtool-example", help="folder with templates.hoc and modfiles/*.mod")
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
    if not args.bmtool_python or not args.bmtool_example:
        ap.error("--bmtool-python and --bmtool-example are required")
    args.bmtool_python = os.path.abspath(args.bmtool_python)
    args.bmtool_example = os.path.abspath(args.bmtool_example)
    driver(args)


if __name__ == "__main__":
    main()
