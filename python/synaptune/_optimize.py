"""``SynapseOptimizer`` and ``GapJunctionOptimizer``: bmtool's optimisers on
synaptune's solvers, with bmtool's results.

bmtool calls ``scipy.optimize.minimize(method=...)``; synaptune has its own
solvers, simulating finite-difference columns and swarms in parallel. The
method names bmtool accepts are mapped:

============================================  =================================
bmtool / scipy ``method``                     synaptune solver
============================================  =================================
``SLSQP`` (bmtool's default), ``L-BFGS-B``,   ``gradient``: projected BFGS with
``TNC``, ``trust-constr``, ``BFGS``, ``CG``,  finite-difference gradients
``Newton-CG``                                 (bounded, any cost)
``Nelder-Mead``, ``Powell``, ``COBYLA``,      ``nelder-mead`` (derivative-free)
``COBYQA``
``trf``, ``dogbox``, ``lm``                   ``lm``: bounded Levenberg–Marquardt
                                              on the residuals (built-in cost;
                                              with a ``cost_function`` it is
                                              ``gradient``)
``differential_evolution``,                   ``pso``: particle swarm with
``dual_annealing``, ``shgo``,                 restarts, then ``lm`` (global)
``basinhopping``, ``pso``
============================================  =================================

synaptune's own names (``lm``, ``gradient``, ``nelder-mead``, ``pso``) are
accepted as they are.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from . import _plot
from ._progress import Bar

METHODS = {
    "slsqp": "gradient",
    "l-bfgs-b": "gradient",
    "tnc": "gradient",
    "trust-constr": "gradient",
    "bfgs": "gradient",
    "cg": "gradient",
    "newton-cg": "gradient",
    "gradient": "gradient",
    "nelder-mead": "nelder-mead",
    "powell": "nelder-mead",
    "cobyla": "nelder-mead",
    "cobyqa": "nelder-mead",
    "lm": "lm",
    "trf": "lm",
    "dogbox": "lm",
    "levenberg-marquardt": "lm",
    "differential_evolution": "pso",
    "dual_annealing": "pso",
    "shgo": "pso",
    "basinhopping": "pso",
    "pso": "pso",
    "particle-swarm": "pso",
}

# bmtool's _calculate_metrics keys: every cost function sees all of them (0
# for what was not simulated), as in bmtool.
BMTOOL_METRICS = tuple(
    "induction ppr recovery simple_ppr max_amplitude rise_time decay_time latency half_width baseline amp".split()
)


def solver_name(method: str) -> str:
    """synaptune's solver for a bmtool/scipy or synaptune method name."""
    key = str(method).lower()
    if key not in METHODS:
        raise ValueError(
            f"unknown method {method!r}; expected one of scipy's names bmtool passes "
            f"({', '.join(sorted(m for m in METHODS if METHODS[m] != m))}) or synaptune's "
            "(lm, gradient, nelder-mead, pso)"
        )
    return METHODS[key]


def _full_metrics(metrics: Dict[str, float]) -> Dict[str, float]:
    out = {k: 0.0 for k in BMTOOL_METRICS}
    out.update(metrics)
    return out


@dataclass
class SynapseOptimizationResult:
    """bmtool's result (``optimal_params``, ``achieved_metrics``,
    ``target_metrics``, ``error``, ``optimization_path``) plus synaptune's
    counts and the solver used."""

    optimal_params: Dict[str, float]
    achieved_metrics: Dict[str, float]
    target_metrics: Dict[str, float]
    error: float
    optimization_path: List[Dict[str, object]]
    method: str = ""
    n_evaluations: int = 0
    n_simulations: int = 0

    def to_dict(self) -> dict:
        """The result as plain data (``json.dumps`` works)."""
        return asdict(self)

    def history_frame(self):
        """The path as a pandas DataFrame: parameters, metrics, error per
        evaluation (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(
            [{**h["params"], **h["metrics"], "error": h["error"]} for h in self.optimization_path]
        )


@dataclass
class GapOptimizationResult:
    """bmtool's result (``optimal_resistance`` is the conductance ``g`` in µS)."""

    optimal_resistance: float
    achieved_cc: float
    target_cc: float
    error: float
    optimization_path: List[Dict[str, float]]
    n_simulations: int = 0
    method: str = "log-secant"

    def to_dict(self) -> dict:
        """The result as plain data."""
        return asdict(self)


