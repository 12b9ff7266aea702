//! The update formulas nocmodl emits for `METHOD cnexp`, written literally so the
//! rounding is NEURON's (do not simplify them), and the pieces the two-exponential
//! synapses (`Exp2Syn`, `Exp2Syn_STP`, `GABA_A_STP`) share.

use mech_api::math::exp;
use mech_api::{Pack, DV};

/// `x' = -x/tau`: `x + (1 - exp(dt*((-1)/tau))) * (-(0)/((-1)/tau) - x)`.
#[inline]
pub fn decay(x: f64, dt: f64, tau: f64) -> f64 {
    x + (1.0 - exp(dt * ((-1.0) / tau))) * (-(0.0) / ((-1.0) / tau) - x)
}

/// `x' = (inf - x)/tau`: `x + (1 - exp(dt*((-1)/tau))) * (-(inf/tau)/((-1)/tau) - x)`.
#[inline]
pub fn relax(x: f64, dt: f64, inf: f64, tau: f64) -> f64 {
    x + (1.0 - exp(dt * ((-1.0) / tau))) * (-(inf / tau) / ((-1.0) / tau) - x)
}

/// The Exp2Syn normalisation: `1 / (-exp(-tp/tau1) + exp(-tp/tau2))` with the
/// time to peak `tp = (tau1*tau2)/(tau2 - tau1) * log(tau2/tau1)`; returned as
/// the denominator so callers can apply the mod file's own final division.
#[inline]
pub fn exp2_peak_denominator(tau1: f64, tau2: f64) -> f64 {
    let tp = (tau1 * tau2) / (tau2 - tau1) * (tau2 / tau1).ln();
    -exp(-tp / tau1) + exp(-tp / tau2)
}

/// Exp2Syn's INITIAL guard on `tau1`: at most `0.9999 tau2`, at least `1e-9 tau2`.
#[inline]
pub fn exp2_tau1(tau1: f64, tau2: f64) -> f64 {
    let mut tau1 = tau1;
    if tau1 / tau2 > 0.9999 {
        tau1 = 0.9999 * tau2;
    }
    if tau1 / tau2 < 1e-9 {
        tau1 = tau2 * 1e-9;
    }
    tau1
}

/// Field indices of a two-exponential synapse: states `a`, `b`, reversal
/// potential `e`, assigned `g` and `i`.
pub struct Exp2Fields {
    /// State A (decays with the rise time constant).
    pub a: usize,
    /// State B (decays with the decay time constant).
    pub b: usize,
    /// Reversal potential.
    pub e: usize,
    /// Conductance (assigned).
    pub g: usize,
    /// Current (assigned).
    pub i: usize,
}

/// BREAKPOINT of a two-exponential synapse with `g = scale(k) * (B − A)`
/// (`None`: `g = B − A`, as Exp2Syn writes it, without a multiplication).
#[inline]
pub fn exp2_current(p: &mut Pack, f: &Exp2Fields, scale: Option<usize>) {
    for k in 0..p.n() {
        let (a, b, e, v) = (p.get(f.a, k), p.get(f.b, k), p.get(f.e, k), p.v(k));
        let g = match scale {
            Some(s) => p.get(s, k) * (b - a),
            None => b - a,
        };
        let hi = 0.0 + g * ((v + DV) - e);
        let i = g * (v - e);
        p.set(f.g, k, g);
        p.set(f.i, k, i);
        p.point_current(k, hi, 0.0 + i);
    }
}

/// SOLVE of a two-exponential synapse: A and B decay with the time constants
/// in fields `tau_a` and `tau_b`.
#[inline]
pub fn exp2_state(p: &mut Pack, f: &Exp2Fields, tau_a: usize, tau_b: usize) {
    let dt = p.dt();
    for k in 0..p.n() {
        let a = decay(p.get(f.a, k), dt, p.get(tau_a, k));
        let b = decay(p.get(f.b, k), dt, p.get(tau_b, k));
        p.set(f.a, k, a);
        p.set(f.b, k, b);
    }
}

/// Scratch doubles one [`decay_cached`] entry takes.
pub const DECAY_CACHE: usize = 5;

/// [`decay`] with its `tau`-only factors — `1 - exp(dt*((-1)/tau))` and
/// `-(0)/((-1)/tau)` — kept in `c` (`[valid, dt, tau, factor, target]`) and
/// reused while `dt` and `tau` are bitwise those cached: the same values, so
/// the same bits, without the `exp` and the two divisions.
#[inline]
pub fn decay_cached(x: f64, dt: f64, tau: f64, c: &mut [f64]) -> f64 {
    let hit = c[0] == 1.0 && c[1].to_bits() == dt.to_bits() && c[2].to_bits() == tau.to_bits();
    if !hit {
        c[0] = 1.0;
        c[1] = dt;
        c[2] = tau;
        c[3] = 1.0 - exp(dt * ((-1.0) / tau));
        c[4] = -(0.0) / ((-1.0) / tau);
    }
    x + c[3] * (c[4] - x)
}

/// [`exp2_state`] with [`decay_cached`] (the scratch holds two entries, A's then B's).
#[inline]
pub fn exp2_state_cached(p: &mut Pack, f: &Exp2Fields, tau_a: usize, tau_b: usize) {
    let dt = p.dt();
    for k in 0..p.n() {
        let (xa, ta, xb, tb) = (
            p.get(f.a, k),
            p.get(tau_a, k),
            p.get(f.b, k),
            p.get(tau_b, k),
        );
        let c = p.scratch();
        let a = decay_cached(xa, dt, ta, &mut c[..DECAY_CACHE]);
        let b = decay_cached(xb, dt, tb, &mut c[DECAY_CACHE..2 * DECAY_CACHE]);
        p.set(f.a, k, a);
        p.set(f.b, k, b);
    }
}
