COMMENT
dimer: a nonlinear kinetic scheme without current, 2 A <-> D, with a
voltage-dependent forward rate and the conservation A + 2 D = 1, solved by
METHOD sparse (Newton iterations of the implicit step, states kept >= 0) from
its steady state. It exercises stoichiometric coefficients in reactions and in
CONSERVE.

Written for synaptune's examples (synaptune nmodl).
ENDCOMMENT

NEURON {
    SUFFIX dimer
    RANGE kb, kf0
}

PARAMETER {
    kf0 = 0.5 (/ms)
    kb = 0.05 (/ms)
}

ASSIGNED {
    v (mV)
    kf (/ms)
}

STATE {
    A
    D
}

INITIAL {
    A = 1
    D = 0
    SOLVE pairing STEADYSTATE sparse
}

BREAKPOINT {
    SOLVE pairing METHOD sparse
}

KINETIC pairing {
    kf = kf0*exp((v + 65)/20)
    ~ 2 A <-> D (kf, kb)
    CONSERVE A + 2 D = 1
}
