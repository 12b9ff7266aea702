//! The FSI interneuron's channels from bmtool's synaptic-tuner example:
//! `leak` (`leak.mod`), `nainter` (`nainter.mod`) and `kdrinter` (`kdrinter.mod`).

use crate::cnexp::relax;
use crate::layout::{
    K_GKDR, K_GKDRBAR, K_INF, K_N, K_TAU, K_TAU_INV, K_V05, N_GNA, N_GNABAR, N_H, N_HINF, N_HTAU,
    N_HTAU_INV, N_HV05, N_M, N_MINF, N_MTAU, N_MTAU_INV, N_MV05,
};
use mech_api::math::exp;
use mech_api::{abi, MechInfo, Mechanism, Pack, DV};

/// Passive leak, il = glbar (v − el).
pub struct Leak;

const L_GLBAR: usize = 0;
const L_EL: usize = 1;
const L_IL: usize = 2;

impl Mechanism for Leak {
    fn info() -> MechInfo {
        MechInfo::density("leak")
            .source("leak.mod")
            // The mod file says 2.857142857142857e-05, but nocmodl writes
            // defaults with 6 significant digits: NEURON's default is this.
            .param("glbar", "siemens/cm2", 2.85714e-05)
            .param("el", "mV", -75.0)
            .assigned("il", "mA/cm2")
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let (g, e, v) = (p.get(L_GLBAR, k), p.get(L_EL, k), p.v(k));
            let hi = 0.0 + g * ((v + DV) - e);
            let il = g * (v - e);
            p.set(L_IL, k, il);
            p.density_current(k, hi, 0.0 + il);
        }
    }
}

/// Spike-generating sodium channel of the interneuron.
pub struct NaInter;

/// `rates(v)` of instance `k`: writes and returns (minf, mtau, hinf, htau).
#[inline(always)]
fn na_rate(p: &mut Pack, k: usize, v: f64) -> [f64; 4] {
    let (mtau_inv, htau_inv) = (p.get(N_MTAU_INV, k), p.get(N_HTAU_INV, k));
    let (mv05, hv05) = (p.get(N_MV05, k), p.get(N_HV05, k));
    let ma = mtau_inv * exp((v - mv05) / 11.75);
    let mb = mtau_inv * exp(-(v - mv05) / 27.0);
    let ha = htau_inv * exp(-(v - hv05) / 33.0);
    let hb = htau_inv * exp((v - hv05) / 12.2);
    let msum = ma + mb;
    let hsum = ha + hb;
    let r = [ma / msum, 1.0 / msum, ha / hsum, 1.0 / hsum];
    p.set(N_MINF, k, r[0]);
    p.set(N_MTAU, k, r[1]);
    p.set(N_HINF, k, r[2]);
    p.set(N_HTAU, k, r[3]);
    r
}

impl Mechanism for NaInter {
    fn info() -> MechInfo {
        MechInfo::density("nainter")
            .source("nainter.mod")
            .param("gnabar", "mho/cm2", 0.035)
            .limits(0.0, 1e9)
            .param("mv_05", "mV", -18.5)
            .param("hv_05", "mV", -29.0)
            .param("mtau_inv", "/ms", 2.1)
            .param("htau_inv", "/ms", 0.045)
            .assigned("minf", "")
            .assigned("hinf", "")
            .assigned("mtau", "ms")
            .assigned("htau", "ms")
            .assigned("gna", "mho/cm2")
            .state("m", "")
            .state("h", "")
            .ion("na", 1, abi::ION_READ_E | abi::ION_WRITE_I)
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            na_rate(p, k, v);
            p.set(N_M, k, p.get(N_MINF, k));
            p.set(N_H, k, p.get(N_HINF, k));
        }
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            let ena = p.ion_e(0, k);
            let gna =
                p.get(N_GNABAR, k) * p.get(N_M, k) * p.get(N_M, k) * p.get(N_M, k) * p.get(N_H, k);
            let hi = gna * ((v + DV) - ena);
            let ina = gna * (v - ena);
            p.set(N_GNA, k, gna);
            p.add_ion_current(0, k, hi, ina);
            p.density_current(k, 0.0 + hi, 0.0 + ina);
        }
    }

    fn state(p: &mut Pack) {
        let dt = p.dt();
        for k in crate::channel_lanes::na_state(p)..p.n() {
            let v = p.v(k);
            let [minf, mtau, hinf, htau] = na_rate(p, k, v);
            let m = relax(p.get(N_M, k), dt, minf, mtau);
            let h = relax(p.get(N_H, k), dt, hinf, htau);
            p.set(N_M, k, m);
            p.set(N_H, k, h);
        }
    }
}

/// Delayed-rectifier potassium channel of the interneuron.
pub struct KdrInter;

/// `rate(v)` of instance `k`: writes and returns (inf, tau).
#[inline(always)]
fn k_rate(p: &mut Pack, k: usize, v: f64) -> [f64; 2] {
    let (tau_inv, v05) = (p.get(K_TAU_INV, k), p.get(K_V05, k));
    let nalf = tau_inv * exp((v - v05) / 10.67);
    let nbet = tau_inv * exp(-(v - v05) / 42.68);
    let sum = nalf + nbet;
    let r = [nalf / sum, 1.0 / sum];
    p.set(K_INF, k, r[0]);
    p.set(K_TAU, k, r[1]);
    r
}

impl Mechanism for KdrInter {
    fn info() -> MechInfo {
        MechInfo::density("kdrinter")
            .source("kdrinter.mod")
            .param("gkdrbar", "mho/cm2", 0.008)
            .limits(0.0, 1e9)
            .param("v_05", "mV", -19.0)
            .param("tau_inv", "/ms", 0.15)
            .assigned("inf", "")
            .assigned("tau", "ms")
            .assigned("gkdr", "mho/cm2")
            .state("n", "")
            .ion("k", 1, abi::ION_READ_E | abi::ION_WRITE_I)
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            k_rate(p, k, v);
            p.set(K_N, k, p.get(K_INF, k));
        }
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            let ek = p.ion_e(0, k);
            let n = p.get(K_N, k);
            let gkdr = p.get(K_GKDRBAR, k) * n * n * n * n;
            let hi = gkdr * ((v + DV) - ek);
            let ik = gkdr * (v - ek);
            p.set(K_GKDR, k, gkdr);
            p.add_ion_current(0, k, hi, ik);
            p.density_current(k, 0.0 + hi, 0.0 + ik);
        }
    }

    fn state(p: &mut Pack) {
        let dt = p.dt();
        for k in crate::channel_lanes::kdr_state(p)..p.n() {
            let v = p.v(k);
            let [inf, tau] = k_rate(p, k, v);
            let n = relax(p.get(K_N, k), dt, inf, tau);
            p.set(K_N, k, n);
        }
    }
}
