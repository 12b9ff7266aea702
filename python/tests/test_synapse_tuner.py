"""Every SynapseTuner method of bmtool's API on the FSI example."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import synaptune
from conftest import CELLS, ROOT, SETTINGS, SONATA, cli_json, fsi_dicts, need


def test_construction_from_bmtools_dicts_and_from_a_settings_file(tuner):
    assert tuner.current_connection == "Dep2FSI"
    assert tuner.connections == ["Fac2FSI", "Dep2FSI"]
    assert tuner.compat == "default"
    assert tuner.vclamp is True
    assert tuner.general_settings["rise_interval"] == (0.1, 0.9)
    assert tuner.conn["spec_settings"]["level_of_detail"] == "GABA_A_STP"
    assert tuner.synaptic_props["Dep"] == 190.0
    assert set(tuner.slider_vars) == {"initW", "Dep", "Fac", "Use"}
    from_file = synaptune.SynapseTuner(settings=str(SETTINGS), connection="Dep2FSI")
    assert from_file.single_event()["amp"] == tuner.single_event()["amp"]
    assert "Dep2FSI" in repr(tuner)


def test_bmtools_argument_rules(dicts):
    general, conns = dicts
    with pytest.raises(ValueError, match="connection must be provided"):
        synaptune.SynapseTuner(conn_type_settings=conns, templates_dir=str(CELLS))
    with pytest.raises(ValueError, match="not found in conn_type_settings"):
        synaptune.SynapseTuner(conn_type_settings=conns, connection="X", templates_dir=str(CELLS))
    with pytest.raises(ValueError, match="conn_type_settings must be provided"):
        synaptune.SynapseTuner(templates_dir=str(CELLS))
    with pytest.raises(NotImplementedError, match="export"):
        synaptune.SynapseTuner(conn_type_settings=conns, connection="Dep2FSI", hoc_cell=object())
    # A current the synapse does not have is the library's error naming it.
    with pytest.raises(synaptune.SynaptuneError, match="i_GABA"):
        synaptune.SynapseTuner(
            conn_type_settings=conns, connection="Dep2FSI", templates_dir=str(CELLS), current_name="i_GABA"
        )
    with pytest.raises(ValueError, match="compat"):
        synaptune.SynapseTuner(conn_type_settings=conns, connection="Dep2FSI", templates_dir=str(CELLS), compat="x")
    # A bad value is the library's one-paragraph error naming the field.
    bad = json.loads(json.dumps(conns))
    bad["Dep2FSI"]["spec_settings"]["sec_x"] = 2.0
    with pytest.raises(synaptune.SynaptuneError, match="sec_x"):
        synaptune.SynapseTuner(conn_type_settings=bad, connection="Dep2FSI", templates_dir=str(CELLS))


def test_templates_hoc_with_exported_cells_beside_and_a_mod_folder(tmp_path, dicts, monkeypatch):
    general, conns = dicts
    monkeypatch.setenv("SYNAPTUNE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "templates.hoc").write_text("// a hoc file without the post cell's template\n")
    # bmtool's mod folder: compiled on first use (the .mod versions of the
    # built-ins give the same numbers); an untranslatable, unused file warns.
    mods = tmp_path / "modfiles"
    mods.mkdir()
    for f in ("AmpaNmdaStp.mod", "leak_fsi.mod", "na_fsi.mod", "kdr_fsi.mod"):
        shutil.copy(ROOT / "examples" / "nmodl" / f, mods / f)
    (mods / "bad.mod").write_text("NEURON { SUFFIX bad }\nPROCEDURE p() {\nVERBATIM\nprintf(1);\nENDVERBATIM\n}\n")
    args = dict(conn_type_settings=conns, general_settings=general, connection="Fac2FSI")
    with pytest.raises(synaptune.SynaptuneError, match="begintemplate FSI_Cell"):
        synaptune.SynapseTuner(mechanisms_dir=str(mods), templates_dir=str(tmp_path / "templates.hoc"), **args)
    shutil.copy(CELLS / "FSI_Cell.json", tmp_path / "FSI_Cell.json")
    with pytest.warns(synaptune.SynaptuneWarning, match="bad.mod:3: VERBATIM"):
        t = synaptune.SynapseTuner(mechanisms_dir=str(mods), templates_dir=str(tmp_path / "templates.hoc"), **args)
    reference = synaptune.SynapseTuner(templates_dir=str(CELLS), **args)
    assert t.single_event()["amp"] == reference.single_event()["amp"]
    with pytest.raises(ValueError, match="does not exist"):
        synaptune.SynapseTuner(mechanisms_dir=str(tmp_path / "nope"), templates_dir=str(CELLS), **args)


def test_templates_dir_of_hoc_templates_is_read_without_neuron(dicts):
    # tests/fixtures/hoc/fsi/fsi_cell.hoc is examples/fsi's FSI_Cell written
    # as a hoc template; synaptune reads it (crates/hoc-template).
    general, conns = dicts
    args = dict(conn_type_settings=conns, general_settings=general, connection="Fac2FSI")
    hoc = ROOT / "tests" / "fixtures" / "hoc" / "fsi"
    for where in (hoc, hoc / "fsi_cell.hoc"):
        t = synaptune.SynapseTuner(templates_dir=str(where), **args)
        reference = synaptune.SynapseTuner(templates_dir=str(CELLS), **args)
        assert t.single_event()["amp"] == reference.single_event()["amp"]


def test_unknown_general_settings_are_dropped_with_a_warning(dicts):
    general, conns = dicts
    with pytest.warns(synaptune.SynaptuneWarning, match="vclamp_amp"):
        t = synaptune.SynapseTuner(
            conn_type_settings=conns,
            general_settings={**general, "vclamp_amp": -60},
            connection="Dep2FSI",
            templates_dir=str(CELLS),
        )
    assert "vclamp_amp" not in t.general_settings


def test_single_event_prints_plots_and_keeps_bmtools_attributes(tuner, capsys):
    need("matplotlib")
    assert tuner.SingleEvent() is None
    out = capsys.readouterr().out
    assert "('baseline'," in out and "('decay_time'," in out and "Current Integral in pA*ms:" in out
    assert tuner.last_figure is not None
    assert tuner.rise_time > 0 and tuner.decay_time > 0
    n = len(tuner.t)
    assert tuner.soma_v.shape == (n,) and tuner.ivcl.shape == (n,)
    assert set(tuner.rec_vectors) == {"i", "record_Pr", "record_use"}
    assert list(tuner.tspk) == [500.0]
    props = tuner._get_syn_prop()
    assert list(props) == ["baseline", "sign", "latency", "amp", "rise_time", "decay_time", "half_width"]
    assert tuner._get_syn_prop(short=True) == {"baseline": props["baseline"], "sign": props["sign"]}


def test_train_helpers(tuner, capsys):
    need("matplotlib")
    tstop = tuner._set_drive_train(50, 250)
    tuner._simulate_model(50, 250)
    assert tuner.tstop == tstop == 500 + 7 * 20 + 250 + 4 * 20
    amp = tuner._response_amplitude()
    assert len(amp) == 12 and len(tuner.ispk) == 12
    ppr, induction, recovery, simple_ppr = tuner._calc_ppr_induction_recovery(amp)
    assert "Induction" in capsys.readouterr().out
    r = tuner._last_train
    assert (ppr, induction, recovery, simple_ppr) == (r["ppr"], r["induction"], r["recovery"], r["simple_ppr"])
    assert induction < 0, "Dep2FSI depresses"
    assert tuner._find_max_amp(amp) == pytest.approx(r["max_amplitude_pA"], rel=1e-12)
    fig = tuner._plot_model([480, tuner.tstop], show=False)
    assert len(fig.axes) == 4
    tuner._set_syn_prop(Dep=0.0, Fac=200.0)
    tuner._simulate_model(50, 250)
    assert tuner._calc_ppr_induction_recovery(tuner._response_amplitude(), print_math=False)[1] > induction


def test_continuous_input_mode(tuner):
    tuner.input_mode = True
    tuner._simulate_model(20, 250, duration=500)
    amp = tuner._response_amplitude()
    assert len(amp) == 11  # 500 ms at 20 Hz: bmtool's ceil(duration/1000*f + 1) pulses
    assert tuner.tstop == 500 + 500 + 300
    r = tuner.continuous(50, 300)
    assert r["freq"] == 50 and len(r["amplitudes_pA"]) >= 12 and r["metrics"] is not None


def test_frequency_response_table_and_switching(tuner, capsys):
    need("matplotlib")
    pd = need("pandas")
    r = tuner.stp_frequency_response(freqs=[5, 20, 50], plot=True, log_plot=False)
    assert list(r) == ["frequencies", "ppr", "induction", "recovery", "simple_ppr"]
    assert r["frequencies"] == [5, 20, 50] and len(r["ppr"]) == 3
    assert tuner.last_figure is not None
    df = tuner.generate_synaptic_table(plot=True)
    assert isinstance(df, pd.DataFrame)
    assert list(df.index) == ["Fac2FSI", "Dep2FSI"]
    assert list(df.columns) == [
        "rise_time", "decay_time", "latency", "half_width", "peak_amplitude",
        "baseline", "ppr", "simple_ppr", "induction", "recovery",
    ]
    assert df.loc["Fac2FSI", "induction"] > 0 > df.loc["Dep2FSI", "induction"]
    tuner._switch_connection("Fac2FSI")
    assert "Successfully switched to connection: Fac2FSI" in capsys.readouterr().out
    assert tuner.current_connection == "Fac2FSI"
    assert set(tuner.slider_vars) == {"initW", "Dep", "Fac", "Use"}
    with pytest.raises(ValueError):
        tuner._switch_connection("nope")


def test_parameters(tuner):
    before = tuner.train()["induction"]
    tuner.set_param("Use", 0.1)
    assert tuner.param("Use") == 0.1 and tuner.synaptic_props["Use"] == 0.1
    assert tuner.train()["induction"] != before
    with pytest.raises(synaptune.SynaptuneError, match="not a parameter|unknown parameter|Use2"):
        tuner.set_param("Use2", 1.0)
    assert "tau_d_GABAA" in tuner._native.parameter_names()
    tuner.vclamp = False
    assert tuner.single_event()["vclamp"] is False
    assert tuner.single_event()["traces"]["i_clamp"] is None
    tuner.other_vars_to_record = ["record_Pr"]
    assert set(tuner.single_event()["traces"]["extras"]) == {"record_Pr"}


def test_from_a_sonata_config(sonata_cells, capsys):
    summary = synaptune.SynapseTuner.list_connections_from_config(str(SONATA), network="cortex_to_cortex")
    assert summary["PV2PN"]["post_cell"] == "PNCell"
    assert summary["PV2PN"]["synapse_type"] == "GABA_A_STP"
    t = synaptune.SynapseTuner(config=str(SONATA), network="cortex_to_cortex", connection="PV2PN", templates_dir=str(sonata_cells))
    assert "Found" in capsys.readouterr().out
    assert t.available_networks == ["thalamic_input", "cortex_to_cortex", "cortex_to_hippo", "hippo_to_cortex"]
    assert t.synaptic_props["Dep"] == 400
    assert t.train()["ppr"] < 1.0
    t._switch_network("thalamic_input")
    assert t.current_network == "thalamic_input"
    # general_settings with a config: the derived settings with bmtool's merge.
    t2 = synaptune.SynapseTuner(
        config=str(SONATA), network="cortex_to_cortex", connection="PV2PN",
        cells=str(sonata_cells), general_settings={"tdur": 50.0},
    )
    assert t2.general_settings["tdur"] == 50.0
    assert synaptune.networks(str(SONATA))[0] == "thalamic_input"


def test_module_path_like_bmtool():
    from synaptune.synapses import SynapseTuner, SynapseOptimizer, GapJunctionTuner  # noqa: F401

    assert SynapseTuner is synaptune.SynapseTuner
    general, _ = fsi_dicts()
    assert set(synaptune.DEFAULT_GENERAL_SETTINGS) <= set(general) | {"vclamp"}
    assert np.isfinite(synaptune.stp_metrics([1.0 + k for k in range(12)])["induction"])


def test_current_name_and_measure(dicts):
    general, conns = dicts
    kw = dict(conn_type_settings=conns, general_settings=general, templates_dir=str(CELLS))
    whole = synaptune.SynapseTuner(connection="Fac2FSI", measure="synapse", **kw)
    ampa = synaptune.SynapseTuner(connection="Fac2FSI", current_name="i_AMPA", measure="synapse", **kw)
    a_whole, a_ampa = whole.single_event()["amp"], ampa.single_event()["amp"]
    # AMPA_NMDA_STP's current is i = initW * (i_AMPA + i_NMDA), both inward at the clamp's
    # -70 mV: at every sample |i| >= initW * |i_AMPA|, so the peaks obey the same bound, and
    # i_AMPA (unweighted) is a different trace from i.
    init_w = conns["Fac2FSI"]["spec_syn_param"]["initW"]
    assert a_ampa != a_whole
    assert abs(a_whole) >= init_w * abs(a_ampa)
    # The same measurement as the CLI's --current-name, bit for bit.
    cli = cli_json(
        "single-event", "--settings", SETTINGS, "--connection", "Fac2FSI",
        "--current-name", "i_AMPA", "--measure", "synapse",
    )
    assert cli["amp"] == a_ampa
    with pytest.raises(synaptune.SynaptuneError, match="measure"):
        synaptune.SynapseTuner(connection="Fac2FSI", measure="electrode", **kw)
