#!/usr/bin/env python3
"""Corpus coverage of `synaptune nmodl` against NEURON 9.0.2's nrnivmodl.

    python3 tools/nmodl-corpus/coverage.py [--corpus DIR] [--cache DIR]
        [--nrnivmodl BIN] [--check BIN] [--md FILE]

CORPUS (default /work/scratch/corpus) holds public model repositories as
`<owner>+<name>/<path>`. Every `.mod` file is read and deduplicated by content
(md5); for each unique file the script asks

* NEURON: does NEURON 9.0.2's nrnivmodl compile it? All files not yet in the
  cache (`CACHE/neuron.json`, by md5) are copied as `h<md5>.mod` into one folder
  and built with one nrnivmodl run under `MAKEFLAGS=-k` (make keeps going past
  a failing file); a file compiled when its `x86_64/h<md5>.o` exists.
* synaptune: does the translator accept it? The translate step only
  (`cargo run -p nmodl --example check`, built here if `--check` is not given),
  no cargo build of the generated crate.

A refusal is classified by construct (the diagnostic's message; a VERBATIM
block by the C it holds, read from the file at the diagnostic's line). The
table (NEURON-compiled files, translated files and %, per construct the files
it blocks and the files where it is the only blocker) is printed, and with
`--md FILE` written as Markdown with the per-file list (repo/path, never the
files themselves).
"""
import argparse
import collections
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def unique_mods(corpus):
    """{md5: [relative paths]} of every .mod file, paths sorted."""
    by_hash = collections.defaultdict(list)
    for dp, dns, fns in os.walk(corpus):
        dns.sort()
        for f in sorted(fns):
            if f.endswith(".mod"):
                p = os.path.join(dp, f)
                with open(p, "rb") as fh:
                    h = hashlib.md5(fh.read()).hexdigest()
                by_hash[h].append(os.path.relpath(p, corpus))
    return dict(by_hash)


def neuron_compiles(corpus, mods, cache, nrnivmodl):
    """{md5: bool}: nrnivmodl compiled the file (cached in CACHE/neuron.json)."""
    path = os.path.join(cache, "neuron.json")
    known = {}
    if os.path.exists(path):
        with open(path) as fh:
            known = json.load(fh)
    todo = [h for h in mods if h not in known]
    if todo:
        d = tempfile.mkdtemp(prefix="nrnbatch", dir=cache)
        for h in todo:
            shutil.copy(os.path.join(corpus, mods[h][0]), os.path.join(d, f"h{h}.mod"))
        env = dict(os.environ, MAKEFLAGS="-k")
        print(f"nrnivmodl: {len(todo)} files in {d} ...", file=sys.stderr)
        with open(os.path.join(d, "nrnivmodl.log"), "w") as log:
            subprocess.run([nrnivmodl], cwd=d, env=env, stdout=log, stderr=subprocess.STDOUT)
        for h in todo:
            known[h] = os.path.exists(os.path.join(d, "x86_64", f"h{h}.o"))
        with open(path, "w") as fh:
            json.dump(known, fh, indent=0, sort_keys=True)
        shutil.rmtree(d, ignore_errors=True)
    return {h: known[h] for h in mods}


def check_binary(given):
    if given:
        return given
    env = dict(os.environ, CARGO_PROFILE_DEV_DEBUG="0")
    subprocess.run(["cargo", "build", "-q", "-p", "nmodl", "--example", "check"],
                   cwd=ROOT, env=env, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "debug", "examples", "check")


def translate(corpus, mods, check):
    """{md5: (ok, [diagnostic strings])}."""
    hashes = sorted(mods)
    out = subprocess.run([check] + [os.path.join(corpus, mods[h][0]) for h in hashes],
                         capture_output=True, text=True, check=True).stdout
    rows = [json.loads(l) for l in out.splitlines()]
    return {h: (r["ok"], r["diagnostics"]) for h, r in zip(hashes, rows)}


def verbatim_text(path, line):
    """The VERBATIM block starting at `line` (1-based) of `path`."""
    with open(path, errors="replace") as fh:
        lines = fh.read().splitlines()
    body = []
    for l in lines[line - 1:]:
        if re.match(r"\s*ENDVERBATIM", l):
            break
        body.append(l)
    return "\n".join(body)


VERBATIM_KINDS = [
    ("VERBATIM hoc Vector (vector_vec/vector_arg)", r"vector_vec|vector_arg"),
    ("VERBATIM random (_p_/nrn_random/Random123)",
     r"_p_|nrn_random|nrnran123|Random123|random_pick|bbcore|ifarg|nrn_get_random"),
    ("VERBATIM C random()/rand()", r"\brandom\s*\(|\brand\s*\(|drand48"),
    ("VERBATIM ion variables (_ion_)", r"_ion_"),
]


