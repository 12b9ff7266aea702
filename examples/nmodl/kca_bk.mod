COMMENT
bk: a large-conductance calcium- and voltage-activated potassium current,
ik = gbkbar p (v - ek). Its open probability rises with cai through a Hill
function (computed with integer powers by a `while` loop) and its half-activation
voltage shifts with cai. It READs cai (written by capool) and ek.

Written for synaptune's examples (synaptune nmodl).
ENDCOMMENT

NEURON {
    SUFFIX bk
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbkbar, pinf, ptau
    GLOBAL kd, nhill, vshift
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
}

PARAMETER {
    gbkbar = 0.003 (mho/cm2) <0, 1e9>
    kd = 0.001 (mM)        : half-activating calcium
    nhill = 2              : Hill coefficient (integer)
    vshift = 40 (mV)       : voltage shift at saturating calcium
    ptau = 2 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    cai (mM)
    pinf
}

STATE {
    p
}

INITIAL {
    steady(v, cai)
    p = pinf
}

BREAKPOINT {
    SOLVE gating METHOD cnexp
    ik = gbkbar*p*(v - ek)
}

DERIVATIVE gating {
    steady(v, cai)
    p' = (pinf - p)/ptau
}

FUNCTION hill(x, k, n) {
    : x^n/(x^n + k^n) for an integer n >= 1, by repeated products
    LOCAL xn, kn, j
    xn = x
    kn = k
    j = 1
    while (j < n) {
        xn = xn*x
        kn = kn*k
        j = j + 1
    }
    hill = xn/(xn + kn)
}

PROCEDURE steady(v (mV), ca (mM)) {
    LOCAL occ
    occ = hill(ca, kd, nhill)
    pinf = occ/(1 + exp(-(v - 10 + vshift*occ)/12))
}
