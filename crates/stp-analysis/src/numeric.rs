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
    pairwise_sum_by(a.len(), &|k| a[k])
}

/// [`pairwise_sum`] of the `n` values `term(0), …, term(n − 1)`, computed as they
/// are needed: the same additions in the same order as summing the collected
/// array, without the array (a long trace's terms would be a fresh allocation of
/// fresh pages on every call).
pub(crate) fn pairwise_sum_by(n: usize, term: &impl Fn(usize) -> f64) -> f64 {
    pairwise_block(0, n, term)
}

/// numpy's `pairwise_sum` on the values at `start..start + n`.
fn pairwise_block(start: usize, n: usize, term: &impl Fn(usize) -> f64) -> f64 {
    if n < 8 {
        let mut res = 0.0;
        for k in start..start + n {
            res += term(k);
        }
        res
    } else if n <= 128 {
        let mut r: [f64; 8] = std::array::from_fn(|j| term(start + j));
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += term(start + i + j);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for k in start + whole..start + n {
            res += term(k);
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_block(start, n2, term) + pairwise_block(start + n2, n - n2, term)
    }
}

/// `np.mean` of a 1-D float64 array: pairwise sum divided by the count.
pub(crate) fn mean(a: &[f64]) -> f64 {
    pairwise_sum(a) / a.len() as f64
}

/// `np.trapz(f(y), dx=dx)`, with `f` applied to each sample as numpy would have
/// applied it to the whole array first: `sum(dx * (f(y[k+1]) + f(y[k])) / 2)` with
/// numpy's summation. Zero for fewer than two samples. Nothing is allocated.
pub(crate) fn trapezoid_dx_of(y: &[f64], dx: f64, f: impl Fn(f64) -> f64) -> f64 {
    if y.len() < 2 {
        return 0.0;
    }
    let (head, tail) = (&y[..y.len() - 1], &y[1..]);
    pairwise_sum_by(head.len(), &|k| dx * (f(tail[k]) + f(head[k])) / 2.0)
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

/// Index of the first largest `|f(x[k])|` (`np.argmax(np.abs(f(x)))`, without the
/// mapped array). `x` must be non-empty.
pub(crate) fn argmax_abs_of(x: &[f64], f: impl Fn(f64) -> f64) -> usize {
    let mut best = 0;
    let mut top = f(x[0]).abs();
    for (k, &v) in x.iter().enumerate().skip(1) {
        let a = f(v).abs();
        if a > top {
            best = k;
            top = a;
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

    /// A deterministic spread of values over many magnitudes and both signs.
    fn samples(n: usize) -> Vec<f64> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let m = (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                m * 10f64.powi((x % 9) as i32 - 4)
            })
            .collect()
    }

    #[test]
    fn trapezoid_of_equals_summing_the_collected_terms() {
        for n in [0, 1, 2, 7, 8, 9, 128, 129, 130, 257, 1000, 4001, 24_001] {
            let y = samples(n);
            let f = |v: f64| (v - 0.012_5) * 1000.0;
            let c: Vec<f64> = y.iter().map(|&v| f(v)).collect();
            let terms: Vec<f64> = c.windows(2).map(|w| 0.025 * (w[1] + w[0]) / 2.0).collect();
            let want = if n < 2 { 0.0 } else { pairwise_sum(&terms) };
            assert_eq!(
                trapezoid_dx_of(&y, 0.025, f).to_bits(),
                want.to_bits(),
                "n = {n}"
            );
        }
    }

    #[test]
    fn argmax_abs_of_takes_the_first_largest() {
        assert_eq!(argmax_abs_of(&[1.0, -3.0, 3.0, 2.0], |v| v), 1);
        assert_eq!(argmax_abs_of(&[1.0, -3.0, 3.0, 2.0], |v| v - 1.0), 1);
        assert_eq!(argmax_abs_of(&[1.0, -3.0, 3.0, 5.0], |v| v + 3.0), 3);
        assert_eq!(argmax_abs_of(&[2.0, 2.0], |v| v), 0);
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
