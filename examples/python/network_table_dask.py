"""A synaptic table and a set of fits over a network, on Dask.

Tuners and results pickle (the tuner is rebuilt from its settings on each
worker), so each connection's row, or each fit, is a task. This runs on a
``LocalCluster`` of two worker processes; on a SLURM cluster replace it with
``dask_jobqueue.SLURMCluster(...)`` and ``cluster.scale(jobs=N)`` -- nothing
else changes (the cell files must be on a filesystem the workers see).

The network is the small SONATA/BMTK fixture of synaptune's tests
(``tests/fixtures/sonata/basic``, network ``cortex_to_cortex``). It ships no
cells, so stand-ins are used: the ball-and-stick test cell for the pyramidal
``PNCell`` and the FSI example's fast-spiking interneuron for ``PVCell`` and
``SSTCell``. One connection type has no synapse mechanism (its row is an
error, as bmtool's table gives NaN).

    python examples/python/network_table_dask.py [--workers 2] [--json OUT]

Needs ``pip install synaptune[dask]`` (dask.distributed and pandas).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from dask.distributed import Client, LocalCluster

import synaptune

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "fixtures" / "sonata" / "basic" / "config.json"
FSI = ROOT / "examples" / "fsi"
STAND_INS = {
    "PNCell": ROOT / "tests" / "fixtures" / "cells" / "ball_stick.json",
    "PVCell": FSI / "cells" / "FSI_Cell.json",
    "SSTCell": FSI / "cells" / "FSI_Cell.json",
}


def table_row(tuner, connection, freq=50.0, delay=250.0):
    """One connection's single-event kinetics and train metrics (a task)."""
    try:
        tuner.switch_connection(connection)
        row = {k: v for k, v in tuner.single_event().items() if k != "traces"}
        train = tuner.train(freq, delay)
        row.update({k: train[k] for k in ("ppr", "induction", "recovery", "max_amplitude_pA")})
        return connection, row
    except synaptune.SynaptuneError as e:
        return connection, {"error": str(e)}


def fit(tuner, induction):
    """Dep, Fac and Use of the tuner's connection for a target induction (a task)."""
    opt = synaptune.SynapseOptimizer(tuner)
    return opt.optimize_parameters(
        {"induction": induction, "ppr": 0.8},
        {"Dep": (0, 800.0), "Fac": (0, 100.0), "Use": (0.1, 1.0)},
        method="lm",
        init_guess="middle_guess",
        progress=False,
    )


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", help="write a summary here")
    args = ap.parse_args()
    synaptune.set_progress(False)
    cells = Path(tempfile.mkdtemp(prefix="synaptune-cells-"))
    try:
        for name, src in STAND_INS.items():
            shutil.copy(src, cells / f"{name}.json")
        network = synaptune.SynapseTuner(config=str(CONFIG), network="cortex_to_cortex", templates_dir=str(cells))
        fsi = synaptune.SynapseTuner(settings=str(FSI / "settings.json"), connection="Dep2FSI")
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
            start = time.perf_counter()
            shared = client.scatter(network, broadcast=True)
            rows = client.gather([client.submit(table_row, shared, c, pure=False) for c in network.connections])
            targets = [-0.3, -0.45, -0.6, -0.75]
            fits = client.gather([client.submit(fit, fsi, x, pure=False) for x in targets])
            elapsed = time.perf_counter() - start
        table = dict(rows)
        # The same numbers as one process computes them.
        local = network.table(as_frame=False)
        for name, row in table.items():
            if "error" not in row:
                assert row["induction"] == local[name]["induction"], name
                assert row["amp"] == local[name]["amp"], name
        assert fits[2] == fit(fsi, -0.6), "a fit on a worker equals the same fit here"
        try:
            import pandas as pd

            columns = ["amp", "rise_time", "decay_time", "ppr", "induction", "recovery", "error"]
            with pd.option_context("display.width", 160, "display.max_colwidth", 50):
                print(pd.DataFrame.from_dict(table, orient="index").reindex(columns=columns))
        except ImportError:
            print(json.dumps(table, indent=1))
        for x, r in zip(targets, fits):
            print(f"induction {x:+.2f}: {r.optimal_params} (cost {r.error:.1e}, {r.n_evaluations} evaluations)")
        print(f"{len(rows)} rows and {len(fits)} fits on {args.workers} workers in {elapsed:.1f} s")
        summary = {
            "rows": table,
            "fits": [{"target": x, **r.to_dict()} for x, r in zip(targets, fits)],
            "workers": args.workers,
            "elapsed_s": elapsed,
        }
        if args.json:
            Path(args.json).write_text(json.dumps(summary, default=str))
        return summary
    finally:
        shutil.rmtree(cells, ignore_errors=True)


if __name__ == "__main__":
    main()
