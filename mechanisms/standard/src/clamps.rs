//! Voltage clamps: `VClamp` (NEURON's `vclmp.mod`, a two-amplifier clamp whose
//! LINEAR block is solved with scopmath's `simeq`) and `SEClamp` (`svclmp.mod`,
//! a single-electrode clamp). Both recompute `i` with the new voltage in the
//! state update, as their `SOLVE ... METHOD after_cvode` makes NEURON do.

use crate::iclamp::next_breakpoint;
use mech_api::{MechInfo, Mechanism, Pack, DV};

/// Two-electrode voltage clamp with three stages (`dur[j]`, `amp[j]`).
pub struct VClamp;

const DUR0: usize = 0;
const AMP0: usize = 3;
const GAIN: usize = 6;
const RSTIM: usize = 7;
const TAU1: usize = 8;
const TAU2: usize = 9;
const E0: usize = 10;
const VO0: usize = 11;
const VI0: usize = 12;
const FAC: usize = 13;
const I: usize = 14;
const STIM: usize = 15;
const TC: usize = 16;
const E: usize = 17;
const VO: usize = 18;
const VI: usize = 19;

/// scopmath's `simeq`: Gaussian elimination with partial pivoting through a
/// permutation vector (rows are not swapped), then back substitution. `coef` is
/// n rows of n + 1 columns (the last is the right-hand side). Returns `None` if a
/// pivot is below 1e-20 (singular).
#[allow(clippy::needless_range_loop)] // mirrors scopmath's index arithmetic
pub fn simeq<const N: usize, const M: usize>(coef: &mut [[f64; M]; N]) -> Option<[f64; N]> {
    let n = N;
    let mut perm = [0usize; N];
    for (i, p) in perm.iter_mut().enumerate() {
        *p = i;
    }
    let mut isave = 0usize;
    for j in 0..n {
        let mut ipivot = perm[j];
        for i in (j + 1)..n {
            let jrow = perm[i];
            if coef[ipivot][j].abs() < coef[jrow][j].abs() {
                ipivot = jrow;
                isave = i;
            }
        }
        if coef[ipivot][j].abs() < 1e-20 {
            return None;
        }
        if ipivot != perm[j] {
            perm[isave] = perm[j];
            perm[j] = ipivot;
        }
        for kcol in (j + 1)..=n {
            coef[ipivot][kcol] /= coef[ipivot][j];
        }
        for &jrow in perm.iter().take(n).skip(j + 1) {
            for kcol in (j + 1)..=n {
                coef[jrow][kcol] -= coef[ipivot][kcol] * coef[jrow][j];
            }
        }
    }
    let mut soln = [0.0; N];
    for i in (0..n).rev() {
        let jrow = perm[i];
        soln[i] = coef[jrow][n];
        for j in (i + 1)..n {
            soln[i] -= coef[jrow][j] * soln[j];
        }
    }
    Some(soln)
}

/// [`simeq`] for 3 equations, with the rows in registers instead of behind a
/// permutation vector: the same pivot choices (first strictly larger magnitude
/// in the same scan order), the same operations on the same values in the same
/// order — zeros included, so signed zeros come out alike — hence bit-identical
/// results (a property test checks it against `simeq`).
#[inline]
pub fn simeq3(c: [[f64; 4]; 3]) -> Option<[f64; 3]> {
    let m = c.map(|r| [r[0], r[1], r[2]]);
    let x = simeq3_many(m, c.map(|r| [r[3]]))?;
    Some(x.map(|[x]| x))
}

/// [`simeq3`] of one matrix `m` with `N` right-hand sides at once (`b[i][l]`
/// is row `i` of system `l`): the pivots depend on `m` alone, so every system
/// takes the same rows, and lane `l` of the result is `simeq3` of `m` with
/// right-hand side `l`, bit for bit; the right-hand sides' divisions go in
/// one vector instruction (a property test checks the lanes).
#[inline]
pub fn simeq3_many<const N: usize>(m: [[f64; 3]; 3], b: [[f64; N]; 3]) -> Option<[[f64; N]; 3]> {
    let [mut r0, mut r1, mut r2] = [(m[0], b[0]), (m[1], b[1]), (m[2], b[2])];
    // Column 0: scan positions 1, 2 for a strictly larger pivot.
    let mut isave = 0;
    let mut piv = r0.0[0].abs();
    if piv < r1.0[0].abs() {
        piv = r1.0[0].abs();
        isave = 1;
    }
    if piv < r2.0[0].abs() {
        isave = 2;
    }
    match isave {
        1 => std::mem::swap(&mut r0, &mut r1),
        2 => std::mem::swap(&mut r0, &mut r2),
        _ => {}
    }
    if r0.0[0].abs() < 1e-20 {
        return None;
    }
    r0.0[1] /= r0.0[0];
    r0.0[2] /= r0.0[0];
    r0.1 = r0.1.map(|x| x / r0.0[0]);
    for r in [&mut r1, &mut r2] {
        r.0[1] -= r0.0[1] * r.0[0];
        r.0[2] -= r0.0[2] * r.0[0];
        for (x, y) in r.1.iter_mut().zip(r0.1) {
            *x -= y * r.0[0];
        }
    }
    // Column 1: positions 1, 2.
    if r1.0[1].abs() < r2.0[1].abs() {
        std::mem::swap(&mut r1, &mut r2);
    }
    if r1.0[1].abs() < 1e-20 {
        return None;
    }
    r1.0[2] /= r1.0[1];
    r1.1 = r1.1.map(|x| x / r1.0[1]);
    r2.0[2] -= r1.0[2] * r2.0[1];
    for (x, y) in r2.1.iter_mut().zip(r1.1) {
        *x -= y * r2.0[1];
    }
    // Column 2.
    if r2.0[2].abs() < 1e-20 {
        return None;
    }
    let x2 = r2.1.map(|x| x / r2.0[2]);
    let mut x1 = r1.1;
    for (x, y) in x1.iter_mut().zip(x2) {
        *x -= r1.0[2] * y;
    }
    let mut x0 = r0.1;
    for ((x, y1), y2) in x0.iter_mut().zip(x1).zip(x2) {
        *x -= r0.0[1] * y1;
        *x -= r0.0[2] * y2;
    }
    Some([x0, x1, x2])
}

