#!/usr/bin/env python3
"""Check allen-cell on BMTK's own example cells against BMTK + NEURON.

    /work/venv-nrn9/bin/python tools/allen-ref/check_bmtk_examples.py \\
        --bmtk PATH/TO/bmtk --work /tmp/allen-check [--dl 20] [--tstop 80]

PATH/TO/bmtk is a checkout of github.com/AllenInstitute/bmtk (its examples are
read, nothing of it is copied into this repository). The cells:

* the five perisomatic cells of examples/bio_14cells (node types with
  `ctdb:Biophys1.hoc`: Scnn1a, Rorb, Nr5a1, PV1, PV2 — morphologies and
  dynamics files of examples/bio_components), `aibs_perisomatic`;
* the all-active cell of examples/bio_all_active_sweep (neuronal model
  491766131), `aibs_allactive` and the example's `aibs_allactive_fullaxon`.

The mod files (bio_components/mechanisms/modfiles) are compiled with NEURON's
nrnivmodl for BMTK and with `synaptune nmodl` (nmodl's compile_dir example, the
same call) for synaptune. Each cell is built by BMTK + NEURON (allen_ref.py) and by
allen-cell (the allen_dump example, with the ion table of the compiled
catalogue) and compared with compare.py: sections, topology, pt3d, area/ri per
segment, every parameter, and the soma voltage under a current step (--amp nA,
default 0.2, from 10 to 60 ms). A cell whose mechanisms do not all translate is compared without
a trace, and again as a variant with those mechanisms' genome entries removed
(both sides; NaV, the only sodium channel of some cells, becomes NaTs at the same
conductance, since BMTK's `sec.ena = ...` fails without one), with its trace.
Prints a Markdown table.
"""

import argparse
import csv
import io
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def node_types(path):
    text = open(path).read()
    rows = list(csv.DictReader(io.StringIO(text), delimiter=" "))
    return [r for r in rows if r.get("model_template") == "ctdb:Biophys1.hoc"]


def cells(bmtk):
    ex = os.path.join(bmtk, "examples")
    comp = os.path.join(ex, "bio_components")
    out = []
    for r in node_types(os.path.join(ex, "bio_14cells", "network", "v1_node_types.csv")):
        out.append({
            "name": r["pop_name"],
            "swc": os.path.join(comp, "morphologies", r["morphology"]),
            "dynamics": os.path.join(comp, "biophysical_neuron_templates", "ctdb", r["dynamics_params"]),
            "processing": r["model_processing"],
        })
    aa = os.path.join(ex, "bio_all_active_sweep", "models", "neuronal_model_491766131")
    for proc in ("aibs_allactive", "aibs_allactive_fullaxon"):
        out.append({
            "name": "491766131 " + proc,
            "swc": os.path.join(aa, "reconstruction.swc"),
            "dynamics": os.path.join(aa, "fit_parameters.json"),
            "processing": proc,
        })
    return out, os.path.join(comp, "mechanisms", "modfiles")


