#!/usr/bin/env python3
"""Build an Allen/BMTK biophysical cell exactly as BMTK + NEURON do and dump it.

    python tools/allen-ref/allen_ref.py --swc CELL.swc --dynamics PARAMS.json \\
        --processing aibs_perisomatic [--dl 20] [--mechanisms DIR_OR_LIB] \\
        [--iclamp DELAY:DUR:AMP --tstop T --dt DT] --out OUT.json

The cell is built by BMTK's own code: `bmtk.simulator.bionet.nrn.load_neuron_modules`
(NEURON's import3d.hoc and BMTK's `Biophys1` template), `h.Biophys1(swc)`, the
`model_processing` functions of `bmtk.simulator.bionet.default_setters.cell_models`
(a comma-separated list, applied in order, as BMTK does; `aibs_allactive_fullaxon`
is the one BMTK's bio_all_active_sweep example defines), and
`Morphology.set_segment_dl(dL)` when `--dl` is given (BMTK's `run.dL`).

OUT.json holds, for the cell as BMTK leaves it:

* `import3d`: every section right after `Biophys1` (before any processing): name,
  parent, pt3d points and arc lengths — what Import3d built;
* `sections`, in the order of `hobj.all` (BMTK's `sec_id`): name, parent section
  and x, children in NEURON's sibling order, pt3d points `[x, y, z, diam]` and
  `arc3d` (float32 values written exactly), `L`, `nseg`, `Ra`, and per segment
  `x`, `area`, `ri`, `diam`, `cm`, every density mechanism with every PARAMETER,
  and each ion's `e` (plus `ci`/`co`);
* `section_lists`: the template's public SectionLists;
* `trace` (with `--iclamp`): `t` and `v` at soma[0](0.5) of `finitialize(v_init)`
  then `fadvance()` while t < tstop − dt/2 (stdrun's `run()`), with an IClamp at soma[0](0.5), `celsius` and `v_init` from the dynamics file's
  `conditions` (or `--celsius`/`--v-init`), `dt`, `secondorder` 0.

Every number is written with Python's repr (the exact double). Run it with
/work/venv-nrn9/bin/python (NEURON 9.0.2 + `pip install bmtk`). See README.md.
"""

import argparse
import json
import os
import sys

ION_FIELDS = ("e", "i", "o")


def load_mechanisms(h, path):
    """A compiled mechanism library, or the folder nrnivmodl ran in."""
    path = os.path.abspath(path)
    if os.path.isfile(path):
        h.nrn_load_dll(path)
        return path
    for arch in ("x86_64", "arm64", "aarch64"):
        lib = os.path.join(path, arch, "libnrnmech.so")
        if os.path.isfile(lib):
            h.nrn_load_dll(lib)
            return lib
    sys.exit(f"allen_ref: --mechanisms {path}: no libnrnmech.so in it")


def short(sec):
    """`Biophys1[0].soma[0]` -> `soma[0]`."""
    n = sec.name()
    return n.split(".", 1)[1] if "." in n else n


def pt3d(h, sec):
    n = int(h.n3d(sec=sec))
    pts = [
        [h.x3d(i, sec=sec), h.y3d(i, sec=sec), h.z3d(i, sec=sec), h.diam3d(i, sec=sec)]
        for i in range(n)
    ]
    arcs = [h.arc3d(i, sec=sec) for i in range(n)]
    return pts, arcs


def parent_of(sec):
    ps = sec.parentseg()
    if ps is None:
        return None
    return {"section": short(ps.sec), "x": ps.x}


def mech_params(h, name, cache={}):
    if name not in cache:
        ms = h.MechanismStandard(name, 1)
        s = h.ref("")
        out = []
        for i in range(int(ms.count())):
            ms.name(s, i)
            full = s[0]
            suffix = "_" + name
            out.append((full[: -len(suffix)] if full.endswith(suffix) else full, full))
        cache[name] = out
    return cache[name]


def segment(h, seg):
    mechs = {}
    ions = {}
    for m in seg:
        name = m.name()
        if m.is_ion():
            ion = name[: -len("_ion")]
            ions[ion] = {
                "e": getattr(seg, "e" + ion),
                "ci": getattr(seg, ion + "i"),
                "co": getattr(seg, ion + "o"),
            }
            continue
        mechs[name] = {p: getattr(seg, full) for p, full in mech_params(h, name)}
    return {
        "x": seg.x,
        "area": seg.area(),
        "ri": seg.ri(),
        "diam": seg.diam,
        "cm": seg.cm,
        "mechanisms": mechs,
        "ions": ions,
    }