def classify(corpus, relpath, diag):
    """The construct a diagnostic `file:line: message` names."""
    m = re.match(r"[^:]*:(\d+): (.*)", diag, re.S)
    line, msg = (int(m.group(1)), m.group(2)) if m else (0, diag)
    b = re.match(r"the built-in `([^`]+)` is not supported", msg)
    if b:
        return b.group(1)
    blk = re.match(r"(\w+) (block )?is not supported by synaptune nmodl", msg)
    if blk:
        return blk.group(1) + (" block" if blk.group(2) else "")
    st = re.match(r"`(\w+)` statement is not supported", msg)
    if st:
        return st.group(1) + " statement"
    if msg.startswith("VERBATIM block with C code"):
        text = verbatim_text(os.path.join(corpus, relpath), line) if line else msg
        for kind, rx in VERBATIM_KINDS:
            if re.search(rx, text):
                return kind
        return "VERBATIM other C"
    if msg.startswith("VERBATIM `return"):
        return "VERBATIM return outside a block that allows it"
    if "SOLVE is only allowed" in msg or msg.startswith("in INITIAL only"):
        return "SOLVE of a non-STEADYSTATE block in INITIAL"
    if msg.startswith("cannot assign to `v`"):
        return "assignment to v"
    if "cannot be assigned" in msg or msg.startswith("cannot assign"):
        return "assignment to a read-only name"
    if "is not a FUNCTION or PROCEDURE" in msg:
        return "call of an undefined name (LINEAR/NONLINEAR/other)"
    if "needs a VALENCE" in msg:
        return "USEION of an unknown ion without VALENCE"
    if msg.startswith("expected") or "found" in msg:
        return "parse error"
    return msg[:60]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/work/scratch/corpus")
    ap.add_argument("--cache", default="/work/scratch/nmodl-coverage")
    ap.add_argument("--nrnivmodl", default="/work/venv-nrn9/bin/nrnivmodl")
    ap.add_argument("--check", help="the nmodl `check` example binary (built when absent)")
    ap.add_argument("--md", help="write the table and the per-file list as Markdown here")
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    mods = unique_mods(a.corpus)
    nrn = neuron_compiles(a.corpus, mods, a.cache, a.nrnivmodl)
    tr = translate(a.corpus, mods, check_binary(a.check))
    compiled = [h for h in sorted(mods) if nrn[h]]
    ok = [h for h in compiled if tr[h][0]]
    blockers = {}
    for h in compiled:
        if not tr[h][0]:
            blockers[h] = sorted({classify(a.corpus, mods[h][0], d) for d in tr[h][1]})
    blocked = collections.Counter(c for cs in blockers.values() for c in cs)
    only = collections.Counter(cs[0] for cs in blockers.values() if len(cs) == 1)
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True).stdout.strip()
    pct = 100.0 * len(ok) / max(1, len(compiled))
    lines = [
        f"Corpus: {len(mods)} unique .mod files (by content) of "
        f"{len({p.split('/')[0] for ps in mods.values() for p in ps})} repositories; "
        f"synaptune commit {rev}.",
        "",
        "| | files |",
        "|---|---:|",
        f"| unique .mod files | {len(mods)} |",
        f"| compiled by NEURON 9.0.2 nrnivmodl | {len(compiled)} |",
        f"| of those translated by synaptune nmodl | {len(ok)} ({pct:.1f} %) |",
        f"| translated but not compiled by NEURON | "
        f"{sum(1 for h in mods if tr[h][0] and not nrn[h])} |",
        "",
        "| construct (refusal) | files blocked | only blocker |",
        "|---|---:|---:|",
    ]
    for c, n in sorted(blocked.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {c} | {n} | {only.get(c, 0)} |")
    table = "\n".join(lines)
    print(table)
    if a.md:
        per = ["", "## Files", "",
               "Each unique file (first path; others with the same content in brackets): "
               "NEURON 9.0.2 (`nrn` ok/fail), synaptune (`ok` or the constructs refused).", ""]
        for h in sorted(mods, key=lambda h: mods[h][0]):
            ps = mods[h]
            more = f" [{', '.join(ps[1:])}]" if len(ps) > 1 else ""
            if not nrn[h]:
                st = "nrn fail" + (", synaptune ok" if tr[h][0] else "")
            elif tr[h][0]:
                st = "ok"
            else:
                st = "refused: " + "; ".join(blockers[h])
            per.append(f"- `{ps[0]}`{more}: {st}")
        with open(a.md, "w") as fh:
            fh.write("# synaptune nmodl: corpus coverage\n\n"
                     "Generated by `python3 tools/nmodl-corpus/coverage.py --md "
                     "tools/nmodl-corpus/coverage.md`.\n\n" + table + "\n" + "\n".join(per) + "\n")


if __name__ == "__main__":
    main()
