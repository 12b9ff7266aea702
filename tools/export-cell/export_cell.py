#!/usr/bin/env python3
"""Export an instantiated NEURON hoc template as a synaptune-cell/1 JSON file.

    python tools/export-cell/export_cell.py --template templates.hoc --name FSI_Cell \\
        --mechanisms modfiles --out FSI_Cell.json [--arg 0 ...] [--verify]

NEURON loads the mechanisms and the template, builds one instance of the
template, and this script writes what NEURON holds: the sections in the order
of the template's `all` SectionList (that order is `sec_id`), their parents,
geometry (pt3d points exactly as stored, else L and diam), nseg, cm, Ra, every
inserted density mechanism with the value of each of its PARAMETERs, the ion
reversal potentials (and concentrations where a mechanism writes them), and the
template's public SectionLists.  Anything the format cannot express (a value
that varies along a section, a child attached by its 1 end, extracellular,
array parameters, a second root) stops the export with an error that names the
section and the field.

`--verify` rebuilds the written file in NEURON with
tools/neuron-ref/synaptune_nrn.py's `Cell` and compares it with the template's
own instance: every segment's area() and ri(), and the soma voltage of a 50 ms
h.run() at rest and under a current step.  Both must be identical, bit for bit.

See tools/export-cell/README.md.
"""

import argparse
import json
import math
import re
import os
import struct
import sys

FORMAT = "synaptune-cell/1"
HERE = os.path.dirname(os.path.abspath(__file__))
NEURON_REF = os.path.normpath(os.path.join(HERE, "..", "neuron-ref"))

# Mechanisms that are part of every section or are not density mechanisms a
# user inserts: never exported as "mechanisms".
NOT_MECHANISMS = {"morphology", "capacitance"}
# Density mechanisms the format cannot express.
UNSUPPORTED = {
    "extracellular": "extracellular adds layers to the cable equation, which synaptune-cell/1 cannot describe",
}


class ExportError(Exception):
    """A template the format cannot express; the message names section and field."""


def warn(msg):
    print("export_cell: warning: " + msg, file=sys.stderr)


def info(msg):
    print("export_cell: " + msg, file=sys.stderr)


# --------------------------------------------------------------------------
# Loading NEURON, mechanisms and the template
# --------------------------------------------------------------------------


def load_mechanisms(h, path):
    """Load compiled mechanisms from a shared library, an nrnivmodl output
    folder (x86_64/, arm64/, ...) or the folder that holds it."""
    import neuron

    path = os.path.abspath(path)
    if os.path.isfile(path):
        h.nrn_load_dll(path)
        return path
    if not os.path.isdir(path):
        raise ExportError(f"--mechanisms {path}: no such file or folder")
    # The folder nrnivmodl ran in (holds x86_64/ or arm64/).
    for arch in ("x86_64", "arm64", "aarch64", "i686", "powerpc", "umac"):
        lib_dir = os.path.join(path, arch)
        for lib in ("libnrnmech.so", "libnrnmech.dylib", ".libs/libnrnmech.so"):
            if os.path.isfile(os.path.join(lib_dir, lib)):
                h.nrn_load_dll(os.path.join(lib_dir, lib))
                return os.path.join(lib_dir, lib)
    # The architecture folder itself.
    for lib in ("libnrnmech.so", "libnrnmech.dylib", ".libs/libnrnmech.so", "nrnmech.dll"):
        if os.path.isfile(os.path.join(path, lib)):
            h.nrn_load_dll(os.path.join(path, lib))
            return os.path.join(path, lib)
    # Let NEURON try (Windows layouts and the like).
    if neuron.load_mechanisms(path, warn_if_already_loaded=False):
        return path
    raise ExportError(
        f"--mechanisms {path}: no compiled mechanisms found (expected a libnrnmech "
        "shared library, or a folder holding x86_64/ or arm64/ from nrnivmodl)"
    )


