COMMENT
kdi: a delayed-rectifier potassium current with a slow modulation gate s that
follows n^2, ik = gkbar n^3 s (v - ek), integrated with METHOD derivimplicit
(backward Euler solved by Newton's method with a finite-difference Jacobian,
NEURON's scopmath iteration).

Written for synaptune's examples (synaptune nmodl).
ENDCOMMENT

NEURON {
    SUFFIX kdi
    USEION k READ ek WRITE ik
    RANGE gkbar, taus
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gkbar = 0.01 (mho/cm2) <0, 1e9>
    taus = 30 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    an (/ms)
    bn (/ms)
}

STATE {
    n
    s
}

INITIAL {
    rates(v)
    n = an/(an + bn)
    s = n*n
}

BREAKPOINT {
    SOLVE gating METHOD derivimplicit
    ik = gkbar*n*n*n*s*(v - ek)
}

DERIVATIVE gating {
    rates(v)
    n' = an*(1 - n) - bn*n
    s' = (n*n - s)/taus
}

PROCEDURE rates(v (mV)) {
    UNITSOFF
    an = 0.02*(v + 40)/(1 - exp(-(v + 40)/9))
    bn = 0.25*exp(-(v + 60)/40)
    UNITSON
}
