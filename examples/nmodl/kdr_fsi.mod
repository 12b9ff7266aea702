: kdrinter: the delayed-rectifier potassium current of the FSI interneuron
: model, gk = gkdrbar n^4. Written for synaptune's examples from the equations of
: synaptune's built-in `kdrinter` (mechanisms/standard/src/channels.rs), same
: operation order.

NEURON {
    SUFFIX kdrinter
    USEION k READ ek WRITE ik
    RANGE gkdrbar, gkdr, v_05, tau_inv, inf, tau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gkdrbar = 0.008 (mho/cm2) <0, 1e9>
    v_05 = -19 (mV)
    tau_inv = 0.15 (/ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    gkdr (mho/cm2)
    inf
    tau (ms)
}

STATE {
    n
}

INITIAL {
    steady(v)
    n = inf
}

BREAKPOINT {
    SOLVE kinetics METHOD cnexp
    gkdr = gkdrbar*n*n*n*n
    ik = gkdr*(v - ek)
}

DERIVATIVE kinetics {
    steady(v)
    n' = (inf - n)/tau
}

PROCEDURE steady(v (mV)) {
    LOCAL opening, closing
    UNITSOFF
    opening = tau_inv*exp((v - v_05)/10.67)
    closing = tau_inv*exp(-(v - v_05)/42.68)
    UNITSON
    inf = opening/(opening + closing)
    tau = 1/(opening + closing)
}