fn vstim(p: &mut Pack, k: usize) {
    let t = p.t();
    let mut tc = 0.0;
    let mut stim = 0.0;
    for j in 0..3 {
        stim = p.get(AMP0 + j, k);
        tc += p.get(DUR0 + j, k);
        if t < tc {
            tc += 100.0;
            break;
        }
    }
    p.set(STIM, k, stim);
    p.set(TC, k, tc);
}

/// `icur(v)` at each of `vs`: solves the LINEAR block (writing vi, vo, e
/// of the last) and returns the currents. The block's matrix does not depend
/// on `v`, so the evaluations share its pivots and take their right-hand
/// sides in lanes ([`simeq3_many`]): each lane has the bits of its own call.
/// `t1`, `t2` are `tau1/dt`, `tau2/dt` (the same quotients at every call).
fn icur<const N: usize>(p: &mut Pack, k: usize, vs: [f64; N], t1: f64, t2: f64) -> [f64; N] {
    let t = p.t();
    if t > p.get(TC, k) {
        p.set(E0, k, 0.0);
        p.set(VO0, k, 0.0);
        return [0.0; N];
    }
    let (fac, gain, stim) = (p.get(FAC, k), p.get(GAIN, k), p.get(STIM, k));
    let (vo0, vi0, e0) = (p.get(VO0, k), p.get(VI0, k), p.get(E0, k));
    // Columns vi, vo, e and the right-hand sides; coefficients accumulated
    // in nocmodl's order.
    let mut c = [[0.0f64; 3]; 3];
    let mut b = [[0.0f64; N]; 3];
    c[0][0] -= 1.0;
    b[0] = vs.map(|v| 0.0 - v + fac * v);
    c[0][1] += fac * 1.0;
    c[1][1] -= t2 * 1.0;
    b[1] = [0.0 - t2 * vo0; N];
    c[1][1] -= 1.0;
    c[1][2] -= gain * 1.0;
    c[2][2] += 1.0;
    c[2][0] -= 1.0;
    c[2][2] += 1.0;
    c[2][0] -= t1 * 1.0;
    c[2][2] += t1 * 1.0;
    b[2] = [0.0 - stim - t1 * (vi0 - e0) - 0.0; N];
    let x = simeq3_many(c, b).expect("VClamp: singular LINEAR block (simeq pivot < 1e-20)");
    p.set(VI, k, x[0][N - 1]);
    p.set(VO, k, x[1][N - 1]);
    p.set(E, k, x[2][N - 1]);
    let rstim = p.get(RSTIM, k);
    std::array::from_fn(|l| (x[1][l] - vs[l]) / rstim)
}

impl Mechanism for VClamp {
    fn info() -> MechInfo {
        MechInfo::point("VClamp")
            .electrode()
            .rank(12)
            .source("vclmp.mod")
            .param("dur[0]", "ms", 0.0)
            .limits(0.0, 1e9)
            .param("dur[1]", "ms", 0.0)
            .limits(0.0, 1e9)
            .param("dur[2]", "ms", 0.0)
            .limits(0.0, 1e9)
            .param("amp[0]", "mV", 0.0)
            .param("amp[1]", "mV", 0.0)
            .param("amp[2]", "mV", 0.0)
            .param("gain", "", 1e5)
            .limits(0.0, 1e9)
            .param("rstim", "megohm", 1.0)
            .limits(1e-9, 1e9)
            .param("tau1", "ms", 0.001)
            .limits(0.0, 1e9)
            .param("tau2", "ms", 0.0)
            .limits(0.0, 1e9)
            .param("e0", "mV", 0.0)
            .param("vo0", "mV", 0.0)
            .param("vi0", "mV", 0.0)
            .param("fac", "", 0.0)
            .assigned("i", "nA")
            .assigned("stim", "mV")
            .assigned("tc", "ms")
            .state("e", "mV")
            .state("vo", "mV")
            .state("vi", "mV")
    }

