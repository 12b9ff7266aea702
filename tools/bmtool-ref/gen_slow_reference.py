"""bmtool 0.8.7's numbers on a cell with a slow current: the fixture that
catches where bmtool's trains start (`_simulate_model` calls
`h.finitialize(70 * mV)`, single events `h.run()` from v_init).

Usage (from the repository root, in the bmtool venv):

    /work/venv-bmtool/bin/python tools/bmtool-ref/gen_slow_reference.py \\
        --bmtool-example /path/to/bmtool-synaptic-tuner-example

writes tests/fixtures/slow/bmtool_reference.json. The model is ours:
tests/fixtures/slow/SlowCell.hoc (soma + dendrite with pas and the slow
h-current of tests/fixtures/slow/mods/ih_slow.mod) and settings.json (an
AMPA_NMDA_STP synapse at dend[0](0.5), voltage clamp at the soma);
bmtool's AMPA_NMDA_STP.mod is taken from --bmtool-example/modfiles (its
synaptic-tuner example, not part of this repository). Both mod files are
compiled together with this NEURON's nrnivmodl into a temporary folder.

For each of vclamp true/false it records bmtool's single event (amp,
baseline) and its 50 Hz train (`_simulate_model(50, 250)`,
`_response_amplitude()`), once unmodified and once with `finitialize` made
to start from v_init (through a proxy of the module's `h`), to show how much
the +70 mV start matters on this cell. Each case runs in a fresh process.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIX = os.path.join(ROOT, "tests", "fixtures", "slow")


def worker(args):
    os.environ.setdefault("MPLBACKEND", "Agg")
    import numpy as np

    np.trapz = np.trapezoid
    import bmtool.synapses as S
    from neuron import h

    S.tqdm = lambda it, **kw: it
    settings = json.load(open(os.path.join(FIX, "settings.json")))
    gs = {k: v for k, v in settings["general_settings"].items() if k != "v_init"}
    gs["rise_interval"] = tuple(gs["rise_interval"])
    gs["vclamp"] = args.vclamp == "true"
    v_init = settings["general_settings"]["v_init"]
    if args.start == "v_init":

        class HProxy:
            """bmtool's `h`, except that finitialize starts from v_init."""

            def __init__(self, real):
                object.__setattr__(self, "_h", real)

            def __getattr__(self, name):
                return getattr(self._h, name)

            def __setattr__(self, name, value):
                setattr(self._h, name, value)

            def finitialize(self, *a):
                return self._h.finitialize(v_init)

        S.h = HProxy(h)
    conn = {k: {"spec_settings": dict(c["spec_settings"]), "spec_syn_param": dict(c["spec_syn_param"])}
            for k, c in settings["conn_type_settings"].items()}
    tuner = S.SynapseTuner(
        mechanisms_dir=args.mechs,
        templates_dir=os.path.join(FIX, "SlowCell.hoc"),
        conn_type_settings=conn,
        general_settings=gs,
        connection="Slow2Dend",
        current_name="i",
        other_vars_to_record=[],
    )
    tuner.SingleEvent(plot_and_print=False)
    props = tuner._get_syn_prop(rise_interval=gs["rise_interval"], dt=h.dt)
    out = {"single_event": {"amp": float(props["amp"]), "baseline": float(props["baseline"])}}
    tuner._simulate_model(50, 250)
    amp = tuner._response_amplitude()
    out["train"] = {
        "freq": 50.0,
        "delay": 250.0,
        "soma_v_at_tstart": float(np.array(tuner.soma_v)[int(round(gs["tstart"] / h.dt))]),
        "amplitudes_pA": [float(a) * 1000 for a in amp],
    }
    json.dump(out, open(args.out, "w"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bmtool-example", help="bmtool's synaptic-tuner example folder (with modfiles/)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mechs", help=argparse.SUPPRESS)
    ap.add_argument("--vclamp", help=argparse.SUPPRESS)
    ap.add_argument("--start", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    if not args.bmtool_example:
        ap.error("required: --bmtool-example")
    syn = os.path.join(args.bmtool_example, "modfiles", "AMPA_NMDA_STP.mod")
    if not os.path.exists(syn):
        ap.error(f"{syn} does not exist")
    tmp = tempfile.mkdtemp(prefix="slow-ref-")
    try:
        mechs = os.path.join(tmp, "modfiles")
        os.makedirs(mechs)
        shutil.copy(syn, mechs)
        shutil.copy(os.path.join(FIX, "mods", "ih_slow.mod"), mechs)
        nrnivmodl = os.path.join(os.path.dirname(sys.executable), "nrnivmodl")
        subprocess.run([nrnivmodl], cwd=mechs, check=True, capture_output=True)
        cases = {}
        for vclamp in ("true", "false"):
            for start in ("bmtool", "v_init"):
                out = os.path.join(tmp, "r.json")
                cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--mechs", mechs,
                       "--vclamp", vclamp, "--start", start, "--out", out]
                p = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"))
                if p.returncode != 0:
                    sys.stderr.write(p.stdout + p.stderr)
                    raise SystemExit(f"worker vclamp={vclamp} start={start} failed")
                cases.setdefault(f"vclamp_{vclamp}", {})[start] = json.load(open(out))
        import bmtool
        import neuron

        ref = {
            "schema": "synaptune-slow-reference/1",
            "description": (
                "bmtool 0.8.7's SynapseTuner (NEURON " + neuron.__version__ + ") on tests/fixtures/slow "
                "(SlowCell.hoc with mods/ih_slow.mod, an AMPA_NMDA_STP synapse at dend[0](0.5)): "
                "'bmtool' as released (trains from finitialize(+70 mV)); 'v_init' the same with "
                "finitialize made to start from v_init. Generated by tools/bmtool-ref/gen_slow_reference.py."
            ),
            "bmtool": getattr(bmtool, "__version__", "0.8.7"),
            "cases": cases,
        }
        with open(os.path.join(FIX, "bmtool_reference.json"), "w") as f:
            json.dump(ref, f, indent=1)
            f.write("\n")
        print("wrote tests/fixtures/slow/bmtool_reference.json", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