class SynapseOptimizer:
    """bmtool's ``SynapseOptimizer``: fit synaptic parameters of a tuner's
    current connection to target metrics."""

    def __init__(self, tuner):
        self.tuner = tuner
        self.optimization_history: List[dict] = []
        self.param_scales: Dict[str, float] = {}

    # Long: bmtool's signature and its rules (defaults, init guesses, cost), then one native call.
    def optimize_parameters(
        self,
        target_metrics: Dict[str, float],
        param_bounds: Dict[str, Tuple[float, float]],
        run_single_event: bool = False,
        run_train_input: bool = True,
        train_frequency: float = 50,
        train_delay: float = 250,
        cost_function: Optional[Callable] = None,
        method: str = "SLSQP",
        init_guess="random",
        *,
        weights: Optional[Dict[str, float]] = None,
        seed: Optional[int] = None,
        max_evaluations: int = 500,
        starts: int = 3,
        lanes: int = 2,
        progress: Optional[bool] = None,
    ) -> SynapseOptimizationResult:
        """bmtool's arguments and result. ``cost_function(metrics, targets)``
        is any Python callable, as in bmtool (it sees bmtool's metric keys);
        without one the cost is the weighted sum of squared errors
        (``weights``, default 1; under ``compat="bmtool"`` without weights,
        bmtool's default: induction only). ``init_guess``: ``"random"`` (a
        start drawn with ``seed``, default numpy's global generator as
        bmtool) or ``"middle_guess"``. The tuner keeps the fitted parameters
        and the last run, as in bmtool. ``lanes``: trains per simulation
        when a round has more evaluations than cores, as the swarm's do (1 to
        8; the same numbers, only the time differs)."""
        self.train_frequency, self.train_delay = train_frequency, train_delay
        self.run_single_event, self.run_train_input = run_single_event, run_train_input
        if init_guess == "random":
            init = "random"
            if seed is None:
                seed = int(np.random.randint(0, 2**62))
        elif init_guess == "middle_guess":
            init = "middle"
        else:
            raise Exception("Pick a valid init guess method: either 'random' or 'middle_guess'")
        names = list(param_bounds)
        self.param_scales = {n: max(abs(param_bounds[n][0]), abs(param_bounds[n][1])) for n in names}
        options = {
            "targets": [[k, float(v)] for k, v in target_metrics.items()],
            "weights": [[k, float(v)] for k, v in (weights or {}).items()],
            "bounds": [[n, float(param_bounds[n][0]), float(param_bounds[n][1])] for n in names],
            "single_event": bool(run_single_event),
            "train": bool(run_train_input),
            "freq": float(train_frequency),
            "delay": float(train_delay),
            "method": solver_name(method),
            "init": init,
            "seed": int(seed or 0),
            "starts": int(starts),
            "max_evaluations": int(max_evaluations),
            "lanes": int(lanes),
            "cost_tolerance": None,
        }
        cost = None
        if cost_function is not None:
            targets = dict(target_metrics)

            def cost(metrics, _targets):
                return float(cost_function(_full_metrics(metrics), targets))

        with Bar(max_evaluations, "Optimizing", progress) as bar:
            r = self.tuner._native.optimize(json.dumps(options), cost, bar.tick)
        path = [
            {"params": h["params"], "metrics": _full_metrics(h["metrics"]), "error": h["error"]}
            for h in r["history"]
        ]
        self.optimization_history = path
        self.tuner._set_syn_prop(**r["optimal_params"])
        if run_single_event:
            self.tuner.SingleEvent(plot_and_print=False)
        if run_train_input:
            self.tuner._simulate_model(train_frequency, train_delay)
        return SynapseOptimizationResult(
            optimal_params=dict(r["optimal_params"]),
            achieved_metrics=_full_metrics(r["achieved_metrics"]),
            target_metrics=dict(target_metrics),
            error=r["error"],
            optimization_path=path,
            method=r["method"],
            n_evaluations=r["n_evaluations"],
            n_simulations=r["n_simulations"],
        )

    def plot_optimization_results(self, result: SynapseOptimizationResult):
        """bmtool's: the error and parameter convergence, the numbers, and the
        fitted model's response."""
        _plot.synapse_fit(result.optimization_path)
        print("Optimization Results:")
        print(f"Final Error: {float(result.error):.2e}\n")
        print("Target Metrics:")
        for metric, value in result.target_metrics.items():
            achieved = result.achieved_metrics.get(metric)
            if achieved is not None:
                print(f"{metric}: {float(achieved):.3f} (target: {float(value):.3f})")
        print("\nOptimal Parameters:")
        for param, value in result.optimal_params.items():
            print(f"{param}: {float(value):.3f}")
        t = self.tuner
        if getattr(self, "run_train_input", True):
            t._simulate_model(self.train_frequency, self.train_delay)
            amp = t._response_amplitude()
            t._plot_model([t.general_settings["tstart"] - t.nstim.interval / 3, t.tstop])
            t._calc_ppr_induction_recovery(amp)
        if getattr(self, "run_single_event", False):
            t.ispk = None
            t.SingleEvent(plot_and_print=True)


