: leak: the passive conductance of the FSI interneuron model. Written for
: synaptune's examples; the same model as synaptune's built-in `leak`.
:
: The default of glbar is written with all its digits on purpose: NEURON prints
: PARAMETER defaults with six significant digits, so the default NEURON (and
: synaptune nmodl) uses is 2.85714e-05.

NEURON {
    SUFFIX leak
    NONSPECIFIC_CURRENT il
    RANGE glbar, el, il
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    glbar = 2.857142857142857e-05 (S/cm2) <0, 1e9>
    el = -75 (mV)
}

ASSIGNED {
    v (mV)
    il (mA/cm2)
}

BREAKPOINT {
    il = glbar*(v - el)
}
