COMMENT
GABA_A_STP: a GABA-A conductance (two exponentials) with deterministic
short-term plasticity whose state belongs to each connection: the NET_RECEIVE
arguments (weight, R, u, tsyn) live in every NetCon's weight vector, so two
inputs into one synapse depress independently.

Flag 1 events (self events) reset the connection's weight to `conductance`.
`record_use` and `record_Pr` hold the values of the latest event.

Written for synaptune's examples (synaptune nmodl) from the equations of
synaptune's built-in GABA_A_STP (mechanisms/standard/src/gaba_a_stp.rs), in the
same operation order, so the two agree bit for bit.
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS GABA_A_STP
    NONSPECIFIC_CURRENT i
    RANGE initW, gmax, gmax_GABAA, tau_r_GABAA, tau_d_GABAA, e_GABAA
    RANGE Use, Dep, Fac, u0
    RANGE i, g, factor_GABAA, record_use, record_Pr
    RANGE synapseID, verboseLevel, conductance
    GLOBAL nc_type_param
}

PARAMETER {
    initW = 1                  : scales gmax
    tau_r_GABAA = 0.2 (ms)     : rise
    tau_d_GABAA = 8 (ms)       : decay
    Use = 1 (1)                : release probability of a rested connection
    Dep = 100 (ms)             : recovery from depression
    Fac = 10 (ms)              : decay of facilitation
    e_GABAA = -75 (mV)         : reversal potential
    gmax = 0.001 (uS)          : conductance of a unit weight
    u0 = 0                     : u before the first event
    synapseID = 0
    verboseLevel = 0           : > 0 prints every release
    conductance = 0            : weight set by a flag-1 event
    nc_type_param = 7
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    gmax_GABAA (uS)
    factor_GABAA
    record_use
    record_Pr
}

STATE {
    A_GABAA
    B_GABAA
}

INITIAL {
    LOCAL tpeak
    A_GABAA = 0
    B_GABAA = 0
    tpeak = (tau_r_GABAA*tau_d_GABAA)/(tau_d_GABAA - tau_r_GABAA) * log(tau_d_GABAA/tau_r_GABAA)
    factor_GABAA = -exp(-tpeak/tau_r_GABAA) + exp(-tpeak/tau_d_GABAA)
    factor_GABAA = 1/factor_GABAA
    gmax_GABAA = initW*gmax
    record_use = u0
    record_Pr = u0
}

BREAKPOINT {
    SOLVE rise_decay METHOD cnexp
    g = gmax_GABAA*(B_GABAA - A_GABAA)
    i = g*(v - e_GABAA)
}

DERIVATIVE rise_decay {
    A_GABAA' = -A_GABAA/tau_r_GABAA
    B_GABAA' = -B_GABAA/tau_d_GABAA
}

NET_RECEIVE(weight, R, u, tsyn (ms)) {
    LOCAL released, jump
    INITIAL {
        : every connection starts rested
        R = 1
        u = u0
        tsyn = t
    }
    if (t < 0) {
VERBATIM
        return;
ENDVERBATIM
    }
    if (Fac > 0) {
        u = u*exp(-(t - tsyn)/Fac)
        u = u + Use*(1 - u)
    } else {
        u = Use
    }
    if (Dep > 0) {
        R = 1 - (1 - R)*exp(-(t - tsyn)/Dep)
        released = u*R
        R = R - u*R
    } else {
        released = u
    }
    record_use = u
    record_Pr = released
    if (verboseLevel > 0) {
        printf("GABA_A_STP %g at %g ms: R = %g, Pr = %g\n", synapseID, t, R, released)
    }
    tsyn = t
    jump = released*weight*factor_GABAA
    A_GABAA = A_GABAA + jump
    B_GABAA = B_GABAA + jump
    if (flag == 1) {
        weight = conductance
    }
}
