: Gap: one half of an electrical synapse. `vgap` is the partner cell's voltage,
: copied in by the simulator (NEURON's ParallelContext source_var/target_var,
: synaptune's transfers); g is in microsiemens. Written for synaptune's examples;
: the same model as synaptune's built-in Gap.

NEURON {
    POINT_PROCESS Gap
    ELECTRODE_CURRENT i
    RANGE g, i, vgap
}

PARAMETER {
    g = 0.001 (uS)
}

ASSIGNED {
    v (mV)
    vgap (mV)
    i (nA)
}

BREAKPOINT {
    i = g*(vgap - v)   : positive (depolarizing) when the partner is higher
}
