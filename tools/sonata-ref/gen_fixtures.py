#!/usr/bin/env python3
"""Build small SONATA networks with BMTK and record what bmtool 0.8.7 derives from them.

Writes everything under tests/fixtures/sonata/ (see README.md beside this script):

* ``basic/``     three node populations (two biophysical, one virtual), four edge
                 files, shared dynamics files, NULL fields, gap junctions, quoted
                 CSV values with spaces, h5py-added ``dynamics_params/*`` columns,
                 and a ``config.json`` that includes both a circuit and a
                 simulation config (the layout ``build_env_bionet`` writes);
* ``bugcase/``   a simulation config that includes ``circuit/circuit_config.json``
                 whose ``components`` (given as a path relative to that circuit
                 config) hold the dynamics files: bmtool looks them up relative to
                 the working directory and so finds nothing when run from the
                 simulation config's folder;
* ``naming/``    edge populations whose source/target are found by each of
                 bmtool's three rules (``<src>_to_<tgt>``, the ``node_population``
                 attributes, the prefix/suffix heuristic), one that is found by no
                 rule, and an h5py-written edges file holding two populations;
* ``expected/<name>.json`` bmtool's own output for each configuration;
* ``expected/files.json`` every HDF5 dataset as h5py reads it and every types
  CSV as pandas (bmtool's reader) reads it: the reference for the readers.

Run with the interpreter that has bmtool 0.8.7 + bmtk installed::

    PYTHONHASHSEED=0 /work/venv-bmtool/bin/python tools/sonata-ref/gen_fixtures.py

PYTHONHASHSEED=0 matters: BMTK orders the columns of edge_types.csv by iterating a
``set``.
"""

import contextlib
import io
import json
import math
import os
import shutil
import sys

import numpy as np

# bmtool 0.8.7 still calls np.trapz, which numpy 2 removed.
if not hasattr(np, "trapz"):
    np.trapz = np.trapezoid

import h5py  # noqa: E402
from bmtk.builder import NetworkBuilder  # noqa: E402

import bmtool  # noqa: E402
from bmtool.synapses import SynapseTuner  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "fixtures", "sonata")

BMTOOL_VERSION = "0.8.7"


# --------------------------------------------------------------------------- helpers


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def repack(path):
    """Rewrite an HDF5 file with h5py: same groups, datasets and attributes, contiguous
    and uncompressed (BMTK writes gzip-chunked datasets with index groups, ~45 KB a file)."""
    tmp = path + ".tmp"
    with h5py.File(path, "r") as src, h5py.File(tmp, "w") as dst:
        def copy(g_src, g_dst):
            for k, v in g_src.attrs.items():
                g_dst.attrs[k] = v
            for name, obj in g_src.items():
                if isinstance(obj, h5py.Group):
                    if name == "indices":
                        continue  # BMTK's lookup indices: not part of what is read here
                    copy(obj, g_dst.create_group(name))
                else:
                    d = g_dst.create_dataset(name, data=obj[()], dtype=obj.dtype)
                    for k, v in obj.attrs.items():
                        d.attrs[k] = v
        copy(src, dst)
    os.replace(tmp, path)


def to_plain(obj):
    """numpy/pandas values -> JSON-able Python values. NaN (bmtool's missing value) -> None."""
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return None if math.isnan(f) else f
    if isinstance(obj, bytes):
        # h5py returns variable-length strings as bytes and bmtool keeps them so;
        # recorded with a marker (the Rust crate decodes them: a documented difference).
        return {"__bytes__": obj.decode()}
    if obj is None or isinstance(obj, str):
        return obj
    raise TypeError(f"cannot record {obj!r} ({type(obj)})")


def derive(config_path, network=None):
    """bmtool's derivation exactly as a SynapseTuner built from a config runs it.

    SynapseTuner.__init__ also loads NEURON templates and mechanisms, which these
    fixtures do not have; the derivation needs only the dynamics-params cache that
    __init__ creates, so the tuner is created without __init__ and given that cache.
    """
    tuner = SynapseTuner.__new__(SynapseTuner)
    tuner._syn_params_cache = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        settings = tuner._build_conn_type_settings_from_config(config_path, network=network)
    return to_plain(settings), out.getvalue()


