//! # custom-synapse
//!
//! A synaptune plugin catalogue with one mechanism, `TmSyn`: a conductance
//! synapse with Tsodyks–Markram short-term plasticity in which, unlike the
//! Fuhrmann rule of bmtool's `*_STP` synapses (where `u` decays to 0 between
//! spikes), facilitation relaxes back to the baseline `U` (Markram, Wang and
//! Tsodyks 1998):
//!
//! ```text
//! between spikes (Δ = t − tsyn):   x ← 1 − (1 − x)·exp(−Δ/tau_rec)
//!                                  u ← U + (u − U)·exp(−Δ/tau_facil)
//! at a spike:                      release = u·x ;  x ← x − release
//!                                  g ← g + gmax·weight·release
//!                                  u ← u + U·(1 − u)   (facilitation after release)
//! continuously:                    g' = −g/tau_in,  i = g·(v − e)
//! ```
//!
//! The first spike of a train releases `U`. `x`, `u` and `tsyn` are kept per connection (NET_RECEIVE arguments), so each
//! presynaptic source has its own plasticity state. Build it as a cdylib and
//! pass it to any synaptune command with `--mechanisms`.

use mech_api::{MechInfo, Mechanism, Pack, DV};

/// Conductance synapse with Tsodyks–Markram depression and facilitation.
pub struct TmSyn;

const TAU_IN: usize = 0;
const TAU_REC: usize = 1;
const TAU_FACIL: usize = 2;
const U: usize = 3;
const E: usize = 4;
const GMAX: usize = 5;
const I: usize = 6;
const RELEASE: usize = 7;
const G: usize = 8;

// NET_RECEIVE arguments.
const W: usize = 0;
const X: usize = 1;
const UU: usize = 2;
const TSYN: usize = 3;

impl Mechanism for TmSyn {
    fn info() -> MechInfo {
        MechInfo::point("TmSyn")
            .source("tmsyn.mod")
            .param("tau_in", "ms", 3.0)
            .limits(1e-9, 1e9)
            .param("tau_rec", "ms", 100.0)
            .limits(1e-9, 1e9)
            .param("tau_facil", "ms", 50.0)
            .limits(1e-9, 1e9)
            .param("U", "1", 0.5)
            .limits(0.0, 1.0)
            .param("e", "mV", 0.0)
            .param("gmax", "uS", 0.001)
            .limits(0.0, 1e9)
            .assigned("i", "nA")
            .assigned("release", "")
            .state("g", "uS")
            .net_receive(&["weight", "x", "u", "tsyn"])
            .net_init()
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            p.set(G, k, 0.0);
            p.set(RELEASE, k, 0.0);
        }
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let (g, e, v) = (p.get(G, k), p.get(E, k), p.v(k));
            let i = g * (v - e);
            p.set(I, k, i);
            p.point_current(k, g * (v + DV - e), i);
        }
    }

    fn state(p: &mut Pack) {
        let dt = p.dt();
        for k in 0..p.n() {
            let g = p.get(G, k) * (-dt / p.get(TAU_IN, k)).exp();
            p.set(G, k, g);
        }
    }

    fn net_init(p: &mut Pack, k: usize, w: &mut [f64]) {
        w[X] = 1.0;
        w[UU] = p.get(U, k);
        w[TSYN] = -1e9;
    }

    fn net_receive(p: &mut Pack, k: usize, w: &mut [f64], _flag: f64) {
        let t = p.t();
        let big_u = p.get(U, k);
        let d = t - w[TSYN];
        w[X] = 1.0 - (1.0 - w[X]) * (-d / p.get(TAU_REC, k)).exp();
        w[UU] = big_u + (w[UU] - big_u) * (-d / p.get(TAU_FACIL, k)).exp();
        let release = w[UU] * w[X];
        w[X] -= release;
        w[UU] += big_u * (1.0 - w[UU]);
        w[TSYN] = t;
        p.set(RELEASE, k, release);
        p.set(G, k, p.get(G, k) + p.get(GMAX, k) * w[W] * release);
    }
}

#[cfg(not(feature = "abi-next"))]
mech_api::export_catalogue!("custom-synapse", env!("CARGO_PKG_VERSION"), [TmSyn]);

#[cfg(feature = "abi-next")]
mech_api::export_catalogue!(
    "custom-synapse",
    env!("CARGO_PKG_VERSION"),
    [TmSyn],
    mech_api::abi::AbiHeader {
        major: mech_api::abi::ABI_VERSION_MAJOR + 1,
        minor: 0,
        ..mech_api::abi::AbiHeader::CURRENT
    }
);
