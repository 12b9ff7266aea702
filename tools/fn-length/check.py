#!/usr/bin/env python3
"""List Rust functions longer than a limit (default 120 lines).

The house rule (ARCHITECTURE.md): no function over ~120 lines without a reason
written above it. A reason is a comment line starting with `// Long:` among the
comment/attribute lines directly above the `fn` line. Functions with a reason
are listed as accepted; without one they fail the check (exit 1).

Usage: tools/fn-length/check.py [--limit N] [--all] [PATH ...]
(default PATH: crates mechanisms src tests benches examples)
"""
import argparse
import os
import re
import sys

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+\"C\"\s+)?fn\s+(\w+)")


def strip(line, state):
    """Remove strings, chars and comments; state carries block comments and raw strings."""
    out = []
    i = 0
    n = len(line)
    while i < n:
        if state["block"]:
            j = line.find("*/", i)
            if j < 0:
                return "".join(out)
            state["block"] = False
            i = j + 2
            continue
        if state["raw"] is not None:
            end = '"' + "#" * state["raw"]
            j = line.find(end, i)
            if j < 0:
                return "".join(out)
            state["raw"] = None
            i = j + len(end)
            continue
        if state["str"]:
            if line[i] == "\\":
                i += 2
                continue
            if line[i] == '"':
                state["str"] = False
            i += 1
            continue
        c = line[i]
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state["block"] = True
            i += 2
            continue
        m = re.match(r'b?r(#*)"', line[i:])
        if m and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
            state["raw"] = len(m.group(1))
            i += len(m.group(0))
            continue
        if c == '"':
            state["str"] = True
            i += 1
            continue
        if c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", line[i:])
            if m:
                i += len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out)


def functions(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    state = {"block": False, "raw": None, "str": False}
    clean = [strip(l, state) for l in lines]
    for k, l in enumerate(clean):
        m = FN.match(l)
        if not m:
            continue
        # find the opening brace (or a `;` for a declaration)
        depth = 0
        start = None
        for j in range(k, len(clean)):
            for ch in clean[j]:
                if start is None and ch == ";" and depth == 0:
                    start = -1
                    break
                if ch == "{":
                    if start is None:
                        start = j
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if start is not None and depth == 0:
                        yield m.group(7), k, j, reason(lines, k)
                        start = -2
                        break
            if start is not None and start < 0:
                break


def reason(lines, k):
    j = k - 1
    while j >= 0:
        s = lines[j].strip()
        if s.startswith("// Long:") or s.startswith("/// Long:"):
            return s.split("Long:", 1)[1].strip()
        if s.startswith("//") or s.startswith("#[") or s.startswith("///"):
            j -= 1
            continue
        break
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=120)
    ap.add_argument("--all", action="store_true", help="also list accepted long functions")
    ap.add_argument("paths", nargs="*", default=["crates", "mechanisms", "src", "tests", "benches", "examples"])
    a = ap.parse_args()
    bad, ok = [], []
    for root in a.paths:
        for d, dirs, files in os.walk(root):
            dirs[:] = [x for x in dirs if x not in ("target", "node_modules", "build")]
            for fn in files:
                if fn.endswith(".rs"):
                    p = os.path.join(d, fn)
                    for name, s, e, why in functions(p):
                        n = e - s + 1
                        if n > a.limit:
                            (ok if why else bad).append((n, p, s + 1, name, why))
    for n, p, s, name, why in sorted(bad, reverse=True):
        print(f"{p}:{s}: fn {name}: {n} lines (limit {a.limit}; write `// Long: <reason>` above it or split it)")
    if a.all:
        for n, p, s, name, why in sorted(ok, reverse=True):
            print(f"accepted {p}:{s}: fn {name}: {n} lines: {why}")
    print(f"{len(bad)} function(s) over {a.limit} lines without a reason, {len(ok)} with one", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
