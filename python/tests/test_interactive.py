"""InteractiveTuner(): the web page served by this process, the proxy
settings, and plotting without matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

import synaptune
from synaptune import _interactive
from conftest import need


def request(url, path, body=None, host=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url.rstrip("/") + path, data=data)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if host:
        req.add_header("Host", host)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_the_page_is_served_in_process_over_the_tuner_as_it_is(tuner, capsys):
    tuner.set_param("Use", 0.3)
    tuner.InteractiveTuner()
    srv = tuner.server
    assert "serving on http://127.0.0.1:" in capsys.readouterr().out
    assert srv.running and srv.url == f"http://127.0.0.1:{srv.port}/"
    status, page = request(srv.url, "/")
    assert status == 200
    # relative asset and API paths: the page works under a proxy's prefix
    assert b'src="app.js"' in page and b'src="/app.js"' not in page
    status, body = request(srv.url, "/api/train", {"connection": "Dep2FSI", "freq": 20, "delay": 125})
    assert status == 200
    assert json.loads(body)["amplitudes_pA"] == tuner.train(20, 125)["amplitudes_pA"]
    status, _ = request(srv.url, "/api/health", host="hub.example.org")
    assert status == 403
    srv.stop()
    assert not srv.running
    with pytest.raises(OSError):
        urllib.request.urlopen(srv.url + "api/health", timeout=5)
    srv.stop()  # stopping twice is fine


def test_a_proxy_host_can_be_allowed(tuner, monkeypatch, capsys):
    monkeypatch.setenv("SYNAPTUNE_ALLOWED_HOSTS", "hub.example.org")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    monkeypatch.setenv("SYNAPTUNE_PROXY_URL", "/user/ada/proxy/{port}/")
    tuner.InteractiveTuner()
    srv = tuner.server
    try:
        assert f"/user/ada/proxy/{srv.port}/" in capsys.readouterr().out
        status, _ = request(srv.url, "/api/health", host="hub.example.org")
        assert status == 200
        status, _ = request(srv.url, "/api/health", host="evil.example.com")
        assert status == 403
    finally:
        srv.stop()


def test_proxy_address_helpers(monkeypatch):
    monkeypatch.delenv("SYNAPTUNE_PROXY_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert _interactive.page_url("http://127.0.0.1:9/", 9) == "http://127.0.0.1:9/"
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/")
    assert "hub.example.org" in _interactive.allowed_hosts(["a.b"])


def test_plots_without_matplotlib_say_how_to_get_it():
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.pyplot'] = None\n"
        "import synaptune\n"
        "t = synaptune.SynapseTuner(settings=sys.argv[1], connection='Dep2FSI')\n"
        "t.train()\n"
        "try:\n    t.SingleEvent()\nexcept ImportError as e:\n    print('IMPORT', e)\n"
        "print(t.stp_frequency_response(freqs=[10], plot=False)['ppr'][0] > 0)\n"
    )
    from conftest import SETTINGS

    out = subprocess.run([sys.executable, "-c", code, str(SETTINGS)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "IMPORT" in out.stdout and "pip install synaptune[plot]" in out.stdout
    assert out.stdout.strip().endswith("True")


def test_gap_junction_sliders(gap_tuner):
    need("ipywidgets")
    need("matplotlib")
    assert gap_tuner.InteractiveTuner() is None
    panel = gap_tuner._interactive
    panel.resistance.value = 2e-3
    panel.run()
    assert gap_tuner.last_figure is not None
    assert abs(gap_tuner.coupling_ratio() - gap_tuner.coupling(2e-3)) == 0
    assert "FSI_gap" in panel.connection.options


def test_simulations_release_the_gil(tuner):
    import threading

    done = threading.Event()
    worker = threading.Thread(target=lambda: (tuner.freq_response(), done.set()))
    count = 0
    worker.start()
    while not done.is_set():
        count += 1
    worker.join()
    # With the GIL held for the whole call, this loop would barely run.
    assert count > 10_000, count
