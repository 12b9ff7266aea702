#!/usr/bin/env python3
"""The gap-junction SONATA fixture (tests/fixtures/sonata/gap/) and bmtool 0.8.7's
gap-junction connection types of it.

A BMTK network of FSI_Cell nodes (the example cell, examples/fsi/cells) in two
populations, gap junctions written by BMTK's `add_gap_junctions` (is_gap_junction,
syn_weight = 1/resistance) within each population and across them, one between
different templates (which bmtool skips), and one chemical synapse. Each gap type
names a dynamics_params file: bmtool 0.8.7 fails (`'float' object has no
attribute 'upper'`) on a gap type without one, which synaptune reads as `{}`.

Writes the network, config.json (components.templates_dir pointing at the example
cells) and expected/gap.json: what `GapJunctionTuner._build_conn_type_settings_from_config`
returns (the part of bmtool's constructor that reads the config):

    PYTHONHASHSEED=0 /work/venv-bmtool/bin/python tools/sonata-ref/gen_gap_fixture.py
"""

import json
import os
import shutil

import numpy as np

if not hasattr(np, "trapz"):
    np.trapz = np.trapezoid

from bmtk.builder import NetworkBuilder  # noqa: E402
from bmtool.synapses import GapJunctionTuner  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "fixtures", "sonata", "gap")


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def build():
    shutil.rmtree(OUT, ignore_errors=True)
    net_dir = os.path.join(OUT, "network")
    syn = os.path.join(OUT, "components", "synaptic_models")
    os.makedirs(net_dir)
    os.makedirs(syn)
    write_json(os.path.join(syn, "FSI_gap.json"), {"g": 0.0005})
    write_json(os.path.join(syn, "FSI_gap_b.json"), {"note": "a second gap type"})
    write_json(os.path.join(syn, "Exc.json"), {"level_of_detail": "Exp2Syn", "tau1": 0.5, "tau2": 3.0})
    net = NetworkBuilder("striatum")
    net.add_nodes(N=2, pop_name="FSI", model_type="biophysical", model_template="hoc:FSI_Cell")
    net.add_nodes(N=2, pop_name="FSIb", model_type="biophysical", model_template="hoc:FSI_Cell")
    net.add_nodes(N=1, pop_name="Other", model_type="biophysical", model_template="hoc:Other_Cell")
    net.add_gap_junctions(source={"pop_name": "FSI"}, target={"pop_name": "FSI"},
                          resistance=1500, dynamics_params="FSI_gap.json")
    net.add_gap_junctions(source={"pop_name": "FSI"}, target={"pop_name": "FSIb"},
                          resistance=1000, dynamics_params="FSI_gap_b.json")
    net.add_gap_junctions(source={"pop_name": "FSI"}, target={"pop_name": "Other"},
                          resistance=1000, dynamics_params="FSI_gap.json")
    net.add_edges(source={"pop_name": "FSI"}, target={"pop_name": "FSIb"}, connection_rule=1,
                  syn_weight=0.001, delay=1.0, dynamics_params="Exc.json",
                  model_template="Exp2Syn", afferent_section_id=0, afferent_section_pos=0.5)
    net.build()
    net.save(output_dir=net_dir)
    write_json(os.path.join(OUT, "config.json"), {
        "manifest": {"$BASE_DIR": "${configdir}", "$NETWORK_DIR": "$BASE_DIR/network",
                     "$COMPONENTS_DIR": "$BASE_DIR/components"},
        "run": {"tstop": 1000.0, "dt": 0.025},
        "components": {"synaptic_models_dir": "$COMPONENTS_DIR/synaptic_models",
                       "templates_dir": "$BASE_DIR/../../../../examples/fsi/cells"},
        "networks": {
            "nodes": [{"nodes_file": "$NETWORK_DIR/striatum_nodes.h5",
                       "node_types_file": "$NETWORK_DIR/striatum_node_types.csv"}],
            "edges": [{"edges_file": "$NETWORK_DIR/striatum_striatum_edges.h5",
                       "edge_types_file": "$NETWORK_DIR/striatum_striatum_edge_types.csv"}],
        },
    })


def reference():
    tuner = GapJunctionTuner.__new__(GapJunctionTuner)
    cwd = os.getcwd()
    os.chdir(OUT)
    try:
        settings = tuner._build_conn_type_settings_from_config(os.path.join(OUT, "config.json"))
    finally:
        os.chdir(cwd)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    write_json(os.path.join(OUT, "expected", "gap.json"),
               {"bmtool": "0.8.7", "conn_type_settings": settings})
    print(json.dumps(settings, indent=1))


if __name__ == "__main__":
    build()
    reference()
