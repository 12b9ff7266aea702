"""Beyond bmtool: batches of parameter sets in one call, and tuners and
results that pickle (what Dask ships to its workers)."""

from __future__ import annotations

import pickle

import numpy as np

import synaptune


def test_train_batch_equals_one_train_at_a_time(tuner):
    sets = [{"Use": u, "Dep": d} for u in (0.2, 0.4) for d in (50.0, 190.0)]
    batch = tuner.train_batch(sets, freq=20, delay=125)
    assert len(batch) == 4
    for ps, r in zip(sets, batch):
        tuner._set_syn_prop(**ps)
        one = tuner.train(20, 125)
        assert r["amplitudes_pA"] == one["amplitudes_pA"]
        assert r["induction"] == one["induction"]
        assert "traces" not in r
    # A parameter set touching a parameter NET_RECEIVE does not own (a whole simulation).
    mixed = tuner.train_batch([{"tau_d_GABAA": 10.0}, {"nope": 1.0}], traces=True)
    tuner.set_param("tau_d_GABAA", 10.0)
    assert mixed[0]["amplitudes_pA"] == tuner.train()["amplitudes_pA"]
    assert mixed[0]["traces"]["t"].shape == tuner.t.shape
    assert "nope" in mixed[1]["error"]


def test_protocol_batch_equals_each_train_alone(tuner):
    protocols = [(20, 125), (35, 250), (50, 250), (100, 300), (5, 250)]
    batch = tuner.protocol_batch(protocols, traces=True)
    assert len(batch) == len(protocols)
    for (f, d), r in zip(protocols, batch):
        one = tuner.train(f, d)
        assert (r["freq"], r["delay"]) == (f, d)
        assert r["amplitudes_pA"] == one["amplitudes_pA"]
        assert r["ppr"] == one["ppr"]
        assert np.array_equal(r["traces"]["t"], one["traces"]["t"])


def test_single_event_batch(tuner):
    out = tuner.single_event_batch([{"initW": 10.0}, {"initW": 20.0}])
    assert out[1]["amp"] > out[0]["amp"] > 0
    tuner.set_param("initW", 10.0)
    assert out[0]["amp"] == tuner.single_event()["amp"]


def test_tuners_and_results_pickle(tuner, gap_tuner):
    tuner.set_param("Use", 0.33)
    tuner.vclamp = False
    tuner.switch_connection("Fac2FSI")
    tuner.set_param("Fac", 150.0)
    tuner.train()
    clone = pickle.loads(pickle.dumps(tuner))
    assert clone.current_connection == "Fac2FSI" and clone.vclamp is False
    assert clone.t is None, "runs are not shipped"
    assert clone.train()["amplitudes_pA"] == tuner.train()["amplitudes_pA"]
    clone.switch_connection("Dep2FSI")
    assert clone.param("Use") == 0.33
    assert clone.other_vars_to_record == ["record_Pr", "record_use"]
    r = synaptune.SynapseOptimizer(clone).optimize_parameters(
        {"induction": -0.6}, {"Dep": (0, 800.0)}, method="lm", init_guess="middle_guess"
    )
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.to_dict()["optimal_params"] == r.optimal_params
    g = pickle.loads(pickle.dumps(gap_tuner))
    assert g.coupling(1e-3) == gap_tuner.coupling(1e-3)
    gr = synaptune.GapJunctionOptimizer(g).optimize_resistance(0.2)
    assert pickle.loads(pickle.dumps(gr)) == gr


def test_gap_tuner_methods(gap_tuner, capsys):
    assert gap_tuner.current_connection == "FSI_gap" and gap_tuner.cell_name == "FSI_Cell"
    assert gap_tuner.general_settings["iclamp_amp"] == -0.01
    assert gap_tuner.model(1e-3) is None
    assert abs(gap_tuner.t_vec[-1] - 1100.0) < 1e-6
    cc = gap_tuner.coupling_ratio()
    t, v1, v2 = gap_tuner.t_vec, gap_tuner.soma_v_1, gap_tuner.soma_v_2
    # bmtool's formula in numpy gives the same number.
    i1, i2 = np.nonzero(t < 500)[0][-1], np.nonzero(t < 1000)[0][-1]
    assert cc == (v2[i2] - v2[i1]) / (v1[i2] - v1[i1])
    assert gap_tuner.coupling_coefficient(list(t), v1, v2, 500, 1000) == cc
    assert list(gap_tuner.sweep([1e-3, 2e-3])) == [cc, gap_tuner.coupling(2e-3)]
    gap_tuner._switch_connection("FSI_gap")
    assert "Successfully switched" in capsys.readouterr().out
