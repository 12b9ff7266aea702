"""bmtool's arguments (dicts, folders, files) as the settings and spec JSON the
native module reads.

bmtool takes ``conn_type_settings`` and ``general_settings`` as Python dicts,
the cells as hoc templates (``templates_dir``) and the mechanisms as compiled
mod files (``mechanisms_dir``). synaptune reads cells as ``synaptune-cell/1``
JSON files and mechanisms as catalogues (shared libraries built by
``synaptune nmodl`` or a plugin crate); the bmtool mechanisms of the example
notebooks are built in. What each argument becomes is decided here.
"""

from __future__ import annotations

import json
import numbers
import os
import warnings
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

DEFAULT_GENERAL_SETTINGS = {
    "vclamp": False,
    "rise_interval": (0.1, 0.9),
    "tstart": 500.0,
    "tdur": 100.0,
    "threshold": -15.0,
    "delay": 1.3,
    "weight": 1.0,
    "dt": 0.025,
    "celsius": 20,
}

DEFAULT_GAP_JUNCTION_GENERAL_SETTINGS = {
    "tstart": 500.0,
    "tdur": 500.0,
    "dt": 0.025,
    "celsius": 20,
    "iclamp_amp": -0.01,
    "vclamp": False,
}

# Keys the native settings read; bmtool keeps any other key and ignores it.
_GENERAL_KEYS = {
    "vclamp",
    "rise_interval",
    "tstart",
    "tdur",
    "threshold",
    "delay",
    "weight",
    "dt",
    "celsius",
    "v_init",
    "iclamp_amp",
}
_GAP_GENERAL_KEYS = {"tstart", "tdur", "dt", "celsius", "iclamp_amp", "v_init", "vclamp"}

_LIBRARY_SUFFIXES = (".so", ".dylib", ".dll")


class SynaptuneWarning(UserWarning):
    """Something synaptune did differently from bmtool, or a setting it ignored."""