def list_connections(config_path, network=None):
    """bmtool's own listing (it hits the missing-cache bug: every dynamics file fails)."""
    with contextlib.redirect_stdout(io.StringIO()) as out:
        summary = SynapseTuner.list_connections_from_config(config_path, network=network)
    return to_plain(summary), out.getvalue()


def available_networks(config_path):
    tuner = SynapseTuner.__new__(SynapseTuner)
    tuner.config = config_path
    tuner.current_network = None
    tuner._load_available_networks()
    return list(tuner.available_networks)


def record(name, config_rel, cwd_rel):
    """Run bmtool on <OUT>/<config_rel> with the working directory <OUT>/<cwd_rel>."""
    config_path = os.path.join(OUT, config_rel)
    old = os.getcwd()
    os.chdir(os.path.join(OUT, cwd_rel))
    try:
        config_arg = os.path.relpath(config_path)
        nets = available_networks(config_arg)
        all_types, all_log = derive(config_arg)
        per_network = {}
        for net in nets:
            per_network[net], _ = derive(config_arg, network=net)
        listing, list_log = list_connections(config_arg)
        bmtk_config = bmtk_view(config_arg)
    finally:
        os.chdir(old)
    write_json(
        os.path.join(OUT, "expected", f"{name}.json"),
        {
            "generator": "tools/sonata-ref/gen_fixtures.py",
            "bmtool_version": bmtool_version(),
            "config": config_rel,
            "cwd": cwd_rel,
            "bmtk_config": bmtk_config,
            "networks": nets,
            "conn_type_settings": all_types,
            "conn_type_settings_by_network": per_network,
            "derive_warnings": portable(
                [l for l in all_log.splitlines() if l.startswith("Warning")]),
            "list_connections_from_config": listing,
            "list_connections_warnings": portable(
                [l for l in list_log.splitlines() if l.startswith("Warning")]),
        },
    )
    print(f"{name}: networks {nets}; {len(all_types)} connection types")


