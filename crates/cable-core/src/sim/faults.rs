//! Faults named: a non-finite voltage or recorded value stops the run with an
//! error naming the mechanism, the place and the time; and cancellation.
//!
//! Detection costs next to nothing per step: the voltage update sums the new
//! voltages (a sum is non-finite when a term is), and recording tests each
//! sample it stores. Only after a detection is the culprit looked for: the
//! first mechanism (in evaluation order) holding a non-finite field at the
//! node whose voltage went bad.

use super::Simulation;
use crate::error::SimError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Bits of a double's exponent: all set for ±∞ and NaN.
pub(super) const EXP_MASK: u64 = 0x7ff0_0000_0000_0000;

/// How many steps `continuerun` takes between two looks at the cancel flag
/// (a power of two: the test is a mask).
pub(super) const CANCEL_EVERY: u64 = 256;

impl Simulation {
    /// Let another thread stop this simulation: once `flag` is set, the next
    /// check (at the start of `continuerun` and every 256 steps in it) returns
    /// [`SimError::Cancelled`]. The simulation stays usable (a new
    /// `finitialize` starts over; clear the flag first).
    pub fn set_cancel(&mut self, flag: Arc<AtomicBool>) {
        self.cancel = Some(flag);
    }

    /// [`SimError::Cancelled`] when the cancel flag is set.
    #[inline]
    pub(super) fn check_cancel(&self) -> Result<(), SimError> {
        match &self.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(SimError::Cancelled { t: self.t }),
            _ => Ok(()),
        }
    }

    /// Where node `node` is: `cell `C` section(x)`.
    pub(super) fn node_place(&self, node: usize) -> String {
        for (ci, cn) in self.disc.cells.iter().enumerate() {
            let cell = &self.cells[ci];
            for (si, sn) in cn.sections.iter().enumerate() {
                let sec = &cell.sections[si].name;
                if node >= sn.first && node < sn.first + sn.nseg {
                    let j = node - sn.first;
                    let x = (j as f64 + 0.5) / sn.nseg as f64;
                    return format!(
                        "cell `{}` section `{sec}` segment {j} of {} ({sec}({x}))",
                        cell.name, sn.nseg
                    );
                }
                if node == sn.end() {
                    return format!("cell `{}` section `{sec}` end ({sec}(1))", cell.name);
                }
            }
            if node == cn.root {
                let si = cn.sections.iter().position(|s| s.parentnode == node);
                let sec = &cell.sections[si.unwrap_or_default()].name;
                return format!("cell `{}` root node ({sec}(0))", cell.name);
            }
        }
        format!("node {node}")
    }

    /// The error for a non-finite voltage found after a step. One solve
    /// spreads a bad value over the whole cell, so the culprit is looked for
    /// among the mechanisms: the first instance (in evaluation order) holding
    /// a non-finite field — at detection the other mechanisms' fields were
    /// computed from the previous, finite voltages. Failing that, the first
    /// node with a non-finite voltage.
    #[cold]
    #[inline(never)]
    pub(super) fn nonfinite_voltage(&self) -> SimError {
        for ts in &self.types {
            if ts.is_artificial() {
                continue;
            }
            for (f, field) in ts.ty.info.fields.iter().enumerate() {
                for (inst, &nd) in ts.nodes.iter().enumerate() {
                    let x = ts.get(f, inst);
                    if !x.is_finite() {
                        return SimError::NonFinite {
                            mech: Some(ts.ty.info.name.clone()),
                            variable: field.name.clone(),
                            value: x,
                            place: self.node_place(nd as usize),
                            t: self.t,
                        };
                    }
                }
            }
        }
        let node = self
            .v
            .iter()
            .position(|v| !v.is_finite())
            .unwrap_or_default();
        let value = self.v[node];
        let place = self.node_place(node);
        let here: Vec<String> = self
            .types
            .iter()
            .filter(|ts| ts.nodes.iter().any(|&nd| nd as usize == node))
            .map(|ts| ts.ty.info.name.clone())
            .collect();
        SimError::NonFinite {
            mech: None,
            variable: format!(
                "v (no mechanism field there is non-finite; mechanisms at this node: {})",
                if here.is_empty() {
                    "none".to_string()
                } else {
                    here.join(", ")
                }
            ),
            value,
            place,
            t: self.t,
        }
    }
}
