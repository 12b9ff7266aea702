COMMENT
nak: a four-state Markov sodium channel (closed C1, C2, open O, inactivated I)
written as a KINETIC scheme with a conservation law, solved by METHOD sparse
(implicit Euler with NEURON's sparse solver) and started at its steady state
(SOLVE … STEADYSTATE sparse), ina = gnabar O (v - ena).

Written for synaptune's examples (synaptune nmodl).
ENDCOMMENT

NEURON {
    SUFFIX nak
    USEION na READ ena WRITE ina
    RANGE gnabar
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gnabar = 0.05 (mho/cm2) <0, 1e9>
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    am (/ms)
    bm (/ms)
    ah (/ms)
    bh (/ms)
}

STATE {
    C1
    C2
    O
    I
}

INITIAL {
    SOLVE scheme STEADYSTATE sparse
}

BREAKPOINT {
    SOLVE scheme METHOD sparse
    ina = gnabar*O*(v - ena)
}

KINETIC scheme {
    rates(v)
    ~ C1 <-> C2 (2*am, bm)
    ~ C2 <-> O (am, 2*bm)
    ~ O <-> I (ah, bh)
    ~ I <-> C2 (5*bh, 0.02*ah)
    CONSERVE C1 + C2 + O + I = 1
}

PROCEDURE rates(v (mV)) {
    UNITSOFF
    am = 1.2*exp((v + 35)/12)
    bm = 4*exp(-(v + 35)/18)
    ah = 0.1*exp((v + 45)/15)
    bh = 0.02*exp(-(v + 45)/20)
    UNITSON
}
