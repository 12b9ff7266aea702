//! The update formulas nocmodl emits for `METHOD cnexp`, written literally so the
//! rounding is NEURON's (do not simplify them).

/// `x' = -x/tau`: `x + (1 - exp(dt*((-1)/tau))) * (-(0)/((-1)/tau) - x)`.
#[inline]
pub fn decay(x: f64, dt: f64, tau: f64) -> f64 {
    x + (1.0 - (dt * ((-1.0) / tau)).exp()) * (-(0.0) / ((-1.0) / tau) - x)
}

/// `x' = (inf - x)/tau`: `x + (1 - exp(dt*((-1)/tau))) * (-(inf/tau)/((-1)/tau) - x)`.
#[inline]
pub fn relax(x: f64, dt: f64, inf: f64, tau: f64) -> f64 {
    x + (1.0 - (dt * ((-1.0) / tau)).exp()) * (-(inf / tau) / ((-1.0) / tau) - x)
}

/// The Exp2Syn normalisation: `1 / (-exp(-tp/tau1) + exp(-tp/tau2))` with the
/// time to peak `tp = (tau1*tau2)/(tau2 - tau1) * log(tau2/tau1)`; returned as
/// the denominator so callers can apply the mod file's own final division.
#[inline]
pub fn exp2_peak_denominator(tau1: f64, tau2: f64) -> f64 {
    let tp = (tau1 * tau2) / (tau2 - tau1) * (tau2 / tau1).ln();
    -(-tp / tau1).exp() + (-tp / tau2).exp()
}
