COMMENT
AMPA_NMDA_STP: AMPA and NMDA conductances (two exponentials each, the NMDA one
gated by the Jahr & Stevens (1990) magnesium block) with deterministic
short-term plasticity kept per connection in the NET_RECEIVE arguments
(weight, weight_AMPA, weight_NMDA, R, Pr, u, tsyn, nc_type).

Written for synaptune's examples (synaptune nmodl) from the equations of
synaptune's built-in AMPA_NMDA_STP (mechanisms/standard/src/ampa_nmda_stp.rs),
in the same operation order, so the two agree bit for bit.
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS AMPA_NMDA_STP
    NONSPECIFIC_CURRENT i
    RANGE initW, tau_r_AMPA, tau_d_AMPA, tau_r_NMDA, tau_d_NMDA
    RANGE Use, Dep, Fac, u0, mg, NMDA_ratio, e
    RANGE gmax_AMPA, gmax_NMDA
    RANGE i, i_AMPA, i_NMDA, g_AMPA, g_NMDA, g, factor_AMPA, factor_NMDA, mggate
    RANGE record_use, record_Pr
    RANGE synapseID, verboseLevel, conductance
    GLOBAL nc_type_param
}

PARAMETER {
    initW = 1                 : scales the current
    tau_r_AMPA = 0.2 (ms)
    tau_d_AMPA = 1.7 (ms)
    tau_r_NMDA = 0.29 (ms)
    tau_d_NMDA = 43 (ms)
    Use = 1 (1)
    Dep = 100 (ms)
    Fac = 10 (ms)
    e = 0 (mV)
    mg = 1 (mM)               : extracellular magnesium
    gmax_NMDA = 0.001 (uS)
    gmax_AMPA = 0.001 (uS)
    u0 = 0
    NMDA_ratio = 0.71 (1)     : NMDA weight relative to AMPA
    synapseID = 0
    verboseLevel = 0
    conductance = 0
    nc_type_param = 7
}

ASSIGNED {
    v (mV)
    i (nA)
    i_AMPA (nA)
    i_NMDA (nA)
    g_AMPA (uS)
    g_NMDA (uS)
    g (uS)
    factor_AMPA
    factor_NMDA
    mggate
    record_use
    record_Pr
}

STATE {
    A_AMPA
    B_AMPA
    A_NMDA
    B_NMDA
}

FUNCTION peak_norm(rise (ms), decay (ms)) {
    : 1/(conductance at its peak) of exp(-t/decay) - exp(-t/rise)
    LOCAL tpeak
    tpeak = (rise*decay)/(decay - rise) * log(decay/rise)
    peak_norm = -exp(-tpeak/rise) + exp(-tpeak/decay)
    peak_norm = 1/peak_norm
}

INITIAL {
    A_AMPA = 0
    B_AMPA = 0
    A_NMDA = 0
    B_NMDA = 0
    factor_AMPA = peak_norm(tau_r_AMPA, tau_d_AMPA)
    factor_NMDA = peak_norm(tau_r_NMDA, tau_d_NMDA)
    record_use = u0
    record_Pr = u0
}

BREAKPOINT {
    SOLVE conductances METHOD cnexp
    mggate = 1/(1 + exp(0.062 (/mV) * -(v)) * (mg/3.57 (mM)))
    g_AMPA = gmax_AMPA*(B_AMPA - A_AMPA)
    g_NMDA = gmax_NMDA*(B_NMDA - A_NMDA) * mggate
    g = g_AMPA + g_NMDA
    i_AMPA = g_AMPA*(v - e)
    i_NMDA = g_NMDA*(v - e)
    i = (i_AMPA + i_NMDA) * initW
}

DERIVATIVE conductances {
    A_AMPA' = -A_AMPA/tau_r_AMPA
    B_AMPA' = -B_AMPA/tau_d_AMPA
    A_NMDA' = -A_NMDA/tau_r_NMDA
    B_NMDA' = -B_NMDA/tau_d_NMDA
}

NET_RECEIVE(weight, weight_AMPA, weight_NMDA, R, Pr, u, tsyn (ms), nc_type) {
    weight_AMPA = weight
    weight_NMDA = weight*NMDA_ratio
    INITIAL {
        R = 1
        u = u0
        tsyn = t
    }
    if (t < 0) {
VERBATIM
        return;
ENDVERBATIM
    }
    if (flag == 1) {
        weight = conductance   : a self event sets the next weight
    }
    if (Fac > 0) {
        u = u*exp(-(t - tsyn)/Fac)
        u = u + Use*(1 - u)
    } else {
        u = Use
    }
    if (Dep > 0) {
        R = 1 - (1 - R)*exp(-(t - tsyn)/Dep)
        Pr = u*R
        R = R - u*R
    } else {
        Pr = u
    }
    record_use = u
    record_Pr = Pr
    if (verboseLevel > 0) {
        printf("AMPA_NMDA_STP %g at %g ms: R = %g, Pr = %g\n", synapseID, t, R, Pr)
    }
    tsyn = t
    A_AMPA = A_AMPA + Pr*weight_AMPA*factor_AMPA
    B_AMPA = B_AMPA + Pr*weight_AMPA*factor_AMPA
    A_NMDA = A_NMDA + Pr*weight_NMDA*factor_NMDA
    B_NMDA = B_NMDA + Pr*weight_NMDA*factor_NMDA
}
