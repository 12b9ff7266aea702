//! [`LogSecant`]: a root search for coupling coefficients, two conductances at
//! a time.

use super::gap::GapProblem;
use super::Evaluator;
use crate::TunerError;

/// Two cells joined by a conductance `g` have nearly `cc = g / (g + G)`, `G`
/// the partner's input conductance, so `h(u) = ln(g (1/cc − 1)) − u −
/// ln(1/target − 1)` with `u = ln g` is nearly linear in `u` and its root is
/// the `g` sought. From a bracket `(lo, cc(lo))`, `(hi, cc(hi))` this takes the
/// secant root of `h` and a point just beside it, simulated together; then
/// Newton steps on the local slope, again two points a round.
#[derive(Debug, Clone, Copy)]
pub struct LogSecant {
    /// Stop when a point has |cc − target| ≤ tol.
    pub tol: f64,
    /// Rounds at most.
    pub rounds: usize,
}

impl LogSecant {
    /// Search between the bracket's ends. `Ok(None)` when a point within
    /// `tol` was found; `Ok(Some((a, b)))` when the relation does not hold or
    /// the search did not converge: the tightest bracket in the history, for
    /// another method.
    pub(crate) fn run(
        &self,
        ev: &Evaluator<GapProblem>,
        (lo, c_lo): (f64, f64),
        (hi, c_hi): (f64, f64),
    ) -> Result<Option<(f64, f64)>, TunerError> {
        let target = ev.problem().target;
        if !(lo > 0.0 && target > 0.0 && target < 1.0) {
            return Ok(Some((lo, hi)));
        }
        let k = (1.0 / target - 1.0).ln();
        // h(u) for a (g, cc) pair; None when the model does not apply.
        let h = |g: f64, cc: f64| -> Option<f64> {
            let y = g * (1.0 / cc - 1.0);
            (cc > 0.0 && cc < 1.0 && y > 0.0).then(|| y.ln() - g.ln() - k)
        };
        let (Some(h_lo), Some(h_hi)) = (h(lo, c_lo), h(hi, c_hi)) else {
            return Ok(Some((lo, hi)));
        };
        let (u_lo, u_hi) = (lo.ln(), hi.ln());
        // The secant root of h through the bounds.
        let mut u = u_lo - h_lo * (u_hi - u_lo) / (h_hi - h_lo);
        let mut step = 1e-4;
        for _ in 0..self.rounds {
            if !(u.is_finite() && u > u_lo && u < u_hi) {
                break;
            }
            let (g1, g2) = (u.exp(), (u + step).exp().min(hi));
            let ccs = ev.try_eval_many(&[vec![g1], vec![g2]])?;
            if ccs.iter().any(|c| (c - target).abs() <= self.tol) {
                return Ok(None);
            }
            let (Some(h1), Some(h2)) = (h(g1, ccs[0]), h(g2, ccs[1])) else {
                break;
            };
            let slope = (h2 - h1) / (g2.ln() - g1.ln());
            if !(slope.is_finite() && slope != 0.0) {
                break;
            }
            // Newton from the closer point; the next pair brackets tighter.
            let (ub, hb) = if h1.abs() <= h2.abs() {
                (g1.ln(), h1)
            } else {
                (g2.ln(), h2)
            };
            u = ub - hb / slope;
            step = (hb / slope).abs().clamp(1e-12, 1e-4);
        }
        Ok(Some(bracket(ev, (lo, c_lo), (hi, c_hi))))
    }
}

/// The tightest bracket of the target among the evaluations so far.
fn bracket(
    ev: &Evaluator<GapProblem>,
    (lo, c_lo): (f64, f64),
    (hi, c_hi): (f64, f64),
) -> (f64, f64) {
    let target = ev.problem().target;
    let (mut a, mut b) = (lo, hi);
    for e in ev.history() {
        let (g, Some(cc)) = (e.x[0], e.outcome) else {
            continue;
        };
        if cc <= target && g > a && c_lo <= target {
            a = g;
        }
        if cc >= target && g < b && c_hi >= target {
            b = g;
        }
    }
    if a < b {
        (a, b)
    } else {
        (lo, hi)
    }
}
