COMMENT
caL: a high-voltage-activated L-type calcium current with calcium-dependent
inactivation, ica = gcalbar m^2 hca(cai) (v - eca). It READs cai, cao and eca:
with capool present eca follows cai (Nernst), which is what the NEURON fixture
checks. Rates are FUNCTIONs; the activation uses a removable singularity handled
with a series written as a `while` loop.

Written for synaptune's examples (synaptune nmodl).
ENDCOMMENT

NEURON {
    SUFFIX caL
    USEION ca READ cai, cao, eca WRITE ica
    RANGE gcalbar, minf, mtau, gca
    GLOBAL ki, vhalf, slope, q10
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
}

PARAMETER {
    gcalbar = 0.0006 (mho/cm2) <0, 1e9>
    ki = 0.001 (mM)        : half-inactivating calcium
    vhalf = -10 (mV)
    slope = 6 (mV)
    q10 = 3
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ica (mA/cm2)
    eca (mV)
    cai (mM)
    cao (mM)
    gca (mho/cm2)
    minf
    mtau (ms)
}

STATE {
    m
}

INITIAL {
    rates(v)
    m = minf
}

BREAKPOINT {
    SOLVE gating METHOD cnexp
    gca = gcalbar*m*m*hca(cai)
    ica = gca*(v - eca)
}

DERIVATIVE gating {
    rates(v)
    m' = (minf - m)/mtau
}

FUNCTION hca(ca (mM)) {
    hca = ki/(ki + ca)
}

FUNCTION xexpm1(x) {
    : x/(exp(x) - 1), with its limit 1 at x = 0 from the series of exp(x) - 1
    LOCAL term, sum, k
    if (fabs(x) < 1e-3) {
        term = x
        sum = 0
        k = 1
        while (k < 8) {
            sum = sum + term
            k = k + 1
            term = term*x/k
        }
        xexpm1 = x/sum
    } else {
        xexpm1 = x/(exp(x) - 1)
    }
}

PROCEDURE rates(v (mV)) {
    LOCAL alpha, beta, qt
    qt = q10^((celsius - 22)/10)
    alpha = 0.25*slope*xexpm1(-(v - vhalf)/slope)
    beta = 0.4*exp(-(v + 40)/25)
    minf = alpha/(alpha + beta)
    mtau = 1/(qt*(alpha + beta))
}
