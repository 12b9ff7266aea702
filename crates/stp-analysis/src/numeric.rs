//! The numpy/scipy primitives bmtool's analysis rests on, reproduced operation by
//! operation so that results are bit-identical on the same input:
//! numpy's pairwise summation (`np.sum`, `np.mean`, `np.trapz`), `np.percentile`
//! with linear interpolation, `np.argmax`, `np.sign`, and the local-maximum rule
//! of `scipy.signal.find_peaks` (no height/prominence filters).

/// numpy's pairwise summation of a contiguous `float64` array (`np.add.reduce`):
/// fewer than 8 values are added left to right; up to 128 are added with eight
/// interleaved accumulators combined as `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`, then
/// the tail; longer arrays are split in two at a multiple of 8 and the halves summed.
pub(crate) fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[whole..] {
            res += x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

/// `np.mean` of a 1-D float64 array: pairwise sum divided by the count.
pub(crate) fn mean(a: &[f64]) -> f64 {
    pairwise_sum(a) / a.len() as f64
}

/// `np.trapz(y, dx=dx)`: `sum(dx * (y[k+1] + y[k]) / 2)` with numpy's summation.
/// Zero for fewer than two samples.
pub(crate) fn trapezoid_dx(y: &[f64], dx: f64) -> f64 {
    if y.len() < 2 {
        return 0.0;
    }
    let terms: Vec<f64> = y.windows(2).map(|w| dx * (w[1] + w[0]) / 2.0).collect();
    pairwise_sum(&terms)
}

/// `np.percentile(a, q)` with numpy's default `method="linear"` (Hyndman & Fan
/// type 7): sort, virtual index `(n-1)·q/100`, and numpy's `_lerp`
/// (`a + (b-a)·γ` for γ < 0.5, `b - (b-a)·(1-γ)` otherwise). `a` must be non-empty
/// and NaN-free.
pub(crate) fn percentile_linear(a: &[f64], q_percent: f64) -> f64 {
    let mut s = a.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let q = q_percent / 100.0;
    let vi = (n - 1) as f64 * q;
    if vi >= (n - 1) as f64 {
        return s[n - 1];
    }
    let prev = vi.floor();
    let gamma = vi - prev;
    let lo = s[prev as usize];
    let hi = s[prev as usize + 1];
    let diff = hi - lo;
    if gamma >= 0.5 {
        hi - diff * (1.0 - gamma)
    } else {
        lo + diff * gamma
    }
}

/// Index of the first largest `|x|` (`np.argmax(np.abs(x))`). `x` must be non-empty.
pub(crate) fn argmax_abs(x: &[f64]) -> usize {
    let mut best = 0;
    for (k, v) in x.iter().enumerate() {
        if v.abs() > x[best].abs() {
            best = k;
        }
    }
    best
}

/// `np.sign`: -1, 0 or +1 (as f64).
pub(crate) fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The first peak `scipy.signal.find_peaks(x)` reports: scan from index 1 for a
/// sample larger than its predecessor, follow any run of equal samples, and accept
/// when the next different sample is smaller; a plateau's index is its midpoint
/// rounded down. The first and last samples are never peaks.
pub(crate) fn first_local_max(x: &[f64]) -> Option<usize> {
    let n = x.len();
    if n < 3 {
        return None;
    }
    let i_max = n - 1;
    let mut i = 1;
    while i < i_max {
        if x[i - 1] < x[i] {
            let mut ahead = i + 1;
            while ahead < i_max && x[ahead] == x[i] {
                ahead += 1;
            }
            if x[ahead] < x[i] {
                return Some((i + ahead - 1) / 2);
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_small_is_sequential() {
        assert_eq!(pairwise_sum(&[]), 0.0);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0]), 6.0);
    }

    #[test]
    fn pairwise_matches_numpy_where_naive_does_not() {
        // Values from numpy 2.4: np.sum(v) with v = ones(200), v[0] = 1e16, and with
        // v = arange(1, 301) * 0.1, v[0] = 1e16 (Python's sum gives 1e16 and
        // 1.00000000000045e16).
        let mut v = vec![1.0; 200];
        v[0] = 1e16;
        assert_eq!(v.iter().sum::<f64>(), 1e16);
        assert_eq!(pairwise_sum(&v), 1.0000000000000188e16);
        let mut w: Vec<f64> = (1..=300).map(|k| k as f64 * 0.1).collect();
        w[0] = 1e16;
        assert_eq!(pairwise_sum(&w), 1.0000000000004512e16);
    }

    #[test]
    fn percentile_matches_numpy_examples() {
        // np.percentile([1..12], 90) == 10.9
        let a: Vec<f64> = (1..=12).map(f64::from).collect();
        assert_eq!(percentile_linear(&a, 90.0), 10.9);
        assert_eq!(percentile_linear(&[3.0], 90.0), 3.0);
        assert_eq!(percentile_linear(&[1.0, 2.0], 100.0), 2.0);
    }

    #[test]
    fn peaks_plateaus_and_edges() {
        assert_eq!(first_local_max(&[0.0, 1.0, 0.0]), Some(1));
        assert_eq!(first_local_max(&[0.0, 1.0, 1.0, 1.0, 1.0, 0.0]), Some(2));
        assert_eq!(first_local_max(&[0.0, 1.0, 1.0, 2.0, 0.0]), Some(3));
        assert_eq!(first_local_max(&[2.0, 1.0, 0.0]), None);
        assert_eq!(first_local_max(&[0.0, 1.0, 2.0]), None);
        assert_eq!(first_local_max(&[0.0, 1.0, 1.0]), None);
    }
}