def parse_arg(a):
    """A template argument: a number when it parses as one, else a string."""
    try:
        return float(a)
    except ValueError:
        return a


def instantiate(h, template_file, name, args):
    if not os.path.isfile(template_file):
        raise ExportError(f"--template {template_file}: no such file")
    if not template_file.endswith(".hoc"):
        raise ExportError(
            f"--template {template_file}: only hoc templates are supported "
            "(load a Python cell class yourself and call export_object())"
        )
    h.load_file("stdrun.hoc")
    placeholders = declare_missing_classes(h, template_file)
    try:
        ok = h.load_file(os.path.abspath(template_file))
    except RuntimeError as e:
        raise ExportError(f"--template {template_file}: NEURON could not load it ({e})") from None
    if not ok:
        raise ExportError(f"--template {template_file}: NEURON could not load it")
    ctor = getattr(h, name, None)
    if ctor is None:
        raise ExportError(f"--template {template_file} defines no template named `{name}`")
    try:
        return ctor(*[parse_arg(a) for a in args])
    except RuntimeError as e:
        used = ", ".join(f"`{c}` (line {line})" for c, line in placeholders)
        hint = (
            f"; it may need {used}, which no loaded mechanism defines — compile its .mod "
            "file and pass it with --mechanisms"
            if placeholders
            else ""
        )
        raise ExportError(f"`new {name}()` failed in NEURON ({e}){hint}") from None


# `new NAME(` in hoc: a template or a point process the file instantiates.
NEW_CLASS = re.compile(r"\bnew\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def declare_missing_classes(h, template_file):
    """Declare an empty placeholder template for every class the file creates
    with `new` that NEURON does not know (a point process of a .mod file that
    was not compiled, such as a noise source a procedure the cell never runs
    uses), so the file loads: hoc resolves `new NAME` when it parses a template.
    Building the cell with such a placeholder fails and names it. Returns
    [(name, line)] of the placeholders, each reported as a warning."""
    with open(template_file, errors="replace") as f:
        lines = f.read().splitlines()
    missing = {}
    for k, text in enumerate(lines, start=1):
        code = text.split("//", 1)[0]
        for m in NEW_CLASS.finditer(code):
            c = m.group(1)
            if c not in missing and not h.name_declared(c):
                missing[c] = k
    for c, k in missing.items():
        h(
            f"begintemplate {c}\nproc init() {{ execerror(\"{c} is not defined: "
            f"its mechanism was not loaded (see --mechanisms)\", \"\") }}\nendtemplate {c}\n"
        )
        warn(
            f"{os.path.basename(template_file)}:{k}: `new {c}(...)`: no loaded mechanism or "
            "template defines it; the template loads without it and the export fails only "
            "if building the cell creates one"
        )
    return list(missing.items())


# --------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def point_value(v):
    """A pt3d coordinate as a JSON number that gives the same float32 back.

    NEURON stores pt3d values as float32; `v` is that float32 widened to a
    double.  The shortest decimal that rounds to the same float32 is written
    (7.5, 0.1, 157.5), checked by parsing it back; otherwise the exact double."""
    if not math.isfinite(v):
        raise ExportError(f"non-finite 3-D point value {v}")
    for p in range(1, 10):
        s = "%.*g" % (p, v)
        if f32(float(s)) == v:
            return float(s)
    return v


def pt3dadd_arcs(pts):
    """The arc lengths pt3dadd computes for float32 points (double sums)."""
    arcs = [0.0]
    for a, b in zip(pts, pts[1:]):
        d = [f32(f32(b[k]) - f32(a[k])) for k in range(3)]
        arcs.append(arcs[-1] + math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]))
    return arcs


def same(a, b):
    return a == b or (a != a and b != b)


# --------------------------------------------------------------------------
# The export
# --------------------------------------------------------------------------


def is_section_list(obj):
    try:
        return obj is not None and obj.hname().startswith("SectionList")
    except Exception:
        return False


