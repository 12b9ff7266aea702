"""Does bmtool compute the same numbers on the repository's own FSI example as
on bmtool's example folder?

    python3 benches/compare_neuron/check_example.py --bmtool-example DIR \\
        [--bmtool-python PY] [--gap-g 0.001]

DIR is bmtool's synaptic-tuner example (templates.hoc, modfiles/*.mod; see
tools/bmtool-ref/README.md). The bmtool interpreter is chosen as compare.py
chooses it (--bmtool-python, $SYNAPTUNE_BMTOOL_PYTHON, the pinned venv). Both
models are compiled with that interpreter's nrnivmodl (compare.py's
prepare_example), then each runs in fresh bmtool processes, one for the
synaptic tuner and one for the gap-junction tuner (compare.py's settings,
Dep2FSI / FSI_gap):

  single event  SingleEvent(plot_and_print=False): _get_syn_prop's baseline,
                latency, amp, rise_time, decay_time, half_width, and the
                whole clamp-current and synaptic-current traces
  50 Hz train   _simulate_model(50, 250): _response_amplitude's 12
                amplitudes, ppr, induction, recovery, simple ppr, and the
                whole clamp-current and synaptic-current traces
  gap           model(g) at --gap-g µS: the coupling coefficient and both
                soma voltage traces

Every number and every trace sample is compared as a double; the script prints
each difference and exits 1 if any value differs.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402  (compare.py beside this file)

PARTS = ["synapse", "gap"]


def worker_synapse(S, np):
    tuner = compare.synapse_tuner(S)
    out = {}
    tuner.SingleEvent(plot_and_print=False)
    props = tuner._get_syn_prop(rise_interval=tuner.general_settings["rise_interval"],
                                dt=S.h.dt)
    for k, v in props.items():
        out[f"single_event.{k}"] = float(v)
    out["single_event.trace.ivcl"] = list(tuner.ivcl)
    out["single_event.trace.i"] = list(tuner.rec_vectors["i"])
    tuner._simulate_model(50, 250)
    amp = tuner._response_amplitude()
    ppr, induction, recovery, simple_ppr = tuner._calc_ppr_induction_recovery(
        amp, print_math=False)
    out["train.amplitudes"] = [float(a) for a in amp]
    out["train.ppr"] = float(ppr)
    out["train.induction"] = float(induction)
    out["train.recovery"] = float(recovery)
    out["train.simple_ppr"] = float(simple_ppr)
    out["train.max_amp"] = float(tuner._find_max_amp(amp))
    out["train.trace.ivcl"] = list(tuner.ivcl)
    out["train.trace.i"] = list(tuner.rec_vectors["i"])
    return out


def worker_gap(S, np, g):
    tuner = compare.gap_tuner(S)
    tuner.model(g)
    gs = tuner.general_settings
    cc = tuner.coupling_coefficient(tuner.t_vec, tuner.soma_v_1, tuner.soma_v_2,
                                    gs["tstart"], gs["tstart"] + gs["tdur"])
    return {
        "gap.g": g,
        "gap.cc": float(cc),
        "gap.trace.v1": list(tuner.soma_v_1),
        "gap.trace.v2": list(tuner.soma_v_2),
    }


def worker(args):
    os.chdir(args.dir)
    np, S = compare.import_bmtool()
    if args.worker == "synapse":
        out = worker_synapse(S, np)
    else:
        out = worker_gap(S, np, args.gap_g)
    out["versions"] = compare.versions()
    json.dump(out, sys.stdout)


def run(python, folder, part, g):
    cmd = [python, os.path.abspath(__file__), "--worker", part, "--dir", folder,
           "--gap-g", repr(g)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{part} worker in {folder} failed:\n{r.stderr[-4000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def differences(own, ref):
    """One line per compared key; returns (lines, number of differing keys)."""
    lines, bad = [], 0
    for k in ref:
        if k == "versions":
            continue
        a, b = own[k], ref[k]
        if isinstance(b, list):
            if len(a) != len(b):
                lines.append(f"DIFF {k}: {len(a)} samples vs {len(b)}")
                bad += 1
                continue
            n = sum(1 for x, y in zip(a, b) if x != y)
            worst = max((abs(x - y) for x, y in zip(a, b)), default=0.0)
            tag = "same" if n == 0 else "DIFF"
            bad += n != 0
            lines.append(f"{tag} {k}: {len(b)} values, {n} differ, max |diff| {worst:.3g}")
        else:
            tag = "same" if a == b else "DIFF"
            bad += a != b
            lines.append(f"{tag} {k}: own {a!r}, bmtool's {b!r}, diff {a - b:.3g}")
    return lines, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", choices=PARTS, help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    ap.add_argument("--bmtool-python", help="as compare.py's")
    ap.add_argument("--bmtool-example", help="bmtool's example folder (templates.hoc, "
                    "modfiles/*.mod)")
    ap.add_argument("--gap-g", type=float, default=1e-3,
                    help="gap conductance (µS) of the gap run")
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    if not args.bmtool_example:
        ap.error("--bmtool-example (bmtool's example folder) is required")
    python, source = compare.bmtool_python(args.bmtool_python)
    v = compare.probe_versions(python)
    print(f"bmtool {v['bmtool']} on NEURON {compare.neuron_label(v)}, Python {v['python']} "
          f"({python}, from {source})")
    total = 0
    with tempfile.TemporaryDirectory(prefix="synaptune-check-example-") as tmp:
        own, own_desc = compare.prepare_example(python, None, tmp, "own")
        ref, ref_desc = compare.prepare_example(python, os.path.abspath(args.bmtool_example),
                                                tmp, "bmtool")
        print(f"own:      {own_desc}\nbmtool's: {ref_desc}\n")
        for part in PARTS:
            a = run(python, own, part, args.gap_g)
            b = run(python, ref, part, args.gap_g)
            lines, bad = differences(a, b)
            print("\n".join(lines))
            total += bad
    print(f"\n{total} quantities differ" if total else
          "\nall quantities and trace samples identical")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
