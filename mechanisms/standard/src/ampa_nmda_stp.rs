//! `AMPA_NMDA_STP` (bmtool's `AMPA_NMDA_STP.mod`, adapted from BBP's
//! DetAMPANMDA): dual-exponential AMPA and NMDA conductances (NMDA with the Jahr &
//! Stevens Mg²⁺ block), deterministic short-term plasticity kept **per
//! connection** in the NET_RECEIVE arguments
//! `(weight, weight_AMPA, weight_NMDA, R, Pr, u, tsyn, nc_type)`; the current is
//! scaled by `initW`.

use crate::cnexp::{decay, exp2_peak_denominator};
use mech_api::math::exp;
use mech_api::{MechInfo, Mechanism, Pack, DV};

/// AMPA + NMDA synapse with per-connection STP.
pub struct AmpaNmdaStp;

const INITW: usize = 0;
const TAU_R_AMPA: usize = 1;
const TAU_D_AMPA: usize = 2;
const TAU_R_NMDA: usize = 3;
const TAU_D_NMDA: usize = 4;
const USE: usize = 5;
const DEP: usize = 6;
const FAC: usize = 7;
const E: usize = 8;
const MG: usize = 9;
const GMAX_NMDA: usize = 10;
const GMAX_AMPA: usize = 11;
const U0: usize = 12;
const NMDA_RATIO: usize = 13;
const SYNAPSE_ID: usize = 14;
const VERBOSE: usize = 15;
const CONDUCTANCE: usize = 16;
const I: usize = 17;
const I_AMPA: usize = 18;
const I_NMDA: usize = 19;
const G_AMPA: usize = 20;
const G_NMDA: usize = 21;
const G: usize = 22;
const FACTOR_AMPA: usize = 23;
const FACTOR_NMDA: usize = 24;
const MGGATE: usize = 25;
const RECORD_USE: usize = 26;
const RECORD_PR: usize = 27;
const A_AMPA: usize = 28;
const B_AMPA: usize = 29;
const A_NMDA: usize = 30;
const B_NMDA: usize = 31;

struct Cur {
    total: f64,
    i: f64,
    i_ampa: f64,
    i_nmda: f64,
    g_ampa: f64,
    g_nmda: f64,
    g: f64,
    mggate: f64,
}

fn breakpoint(p: &Pack, k: usize, v: f64) -> Cur {
    let mggate = 1.0 / (1.0 + exp(0.062 * -(v)) * (p.get(MG, k) / 3.57));
    let g_ampa = p.get(GMAX_AMPA, k) * (p.get(B_AMPA, k) - p.get(A_AMPA, k));
    let g_nmda = p.get(GMAX_NMDA, k) * (p.get(B_NMDA, k) - p.get(A_NMDA, k)) * mggate;
    let g = g_ampa + g_nmda;
    let e = p.get(E, k);
    let i_ampa = g_ampa * (v - e);
    let i_nmda = g_nmda * (v - e);
    let i = (i_ampa + i_nmda) * p.get(INITW, k);
    Cur {
        total: 0.0 + i,
        i,
        i_ampa,
        i_nmda,
        g_ampa,
        g_nmda,
        g,
        mggate,
    }
}

