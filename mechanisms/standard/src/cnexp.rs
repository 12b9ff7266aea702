//! The update formulas nocmodl emits for `METHOD cnexp`, written literally so the
//! rounding is NEURON's (do not simplify them), and the pieces the two-exponential
//! synapses (`Exp2Syn`, `Exp2Syn_STP`, `GABA_A_STP`) share.

use mech_api::cnexp::cnexp_step;
use mech_api::math::exp;
use mech_api::{Pack, DV};

/// `x' = -x/tau`: `x + (1 - exp(dt*((-1)/tau))) * (-(0)/((-1)/tau) - x)`
/// (a stuck subnormal `x` without the multiplication, same bits: [`cnexp_step`]).
#[inline]
pub fn decay(x: f64, dt: f64, tau: f64) -> f64 {
    let factor = 1.0 - exp(dt * ((-1.0) / tau));
    let target = -(0.0) / ((-1.0) / tau);
    cnexp_step(x, factor, target)
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
    cnexp_step(x, c[3], c[4])
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

#[cfg(test)]
mod tests {
    use super::*;
    use mech_api::cnexp::stuck_subnormal;
    use proptest::prelude::*;

    /// The formula as nocmodl writes it, without the shortcut.
    fn literal(x: f64, dt: f64, tau: f64) -> f64 {
        x + (1.0 - exp(dt * ((-1.0) / tau))) * (-(0.0) / ((-1.0) / tau) - x)
    }

    /// States from the smallest subnormals through the normal range, both signs.
    fn state() -> impl Strategy<Value = f64> {
        prop_oneof![
            (1u64..64, any::<bool>())
                .prop_map(|(m, neg)| f64::from_bits(m | (u64::from(neg) << 63))),
            (1u64..(1u64 << 52), any::<bool>())
                .prop_map(|(m, neg)| f64::from_bits(m | (u64::from(neg) << 63))),
            -1e3f64..1e3,
            Just(0.0),
            Just(-0.0),
        ]
    }

    proptest! {
        #[test]
        fn the_shortcut_is_the_formula(
            x in state(),
            dt in prop_oneof![Just(0.025), 0.001f64..1.0],
            tau in prop_oneof![Just(0.9), 1e-3f64..1e4, -10.0f64..-1e-3],
        ) {
            let mut c = [0.0; DECAY_CACHE];
            let want = literal(x, dt, tau).to_bits();
            prop_assert_eq!(decay(x, dt, tau).to_bits(), want);
            prop_assert_eq!(decay_cached(x, dt, tau, &mut c).to_bits(), want);
            prop_assert_eq!(decay_cached(x, dt, tau, &mut c).to_bits(), want);
        }
    }

    #[test]
    fn a_rise_variable_sinks_to_a_subnormal_it_keeps() {
        // GABA_A_STP's rise variable (τ 0.9 ms, dt 0.025) from 1: the last
        // values it takes, with and without the shortcut, are the same bits.
        let (mut a, mut b) = (1.0f64, 1.0f64);
        let mut c = [0.0; DECAY_CACHE];
        for _ in 0..40_000 {
            a = decay_cached(a, 0.025, 0.9, &mut c);
            b = literal(b, 0.025, 0.9);
            assert_eq!(a.to_bits(), b.to_bits());
        }
        assert!(a != 0.0 && a.abs() < f64::MIN_POSITIVE, "{a:e}");
        assert!(stuck_subnormal(a, c[3], c[4]));
    }
}
