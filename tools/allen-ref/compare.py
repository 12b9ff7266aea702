#!/usr/bin/env python3
"""Compare an Allen cell built by synaptune (allen_dump JSON) with BMTK + NEURON's
(allen_ref.py JSON).

    python3 tools/allen-ref/compare.py NEURON.json SYNAPTUNE.json [--json]

Checks, and counts:

* sections: names in `all` order, parent and x;
* topology: each section's children in NEURON's sibling order (synaptune's
  follow from the cell's `connection_order`: increasing x, later-connected first);
* pt3d: every point [x, y, z, diam] and arc length, bit for bit;
* L, nseg, Ra; per segment area, ri, cm, bit for bit, and diam (NEURON keeps a
  segment's previous diam when the recomputed one differs by ≤ 1e-9 µm, so
  that one is compared within 1e-9 and the last-bit differences counted);
* mechanisms: the same set in every section, and every parameter the cell file
  gives equal to NEURON's value at every segment; the parameters it leaves to
  the mechanism's defaults are listed;
* ions: every `e` the cell file sets equal to NEURON's at every segment;
* trace (when both have one): samples compared bit for bit, max |difference|.

Exits 1 when anything differs (the trace only if both have one). Plain python3.
"""

import json
import sys


def children_from_cell(cell):
    secs = cell["sections"]
    names = [s["name"] for s in secs]
    order = cell.get("connection_order") or [s["name"] for s in secs if s["parent"]]
    ch = {n: [] for n in names}
    x_of = {s["name"]: s["parent"]["x"] for s in secs if s["parent"]}
    for n in order:
        p = [s for s in secs if s["name"] == n][0]["parent"]["section"]
        lst = ch[p]
        pos = next((i for i, c in enumerate(lst) if x_of[n] <= x_of[c]), len(lst))
        lst.insert(pos, n)
    return ch


class Report:
    def __init__(self):
        self.counts = {}
        self.bad = []

    def check(self, what, ok, detail):
        c = self.counts.setdefault(what, [0, 0])
        c[0] += 1
        if not ok:
            c[1] += 1
            if len(self.bad) < 30:
                self.bad.append(f"{what}: {detail}")


def compare_section(r, ns, ss, sg):
    name = ns["name"]
    r.check("parent", ns["parent"] == ss["parent"], f"{name}: {ns['parent']} vs {ss['parent']}")
    pts = ss["points"]
    arcs = ss.get("arcs")
    r.check("pt3d points", ns["points"] == pts, f"{name}")
    if arcs is not None:
        r.check("pt3d arcs", ns["arcs"] == arcs, f"{name}: {ns['arcs'][-1]} vs {arcs[-1]}")
    r.check("L", ns["L"] == sg["L"], f"{name}: {ns['L']!r} vs {sg['L']!r}")
    r.check("nseg", ns["nseg"] == ss["nseg"], f"{name}: {ns['nseg']} vs {ss['nseg']}")
    r.check("Ra", ns["Ra"] == ss["Ra"], f"{name}: {ns['Ra']} vs {ss['Ra']}")
    if ns["nseg"] != ss["nseg"]:
        return
    mechs = ss.get("mechanisms", {})
    ions = ss.get("ions", {})
    for k, (nseg, sseg) in enumerate(zip(ns["segments"], sg["segments"])):
        at = f"{name}({nseg['x']:.6g})"
        for q in ("area", "ri"):
            r.check(q, nseg[q] == sseg[q], f"{at}: {nseg[q]!r} vs {sseg[q]!r}")
        # seg.diam is not used by the simulation. NEURON keeps a segment's
        # previous diam when the recomputed mean differs by at most 1e-9 um
        # (treeset.cpp, diam_from_list), so after nseg or diam changes it can
        # hold the old value; synaptune's is always the fresh mean.
        d = abs(nseg["diam"] - sseg["diam"])
        r.check("diam (within NEURON's 1e-9 um)", d <= 1e-9, f"{at}: {nseg['diam']!r} vs {sseg['diam']!r}")
        if d:
            r.counts["diam last-bit differences (kept by NEURON)"] = r.counts.get(
                "diam last-bit differences (kept by NEURON)", 0) + 1
        r.check("cm", nseg["cm"] == ss["cm"], f"{at}: {nseg['cm']} vs {ss['cm']}")
        r.check(
            "mechanism set",
            set(nseg["mechanisms"]) == set(mechs),
            f"{at}: {sorted(nseg['mechanisms'])} vs {sorted(mechs)}",
        )
        for m, params in mechs.items():
            for p, v in params.items():
                nv = nseg["mechanisms"].get(m, {}).get(p)
                r.check("parameters", nv == v, f"{at}: {p}_{m} {nv!r} vs {v!r}")
            for p in nseg["mechanisms"].get(m, {}):
                if p not in params:
                    r.counts.setdefault("defaults left to the mechanism", set()).add(f"{p}_{m}")
        for ion, st in ions.items():
            if "e" in st:
                nv = nseg["ions"].get(ion, {}).get("e")
                r.check("ion e", nv == st["e"], f"{at}: e{ion} {nv!r} vs {st['e']!r}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    nrn = json.load(open(args[0]))
    syn = json.load(open(args[1]))
    cell = syn["cell"]
    r = Report()
    nnames = [s["name"] for s in nrn["sections"]]
    snames = [s["name"] for s in cell["sections"]]
    r.check("sections (all order)", nnames == snames, f"{len(nnames)} vs {len(snames)}")
    if nnames == snames:
        ch = children_from_cell(cell)
        for ns, ss, sg in zip(nrn["sections"], cell["sections"], syn["geometry"]):
            r.check("children order", ns["children"] == ch[ns["name"]], ns["name"])
            compare_section(r, ns, ss, sg)
    lists = {k: v for k, v in cell.get("section_lists", {}).items()}
    r.check("section lists", lists == nrn["section_lists"], "")
    if "trace" in nrn and "trace" in syn:
        a, b = nrn["trace"]["v"], syn["trace"]["v"]
        n = min(len(a), len(b))
        r.check("trace length", len(a) == len(b), f"{len(a)} vs {len(b)}")
        diffs = [abs(x - y) for x, y in zip(a[:n], b[:n])]
        dt = nrn["trace"]["dt"]
        for i, d in enumerate(diffs):
            r.check("trace samples", d == 0.0, f"t = {i * dt:g} ms: {a[i]!r} vs {b[i]!r}")
        r.counts["trace max |dv| (mV)"] = max(diffs) if diffs else 0.0
    out = {}
    for k, v in r.counts.items():
        if isinstance(v, set):
            out[k] = sorted(v)
        elif isinstance(v, list):
            out[k] = f"{v[0] - v[1]}/{v[0]} equal"
        else:
            out[k] = v
    if "--json" in sys.argv:
        print(json.dumps({"counts": out, "differences": r.bad}, indent=1))
    else:
        for k, v in out.items():
            print(f"{k:32} {v}")
        for b in r.bad:
            print("  DIFF", b)
    failed = any(isinstance(v, list) and v[1] for v in r.counts.values())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
