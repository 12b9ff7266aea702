//! `Gap` (bmtool's `gap.mod`): a gap-junction half, i = g·(vgap − v) nA,
//! ELECTRODE_CURRENT; `vgap` is written by the host's transfer (NEURON's
//! `pc.source_var`/`pc.target_var`) with the partner's voltage.

use mech_api::{MechInfo, Mechanism, Pack, DV};

/// One side of a gap junction; `g` in µS.
pub struct Gap;

const G: usize = 0;
const VGAP: usize = 1;
const I: usize = 2;

impl Mechanism for Gap {
    fn info() -> MechInfo {
        MechInfo::point("Gap")
            .electrode()
            .source("gap.mod")
            .param("g", "uS", 0.001)
            .assigned("vgap", "mV")
            .assigned("i", "nA")
    }

    fn time_horizon(_p: &Pack) -> Option<f64> {
        // current and state never read t, and keep no state outside the fields.
        Some(f64::INFINITY)
    }

    fn current(p: &mut Pack) {
        for k in 0..p.n() {
            let (g, vgap, v) = (p.get(G, k), p.get(VGAP, k), p.v(k));
            let hi = 0.0 + g * (vgap - (v + DV));
            let i = g * (vgap - v);
            p.set(I, k, i);
            p.point_electrode_current(k, hi, 0.0 + i);
        }
    }
}
