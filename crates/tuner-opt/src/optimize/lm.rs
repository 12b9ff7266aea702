//! [`LevenbergMarquardt`]: bounded least squares on a problem's residuals.

use super::dense::solve_dense;
use super::fd::{fd_points, points};
use super::{Evaluator, Problem};

/// Bounded Levenberg–Marquardt: a forward-difference Jacobian whose columns
/// are simulated in parallel, damped normal equations (`λ·diag(JᵀJ)`), steps
/// clamped into the box; a step is taken when it lowers the cost.
///
/// Each trial step is simulated together with as many of the next Jacobian's
/// points as would otherwise leave threads idle ([`Evaluator::run_ahead`]):
/// if the step is accepted they are ready, if not they cost no extra round.
#[derive(Debug, Clone, Copy)]
pub struct LevenbergMarquardt {
    /// Stop once the history holds this many evaluations.
    pub max_evaluations: usize,
    /// Stop when the cost is at most this.
    pub cost_tolerance: f64,
}

impl LevenbergMarquardt {
    /// Search from `x0`.
    pub fn run<P: Problem>(&self, ev: &Evaluator<P>, x0: Vec<f64>) {
        let mut x = x0;
        let (mut m, mut c) = eval_speculating(ev, &x);
        let mut lambda = 1e-3;
        while ev.evaluations() < self.max_evaluations && c > self.cost_tolerance && c.is_finite() {
            let (jtj, jtr) = normal_equations(ev, &x, &ev.residuals(&m));
            match self.step(ev, &x, c, &jtj, &jtr, &mut lambda) {
                Some((y, my, cy)) => (x, m, c) = (y, my, cy),
                None => break,
            }
        }
    }

    /// Up to 12 damped steps from `x` (cost `c`): the first that lowers the
    /// cost, with its outcome and cost.
    fn step<P: Problem>(
        &self,
        ev: &Evaluator<P>,
        x: &[f64],
        c: f64,
        jtj: &[Vec<f64>],
        jtr: &[f64],
        lambda: &mut f64,
    ) -> Option<(Vec<f64>, Option<P::Outcome>, f64)> {
        let n = x.len();
        for _ in 0..12 {
            let mut a = jtj.to_vec();
            for i in 0..n {
                a[i][i] += *lambda * jtj[i][i].max(1e-12);
            }
            let Some(step) = solve_dense(a, jtr.iter().map(|v| -v).collect()) else {
                *lambda *= 10.0;
                continue;
            };
            let y = ev.clamp(&x.iter().zip(&step).map(|(a, b)| a + b).collect::<Vec<_>>());
            if y == x {
                return None;
            }
            let (my, cy) = eval_speculating(ev, &y);
            if cy < c {
                *lambda = (*lambda / 3.0).max(1e-9);
                return Some((y, my, cy));
            }
            *lambda *= 4.0;
            if ev.evaluations() >= self.max_evaluations {
                return None;
            }
        }
        None
    }
}

/// `JᵀJ` and `Jᵀr` at `x` (residuals `r`), the Jacobian `J[k][i] = ∂r_k/∂x_i`
/// by forward differences simulated in parallel.
fn normal_equations<P: Problem>(
    ev: &Evaluator<P>,
    x: &[f64],
    r: &[f64],
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = x.len();
    let pts = fd_points(ev, x);
    let res = ev.eval_many(&points(&pts));
    let mut jac = vec![vec![0.0; n]; r.len()];
    for (i, ((_, h), (mi, _))) in pts.iter().zip(&res).enumerate() {
        let ri = ev.residuals(mi);
        for k in 0..r.len() {
            jac[k][i] = (ri[k] - r[k]) / h;
        }
    }
    let mut jtj = vec![vec![0.0; n]; n];
    let mut jtr = vec![0.0; n];
    for k in 0..r.len() {
        for i in 0..n {
            jtr[i] += jac[k][i] * r[k];
            for j in 0..n {
                jtj[i][j] += jac[k][i] * jac[k][j];
            }
        }
    }
    (jtj, jtr)
}

/// Evaluate `y`, and in the same parallel round as many of the next
/// Jacobian's points as there are otherwise idle threads. Points run ahead
/// enter the history only when asked for, so the path, the history and the
/// result do not depend on the number of threads.
fn eval_speculating<P: Problem>(ev: &Evaluator<P>, y: &[f64]) -> (Option<P::Outcome>, f64) {
    let spare = rayon::current_num_threads().saturating_sub(1);
    let mut batch = vec![y.to_vec()];
    batch.extend(fd_points(ev, y).into_iter().take(spare).map(|(p, _)| p));
    if batch.len() > 1 {
        ev.run_ahead(&batch);
    }
    ev.eval(y)
}
