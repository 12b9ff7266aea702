//! `pas`: NEURON's passive leak (`src/nrnoc/passive.mod`).

use mech_api::{MechInfo, Mechanism, Pack, DV};

/// Passive leak, i = g (v − e), NONSPECIFIC_CURRENT.
pub struct Pas;

const G: usize = 0;
const E: usize = 1;
const I: usize = 2;

impl Mechanism for Pas {
    fn info() -> MechInfo {
        MechInfo::density("pas")
            .rank(4)
            .source("passive.mod")
            .param("g", "S/cm2", 0.001)
            .limits(0.0, 1e9)
            .param("e", "mV", -70.0)
            .assigned("i", "mA/cm2")
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let (g, e, v) = (p.get(G, k), p.get(E, k), p.v(k));
            let hi = 0.0 + g * ((v + DV) - e);
            let i = g * (v - e);
            p.set(I, k, i);
            p.density_current(k, hi, 0.0 + i);
        }
    }
}