def section(h, sec):
    pts, arcs = pt3d(h, sec)
    return {
        "name": short(sec),
        "parent": parent_of(sec),
        "orientation": h.section_orientation(sec=sec),
        "children": [short(c) for c in sec.children()],
        "points": pts,
        "arcs": arcs,
        "L": sec.L,
        "nseg": sec.nseg,
        "Ra": sec.Ra,
        "segments": [segment(h, seg) for seg in sec],
    }


def snapshot(h, hobj):
    out = []
    for sec in hobj.all:
        pts, arcs = pt3d(h, sec)
        out.append({"name": short(sec), "parent": parent_of(sec), "points": pts, "arcs": arcs})
    return out


def section_lists(hobj):
    out = {}
    for name in ("somatic", "axonal", "basal", "apical"):
        sl = getattr(hobj, name, None)
        if sl is not None:
            out[name] = [short(s) for s in sl]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swc", required=True)
    ap.add_argument("--dynamics", help="dynamics_params JSON (none: morphology only)")
    ap.add_argument("--processing", default="", help="model_processing (comma list)")
    ap.add_argument("--dl", type=float, help="BMTK run.dL (nseg = 1 + 2*int(L/(2*dL)))")
    ap.add_argument("--mechanisms", help="nrnivmodl output folder or libnrnmech.so")
    ap.add_argument("--iclamp", help="DELAY:DUR:AMP of an IClamp at soma[0](0.5)")
    ap.add_argument("--tstop", type=float, default=100.0)
    ap.add_argument("--dt", type=float, default=0.025)
    ap.add_argument("--celsius", type=float)
    ap.add_argument("--v-init", type=float)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    from neuron import h
    import bmtk
    from bmtk.simulator.bionet import nrn
    from bmtk.simulator.bionet.default_setters import cell_models
    from bmtk.simulator.bionet.morphology import Morphology

    if a.mechanisms:
        load_mechanisms(h, a.mechanisms)
    nrn.load_neuron_modules(None, None)
    swc = os.path.abspath(a.swc)
    params = None
    if a.dynamics:
        with open(a.dynamics) as f:
            params = json.load(f)

    hobj = h.Biophys1(swc)
    before = snapshot(h, hobj)
    for proc in [p for p in a.processing.split(",") if p]:
        if proc == "aibs_allactive_fullaxon":
            # BMTK's bio_all_active_sweep example defines it: set_params_allactive
            # with the reconstructed axon kept.
            cell_models.set_params_allactive(hobj, params)
            continue
        hobj = getattr(cell_models, proc)(hobj, None, params)
    if a.dl is not None:
        Morphology(hobj).set_segment_dl(a.dl)

    out = {
        "neuron": h.nrnversion(),
        "bmtk": bmtk.__version__,
        "swc": os.path.basename(a.swc),
        "dynamics": os.path.basename(a.dynamics) if a.dynamics else None,
        "processing": a.processing,
        "dl": a.dl,
        "import3d": before,
        "sections": [section(h, sec) for sec in hobj.all],
        "section_lists": section_lists(hobj),
    }

    if a.iclamp:
        conditions = (params or {}).get("conditions", [{}])[0]
        celsius = a.celsius if a.celsius is not None else conditions.get("celsius", 6.3)
        v_init = a.v_init if a.v_init is not None else conditions.get("v_init", -65.0)
        delay, dur, amp = (float(x) for x in a.iclamp.split(":"))
        soma = hobj.soma[0]
        ic = h.IClamp(soma(0.5))
        ic.delay, ic.dur, ic.amp = delay, dur, amp
        tv = h.Vector().record(h._ref_t)
        vv = h.Vector().record(soma(0.5)._ref_v)
        h.secondorder = 0
        h.celsius = celsius
        h.dt = a.dt
        # stdrun's run() without BMTK's advance() (advance.hoc calls its simulator):
        # finitialize(v_init), then fadvance() while t < tstop - dt/2.
        h.finitialize(v_init)
        ts = a.tstop - a.dt / 2
        while h.t < ts:
            h.fadvance()
        out["trace"] = {
            "iclamp": [delay, dur, amp],
            "celsius": celsius,
            "v_init": v_init,
            "dt": a.dt,
            "tstop": a.tstop,
            "t": list(tv),
            "v": list(vv),
        }

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"allen_ref: wrote {a.out} ({len(out['sections'])} sections)", file=sys.stderr)


if __name__ == "__main__":
    main()
