"""``GapJunctionTuner``: bmtool 0.8.7's gap-junction tuner on the native
engine (same arguments, methods and attributes)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import numpy as np

from . import _native, _plot
from ._progress import Bar
from ._settings import ConnectionView, cell_files, dumps, gap_settings, mechanism_paths
from ._tuner import _convention


class GapJunctionTuner(ConnectionView):
    """bmtool's ``GapJunctionTuner``: two copies of a cell joined by a gap
    junction, a current step into the first.

    ``templates_dir`` and ``mechanisms_dir`` mean what they mean for
    :class:`synaptune.SynapseTuner`; ``config`` derives the connections from a
    SONATA/BMTK network as bmtool does (gap-junction edge types between cells of
    one template, cells from ``cells`` or the config's ``templates_dir``, the
    config's ``mechanisms_dir`` loaded).
    synaptune's keywords: ``compat="bmtool"`` (the step amplitude is
    ``general_settings["iclamp_amp"]`` only, as bmtool 0.8.7 reads it;
    default: a connection's own ``iclamp_amp`` when it has one),
    ``settings`` (a gap-junction settings file such as
    ``examples/fsi/gap.json``), ``cells``, and ``implicit=True`` (both cells
    in one matrix, no one-step lag; default: bmtool's NEURON coupling,
    bit-identical to bmtool).

    The conductance is what bmtool calls "resistance": the ``g`` of the Gap
    mechanism, in µS.
    """

    def __init__(
        self,
        mechanisms_dir: Optional[str] = None,
        templates_dir: Optional[str] = None,
        config: Optional[str] = None,
        general_settings: Optional[dict] = None,
        conn_type_settings: Optional[dict] = None,
        hoc_cell: Optional[object] = None,
        *,
        compat: str = "default",
        settings: Optional[str] = None,
        cells: Optional[Any] = None,
        implicit: bool = False,
    ):
        if hoc_cell is not None:
            raise NotImplementedError(
                "hoc_cell: synaptune cannot use a live NEURON cell object; export its template "
                "with tools/export-cell and pass templates_dir=<folder of NAME.json files>"
            )
        self.hoc_cell = hoc_cell
        self.config = config
        self.compat = _convention(compat)
        self.implicit = bool(implicit)
        self.last_figure = None
        self.available_networks = []
        self.current_network = None
        self._mechanisms = mechanism_paths(mechanisms_dir)
        if settings is not None:
            path = Path(settings).resolve()
            body = json.loads(path.read_text())
            self._label, self._base = str(path), str(path.parent)
            if self.compat == "bmtool":
                for c in body.get("conn_type_settings", {}).values():
                    c.pop("iclamp_amp", None)
        elif conn_type_settings:
            names = [c["cell"] for c in conn_type_settings.values()]
            found, forward = cell_files(names, templates_dir, cells)
            if forward is not None:
                raise ValueError(
                    f"templates_dir `{templates_dir}`: no <cell>.json beside it for "
                    f"{', '.join(n for n in names if n not in found)}; synaptune reads cells from "
                    "synaptune-cell/1 files (export the template with tools/export-cell)"
                )
            body, _ = gap_settings(conn_type_settings, general_settings, found, self.compat == "bmtool")
            self._label, self._base = "conn_type_settings/general_settings", os.getcwd()
        elif config is not None:
            path = Path(config).resolve()
            text, mechanisms = _native.sonata_gap_settings(str(path), cells if isinstance(cells, str) else None)
            body = json.loads(text)
            if general_settings:
                body["general_settings"].update(general_settings)
            if self.compat == "bmtool":
                for c in body["conn_type_settings"].values():
                    c.pop("iclamp_amp", None)
            self._mechanisms = list(self._mechanisms) + [str(m) for m in mechanisms]
            self._label, self._base = str(path), str(path.parent)
        else:
            raise ValueError(
                "conn_type_settings must be provided or config must be given to load gap junction connections from"
            )
        self._settings = body
        self._build(None)
        print(self.conn)

    def _build(self, connection: Optional[str]) -> None:
        self._native, notices = _native.NativeGapTuner.build(
            dumps(self._settings), self._label, self._base, connection, self.implicit, self._mechanisms
        )
        for n in notices:
            print(f"synaptune: notice: {n}")
        self.t_vec = self.soma_v_1 = self.soma_v_2 = None

    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_native", "last_figure")}
        state["_connection"] = self.current_connection
        return state

    def __setstate__(self, state: dict) -> None:
        connection = state.pop("_connection")
        t = {k: state.pop(k, None) for k in ("t_vec", "soma_v_1", "soma_v_2")}
        self.__dict__.update(state)
        self.last_figure = None
        self._build(connection)
        self.__dict__.update(t)

    # ------------------------------------------------------------ attributes

    @property
    def general_settings(self) -> dict:
        """The general settings in force (bmtool's keys plus ``v_init``)."""
        g = self._native.general()
        g["vclamp"] = False
        return g

    @property
    def conn_type_settings(self) -> Dict[str, dict]:
        """The connections as given (a copy)."""
        return json.loads(json.dumps(self._settings["conn_type_settings"]))

    @property
    def cell_name(self) -> str:
        """The cell of the current connection."""
        return self._native.cell()

    @property
    def vclamp(self) -> bool:
        """bmtool keeps this flag; the gap tuner never clamps."""
        return False

    def _switch_connection(self, new_connection: str) -> None:
        """bmtool's: another connection of ``conn_type_settings``."""
        if new_connection not in self.conn_type_settings:
            raise ValueError(f"Connection '{new_connection}' not found in conn_type_settings")
        self._build(new_connection)
        print(f"Successfully switched to connection: {new_connection}")

    # ------------------------------------------------------------ runs

    def run(self, g: float) -> dict:
        """One run at conductance ``g`` (µS): ``g``, ``coupling_coefficient``,
        ``t``, ``v1``, ``v2``."""
        r = self._native.run(float(g))
        self.t_vec, self.soma_v_1, self.soma_v_2 = r["t"], r["v1"], r["v2"]
        return r

    def model(self, resistance: float) -> None:
        """bmtool's: a run with the gap's conductance set to ``resistance``
        (µS; bmtool's name); the traces go to ``t_vec``, ``soma_v_1``,
        ``soma_v_2``."""
        self.run(resistance)

    def coupling(self, g: float) -> float:
        """The coupling coefficient at ``g`` (µS), without keeping traces."""
        return self._native.coupling_coefficient(float(g))

    def sweep(self, gs: Sequence[float], progress: Optional[bool] = None) -> np.ndarray:
        """Coupling coefficients of many conductances, in parallel."""
        gs = [float(g) for g in gs]
        with Bar(len(gs), "Sweeping resistance values", progress) as bar:
            return np.asarray(self._native.sweep(gs, bar.tick))

    def plot_model(self):
        """bmtool's: both soma voltages of the last run."""
        g = self.general_settings
        t_range = [g["tstart"] - 100.0, g["tstart"] + g["tdur"] + 100.0]
        self.last_figure = _plot.gap_run(self.t_vec, self.soma_v_1, self.soma_v_2, self.cell_name, t_range)
        return self.last_figure

    def coupling_coefficient(self, t, v1, v2, t_start, t_end, dt=0.025) -> float:
        """bmtool's: ΔV₂/ΔV₁ between the last samples before ``t_start`` and
        before ``t_end`` (``dt`` is accepted and unused, as in bmtool)."""
        arr = lambda x: np.ascontiguousarray(x, dtype=float)  # noqa: E731
        return _native.coupling_coefficient(arr(t), arr(v1), arr(v2), float(t_start), float(t_end))

    def coupling_ratio(self) -> float:
        """bmtool's: the coupling coefficient of the last run."""
        g = self.general_settings
        return self.coupling_coefficient(
            self.t_vec, self.soma_v_1, self.soma_v_2, g["tstart"], g["tstart"] + g["tdur"]
        )

    def InteractiveTuner(self):
        """bmtool's sliders (ipywidgets): connection, the conductance on a log
        slider (10⁻⁶ … 1 µS), a run button; plots both cells and prints the
        coupling coefficient. Needs ipywidgets and matplotlib
        (``pip install synaptune[notebook]``); the same controls are on the
        synapse tuner's page (``SynapseTuner.InteractiveTuner()``, gap tab)."""
        try:
            import ipywidgets as widgets
            from IPython.display import clear_output, display
        except ImportError as e:
            raise ImportError(
                "GapJunctionTuner.InteractiveTuner needs ipywidgets: pip install synaptune[notebook]"
            ) from e
        plt = _plot.pyplot()
        w_connection = widgets.Dropdown(
            options=sorted(self.conn_type_settings),
            value=self.current_connection,
            description="Connection:",
            style={"description_width": "initial"},
        )
        w_resistance = widgets.FloatLogSlider(
            value=1e-3, base=10, min=-6, max=0, step=0.1, description="Resistance (MOhm):",
            style={"description_width": "initial"},
        )
        output = widgets.Output()
        run_button = widgets.Button(description="Run Simulation")

        def run_simulation(*_):
            if w_connection.value != self.current_connection:
                self._switch_connection(w_connection.value)
            with output:
                clear_output(wait=True)
                print(f"Running simulation with resistance = {w_resistance.value} MOhm")
                self.model(w_resistance.value)
                self.plot_model()
                print(f"Coupling coefficient (dV2/dV1): {self.coupling_ratio():.3f}")
                plt.show()

        run_button.on_click(run_simulation)
        ui = widgets.VBox([widgets.HBox([w_connection]), widgets.HBox([w_resistance]), widgets.HBox([run_button])])
        display(ui)
        display(output)
        self._interactive = SimpleRun(run_simulation, w_resistance, w_connection)
        return None

    def __repr__(self) -> str:
        return f"<synaptune.GapJunctionTuner {self.current_connection} ({self.cell_name}), {self.compat} convention>"


class SimpleRun:
    """The interactive tuner's controls, for scripts and tests: set
    ``resistance.value`` and call ``run()``."""

    def __init__(self, run, resistance, connection):
        self.run = run
        self.resistance = resistance
        self.connection = connection
