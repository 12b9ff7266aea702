"""What NEURON 9.0.2 registers for tests/fixtures/nmodl/nothing/ (a `SUFFIX nothing`
file beside a density mechanism): the mechanism names nrnivmodl's library adds and
the hoc functions of the `nothing` file. Writes tests/fixtures/neuron/nmodl_nothing.json.

    /work/venv-nrn9/bin/python tools/neuron-ref/gen_nothing_fixture.py
"""
import glob, json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SRC = os.path.join(ROOT, "tests", "fixtures", "nmodl", "nothing")


def names(h):
    out = []
    for kind in (0, 1):
        mt = h.MechanismType(kind)
        s = h.ref("")
        for i in range(int(mt.count())):
            mt.select(i)
            mt.selected(s)
            out.append(s[0])
    return out


def main():
    work = tempfile.mkdtemp(prefix="synaptune-nothing-")
    for f in sorted(glob.glob(os.path.join(SRC, "*.mod"))):
        shutil.copy(f, work)
    nrnivmodl = os.path.join(os.path.dirname(sys.executable), "nrnivmodl")
    subprocess.run([nrnivmodl], cwd=work, check=True, stdout=subprocess.DEVNULL)
    lib = glob.glob(os.path.join(work, "*", "libnrnmech.so"))[0]
    from neuron import h, __version__
    before = set(names(h))
    h.nrn_load_dll(lib)
    added = [n for n in names(h) if n not in before]
    out = {"neuron": __version__, "mechanisms": added, "twice(3)": h.twice(3.0), "scale": h.scale}
    with open(os.path.join(ROOT, "tests", "fixtures", "neuron", "nmodl_nothing.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(out)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
