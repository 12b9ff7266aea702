//! `hh`: NEURON 9.0.2's Hodgkin–Huxley channels (`src/nrnoc/hh.mod`).
//!
//! With the global `usetable` = 1 (NEURON 9.0.2's default) the rates come from
//! the mod file's TABLE: 201 points from −100 to 100 mV, linear interpolation,
//! clamped outside, rebuilt when celsius changes. `usetable` = 0 evaluates them
//! directly (what NEURON 8.2's CoreNEURON-enabled wheels do, having no TABLE).

use crate::cnexp::relax;
use crate::layout::hh::{
    EL, GK, GKBAR, GL, GNA, GNABAR, H, HINF, HTAU, IL, M, MINF, MTAU, N, NINF, NTAB, NTAU, TMAX,
    TMIN,
};
use mech_api::math::exp;
use mech_api::{abi, MechInfo, Mechanism, Pack, DV};

/// Hodgkin–Huxley sodium, potassium and leak currents.
pub struct Hh;

const NA: usize = 0;
const K: usize = 1;

const USETABLE: usize = 0;

/// scratch layout: [built flag, celsius of the table, 6 × (NTAB+1) entries]
const SCRATCH: usize = 2 + 6 * (NTAB + 1);

fn vtrap(x: f64, y: f64) -> f64 {
    if (x / y).abs() < 1e-6 {
        y * (1.0 - x / y / 2.0)
    } else {
        x / (exp(x / y) - 1.0)
    }
}

/// The PROCEDURE rates evaluated directly: [minf, mtau, hinf, htau, ninf, ntau].
fn f_rates(v: f64, celsius: f64) -> [f64; 6] {
    let q10 = 3.0f64.powf((celsius - 6.3) / 10.0);
    let alpha = 0.1 * vtrap(-(v + 40.0), 10.0);
    let beta = 4.0 * exp(-(v + 65.0) / 18.0);
    let sum = alpha + beta;
    let mtau = 1.0 / (q10 * sum);
    let minf = alpha / sum;
    let alpha = 0.07 * exp(-(v + 65.0) / 20.0);
    let beta = 1.0 / (exp(-(v + 35.0) / 10.0) + 1.0);
    let sum = alpha + beta;
    let htau = 1.0 / (q10 * sum);
    let hinf = alpha / sum;
    let alpha = 0.01 * vtrap(-(v + 55.0), 10.0);
    let beta = 0.125 * exp(-(v + 65.0) / 80.0);
    let sum = alpha + beta;
    let ntau = 1.0 / (q10 * sum);
    let ninf = alpha / sum;
    [minf, mtau, hinf, htau, ninf, ntau]
}

/// Build the table if missing or made for another temperature.
fn check_table(p: &mut Pack) {
    let celsius = p.celsius();
    let s = p.scratch();
    if s[0] == 1.0 && s[1] == celsius {
        return;
    }
    let dx = (TMAX - TMIN) / NTAB as f64;
    let mut x = TMIN;
    for i in 0..=NTAB {
        let r = f_rates(x, celsius);
        for (j, val) in r.iter().enumerate() {
            s[2 + j * (NTAB + 1) + i] = *val;
        }
        x += dx;
    }
    s[0] = 1.0;
    s[1] = celsius;
}

/// The rates at `v`, through the table when `usetable` is on.
fn rates(p: &mut Pack, v: f64) -> [f64; 6] {
    if p.global(USETABLE) == 0.0 {
        return f_rates(v, p.celsius());
    }
    let mfac = 1.0 / ((TMAX - TMIN) / NTAB as f64);
    let xi = mfac * (v - TMIN);
    if xi.is_nan() {
        return [xi; 6];
    }
    let s = p.scratch();
    let tab = |j: usize, i: usize| s[2 + j * (NTAB + 1) + i];
    let mut out = [0.0; 6];
    if xi <= 0.0 {
        for (j, o) in out.iter_mut().enumerate() {
            *o = tab(j, 0);
        }
        return out;
    }
    if xi >= NTAB as f64 {
        for (j, o) in out.iter_mut().enumerate() {
            *o = tab(j, NTAB);
        }
        return out;
    }
    let i = xi as usize;
    let theta = xi - i as f64;
    for (j, o) in out.iter_mut().enumerate() {
        *o = tab(j, i) + theta * (tab(j, i + 1) - tab(j, i));
    }
    out
}

