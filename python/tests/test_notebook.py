"""examples/notebooks/synaptic_tuner.ipynb executed headless (nbclient +
ipykernel) with its outputs checked; and a notebook written for
``bmtool.synapses`` (its layout: templates.hoc and a modfiles folder beside
it, nrnivmodl called from a cell) run with only its import line changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from conftest import CELLS, ROOT, TUNER_REF, need

NOTEBOOK = ROOT / "examples" / "notebooks" / "synaptic_tuner.ipynb"


def outputs(cell, kind):
    return [o for o in cell.get("outputs", []) if o.get("output_type") in kind]


def text_of(cell):
    return "".join(o.get("text", "") for o in outputs(cell, ("stream",)))


def has_png(cell):
    return any("image/png" in o.get("data", {}) for o in outputs(cell, ("display_data", "execute_result")))


def test_the_example_notebook_runs_and_gives_its_numbers(tmp_path):
    nbformat = need("nbformat")
    nbclient = need("nbclient")
    need("ipykernel")
    need("matplotlib")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    by = lambda start: next(c for c in code if c.source.startswith(start))  # noqa: E731
    single = by("tuner.SingleEvent()")
    assert has_png(single) and "('amp'," in text_of(single) and "Current Integral" in text_of(single)
    inter = by("tuner.InteractiveTuner()")
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs(inter, ("display_data",)))
    assert "<iframe" in html and "127.0.0.1" in html
    assert has_png(by("results = tuner.stp_frequency_response"))
    fit = by("from synaptune import SynapseOptimizer")
    assert has_png(fit) and "Optimization Results:" in text_of(fit)
    assert "bmtool convention fit: cost" in text_of(by("bm = SynapseTuner"))
    assert has_png(by("from synaptune import GapJunctionTuner"))
    assert has_png(by("from synaptune import GapJunctionOptimizer"))
    assert has_png(by("import matplotlib.pyplot as plt"))
    line = next(l for l in text_of(by("import json")).splitlines() if l.startswith("NOTEBOOK-SUMMARY "))
    s = json.loads(line[len("NOTEBOOK-SUMMARY "):])
    ref = json.loads((TUNER_REF / "gap_reference.json").read_text())
    assert s["sweep_cc"] == ref["sweep"]["coupling_coefficient"], "bmtool's coupling coefficients, bit for bit"
    assert abs(s["gap_cc"] - 0.37) < 1e-9
    assert 0 < s["rise_time"] < 5 and 5 < s["decay_time"] < 30
    assert s["fr_induction_200hz"] < s["fr_induction_1hz"] < 0, "depressing, more at high rates"
    assert s["fit_error"] < 0.05
    assert abs(s["fit_achieved"]["induction"] + 0.75) < 0.1
    bm = json.loads((TUNER_REF / "fsi_reference.json").read_text())
    expected = bm["cases"]["Dep2FSI"]["vclamp_true"]["bmtool"]["train"]["induction"]
    assert abs(s["bmtool_induction"] - expected) < 0.005
    assert s["bmtool_fit_error"] < 1e-9, "bmtool's targets are met under its definitions"
    assert s["server_was_running"] is True


# A notebook written for bmtool.synapses, cell by cell (the calls of bmtool's
# synaptic-tuner example). Only the import lines were changed, from
# ``from bmtool.synapses import ...``.
BMTOOL_CELLS = [
    """
general_settings = {'vclamp': True, 'rise_interval': (0.1, 0.9), 'tstart': 500., 'tdur': 100.,
                    'threshold': -15., 'delay': 1.3, 'weight': 1., 'dt': 0.025, 'celsius': 20}
conn_type_settings = {
    'Fac2FSI': {'spec_settings': {'post_cell': 'FSI_Cell', 'vclamp_amp': -70., 'sec_x': 0.5, 'sec_id': 1,
                                  'level_of_detail': 'AMPA_NMDA_STP'},
                'spec_syn_param': {'initW': 0.76, 'tau_r_AMPA': 0.45, 'tau_d_AMPA': 7.5, 'Use': 0.13,
                                   'Dep': 0., 'Fac': 200.}},
    'Dep2FSI': {'spec_settings': {'post_cell': 'FSI_Cell', 'vclamp_amp': -55, 'sec_x': 0.5, 'sec_id': 0,
                                  'level_of_detail': 'GABA_A_STP'},
                'spec_syn_param': {'initW': 20, 'tau_r_GABAA': 0.9, 'tau_d_GABAA': 15, 'e_GABAA': -75,
                                   'Use': 0.4, 'Dep': 190., 'Fac': 0.}},
}
""",
    """
