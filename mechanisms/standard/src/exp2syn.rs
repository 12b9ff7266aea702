//! `Exp2Syn` (NEURON's `exp2syn.mod`) and `ExpSyn` (`expsyn.mod`).

use crate::cnexp::{decay, exp2_current, exp2_peak_denominator, exp2_state, exp2_tau1, Exp2Fields};
use mech_api::{MechInfo, Mechanism, Pack, DV};

/// Two-state synapse: g = B − A, rise `tau1`, decay `tau2`, peak g = weight (µS).
pub struct Exp2Syn;

const TAU1: usize = 0;
const TAU2: usize = 1;
const E: usize = 2;
const I: usize = 3;
const G: usize = 4;
const FACTOR: usize = 5;
const A: usize = 6;
const B: usize = 7;
const FIELDS: Exp2Fields = Exp2Fields {
    a: A,
    b: B,
    e: E,
    g: G,
    i: I,
};

impl Mechanism for Exp2Syn {
    fn info() -> MechInfo {
        MechInfo::point("Exp2Syn")
            .rank(10)
            .source("exp2syn.mod")
            .param("tau1", "ms", 0.1)
            .limits(1e-9, 1e9)
            .param("tau2", "ms", 10.0)
            .limits(1e-9, 1e9)
            .param("e", "mV", 0.0)
            .assigned("i", "nA")
            .assigned("g", "uS")
            .assigned("factor", "")
            .state("A", "uS")
            .state("B", "uS")
            .net_receive(&["weight"])
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
            p.set(FACTOR, k, 1.0 / f);
        }
    }

    fn current(p: &mut Pack) {
        exp2_current(p, &FIELDS, None);
    }

    fn state(p: &mut Pack) {
        exp2_state(p, &FIELDS, TAU1, TAU2);
    }

    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], _flag: f64) {
        let f = p.get(FACTOR, k);
        p.set(A, k, p.get(A, k) + w[0] * f);
        p.set(B, k, p.get(B, k) + w[0] * f);
    }
}

/// Single-exponential synapse: g' = −g/tau, an event adds the weight (µS).
pub struct ExpSyn;

const XTAU: usize = 0;
const XE: usize = 1;
const XI: usize = 2;
const XG: usize = 3;

impl Mechanism for ExpSyn {
    fn info() -> MechInfo {
        MechInfo::point("ExpSyn")
            .rank(9)
            .source("expsyn.mod")
            .param("tau", "ms", 0.1)
            .limits(1e-9, 1e9)
            .param("e", "mV", 0.0)
            .assigned("i", "nA")
            .state("g", "uS")
            .net_receive(&["weight"])
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            p.set(XG, k, 0.0);
        }
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let (g, e, v) = (p.get(XG, k), p.get(XE, k), p.v(k));
            let hi = 0.0 + g * ((v + DV) - e);
            let i = g * (v - e);
            p.set(XI, k, i);
            p.point_current(k, hi, 0.0 + i);
        }
    }

    fn state(p: &mut Pack) {
        let dt = p.dt();
        for k in 0..p.n() {
            let g = decay(p.get(XG, k), dt, p.get(XTAU, k));
            p.set(XG, k, g);
        }
    }

    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], _flag: f64) {
        p.set(XG, k, p.get(XG, k) + w[0]);
    }
}
