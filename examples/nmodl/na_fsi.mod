: nainter: the spike-generating sodium current of the FSI interneuron model,
: gna = gnabar m^3 h, each gate relaxing to its steady state with exponential
: rate functions around a half-activation voltage.
: Written for synaptune's examples from the equations of synaptune's built-in
: `nainter` (mechanisms/standard/src/channels.rs), same operation order.

NEURON {
    SUFFIX nainter
    USEION na READ ena WRITE ina
    RANGE gnabar, gna, mv_05, hv_05, mtau_inv, htau_inv
    RANGE minf, hinf, mtau, htau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gnabar = 0.035 (mho/cm2) <0, 1e9>
    mv_05 = -18.5 (mV)       : activation midpoint
    hv_05 = -29 (mV)         : inactivation midpoint
    mtau_inv = 2.1 (/ms)     : activation rate scale
    htau_inv = 0.045 (/ms)   : inactivation rate scale
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    gna (mho/cm2)
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
    gates(v)
    m = minf
    h = hinf
}

BREAKPOINT {
    SOLVE kinetics METHOD cnexp
    gna = gnabar*m*m*m*h
    ina = gna*(v - ena)
}

DERIVATIVE kinetics {
    gates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

UNITSOFF
FUNCTION expo(scale, dv, slope) {
    expo = scale*exp(dv/slope)
}

PROCEDURE gates(v (mV)) {
    LOCAL up, down
    up = expo(mtau_inv, v - mv_05, 11.75)
    down = expo(mtau_inv, -(v - mv_05), 27)
    minf = up/(up + down)
    mtau = 1/(up + down)
    up = expo(htau_inv, -(v - hv_05), 33)
    down = expo(htau_inv, v - hv_05, 12.2)
    hinf = up/(up + down)
    htau = 1/(up + down)
}
UNITSON