class GapJunctionOptimizer:
    """bmtool's ``GapJunctionOptimizer``: the conductance that gives a target
    coupling coefficient."""

    def __init__(self, tuner):
        self.tuner = tuner
        self.optimization_history: List[dict] = []

    def optimize_resistance(
        self, target_cc: float, resistance_bounds: tuple = (1e-4, 1e-2), method: str = "bounded",
        *, progress: Optional[bool] = None,
    ) -> GapOptimizationResult:
        """bmtool's arguments and result. ``method`` is accepted for
        compatibility (bmtool's ``bounded``, ``brent``, ``golden``): synaptune
        always uses its secant on ln(g(1/cc − 1)) with Brent's method as the
        fallback, to |cc − target| ≤ 1e-10. The tuner keeps the fitted run."""
        if str(method).lower() not in ("bounded", "brent", "golden", "log-secant"):
            raise ValueError(f"method {method!r}: expected 'bounded' (bmtool's default)")
        lo, hi = resistance_bounds
        with Bar(20, "Optimizing", progress) as bar:
            r = self.tuner._native.optimize(float(target_cc), float(lo), float(hi), bar.tick)
        self.optimization_history = [
            {"resistance": h["g"], "achieved_cc": h["cc"], "error": h["error"]} for h in r["history"]
        ]
        self.tuner.model(r["optimal_g"])
        return GapOptimizationResult(
            optimal_resistance=r["optimal_g"],
            achieved_cc=r["achieved_cc"],
            target_cc=r["target_cc"],
            error=r["error"],
            optimization_path=self.optimization_history,
            n_simulations=r["n_simulations"],
        )

    def plot_optimization_results(self, result: GapOptimizationResult):
        """bmtool's four panels: the fitted traces, error and conductance per
        simulation, the numbers."""
        g = self.tuner.general_settings
        if self.tuner.t_vec is None:
            self.tuner.model(result.optimal_resistance)
        return _plot.gap_fit(
            result,
            self.tuner.t_vec,
            self.tuner.soma_v_1,
            self.tuner.soma_v_2,
            self.tuner.cell_name,
            [g["tstart"] - 100.0, g["tstart"] + g["tdur"] + 100.0],
        )

    def parameter_sweep(self, resistance_range, *, progress: Optional[bool] = None) -> dict:
        """bmtool's: ``{"resistance": [...], "coupling_coefficient": [...]}``
        (the conductances run in parallel)."""
        gs = [float(g) for g in np.asarray(resistance_range).ravel()]
        cc = self.tuner.sweep(gs, progress)
        return {"resistance": list(gs), "coupling_coefficient": [float(c) for c in cc]}
