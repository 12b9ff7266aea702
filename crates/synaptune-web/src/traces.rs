//! Traces for the page: a time window cut into at most `n` buckets; each bucket
//! keeps its two extremes in the order they occur (min/max decimation), so a
//! response stays small (tens of kB) and the peaks survive.
//!
//! JSON: `{"x": [bucket times], "panels": [{"title", "ylabel", "y": [2 per bucket],
//! "marks": [{"x", "y", "text"}]}]}`; a bucket of one sample repeats it.

use serde_json::{json, Value};

/// Samples `[i0, i1)` of `t` within `[x0, x1]`, cut into at most `n` runs.
pub struct Buckets {
    /// Index ranges.
    pub ranges: Vec<(usize, usize)>,
}

impl Buckets {
    /// Buckets over the samples of `t` (ascending) in `[x0, x1]`.
    pub fn new(t: &[f64], x0: f64, x1: f64, n: usize) -> Buckets {
        let i0 = t.partition_point(|&x| x < x0);
        let i1 = t.partition_point(|&x| x <= x1);
        let len = i1.saturating_sub(i0);
        let n = n.max(1);
        let per = len.div_ceil(n).max(1);
        let mut ranges = Vec::with_capacity(len.div_ceil(per));
        let mut i = i0;
        while i < i1 {
            let j = (i + per).min(i1);
            ranges.push((i, j));
            i = j;
        }
        Buckets { ranges }
    }

    /// The time of each bucket (its middle sample).
    pub fn x(&self, t: &[f64]) -> Vec<f64> {
        self.ranges
            .iter()
            .map(|&(a, b)| round(t[(a + b - 1) / 2]))
            .collect()
    }

    /// Two values per bucket: its extremes in order of occurrence.
    pub fn y(&self, y: &[f64], scale: f64) -> Vec<f64> {
        let mut out = Vec::with_capacity(2 * self.ranges.len());
        for &(a, b) in &self.ranges {
            let b = b.min(y.len());
            if a >= b {
                out.extend([f64::NAN, f64::NAN]);
                continue;
            }
            let (mut lo, mut hi) = (a, a);
            for i in a..b {
                if y[i] < y[lo] {
                    lo = i;
                }
                if y[i] > y[hi] {
                    hi = i;
                }
            }
            let (p, q) = if lo <= hi { (lo, hi) } else { (hi, lo) };
            out.push(round(y[p] * scale));
            out.push(round(y[q] * scale));
        }
        out
    }
}

/// Six significant digits: plenty for a plot, a third of the bytes.
pub fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.5e}").parse().unwrap_or(x)
}

/// One panel.
pub fn panel(title: &str, ylabel: &str, y: Vec<f64>, marks: Value) -> Value {
    json!({"title": title, "ylabel": ylabel, "y": y, "marks": marks})
}

/// How many buckets a plot gets (about one per pixel of a wide plot).
pub const BUCKETS: usize = 900;
