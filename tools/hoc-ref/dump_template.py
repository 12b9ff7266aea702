#!/usr/bin/env python3
"""Dump what NEURON holds after `new Name()` of a hoc template (the reference
for crates/hoc-template).

    /work/venv-nrn9/bin/python tools/hoc-ref/dump_template.py \
        --template tests/fixtures/hoc/cyl_cell.hoc --name CylCell --out dump.json \
        [--mods DIR]

`--mods DIR` compiles DIR's .mod files with nrnivmodl in a temporary folder
first. The file is loaded from its own folder (`load_file` of files beside it
works as it does there). Per section, in the order of the template's public
`all` list then the instance's other sections (tools/export-cell's order):
name, parent and x, orientation, nseg, L, Ra, n3d, and per segment x, area,
ri, diam, cm, every inserted density mechanism's PARAMETERs, each ion's e, i,
o; the public SectionLists; and `mechanisms`: every density mechanism NEURON
knows with its PARAMETERs' defaults and the ions it uses (a mechanism table
the reader can use without compiling the mods).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export-cell"))


def compile_mods(mods, nrnivmodl):
    tmp = tempfile.mkdtemp(prefix="hocref-")
    for f in os.listdir(mods):
        if f.endswith(".mod"):
            shutil.copy(os.path.join(mods, f), tmp)
    r = subprocess.run([nrnivmodl], cwd=tmp, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("nrnivmodl failed in %s:\n%s" % (tmp, r.stderr[-3000:]))
    return tmp


def mech_table(h):
    mt = h.MechanismType(0)
    name = h.ref("")
    out = {}
    for i in range(int(mt.count())):
        mt.select(i)
        mt.selected(name)
        m = name[0]
        if m in ("morphology", "capacitance", "extracellular") or m.endswith("_ion"):
            continue
        ms = h.MechanismStandard(m, 1)
        params = []
        s = h.ref("")
        for k in range(int(ms.count())):
            size = int(ms.name(s, k))
            full = s[0]
            short = full[: -len("_" + m)] if full.endswith("_" + m) else full
            if size == 1:
                params.append([short, ms.get(full)])
        probe = h.Section(name="hocref_probe_" + m)
        try:
            probe.insert(m)
            ions = [x.name()[:-4] for x in probe(0.5) if x.is_ion()]
        except Exception:
            ions = []
        h.delete_section(sec=probe)
        out[m] = {"params": params, "ions": sorted(ions)}
    points = []
    pt = h.MechanismType(1)
    for i in range(int(pt.count())):
        pt.select(i)
        pt.selected(name)
        points.append(name[0])
    return out, points


def dump(h, obj, export_cell):
    secs, prefix = export_cell.cell_sections(h, obj, quiet=True)
    names = {s: export_cell.short_name(s, prefix) for s in secs}
    out = []
    for sec in secs:
        ps = sec.parentseg()
        d = {
            "name": names[sec],
            "parent": None if ps is None else {"section": names.get(ps.sec, ps.sec.name()), "x": ps.x},
            "orientation": h.section_orientation(sec=sec),
            "nseg": sec.nseg,
            "L": sec.L,
            "Ra": sec.Ra,
            "n3d": int(h.n3d(sec=sec)),
            "arcs": [h.arc3d(i, sec=sec) for i in range(int(h.n3d(sec=sec)))],
            "segments": [],
        }
        for seg in sec:
            sd = {"x": seg.x, "area": seg.area(), "ri": seg.ri(), "diam": seg.diam, "cm": seg.cm}
            mechs, ions = {}, {}
            for m in seg:
                mn = m.name()
                if m.is_ion():
                    ion = mn[:-4]
                    ions[ion] = {
                        "e": getattr(seg, "e" + ion),
                        "i": getattr(seg, ion + "i"),
                        "o": getattr(seg, ion + "o"),
                    }
                    continue
                if mn in export_cell.NOT_MECHANISMS:
                    continue
                ps_ = {}
                for short, full, size in export_cell.mechanism_parameters(h, mn):
                    if size == 1:
                        try:
                            ps_[short] = getattr(seg, full)
                        except Exception:
                            pass
                mechs[mn] = ps_
            sd["mechanisms"] = mechs
            sd["ions"] = ions
            d["segments"].append(sd)
        out.append(d)
    lists = {}
    for attr in sorted(dir(obj)):
        if attr.startswith("_") or attr == "all":
            continue
        try:
            val = getattr(obj, attr)
        except Exception:
            continue
        if export_cell.is_section_list(val):
            lists[attr] = [names.get(s, s.name()) for s in val]
    return out, lists


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--template", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--mods", default=None, help="folder of .mod files to compile first")
    ap.add_argument("--nrnivmodl", default=os.path.join(os.path.dirname(sys.executable), "nrnivmodl"))
    ap.add_argument("--compiled", default=None, help="a folder nrnivmodl already ran in")
    ap.add_argument("--arg", action="append", default=[], type=float)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    from neuron import h
    import export_cell

    if a.mods:
        lib = compile_mods(os.path.abspath(a.mods), a.nrnivmodl)
        export_cell.load_mechanisms(h, lib)
    if a.compiled:
        export_cell.load_mechanisms(h, a.compiled)
    template = os.path.abspath(a.template)
    out_path = os.path.abspath(a.out)
    os.chdir(os.path.dirname(template))
    result = {"template": os.path.basename(template), "name": a.name, "neuron": h.nrnversion(5)}
    try:
        h.load_file("stdrun.hoc")
        # Classes the file creates whose .mod did not compile (noise sources
        # in procedures init() never calls) get placeholders, as export_cell.
        export_cell.declare_missing_classes(h, template)
        if not h.load_file(template):
            raise RuntimeError("load_file failed")
        obj = getattr(h, a.name)(*a.arg)
        result["sections"], result["section_lists"] = dump(h, obj, export_cell)
    except Exception as e:  # NEURON refused: record it
        result["error"] = str(e)
    result["mechanisms"], result["points"] = mech_table(h)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    return 0 if "error" not in result else 3


if __name__ == "__main__":
    sys.exit(main())
