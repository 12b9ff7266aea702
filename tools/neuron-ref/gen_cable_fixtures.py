"""Generate the cable-core parity fixtures with NEURON 9.0.2.

For every case in tests/fixtures/cases/*.json (a cell file, current clamps,
records, tstop, dt, celsius, v_init, globals, a list of `secondorder` values):
build the cell in NEURON, run `h.run()` exactly as stdrun does, and write
tests/fixtures/neuron/<case>_so<N>.csv (column t, then one per record) and
tests/fixtures/neuron/<case>_geom.csv (seg.area() and seg.ri() over allseg()).

Usage:  python gen_cable_fixtures.py [CASE ...]
Run with a venv that has `pip install neuron==9.0.2`.
"""
import glob
import os
import sys

from neuron import h

import synaptune_nrn as sn

ROOT = sn.here("..", "..", "tests", "fixtures")
# NEURON globals a case may change; reset before every case.
DEFAULT_GLOBALS = {"usetable_hh": 1}


def run_case(path, so):
    case = sn.load_json(path)
    cell_spec = sn.load_json(os.path.join(os.path.dirname(path), case["cell"]))
    sn.delete_all()
    cell = sn.Cell(cell_spec)
    h.secondorder = so
    h.celsius = case.get("celsius", 6.3)
    globals_ = dict(DEFAULT_GLOBALS)
    globals_.update(case.get("globals", {}))
    for k, v in globals_.items():
        setattr(h, k, v)
    clamps = []
    for spec in case.get("iclamps", []):
        sec, x, rest = sn.parse_loc(spec)
        ic = h.IClamp(cell.sec(sec)(x))
        ic.delay, ic.dur, ic.amp = [float(r) for r in rest]
        clamps.append(ic)
    header = ["t"]
    vecs = [h.Vector().record(h._ref_t)]
    for spec in case["records"]:
        sec, x, rest = sn.parse_loc(spec)
        header.append(spec)
        vecs.append(h.Vector().record(sn.ref(cell, sec, x, rest[0])))
    h.dt = case.get("dt", 0.025)
    h.steps_per_ms = 1.0 / h.dt
    h.tstop = case["tstop"]
    h.v_init = case.get("v_init", -65.0)
    h.run()
    return cell, header, [list(v) for v in vecs]


def main(names):
    cases = sorted(glob.glob(os.path.join(ROOT, "cases", "*.json")))
    for path in cases:
        name = os.path.splitext(os.path.basename(path))[0]
        if names and name not in names:
            continue
        case = sn.load_json(path)
        for so in case.get("secondorder", [0]):
            cell, header, cols = run_case(path, so)
            out = os.path.join(ROOT, "neuron", "%s_so%d.csv" % (name, so))
            sn.write_csv(out, header, cols)
            print("wrote", os.path.relpath(out), len(cols[0]), "samples")
        sn.write_geometry(os.path.join(ROOT, "neuron", "%s_geom.csv" % name), cell)
        sn.delete_all()


if __name__ == "__main__":
    print("NEURON", h.nrnversion())
    main(sys.argv[1:])
