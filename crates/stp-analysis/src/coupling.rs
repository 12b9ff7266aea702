//! The gap-junction coupling coefficient (bmtool's
//! `GapJunctionTuner.coupling_coefficient`).

use crate::error::AnalysisError;
use crate::{check_finite, check_traces};
use serde::Serialize;

/// Coupling coefficient `ΔV₂ / ΔV₁ = (v2[k1] − v2[k0]) / (v1[k1] − v1[k0])`, where
/// `k0` and `k1` are the last samples with `t < t_start` and `t < t_end`
/// (strictly before, on the recorded `t`, exactly as bmtool: with the current step
/// of `tdur` ms into cell 1 starting at `tstart`, use `t_start = tstart`,
/// `t_end = tstart + tdur`).
///
/// Errors: empty/mismatched/non-finite inputs, no sample before `t_start`, or no
/// voltage change in cell 1 ([`AnalysisError::ZeroDenominator`], where bmtool
/// returns `inf`/`nan`).
///
/// ```
/// use stp_analysis::coupling_coefficient;
/// let t = [0.0, 1.0, 2.0, 3.0];
/// let v1 = [-70.0, -70.0, -76.0, -76.0];
/// let v2 = [-70.0, -70.0, -70.9, -70.9];
/// let cc = coupling_coefficient(&t, &v1, &v2, 1.5, 3.0).unwrap();
/// assert!((cc - 0.15).abs() < 1e-12);
/// ```
pub fn coupling_coefficient(
    t: &[f64],
    v1: &[f64],
    v2: &[f64],
    t_start: f64,
    t_end: f64,
) -> Result<f64, AnalysisError> {
    Ok(coupling_terms(t, v1, v2, t_start, t_end)?.coupling_coefficient)
}

/// The terms of [`coupling_coefficient`]: which samples, the two voltage
/// changes and their ratio. Serialized with these field names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CouplingTerms {
    /// The last sample with `t < t_start`.
    pub k0: usize,
    /// The last sample with `t < t_end`.
    pub k1: usize,
    /// `v1[k1] − v1[k0]` (mV).
    pub dv1: f64,
    /// `v2[k1] − v2[k0]` (mV).
    pub dv2: f64,
    /// `dv2 / dv1`.
    pub coupling_coefficient: f64,
}

/// [`CouplingTerms`] of two soma voltages; errors as [`coupling_coefficient`].
pub fn coupling_terms(
    t: &[f64],
    v1: &[f64],
    v2: &[f64],
    t_start: f64,
    t_end: f64,
) -> Result<CouplingTerms, AnalysisError> {
    check_traces(t, &[("v1", v1), ("v2", v2)])?;
    check_finite("t_start", &[t_start])?;
    check_finite("t_end", &[t_end])?;
    let last_before = |time: f64, what: &'static str| {
        t.iter()
            .rposition(|&tk| tk < time)
            .ok_or(AnalysisError::OutOfRange {
                what,
                time,
                first: t[0],
                last: t[t.len() - 1],
            })
    };
    let k0 = last_before(t_start, "t_start")?;
    let k1 = last_before(t_end, "t_end")?;
    let dv1 = v1[k1] - v1[k0];
    if dv1 == 0.0 {
        return Err(AnalysisError::ZeroDenominator {
            what: "the voltage change of cell 1",
            metric: "the coupling coefficient",
        });
    }
    let dv2 = v2[k1] - v2[k0];
    Ok(CouplingTerms {
        k0,
        k1,
        dv1,
        dv2,
        coupling_coefficient: dv2 / dv1,
    })
}
