#!/usr/bin/env python3
"""Run `synaptune nmodl` on a bmtool checkout's mod folder and report.

    python3 tools/nmodl-check/check_bmtool_modfiles.py MODDIR \
        [--synaptune BIN] [--out DIR] [--neuron-python PY]

MODDIR is bmtool's `docs/examples/notebooks/synapses/synaptic_tuner/modfiles/`
(or any folder of .mod files; subfolders such as NEURON's `x86_64/` are ignored:
the .mod files are copied into a folder of their own first). The script

1. compiles the folder with `synaptune nmodl --json` and prints, per file,
   whether it translated and every diagnostic (`file:line: message`);
2. for the seven mechanisms synaptune also has hand-written (Exp2Syn_STP,
   GABA_A_STP, AMPA_NMDA_STP, Gap, leak, nainter, kdrinter), runs every
   scenario of tests/fixtures/scenarios/ with the built-in catalogue and again
   with the compiled library (`--mechanisms`), and prints the largest relative
   deviation per scenario and per mechanism, and how many samples are
   bit-identical;
3. with `--neuron-python PY` (NEURON 9.0.2's python): compiles the folder with
   that NEURON's nrnivmodl and runs tools/nmodl-check/bmtool_channels.json
   (bmtool's channels and calcium pool: cadad, cal, can, kBK, ih, imCA3, kap,
   kdmc, kdr, kdrCA3, napCA3, natCA3, nax, ...) in NEURON and in synaptune, and
   prints the deviations.

Nothing of bmtool is written into the repository. Exit status: 0 when every
file translated except the expected failures (`--expect-fail`, default
Gfluct.mod and vecevent_coreneuron.mod: their VERBATIM blocks hold C code) and
the deviations are within 1e-9 relative, 1 otherwise.
"""
import argparse
import csv
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
STANDARD = ["Exp2Syn_STP", "GABA_A_STP", "AMPA_NMDA_STP", "Gap", "leak", "nainter", "kdrinter"]


def find_synaptune(given):
    if given:
        return given
    on_path = shutil.which("synaptune")
    if on_path:
        return on_path
    dirs = [os.environ.get("CARGO_TARGET_DIR", ""), os.path.join(ROOT, "target")]
    for d in dirs:
        for prof in ("release", "debug"):
            p = os.path.join(d, prof, "synaptune")
            if d and os.path.exists(p):
                return p
    sys.exit("synaptune not found: build it (cargo build --release -p synaptune-cli) or pass --synaptune")


