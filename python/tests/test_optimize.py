"""SynapseOptimizer and GapJunctionOptimizer with bmtool's arguments."""

from __future__ import annotations

import pytest

import synaptune
from conftest import need


def custom_cost(metrics, targets):
    # bmtool's notebook: the metrics dict has all of bmtool's keys.
    induction_error = (metrics["induction"] - targets["induction"]) ** 2
    ppr_error = (metrics["simple_ppr"] - targets["simple_ppr"]) ** 2
    recovery_error = (metrics["recovery"] - targets["recovery"]) ** 2
    return induction_error + 3 * ppr_error + recovery_error


BOUNDS = {"Dep": (0, 800.0), "Fac": (0, 100.0), "Use": (0.1, 1.0)}
TARGETS = {"induction": -0.75, "simple_ppr": 0.8, "recovery": 0.0}


def test_notebook_fit_with_a_python_cost(tuner, capsys):
    need("matplotlib")
    seen = []

    def cost(m, t):
        seen.append(sorted(m))
        return custom_cost(m, t)

    opt = synaptune.SynapseOptimizer(tuner)
    r = opt.optimize_parameters(
        target_metrics=TARGETS, param_bounds=BOUNDS, run_single_event=True, run_train_input=True,
        train_frequency=50, train_delay=250, init_guess="middle_guess", cost_function=cost, method="SLSQP",
    )
    assert isinstance(r, synaptune.SynapseOptimizationResult)
    assert r.method == "gradient"
    assert set(r.optimal_params) == set(BOUNDS)
    assert all(BOUNDS[k][0] <= v <= BOUNDS[k][1] for k, v in r.optimal_params.items())
    assert r.target_metrics == TARGETS
    assert r.error == pytest.approx(custom_cost(r.achieved_metrics, TARGETS), rel=1e-12, abs=1e-15)
    start = r.optimization_path[0]["error"]
    assert r.error < 0.1 * start, (start, r.error)
    # every metric bmtool's _calculate_metrics returns, single event included
    for k in synaptune._optimize.BMTOOL_METRICS:
        assert k in r.achieved_metrics
    assert r.achieved_metrics["rise_time"] > 0
    assert len(seen) == r.n_evaluations == len(r.optimization_path)
    assert set(r.optimization_path[0]) == {"params", "metrics", "error"}
    # the tuner keeps the fitted parameters, as bmtool's does
    assert tuner.synaptic_props["Dep"] == r.optimal_params["Dep"]
    opt.plot_optimization_results(r)
    out = capsys.readouterr().out
    assert "Optimization Results:" in out and "Optimal Parameters:" in out


def test_default_cost_lm_and_bmtools_default_cost(tuner, dicts):
    r = synaptune.SynapseOptimizer(tuner).optimize_parameters(
        {"induction": -0.6, "ppr": 0.8}, BOUNDS, method="lm", init_guess="middle_guess"
    )
    assert r.method == "lm" and r.error < 1e-10
    assert r.achieved_metrics["induction"] == pytest.approx(-0.6, abs=1e-5)
    general, conns = dicts
    bm = synaptune.SynapseTuner(
        conn_type_settings=conns, general_settings=general, connection="Dep2FSI",
        templates_dir=str(__import__("conftest").CELLS), compat="bmtool",
    )
    # bmtool's default cost: induction only, whatever else is targeted.
    r = synaptune.SynapseOptimizer(bm).optimize_parameters(
        {"induction": -0.5, "ppr": 5.0}, BOUNDS, init_guess="middle_guess", method="trf"
    )
    assert r.error == pytest.approx((r.achieved_metrics["induction"] + 0.5) ** 2, abs=1e-15)


def test_random_init_is_seeded_and_methods_are_mapped(tuner):
    opt = synaptune.SynapseOptimizer(tuner)
    kw = dict(target_metrics={"induction": -0.6}, param_bounds={"Dep": (0, 800.0)}, method="Nelder-Mead", max_evaluations=25)
    a = opt.optimize_parameters(seed=7, **kw)
    b = opt.optimize_parameters(seed=7, **kw)
    assert a.method == "nelder-mead" and a.optimal_params == b.optimal_params
    assert synaptune.solver_name("L-BFGS-B") == "gradient"
    assert synaptune.solver_name("differential_evolution") == "pso"
    assert synaptune.solver_name("COBYLA") == "nelder-mead"
    with pytest.raises(ValueError, match="unknown method"):
        opt.optimize_parameters(method="newton-raphson", **{k: v for k, v in kw.items() if k != "method"})
    with pytest.raises(Exception, match="valid init guess"):
        opt.optimize_parameters(init_guess="best", **kw)
    with pytest.raises(synaptune.SynaptuneError, match="needs the single event"):
        opt.optimize_parameters({"rise_time": 1.0}, {"Dep": (0, 800.0)})


def test_lanes_change_only_the_time(tuner):
    opt = synaptune.SynapseOptimizer(tuner)
    kw = dict(target_metrics={"induction": -0.6}, param_bounds={"Dep": (0, 800.0), "Use": (0.1, 1.0)},
              method="differential_evolution", max_evaluations=30, seed=3)
    one = opt.optimize_parameters(lanes=1, **kw)
    two = opt.optimize_parameters(lanes=2, **kw)
    assert one.optimization_path == two.optimization_path and len(one.optimization_path) >= 20
    assert one.optimal_params == two.optimal_params
    with pytest.raises(synaptune.SynaptuneError, match="lanes"):
        opt.optimize_parameters(lanes=0, **kw)


def test_a_failing_cost_function_raises_its_error(tuner):
    def broken(metrics, targets):
        raise KeyError("no such metric")

    with pytest.raises(KeyError, match="no such metric"):
        synaptune.SynapseOptimizer(tuner).optimize_parameters(
            {"induction": -0.6}, {"Use": (0.1, 1.0)}, cost_function=broken, init_guess="middle_guess",
            max_evaluations=10,
        )


def test_gap_optimizer(gap_tuner, capsys):
    need("matplotlib")
    opt = synaptune.GapJunctionOptimizer(gap_tuner)
    r = opt.optimize_resistance(target_cc=0.37, resistance_bounds=(1e-4, 1e-2))
    assert isinstance(r, synaptune.GapOptimizationResult)
    assert abs(r.achieved_cc - 0.37) < 1e-9 and r.error < 1e-18
    assert r.n_simulations == len(r.optimization_path)
    assert set(r.optimization_path[0]) == {"resistance", "achieved_cc", "error"}
    assert gap_tuner.coupling_ratio() == r.achieved_cc
    fig = opt.plot_optimization_results(r)
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match="bounded"):
        opt.optimize_resistance(0.37, method="newton")
    with pytest.raises(synaptune.SynaptuneError, match="bounds"):
        opt.optimize_resistance(0.37, resistance_bounds=(1e-2, 1e-4))