impl Mechanism for AmpaNmdaStp {
    fn info() -> MechInfo {
        MechInfo::point("AMPA_NMDA_STP")
            .source("AMPA_NMDA_STP.mod")
            .param("initW", "", 1.0)
            .param("tau_r_AMPA", "ms", 0.2)
            .param("tau_d_AMPA", "ms", 1.7)
            .param("tau_r_NMDA", "ms", 0.29)
            .param("tau_d_NMDA", "ms", 43.0)
            .param("Use", "1", 1.0)
            .event_only()
            .param("Dep", "ms", 100.0)
            .event_only()
            .param("Fac", "ms", 10.0)
            .event_only()
            .param("e", "mV", 0.0)
            .param("mg", "mM", 1.0)
            .param("gmax_NMDA", "uS", 0.001)
            .param("gmax_AMPA", "uS", 0.001)
            .param("u0", "", 0.0)
            .param("NMDA_ratio", "1", 0.71)
            .param("synapseID", "", 0.0)
            .param("verboseLevel", "", 0.0)
            .param("conductance", "", 0.0)
            .assigned("i", "nA")
            .assigned("i_AMPA", "nA")
            .assigned("i_NMDA", "nA")
            .assigned("g_AMPA", "uS")
            .assigned("g_NMDA", "uS")
            .assigned("g", "uS")
            .assigned("factor_AMPA", "")
            .assigned("factor_NMDA", "")
            .assigned("mggate", "")
            .assigned("record_use", "")
            .assigned("record_Pr", "")
            .state("A_AMPA", "")
            .state("B_AMPA", "")
            .state("A_NMDA", "")
            .state("B_NMDA", "")
            .global("nc_type_param", "", 7.0)
            .net_receive(&[
                "weight",
                "weight_AMPA",
                "weight_NMDA",
                "R",
                "Pr",
                "u",
                "tsyn",
                "nc_type",
            ])
            .net_init()
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            for s in [A_AMPA, B_AMPA, A_NMDA, B_NMDA] {
                p.set(s, k, 0.0);
            }
            let fa = exp2_peak_denominator(p.get(TAU_R_AMPA, k), p.get(TAU_D_AMPA, k));
            let fn_ = exp2_peak_denominator(p.get(TAU_R_NMDA, k), p.get(TAU_D_NMDA, k));
            p.set(FACTOR_AMPA, k, 1.0 / fa);
            p.set(FACTOR_NMDA, k, 1.0 / fn_);
            p.set(RECORD_USE, k, p.get(U0, k));
            p.set(RECORD_PR, k, p.get(U0, k));
        }
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let v = p.v(k);
            let hi = breakpoint(p, k, v + DV).total;
            let c = breakpoint(p, k, v);
            p.set(MGGATE, k, c.mggate);
            p.set(G_AMPA, k, c.g_ampa);
            p.set(G_NMDA, k, c.g_nmda);
            p.set(G, k, c.g);
            p.set(I_AMPA, k, c.i_ampa);
            p.set(I_NMDA, k, c.i_nmda);
            p.set(I, k, c.i);
            p.point_current(k, hi, c.total);
        }
    }

    fn state(p: &mut Pack) {
        let dt = p.dt();
        for k in 0..p.n() {
            let a = decay(p.get(A_AMPA, k), dt, p.get(TAU_R_AMPA, k));
            let b = decay(p.get(B_AMPA, k), dt, p.get(TAU_D_AMPA, k));
            let c = decay(p.get(A_NMDA, k), dt, p.get(TAU_R_NMDA, k));
            let d = decay(p.get(B_NMDA, k), dt, p.get(TAU_D_NMDA, k));
            p.set(A_AMPA, k, a);
            p.set(B_AMPA, k, b);
            p.set(A_NMDA, k, c);
            p.set(B_NMDA, k, d);
        }
    }

    fn net_init(p: &mut Pack, k: usize, w: &mut [f64]) {
        w[3] = 1.0;
        w[5] = p.get(U0, k);
        w[6] = p.t();
    }

    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], flag: f64) {
        let t = p.t();
        w[1] = w[0];
        w[2] = w[0] * p.get(NMDA_RATIO, k);
        if t < 0.0 {
            return;
        }
        if flag == 1.0 {
            w[0] = p.get(CONDUCTANCE, k);
        }
        let (fac, dep, use_) = (p.get(FAC, k), p.get(DEP, k), p.get(USE, k));
        if fac > 0.0 {
            w[5] *= exp(-(t - w[6]) / fac);
            w[5] += use_ * (1.0 - w[5]);
        } else {
            w[5] = use_;
        }
        if dep > 0.0 {
            w[3] = 1.0 - (1.0 - w[3]) * exp(-(t - w[6]) / dep);
            w[4] = w[5] * w[3];
            w[3] -= w[5] * w[3];
        } else {
            w[4] = w[5];
        }
        p.set(RECORD_USE, k, w[5]);
        p.set(RECORD_PR, k, w[4]);
        if p.get(VERBOSE, k) > 0.0 {
            eprintln!(
                "Synapse {} at time {}: R = {} Pr = {}",
                p.get(SYNAPSE_ID, k),
                t,
                w[3],
                w[4]
            );
        }
        w[6] = t;
        let fa = p.get(FACTOR_AMPA, k);
        let fnm = p.get(FACTOR_NMDA, k);
        p.set(A_AMPA, k, p.get(A_AMPA, k) + w[4] * w[1] * fa);
        p.set(B_AMPA, k, p.get(B_AMPA, k) + w[4] * w[1] * fa);
        p.set(A_NMDA, k, p.get(A_NMDA, k) + w[4] * w[2] * fnm);
        p.set(B_NMDA, k, p.get(B_NMDA, k) + w[4] * w[2] * fnm);
    }
}