def read_csv(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    header = rows[0]
    cols = [[float(x) for x in c] for c in zip(*rows[1:])] if len(rows) > 1 else [[] for _ in header]
    return header, cols


def deviation(a, b):
    """(max relative deviation to the column's scale, identical samples, samples)."""
    worst, same, n = 0.0, 0, 0
    for x, y in zip(a, b):
        n += min(len(x), len(y))
        if len(x) != len(y):
            return float("inf"), same, n
        scale = max((abs(v) for v in x), default=0.0) or 1e-300
        for u, w in zip(x, y):
            if u == w or (u != u and w != w):
                same += 1
            else:
                worst = max(worst, abs(u - w) / scale)
    return worst, same, n


def mechanisms_of(scenario_path):
    sc = json.load(open(scenario_path))
    used = set()
    for p in sc.get("points", []) + sc.get("artificial", []):
        used.add(p["mech"])
    d = os.path.dirname(scenario_path)
    for c in sc.get("cells", []):
        cell = json.load(open(os.path.join(d, c)))
        for s in cell["sections"]:
            used.update(s.get("mechanisms", {}).keys())
    return used


def run_scenario(syn, path, so, out_csv, libs):
    cmd = [syn, "scenario", path, "--secondorder", str(so), "--csv", out_csv]
    for lib in libs:
        cmd += ["--mechanisms", lib]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s\n%s" % (" ".join(cmd), r.stderr))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("moddir")
    ap.add_argument("--synaptune")
    ap.add_argument("--out", help="where the catalogue is built (default: a temporary folder)")
    ap.add_argument("--neuron-python", help="NEURON 9.0.2's python, to compare bmtool's channels with NEURON")
    ap.add_argument("--expect-fail", default="Gfluct.mod,vecevent_coreneuron.mod")
    a = ap.parse_args()
    syn = find_synaptune(a.synaptune)
    work = tempfile.mkdtemp(prefix="nmodl-check-")
    ok = True
    try:
        mods = os.path.join(work, "modfiles")
        os.makedirs(mods)
        for f in sorted(glob.glob(os.path.join(a.moddir, "*.mod"))):
            shutil.copy(f, mods)
        out = a.out or os.path.join(work, "out")
        r = subprocess.run([syn, "nmodl", mods, "--out", out, "--json"], capture_output=True, text=True)
        if not r.stdout.strip():
            sys.exit("synaptune nmodl failed:\n" + r.stderr)
        rep = json.loads(r.stdout)
        expected = set(x for x in a.expect_fail.split(",") if x)
        n_ok = sum(1 for f in rep["files"] if f["status"] == "ok")
        print("== synaptune nmodl %s: %d/%d files translated" % (a.moddir, n_ok, len(rep["files"])))
        for f in rep["files"]:
            flag = ""
            if f["status"] != "ok" and f["file"] not in expected:
                flag, ok = "   <-- unexpected", False
            if f["status"] == "ok" and f["file"] in expected:
                flag = "   (expected to fail)"
            print("%-26s %-5s %s%s" % (f["file"], f["status"], f.get("mechanism") or "", flag))
            for d in f["diagnostics"]:
                print("    " + d)
        lib = rep["library"]
        if not lib:
            print("no library")
            return 1
        compiled = set(rep["mechanisms"])
        print("\n== compiled vs hand-written (tests/fixtures/scenarios, --mechanisms %s)" % lib)
        per_mech = {}
        for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "scenarios", "*.json"))):
            name = os.path.splitext(os.path.basename(path))[0]
            used = mechanisms_of(path) & compiled & set(STANDARD)
            if not used:
                continue
            sos = json.load(open(path)).get("secondorder", [0])
            for so in sos if isinstance(sos, list) else [sos]:
                hand = os.path.join(work, "hand.csv")
                comp = os.path.join(work, "comp.csv")
                run_scenario(syn, path, so, hand, [])
                run_scenario(syn, path, so, comp, [lib])
                ha, ca = read_csv(hand)
                hb, cb = read_csv(comp)
                assert ha == hb
                dev, same, n = deviation(ca, cb)
                print("%-20s so=%d  max rel %.2e  bit-identical %d/%d  (%s)"
                      % (name, so, dev, same, n, ", ".join(sorted(used))))
                for m in used:
                    per_mech[m] = max(per_mech.get(m, 0.0), dev)
                ok &= dev <= 1e-9
        for m in STANDARD:
            if m in per_mech:
                print("  %-14s max relative deviation %.2e" % (m, per_mech[m]))
            elif m in compiled:
                print("  %-14s (used by no scenario)" % m)
            else:
                print("  %-14s not in this folder" % m)
        if a.neuron_python:
            ok &= compare_with_neuron(a, syn, mods, lib, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\nresult:", "OK" if ok else "PROBLEMS")
    return 0 if ok else 1


NEURON_RUN = r"""
import json, sys
sys.path.insert(0, %r)
from neuron import h
h.nrn_load_dll(sys.argv[1])
import gen_scenario_fixtures as gsf, synaptune_nrn as sn
cols, spikes, header = gsf.run(sys.argv[2], int(sys.argv[3]))
sn.write_csv(sys.argv[4], header, cols)
json.dump(spikes, open(sys.argv[4] + ".spikes.json", "w"))
"""


def compare_with_neuron(a, syn, mods, lib, work):
    nrnivmodl = os.path.join(os.path.dirname(a.neuron_python), "nrnivmodl")
    nrn = os.path.join(work, "nrn")
    shutil.copytree(mods, nrn)
    subprocess.run([nrnivmodl], cwd=nrn, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nlib = glob.glob(os.path.join(nrn, "*", "libnrnmech.so"))[0]
    script = os.path.join(work, "run_nrn.py")
    with open(script, "w") as f:
        f.write(NEURON_RUN % os.path.join(ROOT, "tools", "neuron-ref"))
    path = os.path.join(HERE, "bmtool_channels.json")
    ok = True
    print("\n== bmtool's channels: synaptune nmodl vs NEURON (%s)" % os.path.basename(path))
    for so in json.load(open(path))["secondorder"]:
        ref = os.path.join(work, "nrn_so%d.csv" % so)
        subprocess.run([a.neuron_python, script, nlib, path, str(so), ref], check=True, cwd=work,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ours = os.path.join(work, "syn_so%d.csv" % so)
        run_scenario(syn, path, so, ours, [lib])
        hn, cn = read_csv(ref)
        hs, cs = read_csv(ours)
        assert hn == hs, (hn, hs)
        spikes = json.load(open(ref + ".spikes.json"))
        for k, label in enumerate(hn):
            dev, same, n = deviation([cn[k]], [cs[k]])
            print("  so=%d %-24s max rel %.2e  bit-identical %d/%d" % (so, label, dev, same, n))
            ok &= dev <= 1e-9
        print("  so=%d spikes (NEURON): %s" % (so, [len(s) for s in spikes]))
    return ok


if __name__ == "__main__":
    sys.exit(main())
