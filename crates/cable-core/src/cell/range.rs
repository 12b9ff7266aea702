//! Range values: a section's value of a range variable (a mechanism
//! parameter, `cm`, a cylinder's `diam`, an ion's `e`/`ci`/`co`), either one
//! value for the whole section or one value per segment, as NEURON allows any
//! range variable to vary along a section (`gbar(0:1) = 0:1`,
//! `for (x, 0) { gbar(x) = f(distance(x)) }`).
//!
//! In the cell file a range value is a number, or an array of `nseg` numbers
//! (segment 0 at the section's 0 end, each at its centre `x = (j + 0.5)/nseg`).

use super::Ctx;
use crate::error::{CellError, CellErrorKind};
use serde_json::{json, Value};

/// One range variable's value in one section.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeValue {
    /// The same value in every segment.
    Uniform(f64),
    /// One value per segment, from the 0 end (`nseg` values).
    PerSegment(Vec<f64>),
}

impl RangeValue {
    /// The value in segment `j` (0-based, from the 0 end).
    pub fn at(&self, j: usize) -> f64 {
        match self {
            RangeValue::Uniform(x) => *x,
            RangeValue::PerSegment(v) => v[j],
        }
    }

    /// The value if it is the same in every segment.
    pub fn uniform(&self) -> Option<f64> {
        match self {
            RangeValue::Uniform(x) => Some(*x),
            RangeValue::PerSegment(v) => {
                let first = *v.first()?;
                v.iter()
                    .all(|x| x.to_bits() == first.to_bits())
                    .then_some(first)
            }
        }
    }

    /// The values of `nseg` segments.
    pub fn values(&self, nseg: usize) -> Vec<f64> {
        (0..nseg).map(|j| self.at(j)).collect()
    }

    /// Every value, for checks (`Uniform`: the one value).
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        let s: &[f64] = match self {
            RangeValue::Uniform(x) => std::slice::from_ref(x),
            RangeValue::PerSegment(v) => v,
        };
        s.iter().copied()
    }

    /// As the cell file writes it: a number, or an array of numbers.
    pub fn to_json(&self) -> Value {
        match self {
            RangeValue::Uniform(x) => json!(x),
            RangeValue::PerSegment(v) => json!(v),
        }
    }
}

impl From<f64> for RangeValue {
    fn from(x: f64) -> Self {
        RangeValue::Uniform(x)
    }
}

impl Ctx<'_> {
    /// A range value: a finite number, or an array of exactly `nseg` of them.
    pub(super) fn range(
        &self,
        sec: &str,
        field: &str,
        v: &Value,
        nseg: usize,
    ) -> Result<RangeValue, CellError> {
        let Some(a) = v.as_array() else {
            return Ok(RangeValue::Uniform(self.number(sec, field, v)?));
        };
        if a.len() != nseg {
            return Err(self.err(
                Some(sec),
                Some(field),
                CellErrorKind::BadSegmentValues,
                format!(
                    "expected one number, or one per segment ({nseg} for nseg = {nseg}), found {} values",
                    a.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(nseg);
        for (j, x) in a.iter().enumerate() {
            out.push(self.number(sec, &format!("{field}[{j}]"), x)?);
        }
        Ok(RangeValue::PerSegment(out))
    }

    /// A range value whose every value satisfies `ok` (`what` says how).
    pub(super) fn range_where(
        &self,
        sec: &str,
        field: &str,
        v: &Value,
        nseg: usize,
        ok: fn(f64) -> bool,
        what: &str,
    ) -> Result<RangeValue, CellError> {
        let r = self.range(sec, field, v, nseg)?;
        if let Some(x) = r.iter().find(|x| !ok(*x)) {
            return Err(self.err(
                Some(sec),
                Some(field),
                CellErrorKind::NonPositive,
                format!("must be {what}, found {x}"),
            ));
        }
        Ok(r)
    }
}