    fn time_horizon(p: &Pack) -> Option<f64> {
        // `vstim` compares t with the running sums c1, c2, c3 of the durations;
        // `icur` compares it with the resulting tc (one of c_j + 100, or c3).
        let t = p.t();
        let mut h = f64::INFINITY;
        for k in 0..p.n() {
            let c1 = 0.0 + p.get(DUR0, k);
            let c2 = c1 + p.get(DUR0 + 1, k);
            let c3 = c2 + p.get(DUR0 + 2, k);
            h = next_breakpoint(t, h, &[c1, c2, c3, c1 + 100.0, c2 + 100.0, c3 + 100.0]);
        }
        Some(h)
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            p.set(E0, k, 0.0);
            p.set(VO, k, v);
            p.set(VO0, k, v);
            p.set(VI, k, v);
            p.set(VI0, k, v);
            p.set(E, k, 0.0);
        }
    }

    fn current(p: &mut Pack) {
        let dt = p.dt();
        for k in 0..p.n() {
            let v = p.v(k);
            let (t1, t2) = (p.get(TAU1, k) / dt, p.get(TAU2, k) / dt);
            // nocmodl calls vstim before each of the two icur evaluations; it
            // depends only on t and the parameters, so once gives the same.
            vstim(p, k);
            let [hi, i] = icur(p, k, [v + DV, v], t1, t2);
            p.set(I, k, i);
            p.point_electrode_current(k, 0.0 + hi, 0.0 + i);
        }
    }

    fn state(p: &mut Pack) {
        let dt = p.dt();
        for k in 0..p.n() {
            let v = p.v(k);
            let (t1, t2) = (p.get(TAU1, k) / dt, p.get(TAU2, k) / dt);
            let [i] = icur(p, k, [v], t1, t2);
            p.set(I, k, i);
            p.set(E0, k, p.get(E, k));
            p.set(VO0, k, p.get(VO, k));
            p.set(VI0, k, p.get(VI, k));
        }
    }
}

/// Single-electrode voltage clamp with series resistance `rs` (MΩ) and three
/// levels.
pub struct SEClamp;

const RS: usize = 0;
const DUR1: usize = 1;
const AMP1: usize = 2;
const DUR2: usize = 3;
const AMP2: usize = 4;
const DUR3: usize = 5;
const AMP3: usize = 6;
const SI: usize = 7;
const VC: usize = 8;
const TC2: usize = 9;
const TC3: usize = 10;
const ON: usize = 11;

fn se_icur(p: &mut Pack, k: usize, v: f64) -> f64 {
    let i = if p.get(ON, k) != 0.0 {
        (p.get(VC, k) - v) / p.get(RS, k)
    } else {
        0.0
    };
    p.set(SI, k, i);
    i
}

fn se_vstim(p: &mut Pack, k: usize, v: f64) -> f64 {
    let t = p.t();
    p.set(ON, k, 1.0);
    if t < p.get(DUR1, k) {
        p.set(VC, k, p.get(AMP1, k));
    } else if t < p.get(TC2, k) {
        p.set(VC, k, p.get(AMP2, k));
    } else if t < p.get(TC3, k) {
        p.set(VC, k, p.get(AMP3, k));
    } else {
        p.set(VC, k, 0.0);
        p.set(ON, k, 0.0);
    }
    se_icur(p, k, v)
}

impl Mechanism for SEClamp {
    fn info() -> MechInfo {
        MechInfo::point("SEClamp")
            .electrode()
            .rank(11)
            .source("svclmp.mod")
            .param("rs", "megohm", 1.0)
            .limits(1e-9, 1e9)
            .param("dur1", "ms", 0.0)
            .limits(0.0, 1e9)
            .param("amp1", "mV", 0.0)
            .param("dur2", "ms", 0.0)
            .limits(0.0, 1e9)
            .param("amp2", "mV", 0.0)
            .param("dur3", "ms", 0.0)
            .limits(0.0, 1e9)
            .param("amp3", "mV", 0.0)
            .assigned("i", "nA")
            .assigned("vc", "mV")
            .assigned("tc2", "ms")
            .assigned("tc3", "ms")
            .assigned("on", "")
    }

    fn time_horizon(p: &Pack) -> Option<f64> {
        // The stage tests `t < dur1`, `t < tc2`, `t < tc3` flip only there.
        let t = p.t();
        let mut h = f64::INFINITY;
        for k in 0..p.n() {
            h = next_breakpoint(t, h, &[p.get(DUR1, k), p.get(TC2, k), p.get(TC3, k)]);
        }
        Some(h)
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            let tc2 = p.get(DUR1, k) + p.get(DUR2, k);
            p.set(TC2, k, tc2);
            p.set(TC3, k, tc2 + p.get(DUR3, k));
            p.set(ON, k, 0.0);
        }
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            let hi = 0.0 + se_vstim(p, k, v + DV);
            let i = se_vstim(p, k, v);
            p.point_electrode_current(k, hi, 0.0 + i);
        }
    }

    fn state(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            se_icur(p, k, v);
        }
    }
}
