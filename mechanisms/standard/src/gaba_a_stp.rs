//! `GABA_A_STP` (bmtool's `GABA_A_STP.mod`, adapted from BBP's DetGABAAB): a
//! dual-exponential GABA_A conductance with deterministic short-term plasticity
//! kept **per connection** in the NET_RECEIVE arguments `(weight, R, u, tsyn)`.
//! `record_use` and `record_Pr` hold the values of the last event.

use crate::cnexp::{
    exp2_current, exp2_peak_denominator, exp2_state_cached, Exp2Fields, DECAY_CACHE,
};
use mech_api::math::exp;
use mech_api::{MechInfo, Mechanism, Pack};

/// GABA_A synapse with per-connection STP.
pub struct GabaAStp;

const INITW: usize = 0;
const TAU_R: usize = 1;
const TAU_D: usize = 2;
const USE: usize = 3;
const DEP: usize = 4;
const FAC: usize = 5;
const E: usize = 6;
const GMAX: usize = 7;
const U0: usize = 8;
const SYNAPSE_ID: usize = 9;
const VERBOSE: usize = 10;
const CONDUCTANCE: usize = 11;
const I: usize = 12;
const G: usize = 13;
const GMAX_GABAA: usize = 14;
const FACTOR: usize = 15;
const RECORD_USE: usize = 16;
const RECORD_PR: usize = 17;
const A: usize = 18;
const B: usize = 19;
const FIELDS: Exp2Fields = Exp2Fields {
    a: A,
    b: B,
    e: E,
    g: G,
    i: I,
};

impl Mechanism for GabaAStp {
    fn info() -> MechInfo {
        MechInfo::point("GABA_A_STP")
            .source("GABA_A_STP.mod")
            .param("initW", "", 1.0)
            .param("tau_r_GABAA", "ms", 0.2)
            .param("tau_d_GABAA", "ms", 8.0)
            .param("Use", "1", 1.0)
            .event_only()
            .param("Dep", "ms", 100.0)
            .event_only()
            .param("Fac", "ms", 10.0)
            .event_only()
            .param("e_GABAA", "mV", -75.0)
            .param("gmax", "uS", 0.001)
            .param("u0", "", 0.0)
            .param("synapseID", "", 0.0)
            .param("verboseLevel", "", 0.0)
            .param("conductance", "", 0.0)
            .assigned("i", "nA")
            .assigned("g", "uS")
            .assigned("gmax_GABAA", "uS")
            .assigned("factor_GABAA", "")
            .assigned("record_use", "")
            .assigned("record_Pr", "")
            .state("A_GABAA", "")
            .state("B_GABAA", "")
            .global("nc_type_param", "", 7.0)
            .net_receive(&["weight", "R", "u", "tsyn"])
            .net_init()
            .scratch(2 * DECAY_CACHE)
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            p.set(A, k, 0.0);
            p.set(B, k, 0.0);
            let f = exp2_peak_denominator(p.get(TAU_R, k), p.get(TAU_D, k));
            p.set(FACTOR, k, 1.0 / f);
            p.set(GMAX_GABAA, k, p.get(INITW, k) * p.get(GMAX, k));
            p.set(RECORD_USE, k, p.get(U0, k));
            p.set(RECORD_PR, k, p.get(U0, k));
        }
    }

    fn current(p: &mut Pack) {
        exp2_current(p, &FIELDS, Some(GMAX_GABAA));
    }

    fn state(p: &mut Pack) {
        exp2_state_cached(p, &FIELDS, TAU_R, TAU_D);
    }

    fn net_init(p: &mut Pack, k: usize, w: &mut [f64]) {
        w[1] = 1.0;
        w[2] = p.get(U0, k);
        w[3] = p.t();
    }

    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], flag: f64) {
        let t = p.t();
        if t < 0.0 {
            return;
        }
        let (fac, dep, use_) = (p.get(FAC, k), p.get(DEP, k), p.get(USE, k));
        if fac > 0.0 {
            w[2] *= exp(-(t - w[3]) / fac);
            w[2] += use_ * (1.0 - w[2]);
        } else {
            w[2] = use_;
        }
        let pr;
        if dep > 0.0 {
            w[1] = 1.0 - (1.0 - w[1]) * exp(-(t - w[3]) / dep);
            pr = w[2] * w[1];
            w[1] -= w[2] * w[1];
        } else {
            pr = w[2];
        }
        p.set(RECORD_USE, k, w[2]);
        p.set(RECORD_PR, k, pr);
        if p.get(VERBOSE, k) > 0.0 {
            eprintln!(
                "Synapse {} at time {}: R = {} Pr = {}",
                p.get(SYNAPSE_ID, k),
                t,
                w[1],
                pr
            );
        }
        w[3] = t;
        let weight_gabaa = pr * w[0] * p.get(FACTOR, k);
        p.set(A, k, p.get(A, k) + weight_gabaa);
        p.set(B, k, p.get(B, k) + weight_gabaa);
        if flag == 1.0 {
            w[0] = p.get(CONDUCTANCE, k);
        }
    }
}
