"""Build synaptune-cell/1 cells in NEURON, and helpers shared by the fixture scripts.

The builder follows the cell format exactly: sections are created in file order,
connected in file order, given their geometry (L/diam, or pt3d points added with
pt3dadd, no define_shape), nseg, cm, Ra, mechanisms with their parameters, and ion
settings.  It is the NEURON side of every parity fixture.
"""
import json
import os

from neuron import h

h.load_file("stdrun.hoc")


def load_json(path):
    with open(path) as f:
        return json.load(f)


def set_range(sec, name, value):
    """A range variable: one value for every segment, or a list of one per segment."""
    for j, seg in enumerate(sec):
        setattr(seg, name, value[j] if isinstance(value, list) else value)


class Cell:
    """A cell built in NEURON from a synaptune-cell/1 description."""

    def __init__(self, spec, prefix=""):
        self.spec = spec
        self.secs = {}
        self.order = []
        for s in spec["sections"]:
            sec = h.Section(name=prefix + s["name"])
            self.secs[s["name"]] = sec
            self.order.append(sec)
        for s in spec["sections"]:
            p = s.get("parent")
            if p is not None:
                self.secs[s["name"]].connect(self.secs[p["section"]](p.get("x", 1.0)), 0)
        for s in spec["sections"]:
            sec = self.secs[s["name"]]
            if "points" in s:
                h.pt3dclear(sec=sec)
                for (x, y, z, d) in s["points"]:
                    h.pt3dadd(x, y, z, d, sec=sec)
            else:
                sec.L = s["L"]
                if not isinstance(s["diam"], list):
                    sec.diam = s["diam"]
            sec.nseg = int(s.get("nseg", 1))
            if "points" not in s and isinstance(s["diam"], list):
                set_range(sec, "diam", s["diam"])
            set_range(sec, "cm", s.get("cm", 1.0))
            sec.Ra = s.get("Ra", 35.4)
            for mech, params in s.get("mechanisms", {}).items():
                sec.insert(mech)
                for k, v in params.items():
                    set_range(sec, "%s_%s" % (k, mech), v)
            for ion, st in s.get("ions", {}).items():
                if not h.ismembrane(ion + "_ion", sec=sec):
                    # The template inserted the ion itself (`insert ca_ion`)
                    # without a mechanism that uses it.
                    sec.insert(ion + "_ion")
                if "e" in st:
                    set_range(sec, "e" + ion, st["e"])
                if "ci" in st:
                    set_range(sec, ion + "i", st["ci"])
                if "co" in st:
                    set_range(sec, ion + "o", st["co"])

    def sec(self, name):
        if name in self.secs:
            return self.secs[name]
        return self.secs[name + "[0]"]


def parse_loc(spec):
    """'SEC:X:REST...' -> (SEC, X, [REST...])"""
    parts = spec.split(":")
    return parts[0], float(parts[1]), parts[2:]


def ref(cell, sec, x, var):
    seg = cell.sec(sec)(x)
    return getattr(seg, "_ref_" + var)


def write_csv(path, header, columns):
    n = len(columns[0])
    for c in columns:
        assert len(c) == n, (path, len(c), n)
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for i in range(n):
            f.write(",".join("%.17g" % c[i] for c in columns) + "\n")


def geometry_table(cell):
    """Rows (section, x, area, ri) over every section's allseg()."""
    rows = []
    for s in cell.spec["sections"]:
        sec = cell.secs[s["name"]]
        for seg in sec.allseg():
            rows.append((s["name"], seg.x, seg.area(), seg.ri()))
    return rows


def write_geometry(path, cell):
    with open(path, "w") as f:
        f.write("section,x,area,ri\n")
        for (s, x, a, r) in geometry_table(cell):
            f.write("%s,%.17g,%.17g,%.17g\n" % (s, x, a, r))


def delete_all():
    for s in list(h.allsec()):
        h.delete_section(sec=s)


def neuron_version():
    return h.nrnversion(5) if hasattr(h, "nrnversion") else "?"


def here(*p):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), *p)
