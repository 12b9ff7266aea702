"""Generate the NEURON 9.0.2 fixtures of `synaptune nmodl`.

Compiles the mod files of examples/nmodl/ and tests/fixtures/nmodl/mods/ (test
mechanisms for constructs the examples do not use) with NEURON's `nrnivmodl`
(together, in a temporary folder), then runs every scenario of tests/fixtures/nmodl/scenarios/
(the `cable_scenario::scenario` format, built in NEURON exactly as
gen_scenario_fixtures.py builds the parity scenarios) with each of its
`secondorder` values and writes

    tests/fixtures/neuron/nmodl_<scenario>_so<N>.csv          t + every record
    tests/fixtures/neuron/nmodl_<scenario>_so<N>_spikes.json  NetCon.record times

The Rust test `tests/nmodl.rs` compiles the same mod files with synaptune's
translator and compares.

    /work/nrn9/bin/python tools/neuron-ref/gen_nmodl_fixtures.py [--nrnivmodl PATH] [SCENARIO ...]

`--nrnivmodl` defaults to the one next to the Python interpreter. Each scenario
runs in a process of its own.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import synaptune_nrn as sn

ROOT = sn.here("..", "..")
MODS = [os.path.join(ROOT, "examples", "nmodl"), os.path.join(ROOT, "tests", "fixtures", "nmodl", "mods")]
SCEN = os.path.join(ROOT, "tests", "fixtures", "nmodl", "scenarios")
OUT = os.path.join(ROOT, "tests", "fixtures", "neuron")


def compile_mods(nrnivmodl):
    work = tempfile.mkdtemp(prefix="synaptune-nmodl-")
    for d in MODS:
        for f in sorted(glob.glob(os.path.join(d, "*.mod"))):
            shutil.copy(f, work)
    subprocess.run([nrnivmodl], cwd=work, check=True, stdout=subprocess.DEVNULL)
    lib = glob.glob(os.path.join(work, "*", "libnrnmech.so"))
    assert lib, "nrnivmodl produced no libnrnmech.so in %s" % work
    return work, lib[0]


def one(modlib, path, so):
    from neuron import h

    h.nrn_load_dll(modlib)
    import gen_scenario_fixtures as gsf

    cols, spikes, header = gsf.run(path, so)
    name = os.path.splitext(os.path.basename(path))[0]
    base = os.path.join(OUT, "nmodl_%s_so%d" % (name, so))
    sn.write_csv(base + ".csv", header, cols)
    with open(base + "_spikes.json", "w") as f:
        json.dump(spikes, f)
    print("wrote", os.path.relpath(base + ".csv", ROOT), len(cols[0]), "samples,",
          [len(s) for s in spikes], "spikes, NEURON", sn.neuron_version())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nrnivmodl", default=os.path.join(os.path.dirname(sys.executable), "nrnivmodl"))
    ap.add_argument("--one", nargs=3, metavar=("MODLIB", "SCENARIO_FILE", "SECONDORDER"), help=argparse.SUPPRESS)
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    if a.one:
        one(a.one[0], a.one[1], int(a.one[2]))
        return
    work, lib = compile_mods(a.nrnivmodl)
    try:
        for path in sorted(glob.glob(os.path.join(SCEN, "*.json"))):
            name = os.path.splitext(os.path.basename(path))[0]
            if a.names and name not in a.names:
                continue
            sos = sn.load_json(path).get("secondorder", [0])
            for so in sos if isinstance(sos, list) else [sos]:
                subprocess.run([sys.executable, os.path.abspath(__file__), "--one", lib, path, str(so)],
                               check=True, cwd=ROOT)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
