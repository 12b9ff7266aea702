COMMENT
Exp2Syn_STP: a rise/decay (two-exponential) conductance with deterministic
short-term plasticity after Tsodyks & Markram / Fuhrmann et al. (2002).

The plasticity variables (u, R, tsyn, Pr) are RANGE variables of the synapse,
so every NetCon that targets one synapse shares them.

Written for synaptune's examples (synaptune nmodl). The equations, and the order
in which their operations are written, are those of synaptune's built-in
Exp2Syn_STP (mechanisms/standard/src/exp2syn_stp.rs), so the compiled mechanism
reproduces the built-in one bit for bit.
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS Exp2Syn_STP
    NONSPECIFIC_CURRENT i
    RANGE tau1, tau2, e, i, g
    RANGE initW, gmax, Use, Dep, Fac, u0
    RANGE tsyn, R, u, Pr
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau1 = 0.1 (ms) <1e-9, 1e9>  : rise time constant
    tau2 = 10 (ms) <1e-9, 1e9>   : decay time constant
    e = 0 (mV)                   : reversal potential
    initW = 1                    : scales every weight
    gmax = 0.001 (uS)            : conductance of a unit weight
    Use = 1 (1)                  : release probability of a rested synapse
    Dep = 0 (ms)                 : recovery from depression (0: no depression)
    Fac = 0 (ms)                 : decay of facilitation (0: no facilitation)
    u0 = 0                       : u before the first event
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    factor      : normalizes the peak conductance
    tsyn (ms)   : time of the last event
    R           : available resources
    u           : running release probability
    Pr          : probability of the last release
}

STATE {
    A (uS)
    B (uS)
}

INITIAL {
    LOCAL tpeak
    : the rise must stay faster than the decay
    if (tau1/tau2 > 0.9999) {
        tau1 = 0.9999*tau2
    }
    if (tau1/tau2 < 1e-9) {
        tau1 = tau2*1e-9
    }
    A = 0
    B = 0
    tpeak = (tau1*tau2)/(tau2 - tau1) * log(tau2/tau1)
    factor = -exp(-tpeak/tau1) + exp(-tpeak/tau2)
    factor = initW*gmax/factor
    tsyn = 0
    R = 1
    u = u0
}

BREAKPOINT {
    SOLVE decay METHOD cnexp
    g = B - A
    i = g*(v - e)
}

DERIVATIVE decay {
    A' = -A/tau1
    B' = -B/tau2
}

NET_RECEIVE(weight) {
    INITIAL {
        tsyn = t
    }
    if (t < 0) {
        : events delivered before t = 0 are ignored
VERBATIM
        return;
ENDVERBATIM
    }
    if (Fac > 0) {
        u = u*exp(-(t - tsyn)/Fac)   : facilitation relaxes since the last event ...
        u = u + Use*(1 - u)          : ... and grows with this one
    } else {
        u = Use
    }
    if (Dep > 0) {
        R = 1 - (1 - R)*exp(-(t - tsyn)/Dep)   : resources recover ...
        Pr = u*R
        R = R - u*R                            : ... and a fraction u is used
    } else {
        Pr = u
    }
    tsyn = t
    A = A + Pr*weight*factor
    B = B + Pr*weight*factor
}
