//! `Exp2Syn_STP` (bmtool's `exp2syn_stp.mod`): Exp2Syn with deterministic
//! Fuhrmann/Tsodyks–Markram short-term plasticity. The STP state (`tsyn`, `R`,
//! `u`, `Pr`) lives in the synapse (RANGE variables), so every connection into one
//! synapse shares it, as in the mod file.

use crate::cnexp::{exp2_current, exp2_peak_denominator, exp2_state, exp2_tau1, Exp2Fields};
use mech_api::math::exp;
use mech_api::{MechInfo, Mechanism, Pack};

/// Exp2Syn with short-term plasticity kept per synapse.
pub struct Exp2SynStp;

const TAU1: usize = 0;
const TAU2: usize = 1;
const E: usize = 2;
const INITW: usize = 3;
const GMAX: usize = 4;
const USE: usize = 5;
const DEP: usize = 6;
const FAC: usize = 7;
const U0: usize = 8;
const I: usize = 9;
const G: usize = 10;
const FACTOR: usize = 11;
const TSYN: usize = 12;
const R: usize = 13;
const U: usize = 14;
const PR: usize = 15;
const A: usize = 16;
const B: usize = 17;
const FIELDS: Exp2Fields = Exp2Fields {
    a: A,
    b: B,
    e: E,
    g: G,
    i: I,
};

impl Mechanism for Exp2SynStp {
    fn info() -> MechInfo {
        MechInfo::point("Exp2Syn_STP")
            .source("exp2syn_stp.mod")
            .param("tau1", "ms", 0.1)
            .limits(1e-9, 1e9)
            .param("tau2", "ms", 10.0)
            .limits(1e-9, 1e9)
            .param("e", "mV", 0.0)
            .param("initW", "", 1.0)
            .param("gmax", "uS", 0.001)
            .param("Use", "1", 1.0)
            .event_only()
            .param("Dep", "ms", 0.0)
            .event_only()
            .param("Fac", "ms", 0.0)
            .event_only()
            .param("u0", "", 0.0)
            .assigned("i", "nA")
            .assigned("g", "uS")
            .assigned("factor", "")
            .assigned("tsyn", "ms")
            .assigned("R", "")
            .assigned("u", "")
            .assigned("Pr", "")
            .state("A", "uS")
            .state("B", "uS")
            .net_receive(&["weight"])
            .net_init()
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            let tau2 = p.get(TAU2, k);
            let tau1 = exp2_tau1(p.get(TAU1, k), tau2);
            p.set(TAU1, k, tau1);
            p.set(A, k, 0.0);
            p.set(B, k, 0.0);
            let f = exp2_peak_denominator(tau1, tau2);
            p.set(FACTOR, k, p.get(INITW, k) * p.get(GMAX, k) / f);
            p.set(TSYN, k, 0.0);
            p.set(R, k, 1.0);
            p.set(U, k, p.get(U0, k));
        }
    }

    fn current(p: &mut Pack) {
        exp2_current(p, &FIELDS, None);
    }

    fn state(p: &mut Pack) {
        exp2_state(p, &FIELDS, TAU1, TAU2);
    }

    fn net_init(p: &mut Pack, k: usize, _w: &mut [f64]) {
        p.set(TSYN, k, p.t());
    }

    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], _flag: f64) {
        let t = p.t();
        if t < 0.0 {
            return;
        }
        let (fac, dep, use_) = (p.get(FAC, k), p.get(DEP, k), p.get(USE, k));
        let tsyn = p.get(TSYN, k);
        let mut u = p.get(U, k);
        if fac > 0.0 {
            u *= exp(-(t - tsyn) / fac);
            u += use_ * (1.0 - u);
        } else {
            u = use_;
        }
        let pr;
        if dep > 0.0 {
            let mut r = 1.0 - (1.0 - p.get(R, k)) * exp(-(t - tsyn) / dep);
            pr = u * r;
            r -= u * r;
            p.set(R, k, r);
        } else {
            pr = u;
        }
        p.set(U, k, u);
        p.set(PR, k, pr);
        p.set(TSYN, k, t);
        let f = p.get(FACTOR, k);
        p.set(A, k, p.get(A, k) + pr * w[0] * f);
        p.set(B, k, p.get(B, k) + pr * w[0] * f);
    }
}