def short_name(sec, prefix):
    n = sec.name()
    return n[len(prefix):] if prefix and n.startswith(prefix) else n


def cell_sections(h, obj, quiet=False):
    """Sections of the template instance in `all` order, then the others."""
    prefix = obj.hname() + "."
    mine = [s for s in h.allsec() if s.name().startswith(prefix)]
    all_list = getattr(obj, "all", None) if "all" in dir(obj) else None
    if is_section_list(all_list):
        order = list(all_list)
        keys = {s for s in order}
        extra = [s for s in mine if s not in keys]
        foreign = [s.name() for s in order if not s.name().startswith(prefix)]
        if foreign and not quiet:
            warn(
                "`all` holds sections that do not belong to %s: %s (exported anyway)"
                % (obj.hname(), ", ".join(foreign))
            )
        if extra and not quiet:
            warn(
                "sections not in the template's `all` list are appended after it "
                "(sec_id counts only `all`, so these come last): "
                + ", ".join(short_name(s, prefix) for s in extra)
            )
        return order + extra, prefix
    if not mine:
        raise ExportError(f"{obj.hname()} has no sections")
    warn(
        "the template has no public SectionList `all`; sections are exported in "
        "NEURON's creation order, which may not be the order bmtool's sec_id uses"
    )
    return mine, prefix


def mechanism_parameters(h, mech):
    """[(parameter, full hoc name)] of a density mechanism's PARAMETERs."""
    ms = h.MechanismStandard(mech, 1)
    s = h.ref("")
    out = []
    for i in range(int(ms.count())):
        size = int(ms.name(s, i))
        full = s[0]
        suffix = "_" + mech
        short = full[: -len(suffix)] if full.endswith(suffix) else full
        out.append((short, full, size))
    return out


def range_value(values):
    """A range variable of a section as the cell file writes it: one number
    when every segment holds the same value, else one number per segment."""
    v0 = values[0]
    if all(same(v, v0) for v in values[1:]):
        return v0
    return list(values)


def ion_styles(h, ion, sec):
    """NEURON's ion_style code split into its parts."""
    code = int(h.ion_style(ion + "_ion", sec=sec))
    return {
        "c_style": code & 3,
        "e_style": (code >> 2) & 3,
        "einit": (code >> 4) & 1,
        "eadvance": (code >> 5) & 1,
        "cinit": (code >> 6) & 1,
    }