import os
if os.path.isdir('modfiles/x86_64'):
    os.system("rm -rf modfiles/x86_64 ")
if not os.path.isdir("modfiles/x86_64"):
    os.chdir('modfiles')
    os.system("nrnivmodl")
    os.chdir("..")
""",
    """
mechanisms_dir = 'modfiles'
templates_file = 'templates.hoc'
from synaptune import SynapseTuner
tuner = SynapseTuner(mechanisms_dir=mechanisms_dir, templates_dir=templates_file,
                     conn_type_settings=conn_type_settings, general_settings=general_settings,
                     connection='Dep2FSI', current_name='i',
                     other_vars_to_record=['record_Pr', 'record_use'],
                     slider_vars=['initW', 'Dep', 'Fac', 'Use'])
""",
    "tuner.SingleEvent()",
    "results = tuner.stp_frequency_response(log_plot=False)",
    """
from synaptune import SynapseOptimizer
optimizer = SynapseOptimizer(tuner)
param_bounds = {'Dep': (0, 800.0), 'Fac': (0, 100.0), 'Use': (0.1, 1.0)}
target_metrics = {'induction': -0.75, 'simple_ppr': 0.8, 'recovery': 0.0}
def custom_cost(metrics, targets):
    return ((metrics['induction'] - targets['induction']) ** 2
            + 3 * (metrics['simple_ppr'] - targets['simple_ppr']) ** 2
            + (metrics['recovery'] - targets['recovery']) ** 2)
result = optimizer.optimize_parameters(target_metrics=target_metrics, param_bounds=param_bounds,
                                       run_single_event=True, run_train_input=True,
                                       train_frequency=50, train_delay=250,
                                       init_guess='middle_guess', cost_function=custom_cost,
                                       method='SLSQP')
optimizer.plot_optimization_results(result)
""",
    """
from synaptune import GapJunctionTuner, GapJunctionOptimizer
gap = GapJunctionTuner(mechanisms_dir='modfiles', templates_dir='templates.hoc',
                       general_settings={'tstart': 500., 'tdur': 500., 'dt': 0.025, 'celsius': 20},
                       conn_type_settings={'FSI_gap': {'cell': 'FSI_Cell', 'iclamp_amp': -0.01, 'sec_x': 0.5,
                                                       'sec_id': 0, 'level_of_detail': 'gap'}})
gap_result = GapJunctionOptimizer(gap).optimize_resistance(target_cc=0.37, resistance_bounds=(1e-4, 1e-2))
print('DONE', result.error, gap_result.achieved_cc)
""",
]


def test_a_bmtool_notebook_with_only_its_import_changed(tmp_path):
    need("matplotlib")
    # bmtool's example folder layout: the hoc templates and the mod files; the
    # cell exported from the template sits beside templates.hoc.
    (tmp_path / "templates.hoc").write_text("// FSI_Cell's template (read by NEURON; synaptune reads FSI_Cell.json)\n")
    # The FSI cell's and the synapses' .mod files (the .mod versions of the built-ins,
    # identical bit for bit): compiled by synaptune on first use, as bmtool's folder.
    (tmp_path / "modfiles").mkdir()
    for f in ("AmpaNmdaStp.mod", "GabaAStp.mod", "leak_fsi.mod", "na_fsi.mod", "kdr_fsi.mod"):
        shutil.copy(ROOT / "examples" / "nmodl" / f, tmp_path / "modfiles" / f)
    shutil.copy(CELLS / "FSI_Cell.json", tmp_path / "FSI_Cell.json")
    script = "import matplotlib\nmatplotlib.use('Agg')\n" + "\n".join(BMTOOL_CELLS)
    env = {**os.environ, "SYNAPTUNE_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "('amp'," in r.stdout and "Optimization Results:" in r.stdout
    done = next(l for l in r.stdout.splitlines() if l.startswith("DONE"))
    assert abs(float(done.split()[2]) - 0.37) < 1e-9
    # The folder was compiled once into the cache (the gap tuner found it there).
    assert len(list((tmp_path / "cache" / "nmodl").iterdir())) == 1
