COMMENT
BurstStim: an artificial cell firing `nburst` bursts of `nspike` spikes
(`interval` apart within a burst, `gap` between bursts) from `start` on. It
schedules itself with net_send and tells its events apart with `flag`:
flag 1 fires a spike, flag 2 starts a burst. Spike times are kept as absolute
times (`tnext`), sent as net_send(tnext - t, 1), which NEURON delivers at
t + (tnext - t) evaluated as written: (t + tnext) - t.

Written for synaptune's examples (synaptune nmodl).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL BurstStim
    RANGE start, interval, nspike, gap, nburst, ispike, iburst, tnext
}

PARAMETER {
    start = 5 (ms)
    interval = 3.3 (ms)
    nspike = 4
    gap = 21.7 (ms)
    nburst = 3
}

ASSIGNED {
    tnext (ms)
    ispike
    iburst
}

INITIAL {
    ispike = 0
    iburst = 0
    if (nburst > 0 && nspike > 0) {
        net_send(start, 2)
    }
}

NET_RECEIVE(w) {
    if (flag == 2) {
        : a new burst
        iburst = iburst + 1
        ispike = 0
        tnext = t
        net_send(0, 1)
    } else if (flag == 1) {
        net_event(t)
        ispike = ispike + 1
        if (ispike < nspike) {
            tnext = tnext + interval
            net_send(tnext - t, 1)
        } else if (iburst < nburst) {
            net_send(gap, 2)
        }
    }
}