def export_section(h, sec, name, names_by_sec, prefix):
    segs = list(sec)
    out = {"name": name}

    # Topology.
    ps = sec.parentseg()
    if ps is None:
        out["parent"] = None
    else:
        psec = ps.sec
        if psec not in names_by_sec:
            raise ExportError(
                f"section {name}: parent {psec.name()} is not part of the cell"
            )
        orient = h.section_orientation(sec=sec)
        if orient != 0:
            raise ExportError(
                f"section {name}: it is connected to {short_name(psec, prefix)} by its 1 end "
                f"(section_orientation = {orient:g}); synaptune-cell/1 attaches the 0 end "
                "of every child (connect child(0), parent(x)) — reconnect it in the template"
            )
        out["parent"] = {"section": names_by_sec[psec], "x": ps.x}

    # Geometry.
    n3d = int(h.n3d(sec=sec))
    if n3d > 0:
        if n3d < 2:
            raise ExportError(f"section {name}: points: a single 3-D point; need at least two")
        pts = []
        for i in range(n3d):
            pts.append(
                [
                    point_value(h.x3d(i, sec=sec)),
                    point_value(h.y3d(i, sec=sec)),
                    point_value(h.z3d(i, sec=sec)),
                    point_value(h.diam3d(i, sec=sec)),
                ]
            )
        out["points"] = pts
        arcs = [h.arc3d(i, sec=sec) for i in range(n3d)]
        if arcs != pt3dadd_arcs(pts):
            # define_shape() and length changes store arc lengths that pt3dadd
            # of the same float32 points would not give (the last arc is L):
            # areas and ri follow the stored arcs, so they are written too.
            out["arcs"] = arcs
    else:
        out["L"] = sec.L
        out["diam"] = range_value([seg.diam for seg in segs])
    out["nseg"] = sec.nseg
    out["cm"] = range_value([seg.cm for seg in segs])
    out["Ra"] = sec.Ra

    # Density mechanisms and their PARAMETERs.
    mechs = {}
    ions = []
    # NEURON lists a segment's mechanisms newest first: reversed, this is the
    # order the template inserted them (the order does not change the simulation).
    for m in reversed(list(segs[0])):
        mname = m.name()
        if m.is_ion():
            ions.append(mname[: -len("_ion")])
            continue
        if mname in NOT_MECHANISMS:
            continue
        if mname in UNSUPPORTED:
            raise ExportError(f"section {name}: mechanisms.{mname}: {UNSUPPORTED[mname]}")
        params = {}
        for short, full, size in mechanism_parameters(h, mname):
            if size != 1:
                raise ExportError(
                    f"section {name}: mechanisms.{mname}.{short}: an array parameter "
                    f"({size} values); synaptune-cell/1 holds scalar parameters only"
                )
            try:
                vals = [getattr(seg, full) for seg in segs]
            except (AttributeError, LookupError, TypeError):
                warn(
                    f"section {name}: mechanisms.{mname}.{short} is not a RANGE variable "
                    "(a GLOBAL); globals are not part of the cell — set them in your run"
                )
                continue
            params[short] = range_value(vals)
        mechs[mname] = params
    for seg in segs[1:]:
        other = sorted(m.name() for m in seg)
        if other != sorted(m.name() for m in segs[0]):
            raise ExportError(f"section {name}: mechanisms differ between segments")
    out["mechanisms"] = mechs

    # Ions.
    if ions:
        ion_out = {}
        for ion in sorted(ions):
            st = ion_styles(h, ion, sec)
            entry = {"e": range_value([getattr(seg, "e" + ion) for seg in segs])}
            if st["c_style"] == 3:
                # A mechanism WRITEs a concentration: its initial values matter.
                entry["ci"] = range_value([getattr(seg, ion + "i") for seg in segs])
                entry["co"] = range_value([getattr(seg, ion + "o") for seg in segs])
            if st["eadvance"] or st["einit"]:
                warn(
                    f"section {name}: ions.{ion}: NEURON computes e{ion} from the "
                    "concentrations (Nernst) in this section; the exported e is the value "
                    "NEURON holds now"
                )
            ion_out[ion] = entry
        out["ions"] = ion_out
    return out


def export_object(h, obj, name=None, comment=None):
    """The synaptune-cell/1 dict of an instantiated template `obj`."""
    secs, prefix = cell_sections(h, obj)
    names_by_sec = {}
    for s in secs:
        n = short_name(s, prefix)
        if n in names_by_sec.values():
            raise ExportError(f"two sections are named {n}")
        names_by_sec[s] = n
    sections = [export_section(h, s, names_by_sec[s], names_by_sec, prefix) for s in secs]
    roots = [s["name"] for s in sections if s["parent"] is None]
    if len(roots) != 1:
        raise ExportError(
            "the cell must be one tree with exactly one root; roots: "
            + (", ".join(roots) if roots else "none")
        )

    lists = {}
    skipped = []
    for attr in sorted(dir(obj)):
        if attr.startswith("_") or attr == "all":
            continue
        try:
            val = getattr(obj, attr)
        except Exception:
            continue
        if val is None:
            skipped.append(attr)
            continue
        if not is_section_list(val):
            continue
        members = []
        for s in val:
            if s not in names_by_sec:
                raise ExportError(
                    f"section_lists.{attr}: holds {s.name()}, which is not part of the cell"
                )
            members.append(names_by_sec[s])
        lists[attr] = members
    if skipped:
        info("public object references left unset (not exported): " + ", ".join(skipped))

    cell = {"format": FORMAT, "name": name or obj.hname().split("[")[0]}
    if comment:
        cell["comment"] = comment
    cell["sections"] = sections
    cell["section_lists"] = lists
    return cell