def compile_mods(moddir, work):
    nrn = os.path.join(work, "nrnivmodl")
    os.makedirs(nrn, exist_ok=True)
    for f in os.listdir(moddir):
        if f.endswith(".mod"):
            with open(os.path.join(moddir, f)) as s, open(os.path.join(nrn, f), "w") as d:
                d.write(s.read())
    nrnivmodl = os.path.join(os.path.dirname(sys.executable), "nrnivmodl")
    run([nrnivmodl, "."], cwd=nrn, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run(["cargo", "build", "-q", "-p", "nmodl", "--example", "compile_dir"], cwd=ROOT)
    tool = os.path.join(ROOT, "target", "debug", "examples", "compile_dir")
    res = subprocess.run([tool, nrn, os.path.join(work, "synaptune-mechs"), "--json"],
                         capture_output=True, text=True)
    report = json.loads(res.stdout)
    failed = {f.get("mechanism") or f["file"][:-4]: f["diagnostics"] for f in report["files"]
              if f["status"] != "ok"}
    return nrn, report["library"], report["files"], failed


def genome_mechanisms(dynamics):
    return {g.get("mechanism", "") for g in json.load(open(dynamics))["genome"]} - {""}


# An untranslated mechanism that BMTK cannot do without (the sections' only
# sodium channel: `sec.ena = ...` fails without one) is replaced, at the same
# conductance, by one that translates; the others are left out.
REPLACE = {"NaV": "NaTs"}


def variant(dynamics, mechs, path):
    """The dynamics file without (or with replacements for) `mechs`; its label."""
    d = json.load(open(dynamics))
    genome = []
    for g in d["genome"]:
        m = g.get("mechanism", "")
        if m in mechs and m in REPLACE:
            g = dict(g, mechanism=REPLACE[m], name=g["name"][: -len(m)] + REPLACE[m])
        elif m in mechs:
            continue
        genome.append(g)
    d["genome"] = genome
    json.dump(d, open(path, "w"))
    parts = [f"{m} → {REPLACE[m]}" if m in REPLACE else f"without {m}" for m in sorted(mechs)]
    return path, ", ".join(parts)


def one(c, dynamics, tag, args, nrnlib, synlib, trace):
    import compare

    work = args.work
    base = c["name"].replace(" ", "_") + tag
    ref = os.path.join(work, base + ".neuron.json")
    syn = os.path.join(work, base + ".synaptune.json")
    common = ["--swc", c["swc"], "--dynamics", dynamics, "--processing", c["processing"],
              "--dl", str(args.dl)]
    clamp = ["--iclamp", f"10:50:{args.amp}", "--tstop", str(args.tstop)]
    run([sys.executable, os.path.join(HERE, "allen_ref.py"), *common, "--mechanisms", nrnlib,
         *clamp, "--out", ref], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dump = os.path.join(ROOT, "target", "debug", "examples", "allen_dump")
    run([dump, *common, "--mechanisms", synlib, *(clamp if trace else []), "--out", syn])
    res = subprocess.run([sys.executable, compare.__file__, ref, syn, "--json"],
                         capture_output=True, text=True)
    v = json.load(open(ref))["trace"]["v"]
    spikes = sum(1 for a, b in zip(v, v[1:]) if a < 0 <= b)
    return json.loads(res.stdout)["counts"], spikes, res.returncode == 0


def sections(counts):
    """`N, equal` when names, parents, children, pt3d, L, nseg and Ra all agree."""
    n = counts["pt3d points"].split("/")[1].split()[0]
    keys = ("parent", "children order", "pt3d points", "L", "nseg", "Ra")
    same = counts["sections (all order)"] == "1/1 equal" and all(
        counts[k] == f"{n}/{n} equal" for k in keys)
    return f"{n}, all equal" if same else "; ".join(f"{k} {counts[k]}" for k in keys)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bmtk", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--dl", type=float, default=20.0)
    ap.add_argument("--tstop", type=float, default=80.0)
    ap.add_argument("--amp", type=float, default=0.2, help="current step (nA), 10-60 ms")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    run(["cargo", "build", "-q", "-p", "allen-cell", "--example", "allen_dump"], cwd=ROOT)
    todo, moddir = cells(args.bmtk)
    nrnlib, synlib, files, failed = compile_mods(moddir, args.work)
    print(f"mod files: {len(files)}; synaptune nmodl translated {len(files) - len(failed)}; "
          f"not: {', '.join(f'{m} ({d[0]})' for m, d in failed.items())}\n")
    print("| cell | processing | variant | sections (names, parents, children, pt3d, L, nseg, Ra) "
          "| segments: area / ri | parameters; cm; ion e (per segment) | soma trace |")
    print("|---|---|---|---|---|---|---|")
    ok_all = True
    for c in todo:
        missing = genome_mechanisms(c["dynamics"]) & set(failed)
        variants = [("as published", c["dynamics"], not missing)]
        if missing:
            path = os.path.join(args.work, c["name"].replace(" ", "_") + ".variant.json")
            path, label = variant(c["dynamics"], missing, path)
            variants.append((label, path, True))
        for k, (tag, dyn, trace) in enumerate(variants):
            counts, spikes, ok = one(c, dyn, f".v{k}", args, nrnlib, synlib, trace)
            ok_all &= ok
            tr = counts.get("trace samples", "not compared (" + ", ".join(sorted(missing)) + " not translated)")
            if "trace max |dv| (mV)" in counts:
                tr += f", max Δv {counts['trace max |dv| (mV)']:g} mV, {spikes} spikes"
            print(f"| {c['name'].split()[0]} | {c['processing']} | {tag} | {sections(counts)} "
                  f"| {counts['area']} / {counts['ri']} "
                  f"| {counts['parameters']}; cm {counts['cm']}; e {counts['ion e']} | {tr} |")
    sys.exit(0 if ok_all else 1)


if __name__ == "__main__":
    main()