def portable(obj):
    """Absolute paths under the fixtures folder -> "<fixtures>/...", so the record
    does not depend on where the repository is checked out."""
    if isinstance(obj, dict):
        return {k: portable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [portable(v) for v in obj]
    if isinstance(obj, str):
        return obj.replace(OUT + os.sep, "<fixtures>/").replace(OUT, "<fixtures>")
    return obj


def bmtk_view(config_path):
    """What BMTK's own config parser (bmtool.util.util.load_config) makes of the
    configuration: the reference for the Rust config loader."""
    from bmtool.util.util import load_config

    with contextlib.redirect_stdout(io.StringIO()):
        conf = load_config(config_path)
    return portable(to_plain({
        "run": conf.run,
        "conditions": conf.conditions,
        "components": conf.components,
        "node_sets": conf.node_sets,
        "networks": conf.get("networks", {}),
        "target_simulator": conf.get("target_simulator"),
    }))


def bmtool_version():
    from importlib.metadata import version

    v = version("bmtool")
    if v != BMTOOL_VERSION:
        sys.exit(f"bmtool {v} installed; these fixtures record bmtool {BMTOOL_VERSION}")
    return v


# --------------------------------------------------------------------------- basic


def build_basic():
    root = os.path.join(OUT, "basic")
    shutil.rmtree(root, ignore_errors=True)
    netdir = os.path.join(root, "network")

    cortex = NetworkBuilder("cortex")
    cortex.add_nodes(N=4, pop_name="PN", model_type="biophysical", model_template="hoc:PNCell",
                     description="layer 5 pyramidal", rotation_angle_yaxis=np.linspace(0, 1, 4))
    cortex.add_nodes(N=2, pop_name="PV", model_type="biophysical", model_template="hoc:PVCell",
                     description="fast spiking")
    cortex.add_nodes(N=2, pop_name="L4 SST", model_type="biophysical", model_template="hoc:SSTCell",
                     description='"martinotti" cell')

    hippo = NetworkBuilder("hippo")  # no pop_name column at all
    # morphology=None: BMTK writes an empty field (two spaces), which pandas reads as NaN
    hippo.add_nodes(N=2, model_type="biophysical", model_template="hoc:OLMCell", cell_class="olm",
                    morphology=None)

    thalamus = NetworkBuilder("thalamus")
    thalamus.add_nodes(N=2, pop_name="TC", model_type="virtual")

    # cortex -> cortex
    cortex.add_edges(source={"pop_name": "PN"}, target={"pop_name": "PV"}, connection_rule=1,
                     syn_weight=0.5, delay=2.0, dynamics_params="Exc.json", model_template="Exp2Syn",
                     afferent_section_id=1, afferent_section_pos=0.3, comment="fast exc synapse")
    cm = cortex.add_edges(source={"pop_name": "PN"}, target={"pop_name": "PN"}, connection_rule=1,
                          syn_weight=0.25, delay=2.0, dynamics_params="Exc.json", model_template="Exp2Syn")
    cm.add_properties(["afferent_section_id", "afferent_section_pos"],
                      rule=lambda s, t: (2 + t.node_id, 0.1 * (1 + t.node_id)),
                      dtypes=[np.int64, np.float32])
    cortex.add_edges(source={"pop_name": "PN"}, target={"pop_name": "L4 SST"}, connection_rule=1,
                     syn_weight=0.1, delay=2.0, dynamics_params="Exc.json", model_template="Exp2Syn")
    cm = cortex.add_edges(source={"pop_name": "PV"}, target={"pop_name": "PN"}, connection_rule=1,
                          delay=1.0, dynamics_params="PV2PN.json", model_template="Exp2Syn")
    cm.add_properties("syn_weight", rule=lambda s, t: 0.75 + 0.5 * s.node_id, dtypes=np.float64)
    cortex.add_edges(source={"pop_name": "PV"}, target={"pop_name": "PV"}, connection_rule=1,
                     syn_weight=0.2, delay=1.0, model_template="Exp2Syn")
    cortex.add_gap_junctions(source={"pop_name": "PV"}, target={"pop_name": "PV"}, resistance=1500,
                             target_sections=None, connection_rule=1)
    cortex.add_edges(source={"pop_name": "L4 SST"}, target={"pop_name": "PV"}, connection_rule=1,
                     syn_weight=0.4, delay=1.0)  # neither dynamics_params nor model_template
    cortex.add_edges(source={"pop_name": "PV"}, target={"pop_name": "PV"}, connection_rule=1,
                     syn_weight=0.3, delay=1.5, model_template="Exp2Syn", afferent_section_id=2)

    # cortex -> hippo (targets have no pop_name)
    cortex.add_edges(source={"pop_name": "PN"}, target=hippo.nodes(), connection_rule=1,
                     syn_weight=0.6, delay=3.0, model_template="Exp2Syn")
    cortex.add_edges(source={"pop_name": "PV"}, target=hippo.nodes(), connection_rule=1,
                     syn_weight=0.7, delay=3.0, model_template="Exp2Syn", dynamics_params="Exc.json")

    # hippo -> cortex; its dynamics parameters are added as h5 columns below
    hippo.add_edges(source=hippo.nodes(), target=cortex.nodes(pop_name="PN"), connection_rule=1,
                    syn_weight=0.8, delay=2.5, model_template="Exp2Syn", edge_type_id=300)

    # thalamus (virtual) -> cortex, saved under a population name without "_to_"
    thalamus.add_edges(source=thalamus.nodes(), target=cortex.nodes(pop_name="PN"), connection_rule=1,
                       syn_weight=2.0, delay=1.0, dynamics_params="TC2PN.json", model_template="Exp2Syn",
                       edge_type_id=400)
    thalamus.add_edges(source=thalamus.nodes(), target=cortex.nodes(pop_name="PV"), connection_rule=1,
                       syn_weight=1.5, delay=1.0, dynamics_params="Exc.json", model_template="Exp2Syn",
                       edge_type_id=401)

    for net in (cortex, hippo, thalamus):
        net.build()
    cortex.save_nodes(output_dir=netdir)
    hippo.save_nodes(output_dir=netdir)
    thalamus.save_nodes(output_dir=netdir)
    cortex.save_edges(output_dir=netdir)  # cortex->cortex, cortex->hippo and the gap junctions
    hippo.save_edges(output_dir=netdir)
    thalamus.save_edges(output_dir=netdir, name="thalamic_input")

    # dynamics_params/* columns in edge group 0 of hippo -> cortex, written with h5py
    with h5py.File(os.path.join(netdir, "hippo_cortex_edges.h5"), "r+") as f:
        pop = f["edges"]["hippo_to_cortex"]
        n = pop["0"]["nsyns"].shape[0]
        dp = pop["0"].create_group("dynamics_params")
        dp.create_dataset("tau1", data=np.full(n, 0.5, dtype=np.float32))
        dp.create_dataset("tau2", data=np.linspace(4.0, 5.0, n))
        dp.create_dataset("erev", data=np.full(n, -75, dtype=np.int32))

    syn = os.path.join(root, "components", "synaptic_models")
    write_json(os.path.join(syn, "Exc.json"), {"tau1": 0.1, "tau2": 3.0, "erev": 0.0, "initW": 0.01})
    write_json(os.path.join(syn, "PV2PN.json"), {
        "level_of_detail": "GABA_A_STP", "initW_lognormal_mean": 1.0, "initW_lognormal_std": 0.5,
        "tau_r_GABAA": 0.2, "tau_d_GABAA": 8.0, "e_GABAA": -70.0, "Use": 0.3, "Dep": 400, "Fac": 0,
    })
    write_json(os.path.join(syn, "TC2PN.json"), {
        "level_of_detail": "AMPA_NMDA_STP", "tau_d_AMPA": 5.0, "Use": 0.5,
        "notes": {"z_first": 1, "a_second": [1, 2.5, "three"]}, "enabled": True, "source": None,
    })

    write_json(os.path.join(root, "circuit_config.json"), {
        "manifest": {
            "$BASE_DIR": "${configdir}",
            "$NETWORK_DIR": "$BASE_DIR/network",
            "$COMPONENTS_DIR": "${BASE_DIR}/components",
        },
        "components": {
            "synaptic_models_dir": "$COMPONENTS_DIR/synaptic_models",
            "templates_dir": "$COMPONENTS_DIR/templates",
            "mechanisms_dir": "$COMPONENTS_DIR/mechanisms",
            "morphologies_dir": "$COMPONENTS_DIR/morphologies",
            "biophysical_neuron_models_dir": "$COMPONENTS_DIR/biophysical_neuron_models",
        },
        "networks": {
            "nodes": [
                {"nodes_file": "$NETWORK_DIR/cortex_nodes.h5",
                 "node_types_file": "$NETWORK_DIR/cortex_node_types.csv"},
                {"nodes_file": "$NETWORK_DIR/hippo_nodes.h5",
                 "node_types_file": "$NETWORK_DIR/hippo_node_types.csv"},
                {"nodes_file": "$NETWORK_DIR/thalamus_nodes.h5",
                 "node_types_file": "$NETWORK_DIR/thalamus_node_types.csv"},
            ],
            "edges": [
                {"edges_file": "$NETWORK_DIR/thalamus_cortex_edges.h5",
                 "edge_types_file": "$NETWORK_DIR/thalamus_cortex_edge_types.csv"},
                {"edges_file": "$NETWORK_DIR/cortex_cortex_edges.h5",
                 "edge_types_file": "$NETWORK_DIR/cortex_cortex_edge_types.csv"},
                {"edges_file": "$NETWORK_DIR/cortex_hippo_edges.h5",
                 "edge_types_file": "$NETWORK_DIR/cortex_hippo_edge_types.csv"},
                {"edges_file": "$NETWORK_DIR/hippo_cortex_edges.h5",
                 "edge_types_file": "$NETWORK_DIR/hippo_cortex_edge_types.csv"},
            ],
            "gap_juncs": [{"gap_juncs_file": "$NETWORK_DIR/cortex_gap_juncs.h5"}],
        },
    })
    write_json(os.path.join(root, "simulation_config.json"), {
        "manifest": {"$BASE_DIR": "${configdir}", "$OUTPUT_DIR": "$BASE_DIR/output"},
        "target_simulator": "NEURON",
        "run": {"tstart": 0.0, "tstop": 250.0, "dt": 0.025, "dL": 20.0, "spike_threshold": -10.0,
                "nsteps_block": 5000},
        "conditions": {"celsius": 34.0, "v_init": -70.0},
        "output": {"log_file": "log.txt", "output_dir": "$OUTPUT_DIR", "spikes_file": "spikes.h5"},
        "node_sets_file": "$BASE_DIR/node_sets.json",
    })
    write_json(os.path.join(root, "node_sets.json"), {
        "biophysical_nodes": {"model_type": "biophysical"},
        "pv_cells": {"population": "cortex", "pop_name": "PV"},
    })
    write_json(os.path.join(root, "config.json"), {
        "network": "circuit_config.json",
        "simulation": "${configdir}/simulation_config.json",
    })


# --------------------------------------------------------------------------- bugcase


def build_bugcase():
    root = os.path.join(OUT, "bugcase")
    shutil.rmtree(root, ignore_errors=True)
    circ = os.path.join(root, "circuit")
    netdir = os.path.join(circ, "network")

    net = NetworkBuilder("net")
    net.add_nodes(N=2, pop_name="Exc", model_type="biophysical", model_template="hoc:ExcCell")
    net.add_nodes(N=2, pop_name="Inh", model_type="biophysical", model_template="hoc:InhCell")
    net.add_edges(source={"pop_name": "Exc"}, target={"pop_name": "Inh"}, connection_rule=1,
                  syn_weight=0.05, delay=1.0, dynamics_params="E2I.json", model_template="exp2syn")
    net.add_edges(source={"pop_name": "Inh"}, target={"pop_name": "Exc"}, connection_rule=1,
                  syn_weight=0.02, delay=1.0, dynamics_params="I2E.json", model_template="exp2syn",
                  afferent_section_id=1, afferent_section_pos=0.75)
    net.build()
    net.save(output_dir=netdir)
    for fname in ("net_nodes.h5", "net_net_edges.h5"):
        repack(os.path.join(netdir, fname))

    syn = os.path.join(circ, "components", "synaptic_models")
    write_json(os.path.join(syn, "E2I.json"), {"level_of_detail": "AMPA_NMDA_STP", "tau_d_AMPA": 2.0,
                                                 "Use": 0.4, "Dep": 100.0, "Fac": 10.0})
    write_json(os.path.join(syn, "I2E.json"), {"level_of_detail": "GABA_A_STP", "tau_d_GABAA": 10.0,
                                                 "Use": 0.25, "Dep": 0.0, "Fac": 200.0})

    write_json(os.path.join(circ, "circuit_config.json"), {
        "manifest": {"$NETWORK_DIR": "${configdir}/network"},
        "components": {
            # relative to this file (SONATA); bmtk leaves it relative to the working directory
            "synaptic_models_dir": "components/synaptic_models",
            "templates_dir": "components/templates",
        },
        "networks": {
            "nodes": [{"nodes_file": "$NETWORK_DIR/net_nodes.h5",
                       "node_types_file": "${NETWORK_DIR}/net_node_types.csv"}],
            "edges": [{"edges_file": "$NETWORK_DIR/net_net_edges.h5",
                       "edge_types_file": "$NETWORK_DIR/net_net_edge_types.csv"}],
        },
    })
    write_json(os.path.join(root, "simulation_config.json"), {
        "manifest": {"$OUTPUT_DIR": "${configdir}/output"},
        "network": "circuit/circuit_config.json",
        "run": {"tstop": 1000.0, "dt": 0.1},
        "conditions": {"celsius": 20.0},
        "output": {"output_dir": "$OUTPUT_DIR"},
    })


# --------------------------------------------------------------------------- naming


def build_naming():
    root = os.path.join(OUT, "naming")
    shutil.rmtree(root, ignore_errors=True)
    netdir = os.path.join(root, "network")

    exc = NetworkBuilder("exc")
    exc.add_nodes(N=2, pop_name="E", model_type="biophysical", model_template="hoc:ECell")
    inh = NetworkBuilder("inh")
    inh.add_nodes(N=2, pop_name="I", model_type="biophysical", model_template="hoc:ICell")
    exc.add_edges(source=exc.nodes(), target=inh.nodes(), connection_rule=1, syn_weight=1.0,
                  dynamics_params="e2i.json", model_template="exp2syn", edge_type_id=10)
    inh.add_edges(source=inh.nodes(), target=exc.nodes(), connection_rule=1, syn_weight=2.0,
                  dynamics_params="i2e.json", model_template="exp2syn", edge_type_id=20)
    inh.add_edges(source=inh.nodes(), target=inh.nodes(), connection_rule=1, syn_weight=3.0,
                  model_template="exp2syn", edge_type_id=30)
    for net in (exc, inh):
        net.build()
    exc.save_nodes(output_dir=netdir)
    inh.save_nodes(output_dir=netdir)
    exc.save_edges(output_dir=netdir)  # population exc_to_inh: rule 1
    inh.save_edges(output_dir=netdir, src_network="inh", trg_network="exc",
                   name="inh2exc")  # rule 3 once its node_population attributes are gone
    inh.save_edges(output_dir=netdir, src_network="inh", trg_network="inh",
                   name="mystery")  # found by no rule
    for fname in ("exc_nodes.h5", "inh_nodes.h5", "exc_inh_edges.h5", "inh_exc_edges.h5",
                  "inh_inh_edges.h5"):
        repack(os.path.join(netdir, fname))
    for fname, pop in (("inh_exc_edges.h5", "inh2exc"), ("inh_inh_edges.h5", "mystery")):
        with h5py.File(os.path.join(netdir, fname), "r+") as f:
            for ds in ("source_node_id", "target_node_id"):
                del f["edges"][pop][ds].attrs["node_population"]

    # An edges file written by h5py alone, holding two populations: bmtool names the
    # network after the first (in h5py's alphabetical order) and reads the rows of both.
    with h5py.File(os.path.join(netdir, "two_pops_edges.h5"), "w") as f:
        def pop(name, src, tgt, type_ids, sids, tids, weights):
            g = f.create_group(f"edges/{name}")
            n = len(type_ids)
            g.create_dataset("edge_type_id", data=np.array(type_ids, dtype=np.uint32))
            g.create_dataset("source_node_id", data=np.array(sids, dtype=np.uint64))
            g.create_dataset("target_node_id", data=np.array(tids, dtype=np.uint64))
            g["source_node_id"].attrs["node_population"] = src
            g["target_node_id"].attrs["node_population"] = tgt
            g.create_dataset("edge_group_id", data=np.zeros(n, dtype=np.uint16))
            g.create_dataset("edge_group_index", data=np.arange(n, dtype=np.uint32))
            grp = g.create_group("0")
            grp.create_dataset("syn_weight", data=np.array(weights, dtype=np.float64))
            grp.create_dataset("model_template", data=np.array(["h5syn"] * n, dtype=h5py.string_dtype()))
        # Both populations carry the same group columns: bmtool keeps the H5 column names
        # of the last population only and crashes (a duplicated syn_weight column) otherwise.
        pop("inh_to_exc", "inh", "exc", [41, 40], [1, 0], [0, 1], weights=[0.125, 0.25])
        pop("x_to_inh", "exc", "inh", [40, 42, 40], [0, 1, 1], [1, 0, 0], weights=[4.0, 5.0, 6.0])
    with open(os.path.join(netdir, "two_pops_edge_types.csv"), "w") as f:
        # single spaces: bmtool reads with pandas' sep=" ", where two spaces mean an empty field
        f.write("edge_type_id model_template dynamics_params syn_weight afferent_section_pos\n")
        f.write('40 "exp 2 syn" e2i.json 0.5 NULL\n')
        f.write('41 exp2syn "i2e.json" NULL 0.25\n')
        f.write('42 NULL NULL 7 NULL\n')

    syn = os.path.join(root, "synaptic_models")
    write_json(os.path.join(syn, "e2i.json"), {"level_of_detail": "AMPA_NMDA", "tau_d_AMPA": 3.0})
    write_json(os.path.join(syn, "i2e.json"), {"tau_d_GABAA": 12.0, "Use": 0.1})

    write_json(os.path.join(root, "circuit_config.json"), {
        "manifest": {"$BASE": "${configdir}", "$NET": "$BASE/network"},
        "components": {"synaptic_models_dir": "$BASE/synaptic_models"},
        "networks": {
            "nodes": [
                {"nodes_file": "$NET/exc_nodes.h5", "node_types_file": "$NET/exc_node_types.csv"},
                {"nodes_file": "$NET/inh_nodes.h5", "node_types_file": "$NET/inh_node_types.csv"},
            ],
            "edges": [
                {"edges_file": "$NET/exc_inh_edges.h5", "edge_types_file": "$NET/exc_inh_edge_types.csv"},
                {"edges_file": "$NET/inh_exc_edges.h5", "edge_types_file": "$NET/inh_exc_edge_types.csv"},
                {"edges_file": "$NET/inh_inh_edges.h5", "edge_types_file": "$NET/inh_inh_edge_types.csv"},
                {"edges_file": "$NET/two_pops_edges.h5", "edge_types_file": "$NET/two_pops_edge_types.csv"},
            ],
        },
    })


def dump_h5(path):
    """Every dataset of an HDF5 file as h5py reads it (the reference for the readers)."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                entry = {"dtype": str(obj.dtype), "shape": list(obj.shape),
                         "attrs": {k: to_plain(v) for k, v in obj.attrs.items()}}
                if obj.ndim == 1:
                    data = obj.asstr()[()] if h5py.check_string_dtype(obj.dtype) else obj[()]
                    entry["values"] = to_plain(list(data))
                out["/" + name] = entry
        f.visititems(visit)
    return out


def dump_csv(path):
    """A types CSV as bmtool reads it: pandas, sep=" " (NaN -> null)."""
    import pandas as pd

    df = pd.read_csv(path, sep=" ")
    return {"columns": list(df.columns),
            "dtypes": [str(t) for t in df.dtypes],
            "rows": [to_plain(list(r)) for r in df.itertuples(index=False)]}


def dump_files():
    files = {}
    for root, _, names in os.walk(OUT):
        for n in sorted(names):
            full = os.path.join(root, n)
            rel = os.path.relpath(full, OUT)
            if rel.startswith("expected"):
                continue
            if n.endswith(".h5"):
                files[rel] = {"h5": dump_h5(full)}
            elif n.endswith(".csv"):
                files[rel] = {"csv": dump_csv(full)}
    write_json(os.path.join(OUT, "expected", "files.json"), dict(sorted(files.items())))


def main():
    bmtool_version()
    if os.environ.get("PYTHONHASHSEED") != "0":
        sys.exit("run with PYTHONHASHSEED=0 (BMTK orders edge_types.csv columns through a set)")
    shutil.rmtree(os.path.join(OUT, "expected"), ignore_errors=True)
    build_basic()
    build_bugcase()
    build_naming()
    record("basic_config", "basic/config.json", ".")
    record("basic_circuit", "basic/circuit_config.json", ".")
    # bmtk leaves the circuit config's relative component path relative to the working
    # directory: run from the circuit folder, bmtool resolves it as SONATA does (the
    # reference); run from the simulation config's folder it finds no dynamics file.
    record("bugcase", "bugcase/simulation_config.json", "bugcase/circuit")
    record("bugcase_from_sim_dir", "bugcase/simulation_config.json", "bugcase")
    record("naming", "naming/circuit_config.json", ".")
    dump_files()


if __name__ == "__main__":
    main()
