"""Generate the mechanism/event parity fixtures with NEURON 9.0.2.

For every scenario in tests/fixtures/scenarios/*.json (see the Rust module
`cable_scenario::scenario` for the format) this builds the cells, point processes,
artificial cells, NetCons, gap-junction transfers (ParallelContext source_var /
target_var) and records in NEURON, runs `h.run()`, and writes
tests/fixtures/neuron/scen_<name>_so<N>.csv (t + records) and
tests/fixtures/neuron/scen_<name>_so<N>_spikes.json (NetCon.record times).

bmtool's mechanisms (Exp2Syn_STP, GABA_A_STP, AMPA_NMDA_STP, Gap, leak, nainter,
kdrinter, VecStim) are not part of NEURON: compile bmtool's example mod files
(cyneuro/bmtool: docs/examples/notebooks/synapses/synaptic_tuner/modfiles/) with
`nrnivmodl` and pass the library:

    .venv-nrn9/bin/python tools/neuron-ref/gen_scenario_fixtures.py \
        --modlib /path/to/modfiles/x86_64/libnrnmech.so [SCENARIO ...]
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

from neuron import h

import synaptune_nrn as sn

ROOT = sn.here("..", "..", "tests", "fixtures")
DEFAULT_GLOBALS = {"usetable_hh": 1}


def set_param(obj, name, value):
    m = re.match(r"^(\w+)\[(\d+)\]$", name)
    if m:
        getattr(obj, m.group(1))[int(m.group(2))] = value
    else:
        setattr(obj, name, value)


def loc(cells, cell, spec):
    sec, x = spec.rsplit(":", 1)
    return cells[cell].sec(sec), float(x)


def run(path, so):
    sc = sn.load_json(path)
    sn.delete_all()
    d = os.path.dirname(path)
    cells = [sn.Cell(sn.load_json(os.path.join(d, c)), prefix="c%d." % k) for k, c in enumerate(sc["cells"])]
    h.secondorder = so
    h.celsius = sc.get("celsius", 6.3)
    g = dict(DEFAULT_GLOBALS)
    g.update(sc.get("globals", {}))
    for k, v in g.items():
        setattr(h, k, v)
    objs = {}
    keep = []
    for p in sc.get("points", []):
        sec, x = loc(cells, p.get("cell", 0), p["loc"])
        o = getattr(h, p["mech"])(sec(x))
        for k, v in p.get("params", {}).items():
            set_param(o, k, v)
        objs[p["name"]] = o
    for a in sc.get("artificial", []):
        o = getattr(h, a["mech"])()
        for k, v in a.get("params", {}).items():
            set_param(o, k, v)
        if "vector" in a:
            vec = h.Vector(a["vector"])
            keep.append(vec)
            o.play(vec)
        objs[a["name"]] = o

    def netcon(src, target):
        if isinstance(src, str):
            return h.NetCon(objs[src], target)
        sec, x = loc(cells, src.get("cell", 0), src["loc"])
        nc = h.NetCon(sec(x)._ref_v, target, sec=sec)
        nc.threshold = src.get("threshold", 10.0)
        return nc

    for c in sc.get("connections", []):
        target = objs[c["target"]] if c.get("target") is not None else None
        nc = netcon(c["source"], target)
        nc.delay = c.get("delay", 1.0)
        for k, w in enumerate(c.get("weights", [])):
            nc.weight[k] = w
        keep.append(nc)
    pc = h.ParallelContext()
    sids = {}
    for t in sc.get("transfers", []):
        s = t["source"]
        key = (s.get("cell", 0), s["loc"])
        if key not in sids:
            sids[key] = len(sids) + 1
            sec, x = loc(cells, key[0], key[1])
            pc.source_var(sec(x)._ref_v, sids[key], sec=sec)
        o = objs[t["target"]]
        pc.target_var(o, getattr(o, "_ref_" + t.get("var", "vgap")), sids[key])
    if sids:
        pc.setup_transfer()
    spikes = []
    for s in sc.get("spikes", []):
        nc = netcon(s, None)
        vec = h.Vector()
        nc.record(vec)
        keep += [nc, vec]
        spikes.append(vec)
    header = ["t"]
    vecs = [h.Vector().record(h._ref_t)]
    for r in sc.get("records", []):
        header.append(r)
        if ":" in r:
            c, sec, x, var = r.split(":")
            ref = getattr(cells[int(c)].sec(sec)(float(x)), "_ref_" + var)
        else:
            name, var = r.split(".")
            ref = getattr(objs[name], "_ref_" + var)
        vecs.append(h.Vector().record(ref))
    h.dt = sc.get("dt", 0.025)
    h.steps_per_ms = 1.0 / h.dt
    h.tstop = sc["tstop"]
    h.v_init = sc.get("v_init", -65.0)
    h.run()
    return [list(v) for v in vecs], [list(v) for v in spikes], header


def one(path, so):
    cols, spikes, header = run(path, so)
    name = os.path.splitext(os.path.basename(path))[0]
    base = os.path.join(ROOT, "neuron", "scen_%s_so%d" % (name, so))
    sn.write_csv(base + ".csv", header, cols)
    with open(base + "_spikes.json", "w") as f:
        json.dump(spikes, f)
    print("wrote", os.path.relpath(base + ".csv"), len(cols[0]), "samples,", [len(s) for s in spikes], "spikes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modlib", required=True, help="libnrnmech.so compiled from bmtool's example mod files")
    ap.add_argument("--one", nargs=2, metavar=("SCENARIO_FILE", "SECONDORDER"), help=argparse.SUPPRESS)
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    h.nrn_load_dll(a.modlib)
    if a.one:
        one(a.one[0], int(a.one[1]))
        return
    # Each run in its own process: NEURON keeps transfer and section state that
    # does not survive deleting a model cleanly.
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.json"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if a.names and name not in a.names:
            continue
        sos = sn.load_json(path).get("secondorder", [0])
        for so in sos if isinstance(sos, list) else [sos]:
            subprocess.run([sys.executable, os.path.abspath(__file__), "--modlib", a.modlib,
                            "--one", path, str(so)], check=True)


if __name__ == "__main__":
    main()
