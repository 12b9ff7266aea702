#!/usr/bin/env python3
"""Regenerate allen-cell's NEURON fixtures.

    /work/venv-nrn9/bin/python tools/allen-ref/gen_fixtures.py [CASE ...]

For every case of crates/allen-cell/tests/data/cases.json (an SWC file, a
dynamics_params file, a model_processing value, BMTK's run.dL, and a current
step), run allen_ref.py — BMTK 1.2.0 + NEURON 9.0.2 build the cell — in a process
of its own, and write crates/allen-cell/tests/fixtures/<case>.json.
tests/neuron.rs in that crate compares allen-cell's cells with them.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.normpath(os.path.join(HERE, "..", "..", "crates", "allen-cell"))
DATA = os.path.join(CRATE, "tests", "data")
OUT = os.path.join(CRATE, "tests", "fixtures")


def main(names):
    cases = json.load(open(os.path.join(DATA, "cases.json")))["cases"]
    os.makedirs(OUT, exist_ok=True)
    for c in cases:
        if names and c["name"] not in names:
            continue
        cmd = [sys.executable, os.path.join(HERE, "allen_ref.py"),
               "--swc", os.path.join(DATA, c["swc"]),
               "--processing", c.get("processing", ""),
               "--out", os.path.join(OUT, c["name"] + ".json")]
        if c.get("dynamics"):
            cmd += ["--dynamics", os.path.join(DATA, c["dynamics"])]
        if c.get("dl") is not None:
            cmd += ["--dl", str(c["dl"])]
        if c.get("iclamp"):
            cmd += ["--iclamp", ":".join(str(x) for x in c["iclamp"]),
                    "--tstop", str(c["tstop"]), "--dt", str(c.get("dt", 0.025))]
        print(c["name"], file=sys.stderr)
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
