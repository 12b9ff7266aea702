"""Shared fixtures: the repository's FSI example, the CLI binary, optional
dependencies (skipped locally when missing; ``SYNAPTUNE_STRICT=1``, as CI
sets it, turns a missing one into a failure)."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[2]
FSI = ROOT / "examples" / "fsi"
SETTINGS = FSI / "settings.json"
GAP = FSI / "gap.json"
CELLS = FSI / "cells"
SONATA = ROOT / "tests" / "fixtures" / "sonata" / "basic" / "config.json"
TUNER_REF = ROOT / "tests" / "fixtures" / "tuner"

import synaptune  # noqa: E402

synaptune.set_progress(False)


def need(module: str):
    """Import an optional dependency, or skip (fail under SYNAPTUNE_STRICT)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("SYNAPTUNE_STRICT"):
            pytest.fail(f"{module} is required under SYNAPTUNE_STRICT")
        pytest.skip(f"{module} not installed")


def fsi_dicts():
    """bmtool's notebook dictionaries (from examples/fsi/settings.json)."""
    s = json.loads(SETTINGS.read_text())
    general = dict(s["general_settings"])
    general.pop("v_init", None)
    general["rise_interval"] = tuple(general["rise_interval"])
    return general, s["conn_type_settings"]


def gap_dicts():
    s = json.loads(GAP.read_text())
    general = dict(s["general_settings"])
    general.pop("v_init", None)
    return general, s["conn_type_settings"]


@pytest.fixture
def dicts():
    return fsi_dicts()


@pytest.fixture
def tuner():
    general, conns = fsi_dicts()
    return synaptune.SynapseTuner(
        conn_type_settings=conns,
        general_settings=general,
        connection="Dep2FSI",
        templates_dir=str(CELLS),
        other_vars_to_record=["record_Pr", "record_use"],
        slider_vars=["initW", "Dep", "Fac", "Use"],
    )


@pytest.fixture
def gap_tuner():
    general, conns = gap_dicts()
    return synaptune.GapJunctionTuner(
        templates_dir=str(CELLS), general_settings=general, conn_type_settings=conns
    )


def synaptune_bin() -> Path:
    """The CLI binary: $SYNAPTUNE_BIN, else target/release or target/debug."""
    env = os.environ.get("SYNAPTUNE_BIN")
    candidates = [Path(env)] if env else [ROOT / "target" / "release" / "synaptune", ROOT / "target" / "debug" / "synaptune"]
    for c in candidates:
        if c.is_file():
            return c
    if os.environ.get("SYNAPTUNE_STRICT"):
        pytest.fail("the synaptune binary is required under SYNAPTUNE_STRICT (set SYNAPTUNE_BIN)")
    pytest.skip("no synaptune binary (cargo build --release -p synaptune-cli)")


def cli_json(*args) -> dict:
    """Run the CLI with ``--json`` and parse its answer."""
    out = subprocess.run(
        [str(synaptune_bin()), *map(str, args), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def sonata_cells(tmp_path):
    """A cells folder for the SONATA fixture: its PN cell is the ball-and-stick
    fixture cell (as the CLI's network tests use it)."""
    shutil.copy(ROOT / "tests" / "fixtures" / "cells" / "ball_stick.json", tmp_path / "PNCell.json")
    return tmp_path
