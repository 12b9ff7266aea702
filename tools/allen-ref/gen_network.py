"""Write the SONATA network of tests/fixtures/sonata/allen/ with BMTK's NetworkBuilder.

Two Allen/BMTK node types (model_template ctdb:Biophys1.hoc) built from
allen-cell's own test inputs (crates/allen-cell/tests/data, copied into the
fixture's components), a virtual input population and one edge type onto each
Allen type, so that the tuners derive two connection types whose post cells
are Allen cells:

    /work/venv-nrn9/bin/python tools/allen-ref/gen_network.py

The network files are deterministic (one node per population, connection_rule 1).
"""

import json
import os
import shutil
import sys

from bmtk.builder import NetworkBuilder

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "sonata", "allen")
DATA = os.path.join(ROOT, "crates", "allen-cell", "tests", "data")


def main():
    net_dir = os.path.join(OUT, "network")
    morph = os.path.join(OUT, "components", "morphologies")
    models = os.path.join(OUT, "components", "biophysical_neuron_models")
    syn = os.path.join(OUT, "components", "synaptic_models")
    for d in (net_dir, morph, models, syn):
        os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(DATA, "single_soma.swc"), morph)
    shutil.copy(os.path.join(DATA, "contour_soma.swc"), morph)
    shutil.copy(os.path.join(DATA, "peri_hh.json"), models)
    shutil.copy(os.path.join(DATA, "allactive_hh.json"), models)
    with open(os.path.join(syn, "AMPA_allen.json"), "w") as f:
        json.dump({"level_of_detail": "Exp2Syn", "tau1": 0.2, "tau2": 2.5, "e": 0.0}, f, indent=2)
        f.write("\n")

    cortex = NetworkBuilder("cortex")
    cortex.add_nodes(N=1, pop_name="Peri", model_type="biophysical",
                     model_template="ctdb:Biophys1.hoc", morphology="single_soma.swc",
                     dynamics_params="peri_hh.json", model_processing="aibs_perisomatic")
    # The morphology without its extension: BMTK (and allen-cell) add `.swc`.
    cortex.add_nodes(N=1, pop_name="AllActive", model_type="biophysical",
                     model_template="ctdb:Biophys1.hoc", morphology="contour_soma",
                     dynamics_params="allactive_hh.json", model_processing="aibs_allactive")
    cortex.build()
    cortex.save_nodes(output_dir=net_dir)

    inputs = NetworkBuilder("inputs")
    inputs.add_nodes(N=1, pop_name="TC", model_type="virtual")
    inputs.add_edges(source=inputs.nodes(), target=cortex.nodes(pop_name="Peri"),
                     connection_rule=1, syn_weight=0.004, delay=1.0,
                     dynamics_params="AMPA_allen.json", model_template="Exp2Syn",
                     afferent_section_id=3, afferent_section_pos=0.5)
    inputs.add_edges(source=inputs.nodes(), target=cortex.nodes(pop_name="AllActive"),
                     connection_rule=1, syn_weight=0.003, delay=1.0,
                     model_template="Exp2Syn", afferent_section_id=0, afferent_section_pos=0.5)
    inputs.build()
    inputs.save_nodes(output_dir=net_dir)
    inputs.save_edges(output_dir=net_dir)

    config = {
        "manifest": {
            "$BASE_DIR": "${configdir}",
            "$NETWORK_DIR": "$BASE_DIR/network",
            "$COMPONENTS_DIR": "$BASE_DIR/components",
        },
        "run": {"tstop": 100.0, "dt": 0.025, "dL": 10.0},
        "conditions": {"celsius": 20.0, "v_init": -71.25},
        "components": {
            "morphologies_dir": "$COMPONENTS_DIR/morphologies",
            "biophysical_neuron_models_dir": "$COMPONENTS_DIR/biophysical_neuron_models",
            "synaptic_models_dir": "$COMPONENTS_DIR/synaptic_models",
        },
        "networks": {
            "nodes": [
                {"nodes_file": "$NETWORK_DIR/cortex_nodes.h5",
                 "node_types_file": "$NETWORK_DIR/cortex_node_types.csv"},
                {"nodes_file": "$NETWORK_DIR/inputs_nodes.h5",
                 "node_types_file": "$NETWORK_DIR/inputs_node_types.csv"},
            ],
            "edges": [
                {"edges_file": "$NETWORK_DIR/inputs_cortex_edges.h5",
                 "edge_types_file": "$NETWORK_DIR/inputs_cortex_edge_types.csv"},
            ],
        },
    }
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
