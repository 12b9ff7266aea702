"""Dump the parameter defaults NEURON 9.0.2 gives the standard catalogue's
mechanisms (built-ins, and bmtool's example mod files loaded with --modlib) into
tests/fixtures/neuron/mechanism_defaults.json, so the tests can check that every
default in synaptune equals the mod file's.

    .venv-nrn9/bin/python tools/neuron-ref/gen_mechanism_defaults.py --modlib .../x86_64/libnrnmech.so
"""
import argparse
import json
import os

from neuron import h

import synaptune_nrn as sn

POINT = {
    "IClamp": ["del", "dur", "amp"],
    "ExpSyn": ["tau", "e"],
    "Exp2Syn": ["tau1", "tau2", "e"],
    "SEClamp": ["rs", "dur1", "amp1", "dur2", "amp2", "dur3", "amp3"],
    "VClamp": ["dur[0]", "dur[1]", "dur[2]", "amp[0]", "amp[1]", "amp[2]", "gain", "rstim", "tau1", "tau2", "e0", "vo0", "vi0", "fac"],
    "Exp2Syn_STP": ["tau1", "tau2", "e", "initW", "Use", "Dep", "Fac", "u0"],
    "GABA_A_STP": ["initW", "tau_r_GABAA", "tau_d_GABAA", "Use", "Dep", "Fac", "e_GABAA", "gmax", "u0", "synapseID", "verboseLevel", "conductance"],
    "AMPA_NMDA_STP": ["initW", "tau_r_AMPA", "tau_d_AMPA", "tau_r_NMDA", "tau_d_NMDA", "Use", "Dep", "Fac", "e", "mg", "gmax_NMDA", "gmax_AMPA", "u0", "NMDA_ratio", "synapseID", "verboseLevel", "conductance"],
    "Gap": ["g"],
}
ARTIFICIAL = {"NetStim": ["interval", "number", "start", "noise"]}
DENSITY = {
    "pas": ["g", "e"],
    "hh": ["gnabar", "gkbar", "gl", "el"],
    "leak": ["glbar", "el"],
    "nainter": ["gnabar", "mv_05", "hv_05", "mtau_inv", "htau_inv"],
    "kdrinter": ["gkdrbar", "v_05", "tau_inv"],
}


def get(obj, name):
    if "[" in name:
        base, k = name[:-1].split("[")
        return getattr(obj, base)[int(k)]
    return getattr(obj, name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modlib", required=True)
    a = ap.parse_args()
    h.nrn_load_dll(a.modlib)
    out = {}
    sec = h.Section(name="probe")
    for mech, params in POINT.items():
        o = getattr(h, mech)(sec(0.5))
        out[mech] = {p: get(o, p) for p in params}
    for mech, params in ARTIFICIAL.items():
        o = getattr(h, mech)()
        out[mech] = {p: get(o, p) for p in params}
    for mech, params in DENSITY.items():
        sec.insert(mech)
        out[mech] = {p: getattr(sec(0.5), "%s_%s" % (p, mech)) for p in params}
    path = os.path.join(sn.here("..", "..", "tests", "fixtures", "neuron"), "mechanism_defaults.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", path)


if __name__ == "__main__":
    main()
