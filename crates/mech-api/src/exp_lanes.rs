//! `exp` of four arguments at once, each lane bit-identical to [`crate::math::exp`].
//!
//! IEEE addition, multiplication and fused multiply-add round the same way in
//! every lane of a vector register as in a scalar one, so glibc's `exp`
//! algorithm (see `math`) performed lane by lane with AVX2's `vfmadd…pd` and
//! a gather from the same table returns, in each lane, the bits the scalar
//! kernel returns. [`exp4`] uses that kernel only where it is proven to agree:
//! the scalar kernel must be in use (see [`crate::math::exp_is_inline`]), the
//! CPU must have AVX2, and on first use the vector kernel must reproduce the
//! scalar one bit for bit on 4 096 arguments. A vector with any argument
//! outside the kernel's plain range (tiny, huge, infinite, NaN) is computed
//! lane by lane with [`crate::math::exp`], which handles those cases.
//!
//! [`exp_m128`] is the same kernel on two lanes, for kernels that take two
//! instances in a 128-bit vector (two table reads instead of four; the FSI
//! step 268 → 259 ns against the four-lane kernel on the pair twice). The
//! agreement check covers both.
//!
//! It is the exponential of lane-vectorised kernels (issue 14's lanes):
//! [`exp_m256`] inlines into kernels compiled for AVX2, as the standard
//! catalogue's nainter, kdrinter and hh state updates are for four instances
//! at a time (FSI lanes: 272 → 204 ns per lane-step at K = 4). Put in place of four
//! scalar calls inside otherwise scalar code (nainter's four rate
//! exponentials, hh's three cnexp ones), [`exp4`] took fewer instructions (FSI
//! step 4 026 → 3 587 by callgrind) but no less time (374 → 393 ns on one
//! cell), since the scalar calls of independent instances already overlap in
//! the processor and the lanes' assembly lengthens one instance's dependency
//! chain: the gain needs whole kernels in lanes (loads, divisions and stores
//! four instances at a time), not the exponential alone.

use crate::math::{decided, exp};
use std::sync::atomic::{AtomicU8, Ordering};

/// 0: not decided yet; 1: AVX2 kernel; 2: lane by lane.
static MODE: AtomicU8 = AtomicU8::new(0);

/// `[exp(x[0]), exp(x[1]), exp(x[2]), exp(x[3])]`, each lane bit-identical to
/// [`crate::math::exp`] of that lane.
#[inline]
pub fn exp4(x: [f64; 4]) -> [f64; 4] {
    #[cfg(target_arch = "x86_64")]
    {
        match MODE.load(Ordering::Relaxed) {
            // SAFETY: mode 1 is set only on a CPU with AVX2 and FMA.
            1 => return unsafe { avx2::exp4(x[0], x[1], x[2], x[3]) },
            0 => return exp4_first(x),
            _ => {}
        }
    }
    x.map(exp)
}

/// `exp` of each lane of an AVX2 vector, bit-identical to
/// [`crate::math::exp`] lane by lane: for kernels compiled with
/// `#[target_feature(enable = "avx2,fma")]`, into which it inlines.
///
/// # Safety
/// [`exp4_is_vector`] must have returned true (the CPU has AVX2 and FMA and
/// the vector kernel was found to agree with the scalar one).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
pub unsafe fn exp_m256(x: std::arch::x86_64::__m256d) -> std::arch::x86_64::__m256d {
    avx2::exp_v(x)
}

/// [`exp_m256`] on two lanes (a 128-bit vector): the same kernel, two table
/// reads instead of four.
///
/// # Safety
/// As [`exp_m256`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
pub unsafe fn exp_m128(x: std::arch::x86_64::__m128d) -> std::arch::x86_64::__m128d {
    avx2::exp_v2(x)
}

/// Whether [`exp4`] runs the vector kernel (`false`: lane by lane).
pub fn exp4_is_vector() -> bool {
    decided(&MODE, vector_agrees) == 1
}

#[cold]
#[inline(never)]
fn exp4_first(x: [f64; 4]) -> [f64; 4] {
    decided(&MODE, vector_agrees);
    exp4(x)
}

#[cfg(target_arch = "x86_64")]
fn vector_agrees() -> bool {
    if !crate::math::exp_is_inline()
        || !std::arch::is_x86_feature_detected!("avx2")
        || !std::arch::is_x86_feature_detected!("fma")
    {
        return false;
    }
    let mut s = 0x243f_6a88_85a3_08d3u64;
    (0..1024).all(|i| {
        let mut x = [0.0; 4];
        for (j, lane) in x.iter_mut().enumerate() {
            let u = crate::math::uniform(&mut s) - 0.5;
            *lane = if (i + j) % 2 == 0 {
                u * 1400.0
            } else {
                u * 80.0
            };
        }
        // SAFETY: AVX2 and FMA checked above.
        let got = unsafe { avx2::exp4(x[0], x[1], x[2], x[3]) };
        // SAFETY: as above.
        let pair = unsafe { avx2::exp2(x[0], x[1]) };
        got.iter()
            .chain(&pair)
            .zip(x.iter().chain(&x[..2]))
            .all(|(g, &x)| g.to_bits() == exp(x).to_bits())
    })
}

