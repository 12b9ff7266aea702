"""NEURON's cost per step on the models of `cargo bench --bench step`.

Usage (NEURON 9.0.2's interpreter; the FSI mechanisms compiled for it):

    /work/nrn9/bin/python benches/compare_neuron/neuron_steps.py \\
        --modlib /work/scratch/modfiles/x86_64/libnrnmech.so

Models (the same as benches/step.rs):

* fsi: examples/fsi/cells/FSI_Cell.json (2 compartments, 5 nodes) with a
  GABA_A_STP synapse and a VClamp at soma[0](0.5) and a NetStim every 20 ms
  from t = 100 ms, celsius 20, dt 0.025, 600 ms;
* hh_cable_1001: an hh soma (L = diam = 20 µm) and a 10 mm cable of 1000
  segments (diam 1 µm, Ra 100, hh + pas g = 1e-5), IClamp 0.2 nA at the
  soma, celsius 6.3, dt 0.025, 100 ms.

Each is run with `h.continuerun` (stdrun's hoc loop, what `h.run()` and
bmtool use) and with `ParallelContext.psolve` (NEURON's C loop alone), best of --reps, and
reported per step and per compartment-step as JSON on stdout.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "neuron-ref"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modlib", required=True, help="libnrnmech.so with bmtool's FSI mod files")
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    from neuron import h
    import neuron

    h.nrn_load_dll(args.modlib)
    import synaptune_nrn as S

    out = {"neuron": neuron.__version__}
    pc = h.ParallelContext()

    def timed(tstop, v_init, steps_expected):
        best_cr, best_ps = float("inf"), float("inf")
        pc.set_maxstep(10)
        for _ in range(args.reps):
            h.finitialize(v_init)
            t0 = time.perf_counter()
            h.continuerun(tstop)
            best_cr = min(best_cr, time.perf_counter() - t0)
            h.finitialize(v_init)
            t0 = time.perf_counter()
            pc.psolve(tstop)
            best_ps = min(best_ps, time.perf_counter() - t0)
        return best_cr / steps_expected, best_ps / steps_expected

    # FSI.
    spec = S.load_json(os.path.join(ROOT, "examples", "fsi", "cells", "FSI_Cell.json"))
    cell = S.Cell(spec)
    soma = cell.secs["soma[0]"]
    syn = h.GABA_A_STP(soma(0.5))
    for k, v in {"initW": 20, "tau_r_GABAA": 0.9, "tau_d_GABAA": 15, "Use": 0.4, "Dep": 190,
                 "Fac": 0}.items():
        setattr(syn, k, v)
    vc = h.VClamp(soma(0.5))
    vc.dur[0], vc.dur[1], vc.dur[2] = 500, 600, 1e9
    vc.amp[0] = vc.amp[1] = vc.amp[2] = -55
    ns = h.NetStim()
    ns.start, ns.interval, ns.number, ns.noise = 100, 20, 1e9, 0
    nc = h.NetCon(ns, syn, 0, 1.3, 1.0)
    h.celsius = 20
    h.dt = 0.025
    h.steps_per_ms = 40
    per_step_cr, per_step_ps = timed(600, -65, 24000)
    out["fsi"] = {
        "compartments": 2,
        "continuerun_ns_per_step": per_step_cr * 1e9,
        "psolve_ns_per_step": per_step_ps * 1e9,
        "continuerun_ns_per_compartment_step": per_step_cr * 1e9 / 2,
        "psolve_ns_per_compartment_step": per_step_ps * 1e9 / 2,
    }
    del nc, ns, vc, syn, soma, cell
    S.delete_all()

    # hh cable of 1001 compartments.
    soma = h.Section(name="soma")
    soma.L = soma.diam = 20
    soma.insert("hh")
    cab = h.Section(name="cable")
    cab.connect(soma(1))
    cab.L, cab.diam, cab.nseg, cab.Ra = 10000, 1, 1000, 100
    cab.insert("hh")
    cab.insert("pas")
    for seg in cab:
        seg.pas.g = 1e-5
    ic = h.IClamp(soma(0.5))
    ic.delay, ic.dur, ic.amp = 0, 1e9, 0.2
    h.celsius = 6.3
    per_step_cr, per_step_ps = timed(100, -65, 4000)
    out["hh_cable_1001"] = {
        "compartments": 1001,
        "continuerun_ns_per_step": per_step_cr * 1e9,
        "psolve_ns_per_step": per_step_ps * 1e9,
        "continuerun_ns_per_compartment_step": per_step_cr * 1e9 / 1001,
        "psolve_ns_per_compartment_step": per_step_ps * 1e9 / 1001,
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
