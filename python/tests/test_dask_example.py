"""examples/python/network_table_dask.py on a LocalCluster of 2 worker processes."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, need


def test_network_table_and_fits_on_dask(tmp_path):
    need("dask.distributed")
    need("pandas")
    out = tmp_path / "summary.json"
    script = ROOT / "examples" / "python" / "network_table_dask.py"
    r = subprocess.run(
        [sys.executable, str(script), "--workers", "2", "--json", str(out)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads(out.read_text())
    assert s["workers"] == 2
    rows = s["rows"]
    assert list(rows) == ["Exc", "PV2PN", "Exc_type_100", "PV2PV", "L4 SST2PV", "Exc_type_102"]
    ok = [n for n, row in rows.items() if "error" not in row]
    assert ok == ["Exc", "PV2PN", "Exc_type_100", "Exc_type_102"]
    assert rows["PV2PN"]["induction"] < 0 < rows["PV2PN"]["amp"]
    assert "unknown synapse mechanism" in rows["L4 SST2PV"]["error"]
    assert [f["target"] for f in s["fits"]] == [-0.3, -0.45, -0.6, -0.75]
    for f in s["fits"]:
        assert f["error"] < 1e-8
        assert abs(f["achieved_metrics"]["induction"] - f["target"]) < 1e-4
    assert "4 fits on 2 workers" in r.stdout