def to_json(value: Any) -> Any:
    """Python values (numpy scalars, tuples, paths) as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "tolist"):  # numpy arrays
        return to_json(value.tolist())
    return value


def merged_general(user: Optional[dict], defaults: dict, known: set, what: str) -> dict:
    """bmtool's merge ``{**defaults, **user}``; keys synaptune does not read are
    dropped with a warning (bmtool ignores them silently)."""
    merged = {**defaults, **(user or {})}
    unknown = sorted(k for k in merged if k not in known)
    if unknown:
        warnings.warn(
            f"{what}: {', '.join(unknown)} not used by synaptune (ignored)",
            SynaptuneWarning,
            stacklevel=4,
        )
    return {k: v for k, v in merged.items() if k in known}


def mechanism_paths(mechanisms_dir: Optional[str]) -> List[str]:
    """``mechanisms_dir`` as catalogue paths for the native side.

    A shared library, a folder holding shared libraries or a folder of NEURON
    ``.mod`` files (what bmtool passes) is a catalogue: the native side compiles
    a mod folder on first use (with cargo) and caches it by content under
    ``$SYNAPTUNE_CACHE_DIR`` (default ``~/.cache/synaptune``). A folder with
    neither is warned about and the built-in mechanisms are used.
    """
    if mechanisms_dir is None:
        return []
    p = Path(mechanisms_dir)
    if not p.exists():
        raise ValueError(f"mechanisms_dir `{mechanisms_dir}` does not exist")
    if p.is_file():
        return [str(p.resolve())]
    libs = [q for q in p.iterdir() if q.is_file() and q.name.endswith(_LIBRARY_SUFFIXES)]
    if libs or any(q.is_file() for q in p.glob("*.mod")):
        return [str(p.resolve())]
    warnings.warn(
        f"mechanisms_dir `{mechanisms_dir}` holds no synaptune catalogue and no .mod file: "
        "using synaptune's built-in mechanisms (which include bmtool's example ones: "
        "AMPA_NMDA_STP, GABA_A_STP, Exp2Syn_STP, Gap, leak, nainter, kdrinter, ...).",
        SynaptuneWarning,
        stacklevel=4,
    )
    return []


def cell_files(
    post_cells: Iterable[str],
    templates_dir: Optional[str],
    cells: Optional[Any],
) -> Tuple[Dict[str, str], Optional[str]]:
    """The cell file of each post cell, and what to forward as ``templates``.

    ``cells`` (synaptune's keyword) is ``{name: file}`` or a folder of
    ``<name>.json`` files. ``templates_dir`` (bmtool's) is a folder of
    ``<name>.json`` files, one ``synaptune-cell/1`` file, a hoc file or a
    folder of hoc files: ``<name>.json`` files beside the hoc file (or in a
    ``cells/`` folder there) are used where they exist, and the hoc file or
    folder is forwarded as ``templates`` for the others, whose hoc templates
    synaptune reads itself (``begintemplate <name>``).
    """
    post_cells = list(dict.fromkeys(post_cells))
    found: Dict[str, str] = {}
    if isinstance(cells, dict):
        found.update({k: str(Path(v).resolve()) for k, v in cells.items()})
    elif cells is not None:
        folders = [Path(cells)]
        found.update(_in_folders(post_cells, folders))
    forward = None
    if templates_dir is not None:
        t = Path(templates_dir)
        if t.is_dir():
            found.update({k: v for k, v in _in_folders(post_cells, [t]).items() if k not in found})
            if any(name not in found for name in post_cells):
                forward = str(t.resolve())
        elif t.suffix == ".json":
            for name in post_cells:
                found.setdefault(name, str(t.resolve()))
        else:
            beside = _in_folders(post_cells, [t.parent, t.parent / "cells"])
            found.update({k: v for k, v in beside.items() if k not in found})
            if any(name not in found for name in post_cells):
                forward = str(t.resolve())
    return found, forward


def _in_folders(names: Iterable[str], folders: List[Path]) -> Dict[str, str]:
    out = {}
    for name in names:
        for f in folders:
            p = f / f"{name}.json"
            if p.is_file():
                out[name] = str(p.resolve())
                break
    return out


def synapse_settings(
    conn_type_settings: dict,
    general_settings: Optional[dict],
    cells: Dict[str, str],
) -> Tuple[dict, dict]:
    """The settings JSON of bmtool's dicts, and the merged general settings."""
    general = merged_general(
        general_settings, DEFAULT_GENERAL_SETTINGS, _GENERAL_KEYS, "general_settings"
    )
    settings = {
        "general_settings": to_json(general),
        "conn_type_settings": to_json(conn_type_settings),
        "cells": cells,
    }
    return settings, general


def gap_settings(
    conn_type_settings: dict,
    general_settings: Optional[dict],
    cells: Dict[str, str],
    bmtool: bool,
) -> Tuple[dict, dict]:
    """The gap-junction settings JSON of bmtool's dicts, and the merged general
    settings. Under ``bmtool`` the step amplitude is the general setting's only
    (bmtool 0.8.7 reads no per-connection ``iclamp_amp``)."""
    general = merged_general(
        general_settings,
        DEFAULT_GAP_JUNCTION_GENERAL_SETTINGS,
        _GAP_GENERAL_KEYS,
        "general_settings",
    )
    conns = to_json(conn_type_settings)
    if bmtool:
        conns = {k: {kk: vv for kk, vv in c.items() if kk != "iclamp_amp"} for k, c in conns.items()}
    settings = {
        "general_settings": to_json(general),
        "conn_type_settings": conns,
        "cells": cells,
    }
    return settings, general


def dumps(value: Any) -> str:
    """JSON text of a spec or settings (numbers exact: Python's repr)."""
    return json.dumps(to_json(value))


class ConnectionView:
    """The current connection as bmtool's tuners expose it; the class defines
    ``conn_type_settings`` and ``_native.connection()``."""

    @property
    def current_connection(self) -> str:
        """The connection the tuner is on."""
        return self._native.connection()

    @property
    def conn(self) -> dict:
        """The current connection's settings (a copy)."""
        return self.conn_type_settings[self.current_connection]
