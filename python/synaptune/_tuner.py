"""``SynapseTuner``: bmtool 0.8.7's ``bmtool.synapses.SynapseTuner`` on the
native engine (same arguments, defaults, methods, attributes and return
shapes), plus synaptune's own calls returning the CLI's JSON as dicts."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import _interactive, _native, _plot
from ._progress import Bar
from ._settings import (
    ConnectionView,
    SynaptuneWarning,
    cell_files,
    dumps,
    mechanism_paths,
    merged_general,
    synapse_settings,
    DEFAULT_GENERAL_SETTINGS,
    _GENERAL_KEYS,
)

BMTOOL_FREQUENCIES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 35, 50, 100, 200]

# The single event's kinetics bmtool's _get_syn_prop returns, in its order.
_SYN_PROP_KEYS = ("baseline", "sign", "latency", "amp", "rise_time", "decay_time", "half_width")


def _report(notices) -> None:
    """Print the native side's notices as bmtool prints its messages; warnings
    become Python warnings."""
    for level, text in notices:
        if level == "warning":
            warnings.warn(text, SynaptuneWarning, stacklevel=4)
        else:
            print(f"synaptune: {text}")


def _convention(compat: Optional[str]) -> str:
    if compat in (None, "default", "synaptune"):
        return "default"
    if compat == "bmtool":
        return "bmtool"
    raise ValueError(f"compat={compat!r}: expected 'bmtool' or 'default'")


class SynapseTuner(ConnectionView):
    """bmtool's ``SynapseTuner`` on synaptune's engine.

    Arguments are bmtool's, with synaptune's meaning where the two differ:

    * ``templates_dir``: a folder of ``<post_cell>.json`` cells
      (``synaptune-cell/1``, see ``tools/export-cell``), one such file, or a
      hoc file or folder of hoc files whose ``begintemplate <post_cell>``
      synaptune reads itself (no NEURON needed);
    * ``mechanisms_dir``: a folder of ``.mod`` files (compiled on first use
      with cargo and cached by content under ``$SYNAPTUNE_CACHE_DIR``, default
      ``~/.cache/synaptune``; a file that cannot be translated is a warning
      unless the model uses it), or a synaptune catalogue (a shared library, or
      a folder of them);
    * ``config``/``network``: a SONATA/BMTK config (cells as above, default the
      config's ``templates_dir``);
    * ``hoc_cell`` (a live NEURON object) is not usable here; export it;
    * ``current_name``: which variable of the synapse is its current (bmtool's
      argument); ``measure="synapse"|"clamp"`` chooses the analysed current
      explicitly (synaptune's ``--measure``).

    synaptune's keywords: ``compat="bmtool"`` (bmtool 0.8.7's numbers, quirks
    included; default: synaptune's definitions, as the CLI), ``settings`` (a
    synaptune settings file instead of the dicts), ``cells`` (``{name:
    file}`` or a folder).
    """

    # Long: one constructor with bmtool's twelve arguments and their rules.
    def __init__(
        self,
        conn_type_settings: Optional[Dict[str, dict]] = None,
        connection: Optional[str] = None,
        current_name: str = "i",
        mechanisms_dir: Optional[str] = None,
        templates_dir: Optional[str] = None,
        config: Optional[str] = None,
        general_settings: Optional[dict] = None,
        json_folder_path: Optional[str] = None,
        other_vars_to_record: Optional[List[str]] = None,
        slider_vars: Optional[List[str]] = None,
        hoc_cell: Optional[object] = None,
        network: Optional[str] = None,
        *,
        compat: str = "default",
        measure: Optional[str] = None,
        settings: Optional[str] = None,
        cells: Optional[Any] = None,
    ) -> None:
        if hoc_cell is not None:
            raise NotImplementedError(
                "hoc_cell: synaptune cannot use a live NEURON cell object; export its template "
                "with tools/export-cell (--template FILE --name NAME --out NAME.json) and pass "
                "templates_dir=<folder of NAME.json files>"
            )
        self.hoc_cell = hoc_cell
        self.config = config
        self.current_network = network
        self.available_networks: List[str] = []
        self.current_name = current_name
        self.compat = _convention(compat)
        self.ispk = None
        self.input_mode = False
        self.last_figure = None
        self.server = None
        self._mechanisms = mechanism_paths(mechanisms_dir)
        self._gap_file = None
        spec: Dict[str, Any] = {
            "convention": self.compat,
            "mechanisms": self._mechanisms,
            "json_folder": os.fspath(json_folder_path) if json_folder_path else None,
            "record": list(other_vars_to_record or []),
            "current_name": current_name,
            "measure": measure,
        }
        if settings is not None:
            if conn_type_settings is not None or config is not None:
                raise ValueError("give settings= or conn_type_settings/config, not both")
            spec["source"] = {"settings_file": str(Path(settings).resolve())}
            beside = Path(settings).resolve().parent / "gap.json"
            self._gap_file = str(beside) if beside.is_file() else None
        elif conn_type_settings is None and config is not None:
            spec["source"], connection = self._config_source(
                config, network, templates_dir, cells, general_settings, connection
            )
        elif conn_type_settings is not None:
            if connection is None:
                raise ValueError("connection must be provided or inferable from conn_type_settings.")
            if connection not in conn_type_settings:
                raise ValueError(f"connection '{connection}' not found in conn_type_settings.")
            post = [c["spec_settings"]["post_cell"] for c in conn_type_settings.values()]
            found, forward = cell_files(post, templates_dir, cells)
            if forward is None and not found and templates_dir is None and cells is None:
                raise ValueError(
                    "Either a config file, templates_dir (a folder of synaptune-cell/1 files) "
                    "or cells= must be provided."
                )
            body, _ = synapse_settings(conn_type_settings, general_settings, found)
            spec["source"] = {
                "settings": body,
                "label": "conn_type_settings/general_settings",
                "base": os.getcwd(),
            }
            spec["templates"] = forward
        else:
            raise ValueError("conn_type_settings must be provided if config is not specified.")
        spec["connection"] = connection
        self._build(spec)
        if json_folder_path:
            print(f"updating settings from json path {json_folder_path}")
        self.set_slider_vars(slider_vars)
        self.nstim = SimpleNamespace(start=self.general_settings["tstart"], interval=None, number=1)
        self._forget_runs()

    _RUN_ATTRS = ("t", "soma_v", "ivcl", "tspk", "_last_event", "_last_train", "_last_run", "_last_amp")

    def _forget_runs(self) -> None:
        for k in self._RUN_ATTRS:
            setattr(self, k, None)
        self.rec_vectors: Dict[str, np.ndarray] = {}

    # ------------------------------------------------------------ building

    def _config_source(self, config, network, templates_dir, cells, general_settings, connection):
        """The source of a SONATA config (bmtool prints what it found)."""
        self.available_networks = _native.networks(os.fspath(config))
        cells_dir = cells if isinstance(cells, (str, os.PathLike)) else None
        if cells_dir is None and templates_dir is not None and Path(templates_dir).is_dir():
            cells_dir = templates_dir
        print("Building conn_type_settings from BMTK config files...")
        if general_settings is None and not isinstance(cells, dict):
            source = {
                "sonata": {
                    "config": str(Path(config).resolve()),
                    "network": network,
                    "cells": str(Path(cells_dir).resolve()) if cells_dir else None,
                }
            }
            names = list(_native.list_connections(os.fspath(config), network))
        else:
            derived = json.loads(
                _native.sonata_settings(
                    os.fspath(config), network, os.fspath(cells_dir) if cells_dir else None
                )
            )
            if isinstance(cells, dict):
                derived["cells"].update({k: str(Path(v).resolve()) for k, v in cells.items()})
            derived["general_settings"] = merged_general(
                general_settings, DEFAULT_GENERAL_SETTINGS, _GENERAL_KEYS, "general_settings"
            )
            source = {"settings": derived, "label": os.fspath(config), "base": os.getcwd()}
            names = list(derived["conn_type_settings"])
        print(f"Found {len(names)} connection types: {names}")
        if connection is None and names:
            connection = names[0]
            print(f"No connection specified, using first available: {connection}")
        return source, connection

    def _build(self, spec: dict) -> None:
        self._spec = spec
        self._native, notices = _native.NativeSynapseTuner.build(dumps(spec))
        _report(notices)

    @property
    def general_settings(self) -> dict:
        """bmtool's ``general_settings`` as in force (a copy)."""
        g = self.settings()["general_settings"]
        g["rise_interval"] = tuple(g["rise_interval"])
        return g

    @property
    def conn_type_settings(self) -> Dict[str, dict]:
        """Every connection's settings with the values now in force (a copy)."""
        return self.settings()["conn_type_settings"]

    @property
    def synaptic_props(self) -> dict:
        """The current connection's ``spec_syn_param``."""
        return self.conn["spec_syn_param"]

    @property
    def vclamp(self) -> bool:
        """Voltage-clamp mode."""
        return self._native.vclamp()

    @vclamp.setter
    def vclamp(self, on: bool) -> None:
        self._native.set_vclamp(bool(on))

    @property
    def other_vars_to_record(self) -> List[str]:
        """Extra synapse variables recorded (bmtool's ``other_vars_to_record``)."""
        return self._native.record()

    @other_vars_to_record.setter
    def other_vars_to_record(self, names: List[str]) -> None:
        self._native.set_record(list(names))

    @property
    def connections(self) -> List[str]:
        """The connections, in order."""
        return self._native.connection_names()

    def settings(self) -> dict:
        """The whole model as a synaptune settings file (a dict; cell paths
        absolute): ``json.dump`` it to use it with the CLI's ``--settings``."""
        return json.loads(self._native.settings_json())

    # ------------------------------------------------------------ pickling

    def __getstate__(self) -> dict:
        """The spec with every value in force; runs, figures and servers are
        not kept (the tuner is rebuilt on unpickling, e.g. on a Dask worker)."""
        skip = {"_native", "server", "last_figure", "rec_vectors", *self._RUN_ATTRS}
        state = {k: v for k, v in self.__dict__.items() if k not in skip}
        state["_native_state"] = self._native.state()
        return state

    def __setstate__(self, state: dict) -> None:
        native = json.loads(state.pop("_native_state"))
        self.__dict__.update(state)
        self.server = None
        self.last_figure = None
        self._forget_runs()
        self._native, _ = _native.NativeSynapseTuner.build(dumps(native))

    # ------------------------------------------------------------ parameters

    def set_slider_vars(self, slider_vars: Optional[List[str]] = None) -> None:
        """The parameters exposed as sliders (bmtool's; the web page shows
        every parameter, this keeps bmtool's ``slider_vars`` attribute)."""
        props = self.synaptic_props
        if slider_vars:
            self.original_slider_vars = list(slider_vars)
            self.slider_vars = {k: v for k, v in props.items() if k in slider_vars}
            for key in slider_vars:
                if key not in self.slider_vars:
                    value = self._native.param(key)
                    if value is not None:
                        self.slider_vars[key] = value
        else:
            self.original_slider_vars = list(props)
            self.slider_vars = dict(props)

    def set_param(self, name: str, value: float) -> None:
        """Set a synaptic parameter of the current connection."""
        self._native.set_param(name, float(value))

    def param(self, name: str) -> Optional[float]:
        """A synaptic parameter's value (given, or the mechanism's default)."""
        return self._native.param(name)

    def _set_syn_prop(self, **kwargs) -> None:
        """bmtool's: set synaptic parameters by name."""
        for key, value in kwargs.items():
            self.set_param(key, value)

    def switch_connection(self, name: str) -> None:
        """Switch to connection ``name``."""
        self._native.switch_connection(name)
        self.set_slider_vars(getattr(self, "original_slider_vars", None))

    def _switch_connection(self, new_connection: str) -> None:
        """bmtool's: switch to another connection."""
        if new_connection not in self.conn_type_settings:
            raise ValueError(f"Connection '{new_connection}' not found in conn_type_settings.")
        self.switch_connection(new_connection)
        print(f"Successfully switched to connection: {new_connection}")

    def _switch_network(self, new_network: str) -> None:
        """bmtool's: rebuild the connections of another network of the config."""
        if new_network not in self.available_networks:
            print(
                f"Warning: Network '{new_network}' not found in available networks: {self.available_networks}"
            )
            return
        if new_network == self.current_network or "sonata" not in self._spec["source"]:
            return
        spec = dict(self._spec)
        spec["source"] = {"sonata": {**self._spec["source"]["sonata"], "network": new_network}}
        names = list(_native.list_connections(spec["source"]["sonata"]["config"], new_network))
        current = self.current_connection
        spec["connection"] = current if current in names else (names[0] if names else None)
        self._build(spec)
        self.current_network = new_network
        print(f"Successfully switched to network: {new_network}")
        print(f"Available connections: {names}")

    # ------------------------------------------------------------ runs

    def _keep(self, result: dict) -> None:
        """Keep a run's traces as bmtool's attributes."""
        tr = result["traces"]
        self.t = tr["t"]
        self.soma_v = tr["soma_v"]
        clamp = tr["i_clamp"]
        self.ivcl = clamp if clamp is not None else np.full_like(tr["t"], np.nan)
        self.tspk = tr["spikes"]
        self.tstop = tr["tstop"]
        self.rec_vectors = {self.current_name: tr["i_syn"], **tr["extras"]}
        self._last_run = result

    def single_event(self) -> dict:
        """A single event: the CLI's ``single-event --json`` (connection,
        convention, vclamp, the kinetics) plus ``traces``."""
        r = self._native.single_event()
        self._keep(r)
        self._last_event = r
        return r

    def train(self, freq: float = 50.0, delay: float = 250.0) -> dict:
        """The 8 + 4 train: the CLI's ``train --json`` plus ``peaks`` and ``traces``."""
        r = self._native.train(float(freq), float(delay))
        self._keep(r)
        self._last_train = r
        self.train_freq, self.train_delay = freq, delay
        self.nstim.interval = 1000.0 / freq
        return r

    def continuous(self, freq: float = 50.0, duration: float = 300.0) -> dict:
        """Continuous input: amplitudes, metrics (None under 12 pulses), traces."""
        r = self._native.continuous(float(freq), float(duration))
        self._keep(r)
        self._last_train = r
        self.train_freq = freq
        self.nstim.interval = 1000.0 / freq
        return r

    def freq_response(
        self, freqs: Optional[Sequence[float]] = None, delay: float = 250.0, progress: Optional[bool] = None
    ) -> dict:
        """The frequency response, frequencies in parallel: the CLI's
        ``freq-response --json``."""
        freqs = [float(f) for f in (BMTOOL_FREQUENCIES if freqs is None else freqs)]
        with Bar(len(freqs), "Analyzing frequencies", progress) as bar:
            return self._native.freq_response(freqs, float(delay), bar.tick)

    def table(self, freq: float = 50.0, delay: float = 250.0, as_frame: bool = True):
        """One row per connection (in parallel): the kinetics and the train
        metrics, as the CLI's ``table --json``; a pandas DataFrame indexed by
        connection when pandas is installed and ``as_frame``, else a dict.
        Connections that fail get an ``error`` entry."""
        rows = {}
        for name, row in self._native.table(float(freq), float(delay)):
            rows[name] = row if isinstance(row, dict) else {"error": row}
        if as_frame:
            try:
                import pandas as pd
            except ImportError:
                return rows
            return pd.DataFrame.from_dict(rows, orient="index")
        return rows

    def train_batch(
        self,
        param_sets: Sequence[Dict[str, float]],
        freq: float = 50.0,
        delay: float = 250.0,
        traces: bool = False,
        progress: Optional[bool] = None,
    ) -> List[dict]:
        """Trains for many parameter sets in one call, on every core. Each
        result is the dict of :meth:`train` (without traces unless asked) or
        ``{"error": text}``."""
        sets = [[(k, float(v)) for k, v in ps.items()] for ps in param_sets]
        with Bar(len(sets), "Trains", progress) as bar:
            out = self._native.train_batch(sets, float(freq), float(delay), traces, bar.tick)
        return [r if isinstance(r, dict) else {"error": r} for r in out]

    def protocol_batch(
        self, protocols: Sequence[Tuple[float, float]], traces: bool = False
    ) -> List[dict]:
        """Trains at several ``(freq, delay)`` protocols in one call: trains of
        similar length share one simulation ("lanes"), on every core. Each
        result is the dict of :meth:`train` for that protocol, bit for bit
        (without traces unless asked)."""
        prots = [(float(f), float(d)) for f, d in protocols]
        return list(self._native.trains(prots, traces))

    def single_event_batch(
        self, param_sets: Sequence[Dict[str, float]], traces: bool = False, progress: Optional[bool] = None
    ) -> List[dict]:
        """Single events for many parameter sets in one call, on every core."""
        sets = [[(k, float(v)) for k, v in ps.items()] for ps in param_sets]
        with Bar(len(sets), "Single events", progress) as bar:
            out = self._native.single_event_batch(sets, traces, bar.tick)
        return [r if isinstance(r, dict) else {"error": r} for r in out]

    # ------------------------------------------------------------ bmtool's methods

    def SingleEvent(self, plot_and_print: bool = True) -> None:
        """bmtool's: a single event at ``tstart``; prints the kinetics and plots."""
        self.ispk = None
        r = self.single_event()
        g = self.general_settings
        if plot_and_print:
            self._plot_model([g["tstart"] - 5, g["tstart"] + g["tdur"]])
            for key in _SYN_PROP_KEYS:
                print((key, r[key]))
            print(f"Current Integral in pA*ms: {r['current_integral']:.2f}")
        self.rise_time = r["rise_time"]
        self.decay_time = r["decay_time"]

    def _get_syn_prop(self, rise_interval=None, dt=None, short: bool = False) -> dict:
        """bmtool's: the kinetics of the last single event (one is run if none
        was); ``short``: only ``baseline`` and ``sign``."""
        if self._last_event is None:
            self.single_event()
        r = self._last_event
        keys = ("baseline", "sign") if short else _SYN_PROP_KEYS
        return {k: r[k] for k in keys}

    def _set_drive_train(self, freq: float = 50.0, delay: float = 250.0) -> float:
        """bmtool's: set the train's frequency and delay; returns its stop time."""
        self.train_freq, self.train_delay = freq, delay
        interval = 1000 / freq
        self.nstim.interval = interval
        start2 = self.general_settings["tstart"] + (8 - 1) * interval + delay
        return start2 + 4 * interval

    def _simulate_model(self, input_frequency, delay, vclamp=None, duration=None) -> None:
        """bmtool's: the train (or, with ``input_mode``, continuous input for
        ``duration``). As in bmtool the ``vclamp`` argument is not used: set
        ``tuner.vclamp``."""
        if not self.input_mode:
            self.train(input_frequency, delay)
        else:
            self.continuous(input_frequency, duration if duration is not None else delay)
        self.tstop = self._last_train["traces"]["tstop"]

    def _response_amplitude(self) -> List[float]:
        """bmtool's: the last train's per-pulse amplitudes (nA); sets ``ispk``."""
        if self._last_train is None:
            raise ValueError("run a train first (_simulate_model or train)")
        r = self._last_train
        self.ispk = [j for j in r["peaks"] if j is not None]
        amp = [a / 1000.0 for a in r["amplitudes_pA"]]
        self._last_amp = (amp, r)
        return amp

    def _find_max_amp(self, amp) -> float:
        """bmtool's: the amplitude of largest magnitude, in pA."""
        max_amp, min_amp = max(amp), min(amp)
        return (min_amp if abs(min_amp) > max_amp else max_amp) * 1000

    def _calc_ppr_induction_recovery(self, amp, normalize_by_trial=True, print_math=True):
        """bmtool's: ``(ppr, induction, recovery, simple_ppr)`` of amplitudes
        (nA). Under ``compat="bmtool"`` these are bmtool 0.8's p90-normalised
        metrics; by default synaptune's (ppr = a2/a1). Amplitudes just returned
        by :meth:`_response_amplitude` use the run's exact pA values."""
        if self._last_amp is not None and amp is self._last_amp[0]:
            pa = self._last_amp[1]["amplitudes_pA"]
        else:
            pa = [float(a) * 1000.0 for a in np.asarray(amp).ravel()]
        m = _native.stp_metrics(pa)
        if self.compat == "bmtool":
            out = (m["stp_initial_p90"], m["induction_p90"], m["recovery_p90"], m["simple_ppr"])
        else:
            out = (m["ppr"], m["induction"], m["recovery"], m["simple_ppr"])
        if print_math:
            self._print_math(pa, out)
        return out

    def _print_math(self, pa, metrics) -> None:
        terms = _native.stp_terms(pa)
        ppr, induction, recovery, simple_ppr = metrics
        norm = "90th percentile amplitude" if self.compat == "bmtool" else "max amplitude"
        d = terms["p90"] if self.compat == "bmtool" else terms["max"]
        print("\n" + "=" * 40)
        print(
            f"Short Term Plasticity Results for {getattr(self, 'train_freq', '?')}Hz with "
            f"{getattr(self, 'train_delay', '?')} Delay"
        )
        print("=" * 40)
        print(f"Simple PPR: {terms['a2']:.3f} / {terms['a1']:.3f} = {simple_ppr:.3f}")
        if self.compat == "bmtool":
            print(f"PPR: ({terms['a2']:.3f} - {terms['a1']:.3f}) / {d:.3f} = {ppr:.3f}")
        else:
            print(f"PPR: {terms['a2']:.3f} / {terms['a1']:.3f} = {ppr:.3f}")
        print(
            f"Induction: (Avg(6th, 7th, 8th) {terms['mean_a6_a8']:.3f} - 1st {terms['a1']:.3f}) / "
            f"{norm} {d:.3f} = {induction:.3f}"
        )
        print(
            f"Recovery: (Avg(9th-12th) {terms['mean_a9_a12']:.3f} - Avg(1st-4th) "
            f"{terms['mean_a1_a4']:.3f}) / {norm} {d:.3f} = {recovery:.3f}"
        )
        print("=" * 40 + "\n")

    def _plot_model(self, xlim, show: bool = True):
        """bmtool's: plot the last run (synaptic current with numbered pulses,
        clamp current or soma voltage, recorded variables)."""
        last = self._last_run
        if last is None:
            raise ValueError("nothing to plot yet: run SingleEvent or a train first")
        fig = _plot.synapse_run(
            last["traces"],
            connection=self.current_connection,
            vclamp=self.vclamp,
            dt=self.general_settings["dt"],
            xlim=xlim,
            record=self.other_vars_to_record,
            peaks=last.get("peaks") if self.ispk is not None else None,
            show=show,
        )
        self.last_figure = fig
        return fig

    def stp_frequency_response(self, freqs=BMTOOL_FREQUENCIES, delay=250, plot=True, log_plot=True) -> dict:
        """bmtool's: ``{"frequencies", "ppr", "induction", "recovery",
        "simple_ppr"}`` over ``freqs`` (run in parallel); under
        ``compat="bmtool"`` bmtool 0.8's metrics, else synaptune's."""
        r = self.freq_response(freqs, delay)
        b = self.compat == "bmtool"
        results = {
            "frequencies": list(freqs),
            "ppr": list(r["stp_initial_p90"] if b else r["ppr"]),
            "induction": list(r["induction_p90"] if b else r["induction"]),
            "recovery": list(r["recovery_p90"] if b else r["recovery"]),
            "simple_ppr": list(r["simple_ppr"]),
        }
        if plot:
            self._plot_frequency_analysis(results, log_plot=log_plot)
        return results

    def _plot_frequency_analysis(self, results, log_plot):
        """bmtool's three panels of the frequency response."""
        self.last_figure = _plot.frequency_response(results, log_plot)
        return self.last_figure

    def generate_synaptic_table(self, stp_frequency=50.0, stp_delay=250.0, plot=True):
        """bmtool's: a DataFrame (pandas) indexed by connection with
        ``rise_time``, ``decay_time``, ``latency``, ``half_width``,
        ``peak_amplitude``, ``baseline``, ``ppr``, ``simple_ppr``,
        ``induction``, ``recovery``; connections run in parallel, a failing one
        gets NaN."""
        print(f"Analyzing {len(self.connections)} connections...")
        rows = []
        b = self.compat == "bmtool"
        for name, row in self.table(stp_frequency, stp_delay, as_frame=False).items():
            if "error" in row:
                print(f"Warning: Failed to analyze connection '{name}': {row['error']}")
                row = {}
            nan = float("nan")
            rows.append(
                {
                    "connection": name,
                    "rise_time": row.get("rise_time", nan),
                    "decay_time": row.get("decay_time", nan),
                    "latency": row.get("latency", nan),
                    "half_width": row.get("half_width", nan),
                    "peak_amplitude": row.get("amp", nan),
                    "baseline": row.get("baseline", nan),
                    "ppr": row.get("stp_initial_p90" if b else "ppr", nan),
                    "simple_ppr": row.get("simple_ppr", nan),
                    "induction": row.get("induction_p90" if b else "induction", nan),
                    "recovery": row.get("recovery_p90" if b else "recovery", nan),
                }
            )
        try:
            import pandas as pd
        except ImportError:
            return {r.pop("connection"): r for r in rows}
        df = pd.DataFrame(rows).set_index("connection")
        if plot:
            print("\nSynaptic Parameters Table:")
            print("=" * 80)
            try:
                from IPython.display import display

                display(df.round(4))
            except ImportError:
                print(df.round(4))
            self.last_figure = _plot.synaptic_table(df, stp_frequency)
        return df

    def InteractiveTuner(self, port: int = 0, allowed_hosts=None, height: int = 900) -> None:
        """bmtool's interactive tuner as synaptune's web page, served by this
        process on 127.0.0.1 over the tuner as it is now: inline in Jupyter,
        its address printed elsewhere. ``tuner.server`` is the running server
        (``tuner.server.stop()``); see the package README for JupyterHub."""
        if self.server is not None and self.server.running:
            self.server.stop()
        self.server = self._native.serve(
            int(port), self._gap_file, _interactive.allowed_hosts(allowed_hosts)
        )
        for n in self.server.notices:
            print(f"synaptune: {n}")
        _interactive.show(self.server, height)

    def launch_tk_gui(self) -> None:
        """bmtool's desktop window: here the same page in the default browser."""
        import webbrowser

        self.InteractiveTuner()
        webbrowser.open(self.server.url)

    @classmethod
    def list_connections_from_config(cls, config_path: str, network: Optional[str] = None) -> Dict[str, dict]:
        """bmtool's: ``{name: {"post_cell", "synapse_type", "parameters"}}`` of
        a SONATA/BMTK config, without building a tuner."""
        return _native.list_connections(os.fspath(config_path), network)

    def __repr__(self) -> str:
        return (
            f"<synaptune.SynapseTuner {self.current_connection} of {len(self.connections)} "
            f"connection(s), {self.compat} convention, vclamp={self.vclamp}>"
        )