def dumps(v, indent=0, lead=0, width=100):
    """JSON with every value that fits on its line kept on one line."""
    flat = json.dumps(v, allow_nan=False)
    if not isinstance(v, (dict, list)) or not v or indent + lead + len(flat) <= width:
        return flat
    pad = " " * (indent + 2)
    if isinstance(v, dict):
        items = [
            pad + json.dumps(k) + ": " + dumps(x, indent + 2, len(json.dumps(k)) + 2, width)
            for k, x in v.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + dumps(x, indent + 2, 0, width) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def write_json(path, cell):
    text = dumps(cell) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# --------------------------------------------------------------------------
# --verify
# --------------------------------------------------------------------------


def soma_of(secs_by_name, order):
    for n in ("soma[0]", "soma"):
        if n in secs_by_name:
            return secs_by_name[n]
    return order[0]


def verify(h, obj, cell, amp, celsius, tstop=50.0):
    """Rebuild `cell` with synaptune_nrn.Cell next to `obj`; compare geometry
    and two 50 ms h.run() soma traces.  Returns (ok, report lines)."""
    sys.path.insert(0, NEURON_REF)
    import synaptune_nrn  # noqa: E402

    rebuilt = synaptune_nrn.Cell(cell, prefix="verify.")
    orig_secs, prefix = cell_sections(h, obj, quiet=True)
    orig = {short_name(s, prefix): s for s in orig_secs}
    lines = []
    ok = True

    # Geometry: every segment's area and ri, over allseg().
    nseg_total = 0
    for s in cell["sections"]:
        a_sec, b_sec = orig[s["name"]], rebuilt.secs[s["name"]]
        a_segs, b_segs = list(a_sec.allseg()), list(b_sec.allseg())
        if len(a_segs) != len(b_segs):
            ok = False
            lines.append(f"FAIL {s['name']}: {len(a_segs)} vs {len(b_segs)} segments")
            continue
        for sa, sb in zip(a_segs, b_segs):
            nseg_total += 1
            if sa.x != sb.x or sa.area() != sb.area() or sa.ri() != sb.ri():
                ok = False
                lines.append(
                    f"FAIL {s['name']}({sa.x:g}): area {sa.area()!r} vs {sb.area()!r}, "
                    f"ri {sa.ri()!r} vs {sb.ri()!r}"
                )
    lines.append(
        f"geometry: {nseg_total} segments (allseg, ends included): area() and ri() "
        + ("identical" if ok else "DIFFER")
    )

    # Dynamics: soma voltage, 50 ms of h.run(), at rest and under a step.
    soma_a = soma_of(orig, orig_secs)
    soma_b = soma_of(rebuilt.secs, rebuilt.order)
    h.celsius = celsius
    h.dt = 0.025
    h.steps_per_ms = 40.0
    h.secondorder = 0
    h.v_init = -65.0
    h.tstop = tstop
    stims = []
    for sec in (soma_a, soma_b):
        st = h.IClamp(sec(0.5))
        st.delay, st.dur, st.amp = 10.0, 30.0, 0.0
        stims.append(st)
    ra, rb, rt = h.Vector(), h.Vector(), h.Vector()
    ra.record(soma_a(0.5)._ref_v)
    rb.record(soma_b(0.5)._ref_v)
    rt.record(h._ref_t)
    for label, a in (("rest", 0.0), (f"IClamp {amp:g} nA from 10 to 40 ms", amp)):
        for st in stims:
            st.amp = a
        h.run()
        va, vb = list(ra), list(rb)
        diff = max(abs(x - y) for x, y in zip(va, vb))
        same_trace = len(va) == len(vb) and all(x == y for x, y in zip(va, vb))
        ok = ok and same_trace
        spikes = sum(1 for k in range(1, len(va)) if va[k - 1] < 0.0 <= va[k])
        lines.append(
            f"h.run() {tstop:g} ms ({label}; v_init -65, dt 0.025, celsius {celsius:g}): "
            f"{len(va)} samples, soma v from {min(va):.4f} to {max(va):.4f} mV, "
            f"{spikes} spikes; "
            + ("identical" if same_trace else f"DIFFER (max |dv| = {diff!r} mV)")
        )
    for st in stims:
        st.amp = 0.0
    return ok, lines


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Dump an instantiated NEURON hoc template into synaptune-cell/1 JSON."
    )
    ap.add_argument("--template", required=True, help="hoc file defining the template")
    ap.add_argument("--name", required=True, help="template name (e.g. FSI_Cell)")
    ap.add_argument(
        "--mechanisms",
        action="append",
        default=[],
        metavar="PATH",
        help="compiled mechanisms: libnrnmech.so, or a folder holding x86_64/ "
        "(nrnivmodl's output); repeatable",
    )
    ap.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="VALUE",
        help="an argument of the template's constructor (numbers as numbers), repeatable",
    )
    ap.add_argument("--out", required=True, help="output JSON file ('-' for stdout)")
    ap.add_argument(
        "--cell-name", default=None, help="the cell's `name` in the file (default: --name)"
    )
    ap.add_argument(
        "--verify",
        action="store_true",
        help="rebuild the export with tools/neuron-ref/synaptune_nrn.py and compare "
        "areas, ri and 50 ms soma traces with the template",
    )
    ap.add_argument(
        "--verify-amp",
        type=float,
        default=0.1,
        help="current step (nA) at the soma for the second --verify run (default 0.1)",
    )
    ap.add_argument(
        "--verify-celsius", type=float, default=6.3, help="celsius for --verify (default 6.3)"
    )
    args = ap.parse_args(argv)

    from neuron import h

    try:
        for m in args.mechanisms:
            load_mechanisms(h, m)
        obj = instantiate(h, args.template, args.name, args.arg)
        comment = (
            f"Exported from {os.path.basename(args.template)} ({args.name}"
            + (f" with arguments {args.arg}" if args.arg else "")
            + f") by tools/export-cell/export_cell.py, NEURON {h.nrnversion(5)}"
        )
        cell = export_object(h, obj, name=args.cell_name or args.name, comment=comment)
        # The file must read back as the same data.
        assert json.loads(json.dumps(cell)) == cell
        write_json(args.out, cell)
    except ExportError as e:
        print(f"export_cell: error: {args.template} ({args.name}): {e}", file=sys.stderr)
        return 2
    except (RuntimeError, LookupError, AttributeError, TypeError) as e:
        # NEURON raises these for hoc errors while the cell is read out.
        print(
            f"export_cell: error: {args.template} ({args.name}): NEURON failed while the "
            f"cell was exported: {type(e).__name__}: {e}",
            file=sys.stderr,
        )
        return 2
    info(
        f"wrote {args.out}: {len(cell['sections'])} sections, "
        f"section lists: {', '.join(cell['section_lists']) or 'none'}"
    )
    if args.verify:
        try:
            ok, lines = verify(h, obj, cell, args.verify_amp, args.verify_celsius)
        except (RuntimeError, LookupError, AttributeError, TypeError) as e:
            print(
                f"export_cell: error: --verify: NEURON could not rebuild {args.out}: "
                f"{type(e).__name__}: {e} (the file is written)",
                file=sys.stderr,
            )
            return 2
        for line in lines:
            info("verify: " + line)
        info("verify: " + ("PASS (identical)" if ok else "FAIL"))
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