#[cfg(not(target_arch = "x86_64"))]
fn vector_agrees() -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use crate::math::{C2, C3, C4, C5, EXP_TABLE, INV_LN2_N, NEG_LN2_HI_N, NEG_LN2_LO_N, SHIFT};
    use std::arch::x86_64::*;

    /// The scalar kernel's operations (`math::exp_fma`) on four lanes.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    /// The lanes come in registers, not as an array in memory: the caller
    /// writes them one by one, and a wide load of narrow stores stalls store
    /// forwarding (≈ 25 % of the FSI step when they did).
    pub(super) unsafe fn exp4(x0: f64, x1: f64, x2: f64, x3: f64) -> [f64; 4] {
        let out = exp_v(_mm256_setr_pd(x0, x1, x2, x3));
        let mut y = [0.0; 4];
        _mm256_storeu_pd(y.as_mut_ptr(), out);
        y
    }

    /// The kernel on a vector: lanes outside the plain range make the whole
    /// vector go lane by lane through `math::exp`.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(super) unsafe fn exp_v(xv: __m256d) -> __m256d {
        if !all_plain(xv) {
            return by_lane(xv);
        }
        let kd = _mm256_fmadd_pd(xv, _mm256_set1_pd(INV_LN2_N), _mm256_set1_pd(SHIFT));
        let ki = _mm256_castpd_si256(kd);
        let kd = _mm256_sub_pd(kd, _mm256_set1_pd(SHIFT));
        let r = _mm256_fmadd_pd(kd, _mm256_set1_pd(NEG_LN2_HI_N), xv);
        let r = _mm256_fmadd_pd(kd, _mm256_set1_pd(NEG_LN2_LO_N), r);
        // The table entries by scalar loads: gathers are slow on CPUs with
        // the gather data sampling mitigation.
        let mut k = [0u64; 4];
        _mm256_storeu_si256(k.as_mut_ptr() as *mut __m256i, ki);
        let j = k.map(|k| 2 * (k & 0x7f) as usize);
        let tail = _mm256_castsi256_pd(_mm256_setr_epi64x(
            EXP_TABLE[j[0]] as i64,
            EXP_TABLE[j[1]] as i64,
            EXP_TABLE[j[2]] as i64,
            EXP_TABLE[j[3]] as i64,
        ));
        let sbits = _mm256_setr_epi64x(
            EXP_TABLE[j[0] + 1] as i64,
            EXP_TABLE[j[1] + 1] as i64,
            EXP_TABLE[j[2] + 1] as i64,
            EXP_TABLE[j[3] + 1] as i64,
        );
        let scale = _mm256_castsi256_pd(_mm256_add_epi64(sbits, _mm256_slli_epi64(ki, 45)));
        let r2 = _mm256_mul_pd(r, r);
        let p23 = _mm256_fmadd_pd(r, _mm256_set1_pd(C3), _mm256_set1_pd(C2));
        let tmp = _mm256_fmadd_pd(p23, r2, _mm256_add_pd(r, tail));
        let p45 = _mm256_fmadd_pd(r, _mm256_set1_pd(C5), _mm256_set1_pd(C4));
        let tmp = _mm256_fmadd_pd(_mm256_mul_pd(r2, r2), p45, tmp);
        _mm256_fmadd_pd(scale, tmp, scale)
    }

    /// [`exp_v`]'s operations on two lanes.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(super) unsafe fn exp_v2(xv: __m128d) -> __m128d {
        if !all_plain2(xv) {
            return by_lane2(xv);
        }
        let kd = _mm_fmadd_pd(xv, _mm_set1_pd(INV_LN2_N), _mm_set1_pd(SHIFT));
        let ki = _mm_castpd_si128(kd);
        let kd = _mm_sub_pd(kd, _mm_set1_pd(SHIFT));
        let r = _mm_fmadd_pd(kd, _mm_set1_pd(NEG_LN2_HI_N), xv);
        let r = _mm_fmadd_pd(kd, _mm_set1_pd(NEG_LN2_LO_N), r);
        let mut k = [0u64; 2];
        _mm_storeu_si128(k.as_mut_ptr() as *mut __m128i, ki);
        let j = k.map(|k| 2 * (k & 0x7f) as usize);
        let tail = _mm_castsi128_pd(_mm_set_epi64x(
            EXP_TABLE[j[1]] as i64,
            EXP_TABLE[j[0]] as i64,
        ));
        let sbits = _mm_set_epi64x(EXP_TABLE[j[1] + 1] as i64, EXP_TABLE[j[0] + 1] as i64);
        let scale = _mm_castsi128_pd(_mm_add_epi64(sbits, _mm_slli_epi64(ki, 45)));
        let r2 = _mm_mul_pd(r, r);
        let p23 = _mm_fmadd_pd(r, _mm_set1_pd(C3), _mm_set1_pd(C2));
        let tmp = _mm_fmadd_pd(p23, r2, _mm_add_pd(r, tail));
        let p45 = _mm_fmadd_pd(r, _mm_set1_pd(C5), _mm_set1_pd(C4));
        let tmp = _mm_fmadd_pd(_mm_mul_pd(r2, r2), p45, tmp);
        _mm_fmadd_pd(scale, tmp, scale)
    }

    /// [`exp_v2`] of two arguments, for the agreement check.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn exp2(x0: f64, x1: f64) -> [f64; 2] {
        let mut y = [0.0; 2];
        _mm_storeu_pd(y.as_mut_ptr(), exp_v2(_mm_setr_pd(x0, x1)));
        y
    }

    #[cold]
    #[inline(never)]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn by_lane2(xv: __m128d) -> __m128d {
        let mut x = [0.0; 2];
        _mm_storeu_pd(x.as_mut_ptr(), xv);
        let y = x.map(crate::math::exp);
        _mm_loadu_pd(y.as_ptr())
    }

    /// [`all_plain`] of two lanes.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn all_plain2(xv: __m128d) -> bool {
        let top = _mm_and_si128(
            _mm_srli_epi64(_mm_castpd_si128(xv), 52),
            _mm_set1_epi64x(0x7ff),
        );
        let low = _mm_cmpgt_epi64(_mm_set1_epi64x(0x3c9), top);
        let high = _mm_cmpgt_epi64(top, _mm_set1_epi64x(0x407));
        let bad = _mm_or_si128(low, high);
        _mm_testz_si128(bad, bad) == 1
    }

    #[cold]
    #[inline(never)]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn by_lane(xv: __m256d) -> __m256d {
        let mut x = [0.0; 4];
        _mm256_storeu_pd(x.as_mut_ptr(), xv);
        let y = x.map(crate::math::exp);
        _mm256_loadu_pd(y.as_ptr())
    }

    /// Whether every lane is in the kernel's plain range: biased exponent in
    /// 0x3c9..=0x407, the scalar kernel's `abstop - 0x3c9 <= 0x3e`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn all_plain(xv: __m256d) -> bool {
        let top = _mm256_and_si256(
            _mm256_srli_epi64(_mm256_castpd_si256(xv), 52),
            _mm256_set1_epi64x(0x7ff),
        );
        let low = _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x3c9), top);
        let high = _mm256_cmpgt_epi64(top, _mm256_set1_epi64x(0x407));
        let bad = _mm256_or_si256(low, high);
        _mm256_testz_si256(bad, bad) == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`exp_m128`] on `x`'s two halves (where the vector kernels are in use).
    fn pairs(x: [f64; 4]) -> Option<[f64; 4]> {
        if !exp4_is_vector() {
            return None;
        }
        let mut y = [0.0; 4];
        for h in 0..2 {
            // SAFETY: exp4_is_vector implies AVX2 and FMA.
            y[2 * h..2 * h + 2].copy_from_slice(&unsafe { avx2::exp2(x[2 * h], x[2 * h + 1]) });
        }
        Some(y)
    }

    fn check(x: [f64; 4]) {
        let got = exp4(x);
        let two = pairs(x).unwrap_or(got);
        for ((g, t), x) in got.iter().zip(two).zip(x) {
            let want = exp(x);
            assert!(
                t.to_bits() == want.to_bits() || (t.is_nan() && want.is_nan()),
                "exp_m128 lane exp({x:e}) = {t:e}, exp gives {want:e}"
            );
            assert!(
                g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                "exp4 lane exp({x:e}) = {g:e}, exp gives {want:e}"
            );
        }
    }

    #[test]
    fn every_lane_is_the_scalar_exp_bit_for_bit() {
        let mut s = 0x1319_8a2e_0370_7344u64;
        for _ in 0..500_000 {
            let mut x = [0.0; 4];
            for lane in x.iter_mut() {
                let u = crate::math::uniform(&mut s) - 0.5;
                let w = crate::math::uniform(&mut s);
                *lane = match (w * 4.0) as u32 {
                    0 => u * 1500.0,
                    1 => u * 60.0,
                    2 => -0.025 / (w * 200.0 + 1e-3),
                    _ => u * 1e-3,
                };
            }
            check(x);
        }
        eprintln!("exp4 vector kernel: {}", exp4_is_vector());
        // Otherwise the kernels were found to disagree and nothing above
        // compared them.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && crate::math::exp_is_inline()
        {
            assert!(exp4_is_vector(), "the vector kernels disagree with exp");
        }
    }

    #[test]
    fn a_special_argument_in_any_lane_is_handled() {
        let specials = [
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e-300,
            709.79,
            -745.14,
            512.0,
        ];
        for (k, &sp) in specials.iter().enumerate() {
            for lane in 0..4 {
                let mut x = [1.5, -2.25, 0.125 * k as f64 + 0.3, -40.0];
                x[lane] = sp;
                check(x);
            }
        }
    }
}
