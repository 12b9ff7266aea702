COMMENT
caN: an N-type calcium current with the Goldman-Hodgkin-Katz driving force,
ica = gcanbar m^2 h ghk(v, cai, cao). It READs cai and cao and WRITEs ica.
The rates are tabulated (TABLE ... DEPEND celsius), as NEURON does: 201 points
from -100 to 100 mV, linear interpolation, usetable_caN = 0 computes them
directly.

Written for synaptune's examples (synaptune nmodl).
ENDCOMMENT

NEURON {
    SUFFIX caN
    USEION ca READ cai, cao WRITE ica
    RANGE gcanbar, minf, hinf, mtau, htau
    GLOBAL q10
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    gcanbar = 0.0002 (mho/cm2) <0, 1e9>
    q10 = 2.5
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ica (mA/cm2)
    cai (mM)
    cao (mM)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

STATE {
    m
    h
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

BREAKPOINT {
    SOLVE gating METHOD cnexp
    ica = gcanbar*m*m*h*ghk(v, cai, cao)
}

DERIVATIVE gating {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

FUNCTION ghk(v (mV), ci (mM), co (mM)) (mV) {
    LOCAL z, f
    f = (1e3)*R*(celsius + 273.15)/(2*FARADAY)   : RT/zF (mV)
    z = v/f
    ghk = -f*(1 - (ci/co)*exp(z))*efun(z)
}

FUNCTION efun(z) {
    if (fabs(z) < 1e-4) {
        efun = 1 - z/2
    } else {
        efun = z/(exp(z) - 1)
    }
}

PROCEDURE rates(v (mV)) {
    LOCAL qt
    TABLE minf, hinf, mtau, htau DEPEND celsius FROM -100 TO 100 WITH 200
    qt = q10^((celsius - 22)/10)
    minf = 1/(1 + exp(-(v + 20)/4.5))
    mtau = (0.3 + 2/(exp((v + 40)/12) + exp(-(v + 40)/20)))/qt
    hinf = 1/(1 + exp((v + 55)/8))
    htau = (40 + 80/(1 + exp((v + 35)/6)))/qt
}
