//! `IClamp`: NEURON's current clamp (`src/nrnoc/stim.mod`).

use mech_api::{MechInfo, Mechanism, Pack};

/// Current pulse of `amp` nA from `del` for `dur` ms; ELECTRODE_CURRENT.
pub struct IClamp;

const DEL: usize = 0;
const DUR: usize = 1;
const AMP: usize = 2;
const I: usize = 3;

impl Mechanism for IClamp {
    fn info() -> MechInfo {
        MechInfo::point("IClamp")
            .electrode()
            .rank(7)
            .source("stim.mod")
            .param("del", "ms", 0.0)
            .param("dur", "ms", 0.0)
            .limits(0.0, 1e9)
            .param("amp", "nA", 0.0)
            .assigned("i", "nA")
    }

    fn init(p: &mut Pack) {
        for k in 0..p.n() {
            p.set(I, k, 0.0);
        }
    }

    fn time_horizon(p: &Pack) -> Option<f64> {
        // `t < del + dur && t >= del` flips only at del and at del + dur.
        let t = p.t();
        let mut h = f64::INFINITY;
        for k in 0..p.n() {
            let (del, dur) = (p.get(DEL, k), p.get(DUR, k));
            h = next_breakpoint(t, h, &[del, del + dur]);
        }
        Some(h)
    }

    fn current(p: &mut Pack) {
        let t = p.t();
        for k in 0..p.n() {
            let (del, dur) = (p.get(DEL, k), p.get(DUR, k));
            let i = if t < del + dur && t >= del {
                p.get(AMP, k)
            } else {
                0.0
            };
            p.set(I, k, i);
            p.point_electrode_current(k, 0.0 + i, 0.0 + i);
        }
    }
}

/// The smallest of `h` and the breakpoints after `t`.
pub(crate) fn next_breakpoint(t: f64, h: f64, breakpoints: &[f64]) -> f64 {
    breakpoints
        .iter()
        .filter(|&&b| b > t)
        .fold(h, |h, &b| h.min(b))
}