fn store_rates(p: &mut Pack, k: usize, r: [f64; 6]) {
    p.set(MINF, k, r[0]);
    p.set(MTAU, k, r[1]);
    p.set(HINF, k, r[2]);
    p.set(HTAU, k, r[3]);
    p.set(NINF, k, r[4]);
    p.set(NTAU, k, r[5]);
}

impl Mechanism for Hh {
    fn info() -> MechInfo {
        MechInfo::density("hh")
            .rank(15)
            .source("hh.mod")
            .param("gnabar", "S/cm2", 0.12)
            .limits(0.0, 1e9)
            .param("gkbar", "S/cm2", 0.036)
            .limits(0.0, 1e9)
            .param("gl", "S/cm2", 0.0003)
            .limits(0.0, 1e9)
            .param("el", "mV", -54.3)
            .assigned("gna", "S/cm2")
            .assigned("gk", "S/cm2")
            .assigned("il", "mA/cm2")
            .assigned("minf", "")
            .assigned("hinf", "")
            .assigned("ninf", "")
            .assigned("mtau", "ms")
            .assigned("htau", "ms")
            .assigned("ntau", "ms")
            .state("m", "")
            .state("h", "")
            .state("n", "")
            .global("usetable", "", 1.0)
            .ion("na", 1, abi::ION_READ_E | abi::ION_WRITE_I)
            .ion("k", 1, abi::ION_READ_E | abi::ION_WRITE_I)
            .scratch(SCRATCH)
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        if p.global(USETABLE) != 0.0 {
            check_table(p);
        }
        for k in 0..p.n() {
            let r = rates(p, p.v(k));
            store_rates(p, k, r);
            p.set(M, k, r[0]);
            p.set(H, k, r[2]);
            p.set(N, k, r[4]);
        }
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            let (ena, ek) = (p.ion_e(NA, k), p.ion_e(K, k));
            let (gnabar, gkbar, gl, el) = (
                p.get(GNABAR, k),
                p.get(GKBAR, k),
                p.get(GL, k),
                p.get(EL, k),
            );
            let (m, h, n) = (p.get(M, k), p.get(H, k), p.get(N, k));
            let cur = |v: f64| {
                let gna = gnabar * m * m * m * h;
                let ina = gna * (v - ena);
                let gk = gkbar * n * n * n * n;
                let ik = gk * (v - ek);
                let il = gl * (v - el);
                let mut c = 0.0;
                c += ina;
                c += ik;
                c += il;
                (c, ina, ik, il, gna, gk)
            };
            let (c1, ina1, ik1, _, _, _) = cur(v + DV);
            let (c0, ina, ik, il, gna, gk) = cur(v);
            p.add_ion_current(NA, k, ina1, ina);
            p.add_ion_current(K, k, ik1, ik);
            p.set(GNA, k, gna);
            p.set(GK, k, gk);
            p.set(IL, k, il);
            p.density_current(k, c1, c0);
        }
    }

    fn state(p: &mut Pack) {
        let table = p.global(USETABLE) != 0.0;
        if table {
            check_table(p);
        }
        let done = if table {
            crate::channel_lanes::hh_state(p, state_one)
        } else {
            0
        };
        for k in done..p.n() {
            state_one(p, k);
        }
    }
}

/// The state update (rates, cnexp of m, h, n) of instance `k`.
fn state_one(p: &mut Pack, k: usize) {
    let dt = p.dt();
    let r = rates(p, p.v(k));
    store_rates(p, k, r);
    let [minf, mtau, hinf, htau, ninf, ntau] = r;
    let (m, h, n) = (p.get(M, k), p.get(H, k), p.get(N, k));
    p.set(M, k, relax(m, dt, minf, mtau));
    p.set(H, k, relax(h, dt, hinf, htau));
    p.set(N, k, relax(n, dt, ninf, ntau));
}
