"""The default convention equals the synaptune command's JSON bit for bit:
every number the CLI prints is the number the Python call returns (JSON
numbers are written with 17 significant digits and read back exactly)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import synaptune
from conftest import CELLS, GAP, ROOT, SETTINGS, cli_json, fsi_dicts, gap_dicts


def same(cli, py, path="") -> None:
    """Every key of the CLI's answer has the identical value in Python's."""
    if isinstance(cli, dict):
        for k, v in cli.items():
            if k == "wall_time_s":
                continue
            assert k in py, f"{path}{k} missing from the Python result"
            same(v, py[k], f"{path}{k}.")
    elif isinstance(cli, list):
        py = list(py)
        assert len(cli) == len(py), path
        for i, (a, b) in enumerate(zip(cli, py)):
            same(a, b, f"{path}{i}.")
    elif isinstance(cli, float) or (isinstance(cli, int) and not isinstance(cli, bool) and isinstance(py, float)):
        assert isinstance(py, (float, int, np.floating)), path
        assert float(py) == float(cli) or (math.isnan(py) and cli is None), f"{path}: CLI {cli!r}, Python {py!r}"
        assert np.float64(py).tobytes() == np.float64(cli).tobytes(), path
    elif cli is None:
        assert py is None or (isinstance(py, float) and math.isnan(py)), path
    else:
        assert cli == py, f"{path}: CLI {cli!r}, Python {py!r}"


def dict_tuner(connection, **kw):
    general, conns = fsi_dicts()
    return synaptune.SynapseTuner(
        conn_type_settings=conns, general_settings=general, connection=connection, templates_dir=str(CELLS), **kw
    )


@pytest.mark.parametrize("connection", ["Dep2FSI", "Fac2FSI"])
@pytest.mark.parametrize("vclamp", [True, False])
def test_single_event_and_train(connection, vclamp):
    flag = "--vclamp" if vclamp else "--no-vclamp"
    t = dict_tuner(connection)
    t.vclamp = vclamp
    same(cli_json("single-event", "--settings", SETTINGS, "--connection", connection, flag), t.single_event())
    same(
        cli_json("train", "--settings", SETTINGS, "--connection", connection, flag, "--freq", 20, "--delay", 125),
        t.train(20, 125),
    )


def test_continuous_freq_response_and_table():
    t = dict_tuner("Fac2FSI")
    same(cli_json("continuous", "--settings", SETTINGS, "--connection", "Fac2FSI", "--freq", 35, "--duration", 400), t.continuous(35, 400))
    same(cli_json("freq-response", "--settings", SETTINGS, "--connection", "Fac2FSI"), t.freq_response())
    same(cli_json("table", "--settings", SETTINGS), t.table(as_frame=False))


def test_overrides_as_the_cli_takes_them():
    t = dict_tuner("Dep2FSI", other_vars_to_record=["record_Pr"])
    t.set_param("Use", 0.25)
    same(
        cli_json("train", "--settings", SETTINGS, "--connection", "Dep2FSI", "--set", "Use=0.25", "--record", "record_Pr"),
        t.train(),
    )


def test_optimize():
    t = dict_tuner("Dep2FSI")
    cli = cli_json(
        "optimize", "--settings", SETTINGS, "--connection", "Dep2FSI",
        "--target", "induction=-0.6", "--target", "ppr=0.8", "--weight", "ppr=3",
        "--bound", "Dep=0:800", "--bound", "Fac=0:100", "--bound", "Use=0.1:1",
    )
    r = synaptune.SynapseOptimizer(t).optimize_parameters(
        {"induction": -0.6, "ppr": 0.8}, {"Dep": (0, 800), "Fac": (0, 100), "Use": (0.1, 1)},
        method="lm", init_guess="middle_guess", weights={"ppr": 3},
    )
    same(cli["optimal_params"], r.optimal_params)
    same(cli["achieved_metrics"], r.achieved_metrics)
    same(cli["error"], r.error)
    assert (cli["n_evaluations"], cli["n_simulations"], cli["method"]) == (r.n_evaluations, r.n_simulations, r.method)
    assert len(cli["history"]) == len(r.optimization_path)
    for a, b in zip(cli["history"], r.optimization_path):
        same(a["params"], b["params"])
        same(a["error"], b["error"])
        same(a["metrics"], b["metrics"])


def test_gap_tuner():
    general, conns = gap_dicts()
    g = synaptune.GapJunctionTuner(templates_dir=str(CELLS), general_settings=general, conn_type_settings=conns)
    cli = cli_json("gap", "--settings", GAP, "--g", 0.002)
    assert g.run(0.002)["coupling_coefficient"] == cli["coupling_coefficient"]
    cli = cli_json("gap-optimize", "--settings", GAP, "--target-cc", 0.37, "--bounds", "1e-4:1e-2")
    r = synaptune.GapJunctionOptimizer(g).optimize_resistance(0.37)
    assert (r.optimal_resistance, r.achieved_cc, r.error, r.n_simulations) == (
        cli["optimal_g"], cli["achieved_cc"], cli["error"], cli["n_simulations"]
    )
    cli = cli_json("gap-sweep", "--settings", GAP, "--g", "1e-4:1e-2", "--n", 5, "--log")
    sweep = synaptune.GapJunctionOptimizer(g).parameter_sweep(cli["g"])
    assert sweep["coupling_coefficient"] == cli["coupling_coefficient"]


def test_gap_tuner_from_a_sonata_config():
    """GapJunctionTuner(config=...) derives bmtool's gap connections from a
    SONATA network (BMTK's add_gap_junctions between FSI cells) and couples as
    `synaptune gap --config` does."""
    config = str(ROOT / "tests" / "fixtures" / "sonata" / "gap" / "config.json")
    g = synaptune.GapJunctionTuner(config=config)
    assert list(g.conn_type_settings) == ["FSI2FSI_gj_type_100", "FSI2FSIb_gj_type_101"]
    cli = cli_json("gap", "--config", config, "--g", 0.002)
    assert cli["connection"] == "FSI2FSI_gj_type_100"
    assert g.run(0.002)["coupling_coefficient"] == cli["coupling_coefficient"]
