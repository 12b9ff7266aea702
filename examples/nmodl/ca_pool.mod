COMMENT
capool: calcium in a thin shell under the membrane. Inward calcium current fills
the shell, first-order extrusion relaxes it to cainf. The pool WRITEs cai, so
NEURON (and synaptune) recompute eca from cai/cao with the Nernst equation at
every step for the channels that read eca.

Written for synaptune's examples (synaptune nmodl). The Faraday constant comes
from a UNITS conversion factor, as in many calcium mechanisms.
ENDCOMMENT

NEURON {
    SUFFIX capool
    USEION ca READ ica, cai WRITE cai
    RANGE depth, taur, cainf, influx
}

UNITS {
    (mM) = (milli/liter)
    (um) = (micron)
    (mA) = (milliamp)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth = 0.2 (um)      : shell thickness
    taur = 40 (ms)        : extrusion time constant
    cainf = 5e-5 (mM)     : resting concentration
}

ASSIGNED {
    ica (mA/cm2)
    influx (mM/ms)
}

STATE {
    cai (mM)
}

INITIAL {
    cai = cainf
}

BREAKPOINT {
    SOLVE shell METHOD cnexp
}

DERIVATIVE shell {
    : mA/cm2 -> mM/ms in a shell of `depth` um: 1e4/(2 F depth)
    influx = -(1e4)*ica/(2*FARADAY*depth)
    if (influx < 0) {
        influx = 0   : the pump does not run backwards
    }
    cai' = influx - (cai - cainf)/taur
}
