"""Run the synaptune binary on bad inputs and write docs/bad-input.md: every
input tried and the message it gets (issue 17, item 7).

    cargo build --release -p synaptune-cli
    python3 tools/bad-input/gen_bad_input.py [--bin target/release/synaptune]

Each case runs the binary (or, for the web API, a request to `synaptune
serve` on a free port) in a scratch folder; the table records the exit
status (or HTTP status) and the first line of standard error (or the JSON
error), with the scratch folder's path shortened to `$TMP`. Nothing here
needs NEURON.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FSI = os.path.join(ROOT, "examples", "fsi")


def settings_with(tmp, name, edit):
    s = json.load(open(os.path.join(FSI, "settings.json")))
    s["cells"]["FSI_Cell"] = os.path.join(FSI, "cells", "FSI_Cell.json")
    edit(s)
    p = os.path.join(tmp, name)
    with open(p, "w") as f:
        json.dump(s, f)
    return p


def write(tmp, name, text):
    p = os.path.join(tmp, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def cli_cases(tmp):
    S = os.path.join(FSI, "settings.json")
    G = os.path.join(FSI, "gap.json")
    use_high = settings_with(tmp, "use_high.json", lambda s: s["conn_type_settings"]["Fac2FSI"]["spec_syn_param"].update(Use="high"))
    note = settings_with(tmp, "note.json", lambda s: s["conn_type_settings"]["Fac2FSI"]["spec_syn_param"].update(note="tuned by hand"))
    unknown_key = settings_with(tmp, "unknown_key.json", lambda s: s["general_settings"].update(tstrat=500))
    bad_secid = settings_with(tmp, "sec_id.json", lambda s: s["conn_type_settings"]["Fac2FSI"]["spec_settings"].update(sec_id=99))
    bad_lod = settings_with(tmp, "lod.json", lambda s: s["conn_type_settings"]["Fac2FSI"]["spec_settings"].update(level_of_detail="AMPA_NMDA"))
    not_json = write(tmp, "not_json.json", '{"general_settings": {"vclamp": true,')
    cell = json.load(open(os.path.join(ROOT, "tests", "fixtures", "cells", "hh_soma.json")))
    cell["sections"][0]["diam"] = -1
    neg_diam = write(tmp, "neg_diam.json", json.dumps(cell))
    cell = json.load(open(os.path.join(ROOT, "tests", "fixtures", "cells", "hh_tree.json")))
    cell["sections"][1]["mechanisms"]["pas"]["g"] = [1e-4, 2e-4]
    short_per_segment = write(tmp, "short_per_segment.json", json.dumps(cell))
    nan_scen = write(tmp, "nan_scenario.json", json.dumps({
        "cells": [os.path.join(ROOT, "tests", "fixtures", "cells", "ball_stick.json")],
        "tstop": 10.0,
        "points": [{"name": "syn", "mech": "Exp2Syn", "cell": 0, "loc": "dend[0]:0.5", "params": {"tau1": 0, "tau2": 0}}],
        "artificial": [{"name": "ns", "mech": "NetStim", "params": {"start": 4, "number": 1}}],
        "connections": [{"source": "ns", "target": "syn", "delay": 1, "weight": 0.01}],
        "records": ["0:soma[0]:0.5:v"],
    }))
    return [
        ("a continuous input of 10⁹ ms", ["continuous", "--settings", S, "--duration", "1e9"]),
        ("a train at 10⁻⁶ Hz", ["train", "--settings", S, "--freq", "1e-6"]),
        ("a sweep of 10⁸ conductances", ["gap-sweep", "--settings", G, "--g", "1e-4:1e-2", "--n", "100000000"]),
        ("a frequency response with a 10⁻⁴ Hz train", ["freq-response", "--settings", S, "--freqs", "0.0001,50"]),
        ("an optimisation of 500 evaluations of a 0.001 Hz train", ["optimize", "--settings", S, "--target", "ppr=1", "--bound", "Use=0.1:0.9", "--freq", "0.001"]),
        ("`--max-steps 0`", ["train", "--settings", S, "--max-steps", "0"]),
        ("`\"Use\": \"high\"` in `spec_syn_param`", ["train", "--settings", use_high, "--connection", "Fac2FSI"]),
        ("`\"note\": \"tuned by hand\"` in `spec_syn_param` (not a parameter: a warning, the run goes on)", ["single-event", "--settings", note, "--connection", "Fac2FSI", "--json"]),
        ("an unknown general setting (`tstrat`)", ["train", "--settings", unknown_key]),
        ("a settings file that is not JSON", ["train", "--settings", not_json]),
        ("a settings file that does not exist", ["train", "--settings", os.path.join(tmp, "missing.json")]),
        ("`sec_id` beyond the cell", ["train", "--settings", bad_secid, "--connection", "Fac2FSI"]),
        ("an unknown synapse mechanism", ["train", "--settings", bad_lod, "--connection", "Fac2FSI"]),
        ("an unknown connection", ["train", "--settings", S, "--connection", "Nope"]),
        ("a frequency of 0", ["train", "--settings", S, "--freq", "0"]),
        ("a negative recovery delay", ["train", "--settings", S, "--delay", "-1"]),
        ("`--set Use=abc`", ["train", "--settings", S, "--set", "Use=abc"]),
        ("`--set nope=1`", ["train", "--settings", S, "--set", "nope=1"]),
        ("`--current-name nope`", ["train", "--settings", S, "--current-name", "nope"]),
        ("`--measure clamp` in current mode", ["train", "--settings", S, "--measure", "clamp", "--no-vclamp"]),
        ("`--record nope`", ["train", "--settings", S, "--record", "nope"]),
        ("a negative gap conductance", ["gap", "--settings", G, "--g", "-1"]),
        ("inverted bounds", ["optimize", "--settings", S, "--target", "ppr=1", "--bound", "Use=1:0"]),
        ("an unknown target metric", ["optimize", "--settings", S, "--target", "speed=1", "--bound", "Use=0:1"]),
        ("`--mechanisms` that does not exist", ["train", "--settings", S, "--mechanisms", os.path.join(tmp, "nolib.so")]),
        ("a cell with a negative diameter", ["simulate", "--cell", neg_diam]),
        ("a cell with 2 per-segment values for a section of 5 segments", ["simulate", "--cell", short_per_segment]),
        ("a mechanism producing NaN (Exp2Syn with tau1 = tau2 = 0, at its first event)", ["scenario", nan_scen]),
    ]


def web_cases():
    return [
        ("`POST /api/train {\"freq\": 0.001, \"delay\": 250}`", "/api/train", '{"freq": 0.001, "delay": 250}'),
        ("`POST /api/train {\"freq\": \"fast\"}`", "/api/train", '{"freq": "fast"}'),
        ("`POST /api/train {\"frequency\": 50}`", "/api/train", '{"frequency": 50}'),
        ("`POST /api/train` with a body that is not JSON", "/api/train", "{nope"),
        ("`POST /api/single-event {\"params\": {\"Use\": 1e12}}`", "/api/single-event", '{"params": {"Use": 1e12}}'),
        ("`POST /api/continuous {\"duration\": 1e9}`", "/api/continuous", '{"duration": 1e9}'),
        ("`POST /api/gap {\"g\": -1}`", "/api/gap", '{"g": -1}'),
        ("`POST /api/train {\"client\": \"p\"}` (a lane without its `seq`)", "/api/train", '{"client": "p"}'),
    ]


def md(s):
    return s.replace("|", "\\|").replace("\n", " ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "synaptune"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "bad-input.md"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bad-input-")
    rows = []
    try:
        for what, cmd in cli_cases(tmp):
            p = subprocess.run([args.bin] + cmd, capture_output=True, text=True, timeout=120, cwd=tmp)
            err = [l for l in p.stderr.splitlines() if l.strip() and not l.startswith("(")]
            msg = err[0] if err else "(nothing on stderr)"
            msg = msg.replace(tmp, "$TMP").replace(ROOT + "/", "")
            rows.append(("synaptune " + " ".join(c.replace(tmp, "$TMP").replace(ROOT + "/", "") for c in cmd), what, str(p.returncode), msg))
        serve = subprocess.Popen([args.bin, "serve", "--settings", os.path.join(FSI, "settings.json"), "--port", "0"],
                                 stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        try:
            port = None
            for line in serve.stderr:
                m = re.search(r"serving on http://127.0.0.1:(\d+)/", line)
                if m:
                    port = int(m.group(1))
                    break
            for what, path, body in web_cases():
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                c.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                r = c.getresponse()
                data = r.read().decode()
                try:
                    msg = json.loads(data).get("error", data)
                except ValueError:
                    msg = data
                rows.append(("synaptune serve", what, f"HTTP {r.status}", msg))
        finally:
            serve.kill()
            serve.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = [
        "# Bad input and the message it gets",
        "",
        "Generated by `tools/bad-input/gen_bad_input.py` from the release binary (rerun it after",
        "changing a message). CLI errors are one paragraph on stderr with exit status 2 (130",
        "after Ctrl-C); warnings start `synaptune: warning:` and the run goes on. The web API",
        "answers `{\"error\": ..., \"status\": N}`. `$TMP` is the scratch folder the script",
        "writes its bad files into.",
        "",
        "| input | command | exit | message |",
        "|---|---|---|---|",
    ]
    for cmd, what, code, msg in rows:
        out.append(f"| {md(what)} | `{md(cmd)}` | {code} | {md(msg)} |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {args.out}: {len(rows)} inputs")


if __name__ == "__main__":
    main()
