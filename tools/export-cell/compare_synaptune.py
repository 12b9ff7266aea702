"""Compare synaptune's simulation of an exported cell with NEURON's run of the
template itself: the check that an export (per-segment values, stored arc
lengths and all) gives NEURON's numbers.

NEURON (this Python's) instantiates the template, puts a current clamp at the
soma, records v at the middle of every section and runs h.run(); synaptune
simulate runs the exported JSON with the same clamp, records and settings
(mechanisms from the .mod folder, compiled by synaptune). Every sample of
every trace is compared; prints identical counts and the largest difference.

Usage:
  python compare_synaptune.py --template T.hoc --name NAME --nrn-mechanisms DIR \
      --mod-folder DIR --cell CELL.json --synaptune BIN [--amp 0.1] [--celsius 6.3]
      [--global NAME=VALUE ...]
Exit status 0 when every sample is bitwise equal, 1 otherwise.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import export_cell


def neuron_run(h, obj, cell, args):
    secs, prefix = export_cell.cell_sections(h, obj, quiet=True)
    by_name = {export_cell.short_name(s, prefix): s for s in secs}
    soma = export_cell.soma_of(by_name, secs)
    st = h.IClamp(soma(0.5))
    st.delay, st.dur, st.amp = 10.0, 30.0, args.amp
    recs = [("t", h.Vector().record(h._ref_t))]
    for s in cell["sections"]:
        recs.append((f"{s['name']}:0.5:v", h.Vector().record(by_name[s["name"]](0.5)._ref_v)))
    h.celsius, h.dt, h.steps_per_ms, h.secondorder = args.celsius, 0.025, 40.0, 0
    h.v_init, h.tstop = -65.0, args.tstop
    h.run()
    return [(k, list(v)) for k, v in recs], export_cell.short_name(soma, prefix)


def synaptune_run(cell, soma, args):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.csv")
        cmd = [args.synaptune, "simulate", "--cell", args.cell, "--mechanisms", args.mod_folder,
               "--iclamp", f"{soma}:0.5:10:30:{args.amp}", "--tstop", str(args.tstop),
               "--celsius", str(args.celsius), "--csv", out]
        for s in cell["sections"]:
            cmd += ["--record", f"{s['name']}:0.5:v"]
        for g in args.glob:
            cmd += ["--global", g]
        subprocess.run(cmd, check=True)
        with open(out) as f:
            rows = list(csv.reader(f))
    cols = list(zip(*rows[1:]))
    return [(rows[0][k], [float(x) for x in cols[k]]) for k in range(len(rows[0]))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for a in ("--template", "--name", "--nrn-mechanisms", "--mod-folder", "--cell", "--synaptune"):
        ap.add_argument(a, required=True)
    ap.add_argument("--amp", type=float, default=0.1)
    ap.add_argument("--celsius", type=float, default=6.3)
    ap.add_argument("--tstop", type=float, default=50.0)
    ap.add_argument("--global", dest="glob", action="append", default=[], metavar="NAME=VALUE",
                    help="a mechanism GLOBAL the template sets (not part of the cell file), "
                    "passed to synaptune; repeatable")
    args = ap.parse_args()
    from neuron import h

    export_cell.load_mechanisms(h, args.nrn_mechanisms)
    obj = export_cell.instantiate(h, args.template, args.name, [])
    with open(args.cell) as f:
        cell = __import__("json").load(f)
    nrn, soma = neuron_run(h, obj, cell, args)
    ours = synaptune_run(cell, soma, args)
    ok = True
    print(f"NEURON {h.nrnversion(5)}; {args.name} from {os.path.basename(args.template)}; "
          f"IClamp {args.amp} nA 10-40 ms at {soma}(0.5), celsius {args.celsius}")
    for (label, a), (_, b) in zip(nrn, ours):
        same = sum(1 for x, y in zip(a, b) if x == y)
        diff = max(abs(x - y) for x, y in zip(a, b))
        ok = ok and same == len(a) == len(b)
        print(f"  {label:<16} identical {same}/{len(a)}  max |d| {diff:.3e}")
    print("PASS (bitwise)" if ok else "DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
