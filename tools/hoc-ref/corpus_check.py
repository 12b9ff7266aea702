#!/usr/bin/env python3
"""Run crates/hoc-template over every hoc template of a corpus and compare
with NEURON.

    /work/venv-nrn9/bin/python tools/hoc-ref/corpus_check.py \
        --corpus /work/scratch/corpus --out tools/hoc-ref/corpus_result.md

Every `begintemplate NAME` in every .hoc file under --corpus is one case. The
mod files are those of the nearest folder of .mod files (the template's own
folder, else a subfolder of it or of its parents up to the repository),
compiled once per folder with nrnivmodl. NEURON (tools/hoc-ref/
dump_template.py, a fresh process per template) instantiates `new NAME()` and
dumps the cell; the reader (`cargo run -p hoc-template --example hoc_dump`)
reads the template with NEURON's mechanism table and dumps the same fields.
A template is *identical* when the section names and order, parents,
orientation, nseg, L, Ra, pt3d arcs, every segment's cm, diam (cylinders),
mechanism parameters and assigned ion reversal potentials, area and ri
(where the reader's geometry is one diameter per cylinder) and the section
lists are equal, `==` on every double. The table counts templates found,
built by NEURON (as cells), read, identical, and the reader's refusals by
construct. Only the list of templates and results is written, never the
corpus's files.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def templates(corpus):
    out = []
    for dp, dn, fn in os.walk(corpus):
        dn.sort()
        for f in sorted(fn):
            if not f.endswith(".hoc"):
                continue
            p = os.path.join(dp, f)
            try:
                text = open(p, errors="replace").read()
            except OSError:
                continue
            for line in text.splitlines():
                w = line.split()
                if len(w) >= 2 and w[0] == "begintemplate":
                    out.append((p, w[1]))
    return out


def has_mods(d):
    try:
        return any(f.endswith(".mod") for f in os.listdir(d))
    except OSError:
        return False


def mod_dir(template, repo_root):
    d = os.path.dirname(template)
    while True:
        if has_mods(d):
            return d
        best = None
        for dp, dn, fn in os.walk(d):
            dn.sort()
            if dp[len(d):].count(os.sep) > 3:
                dn[:] = []
                continue
            if any(f.endswith(".mod") for f in fn):
                cand = (dp[len(d):].count(os.sep), "mod" not in os.path.basename(dp).lower(), dp)
                if best is None or cand < best:
                    best = cand
        if best:
            return best[2]
        if os.path.abspath(d) == os.path.abspath(repo_root):
            return None
        d = os.path.dirname(d)


def compile_mods(d, cache, nrnivmodl):
    if d in cache:
        return cache[d]
    tmp = tempfile.mkdtemp(prefix="hoccorpus-")
    for f in os.listdir(d):
        if f.endswith(".mod"):
            with open(os.path.join(d, f), "rb") as a, open(os.path.join(tmp, f), "wb") as b:
                b.write(a.read())
    dropped = []
    for _ in range(4):
        r = subprocess.run([nrnivmodl], cwd=tmp, capture_output=True, text=True)
        if r.returncode == 0:
            break
        # Drop the files NEURON 9 cannot compile (old VERBATIM noise sources
        # and the like) and try again with the rest.
        bad = set(re.findall(r"x86_64/([A-Za-z0-9_.-]+)\.cpp:\d+:\d+: error", r.stdout + r.stderr))
        bad = {b for b in bad if os.path.exists(os.path.join(tmp, b + ".mod"))}
        if not bad:
            break
        for b in bad:
            os.remove(os.path.join(tmp, b + ".mod"))
            dropped.append(b + ".mod")
    cache[d] = (tmp if r.returncode == 0 else None, dropped)
    return cache[d]


def neuron_dump(py, template, name, mods_lib, out):
    cmd = [py, os.path.join(HERE, "dump_template.py"), "--template", template, "--name", name, "--out", out]
    if mods_lib:
        cmd += ["--compiled", mods_lib]
    try:
        subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {"error": "NEURON timed out"}
    try:
        return json.load(open(out))
    except (OSError, ValueError):
        return {"error": "NEURON crashed"}


def reader_dump(exe, template, name, mechs_file):
    try:
        r = subprocess.run([exe, template, name, mechs_file], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {"error": "timeout", "construct": "", "message": "the reader took over 120 s"}
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": "crash", "construct": "", "message": r.stderr[-500:]}


def first_difference(n, r):
    ns, rs = n["sections"], r["sections"]
    if [s["name"] for s in ns] != [s["name"] for s in rs]:
        return "section names/order"
    for a, b in zip(ns, rs):
        for k in ("parent", "orientation", "nseg", "L", "Ra", "n3d", "arcs"):
            if a[k] != b[k]:
                return f"{a['name']}: {k} {a[k]!r} vs {b[k]!r}"
        for sa, sb in zip(a["segments"], b["segments"]):
            at = f"{a['name']}({sa['x']:g})"
            if sa["cm"] != sb["cm"]:
                return f"{at}: cm"
            if sb["diam"] is not None and sa["diam"] != sb["diam"]:
                return f"{at}: diam {sa['diam']!r} vs {sb['diam']!r}"
            if sb["area"] is not None and (sa["area"] != sb["area"] or sa["ri"] != sb["ri"]):
                return f"{at}: area/ri {sa['area']!r}/{sa['ri']!r} vs {sb['area']!r}/{sb['ri']!r}"
            if sorted(sa["mechanisms"]) != sorted(sb["mechanisms"]):
                return f"{at}: mechanisms {sorted(sa['mechanisms'])} vs {sorted(sb['mechanisms'])}"
            for m, ps in sb["mechanisms"].items():
                for p, v in ps.items():
                    if sa["mechanisms"][m].get(p) != v:
                        return f"{at}: {p}_{m} {sa['mechanisms'][m].get(p)!r} vs {v!r}"
            if sorted(sa["ions"]) != sorted(sb["ions"]):
                return f"{at}: ions {sorted(sa['ions'])} vs {sorted(sb['ions'])}"
            for ion, v in sb["ions"].items():
                if v["e"] is not None and sa["ions"][ion]["e"] != v["e"]:
                    return f"{at}: e{ion} {sa['ions'][ion]['e']!r} vs {v['e']!r}"
    if n["section_lists"] != r["section_lists"]:
        return "section lists"
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--nrnivmodl", default=os.path.join(os.path.dirname(sys.executable), "nrnivmodl"))
    ap.add_argument("--only", default=None, help="substring of the template path to check")
    ap.add_argument("--exe", default=None, help="a built hoc_dump example (default: cargo build it)")
    ap.add_argument("--reuse", default=None, help="a previous run's printed lines: templates NEURON refused there are not run again")
    ap.add_argument("--from-log", default=None, help="write the report from the lines a run printed")
    a = ap.parse_args(argv)
    if a.from_log:
        write_report(a.out, rows_from_log(a.from_log))
        return 0
    if a.exe:
        exe = a.exe
    else:
        subprocess.run(["cargo", "build", "-q", "-p", "hoc-template", "--example", "hoc_dump"], cwd=ROOT, check=True)
        exe = os.path.join(ROOT, "target", "debug", "examples", "hoc_dump")
    reuse = {}
    if a.reuse:
        reuse = {(r["path"], r["name"]): r for r in rows_from_log(a.reuse) if r["result"] == "neuron-refuses"}
    corpus = os.path.abspath(a.corpus)
    cases = templates(corpus)
    if a.only:
        cases = [c for c in cases if a.only in c[0]]
    cache = {}
    rows = []
    work = tempfile.mkdtemp(prefix="hoccheck-")
    for i, (path, name) in enumerate(cases):
        rel = os.path.relpath(path, corpus)
        if (rel, name) in reuse:
            rows.append(dict(reuse[(rel, name)], detail="(previous run) " + reuse[(rel, name)]["detail"]))
            print(f"[{i + 1}/{len(cases)}] {rel} {name}: neuron-refuses (previous run)", flush=True)
            continue
        repo_root = os.path.join(corpus, rel.split(os.sep)[0])
        md = mod_dir(path, repo_root)
        lib, dropped = compile_mods(md, cache, a.nrnivmodl) if md else (None, [])
        out = os.path.join(work, f"n{i}.json")
        n = neuron_dump(sys.executable, path, name, lib, out)
        mechs_file = os.path.join(work, f"m{i}.json")
        json.dump({"mechanisms": n.get("mechanisms", {}), "points": n.get("points", [])}, open(mechs_file, "w"))
        row = {"path": rel, "name": name, "mods": os.path.relpath(md, corpus) if md else None}
        if md and lib is None:
            row["detail_mods"] = "the mod folder does not compile with NEURON 9.0.2"
        elif dropped:
            row["detail_mods"] = "not compiled (NEURON 9.0.2 refuses): " + ", ".join(dropped)
        if "error" not in n and not n.get("sections"):
            # Both agree there is no cell (a template that builds none, or
            # deletes its sections); not a cell to compare.
            n = dict(n, error="NEURON's instance has no sections")
        if "error" in n or "sections" not in n:
            row["result"] = "neuron-refuses"
            row["detail"] = (n.get("error", "")[:200] + ("; " + row["detail_mods"] if "detail_mods" in row else ""))
        else:
            r = reader_dump(exe, path, name, mechs_file)
            if "error" in r:
                row["result"] = "refused"
                row["kind"] = r["error"]
                row["construct"] = r.get("construct", "")
                row["detail"] = r["message"][:300]
            else:
                d = first_difference(n, r)
                row["result"] = "identical" if d is None else "differs"
                row["detail"] = d or ""
                row["cell_spec"] = r.get("cell_spec", "")
        rows.append(row)
        print(f"[{i + 1}/{len(cases)}] {rel} {name}: {row['result']} {row.get('detail', '')[:150]}", flush=True)
    write_report(a.out, rows)
    return 0


def rows_from_log(log):
    """The rows of a run from what it printed (`[i/n] path name: result detail`)."""
    rows = []
    pat = re.compile(r"^\[\d+/\d+\] (.+) (\S+): (identical|differs|refused|neuron-refuses) ?(.*)$")
    for line in open(log):
        m = pat.match(line.rstrip("\n"))
        if not m:
            continue
        path, name, result, detail = m.groups()
        row = {"path": path, "name": name, "result": result, "detail": detail}
        if result == "refused":
            msg = detail.split(": ", 1)[-1]
            k = re.search(r"unsupported hoc construct `([^`]*)`", detail)
            row["kind"] = "unsupported" if k else ("syntax" if "syntax error" in detail else "runtime")
            row["construct"] = k.group(1) if k else ""
            row["detail"] = msg
        rows.append(row)
    return rows


def write_report(path, rows):
    c = collections.Counter(r["result"] for r in rows)
    cells = len(rows) - c["neuron-refuses"]
    read = c["identical"] + c["differs"]
    refusals = collections.Counter(
        (r["kind"], r["construct"] or r["detail"].split(": ", 1)[-1][:90]) for r in rows if r["result"] == "refused"
    )
    spec_ok = sum(1 for r in rows if r.get("cell_spec") == "ok")
    lines = [
        "# hoc-template corpus check",
        "",
        "`tools/hoc-ref/corpus_check.py` over the corpus (8 public repositories; NEURON 9.0.2).",
        "",
        "| | templates |",
        "|---|---|",
        f"| found (`begintemplate` in a .hoc file) | {len(rows)} |",
        f"| NEURON builds as a cell (`new Name()` gives sections) | {cells} |",
        f"| read by hoc-template | {read} |",
        f"| identical to NEURON | {c['identical']} |",
        f"| differ | {c['differs']} |",
        f"| refused by hoc-template | {c['refused']} |",
        f"| of those read, also a `CellSpec` (no per-segment values) | {spec_ok} |",
        "",
        "## Refusals by construct",
        "",
        "| kind | construct / message | templates |",
        "|---|---|---|",
    ]
    for (k, what), n in refusals.most_common():
        lines.append(f"| {k} | {what.replace('|', '/')} | {n} |")
    lines += ["", "## Every template", "", "| file | template | result | detail |", "|---|---|---|---|"]
    for r in rows:
        det = (r.get("detail") or "").replace("|", "/").replace("\n", " ")[:160]
        lines.append(f"| {r['path']} | {r['name']} | {r['result']} | {det} |")
    open(path, "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
