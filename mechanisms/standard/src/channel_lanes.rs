//! nainter's and kdrinter's state updates (their rates and cnexp) two
//! instances at a time, and hh's four at a time, with AVX2: every lane
//! performs the scalar code's operations in its order, and IEEE division,
//! multiplication, addition and negation round the same way in a vector lane
//! as in a scalar register; the exponentials are `mech_api::math::exp_m128`
//! and `exp_m256`, lane by lane the scalar `exp`. So each instance gets the
//! bits of the scalar loop (a property test compares the two on random fields
//! and 1 to 13 instances).
//!
//! nainter and kdrinter go in pairs, each pair in one 128-bit vector; an odd
//! instance left over stays scalar. Pairs beat four-lane vectors here, even
//! with four instances or more: nainter's update divides fourteen times, and a
//! 256-bit division keeps the divider busy about twice as long as a 128-bit
//! one. Measured (`cargo bench --bench step`, alternating builds): the FSI
//! cell's pair in a padded four-lane vector 294 ns per step, in a two-lane one
//! 279–282 ns; with four-lane vectors for whole fours against pairs, lanes of
//! FSI cells per lane-step K = 2 386 → 370 ns, K = 4 649 → 631 ns per step of
//! four, K = 16 2.30 → 2.27 µs, and the gap sweep 65–68 → 61–62 ms in process.
//! hh goes four instances at a time (its update divides nine times per four).
//!
//! Used wherever a call has two instances or more: the FSI cell (two
//! segments), a gap-junction pair, several runs in lanes, cells of more
//! segments; the hh cable of 1 001 compartments 56.7 → 45–47 µs per step at
//! stop 21, when hh's update went in lanes.

use mech_api::Pack;

/// Whether a call goes in lanes: `min` instances or more, and the vector
/// `exp` in use (which implies AVX2 and FMA).
#[cfg(target_arch = "x86_64")]
fn in_lanes(p: &Pack, min: usize) -> bool {
    p.n() >= min && mech_api::math::exp4_is_vector()
}

/// Fewest instances nainter's and kdrinter's kernels take in lanes: a pair.
const PAIR: usize = 2;

/// Run nainter's state update on the first instances, a pair at a time,
/// where the vector kernel is available; returns how many it did (an even
/// number: an odd last instance, and every instance without AVX2, is left to
/// the scalar loop).
pub(crate) fn na_state(p: &mut Pack) -> usize {
    #[cfg(target_arch = "x86_64")]
    if in_lanes(p, PAIR) {
        // SAFETY: in_lanes checked AVX2, FMA and the vector exp.
        return unsafe { avx2::na_state(p) };
    }
    let _ = p;
    0
}

/// hh's state update with its rate table in use (the caller built it): four
/// instances at a time where the vector kernel is available and all four
/// voltages fall inside the table (else `one` updates those four instance by
/// instance); returns how many instances it did (a multiple of 4).
pub(crate) fn hh_state(p: &mut Pack, one: fn(&mut Pack, usize)) -> usize {
    #[cfg(target_arch = "x86_64")]
    if in_lanes(p, 4) {
        // SAFETY: as in na_state.
        return unsafe { avx2::hh_state(p, one) };
    }
    let _ = (p, one);
    0
}

/// [`na_state`] for kdrinter.
pub(crate) fn kdr_state(p: &mut Pack) -> usize {
    #[cfg(target_arch = "x86_64")]
    if in_lanes(p, PAIR) {
        // SAFETY: as in na_state.
        return unsafe { avx2::kdr_state(p) };
    }
    let _ = p;
    0
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use crate::layout::hh;
    use crate::layout::{
        K_INF, K_N, K_TAU, K_TAU_INV, K_V05, N_H, N_HINF, N_HTAU, N_HTAU_INV, N_HV05, N_M, N_MINF,
        N_MTAU, N_MTAU_INV, N_MV05,
    };
    use mech_api::math::{exp_m128, exp_m256};
    use mech_api::Pack;
    use std::arch::x86_64::*;

    #[inline(always)]
    unsafe fn ld(a: [f64; 4]) -> __m256d {
        _mm256_loadu_pd(a.as_ptr())
    }

    #[inline(always)]
    unsafe fn st(x: __m256d) -> [f64; 4] {
        let mut a = [0.0; 4];
        _mm256_storeu_pd(a.as_mut_ptr(), x);
        a
    }

    /// The lanes a kernel computes on: four (`__m256d`, hh's update) or two
    /// (`__m128d`, nainter's and kdrinter's, a pair of instances at a time).
    /// Each operation is the IEEE operation lane by lane; `exp` is the C
    /// library's lane by lane (`exp_m256`, `exp_m128`).
    trait Vector: Copy {
        unsafe fn splat(x: f64) -> Self;
        unsafe fn add(self, o: Self) -> Self;
        unsafe fn sub(self, o: Self) -> Self;
        unsafe fn mul(self, o: Self) -> Self;
        unsafe fn div(self, o: Self) -> Self;
        /// `-x` (the sign bit flipped, as scalar negation).
        unsafe fn neg(self) -> Self;
        unsafe fn exp(self) -> Self;
    }

    impl Vector for __m256d {
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            _mm256_set1_pd(x)
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            _mm256_add_pd(self, o)
        }
        #[inline(always)]
        unsafe fn sub(self, o: Self) -> Self {
            _mm256_sub_pd(self, o)
        }
        #[inline(always)]
        unsafe fn mul(self, o: Self) -> Self {
            _mm256_mul_pd(self, o)
        }
        #[inline(always)]
        unsafe fn div(self, o: Self) -> Self {
            _mm256_div_pd(self, o)
        }
        #[inline(always)]
        unsafe fn neg(self) -> Self {
            _mm256_xor_pd(self, _mm256_set1_pd(-0.0))
        }
        #[inline(always)]
        unsafe fn exp(self) -> Self {
            exp_m256(self)
        }
    }

    impl Vector for __m128d {
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            _mm_set1_pd(x)
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            _mm_add_pd(self, o)
        }
        #[inline(always)]
        unsafe fn sub(self, o: Self) -> Self {
            _mm_sub_pd(self, o)
        }
        #[inline(always)]
        unsafe fn mul(self, o: Self) -> Self {
            _mm_mul_pd(self, o)
        }
        #[inline(always)]
        unsafe fn div(self, o: Self) -> Self {
            _mm_div_pd(self, o)
        }
        #[inline(always)]
        unsafe fn neg(self) -> Self {
            _mm_xor_pd(self, _mm_set1_pd(-0.0))
        }
        #[inline(always)]
        unsafe fn exp(self) -> Self {
            exp_m128(self)
        }
    }

    /// Field `f` of instances `i`, `i + 1`.
    #[inline(always)]
    unsafe fn get2(p: &Pack, f: usize, i: usize) -> __m128d {
        _mm_loadu_pd(p.get2(f, i).as_ptr())
    }

    /// The voltages at instances `i`, `i + 1`.
    #[inline(always)]
    unsafe fn v2(p: &Pack, i: usize) -> __m128d {
        _mm_setr_pd(p.v(i), p.v(i + 1))
    }

    /// Store `x` in field `f` of instances `i`, `i + 1`.
    #[inline(always)]
    unsafe fn set2(p: &mut Pack, f: usize, i: usize, x: __m128d) {
        let mut a = [0.0; 2];
        _mm_storeu_pd(a.as_mut_ptr(), x);
        p.set2(f, i, a);
    }

    /// `cnexp::relax` lane by lane:
    /// `x + (1 - exp(dt·((-1)/tau)))·(-(inf/tau)/((-1)/tau) - x)`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn relax<V: Vector>(x: V, dt: V, inf: V, tau: V) -> V {
        let a = V::splat(-1.0).div(tau);
        let f = V::splat(1.0).sub(dt.mul(a).exp());
        let g = inf.div(tau).neg().div(a);
        x.add(f.mul(g.sub(x)))
    }

    /// `tau_inv · exp(d / c)` (`negate`: of `-d / c`).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn rate<V: Vector>(tau_inv: V, d: V, c: f64, negate: bool) -> V {
        let d = if negate { d.neg() } else { d };
        tau_inv.mul(d.div(V::splat(c)).exp())
    }

    /// # Safety
    /// The CPU must have AVX2 and FMA and `exp4_is_vector` must be true.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn na_state(p: &mut Pack) -> usize {
        let pairs = p.n() / 2 * 2;
        for i in (0..pairs).step_by(2) {
            na_pair(p, i);
        }
        pairs
    }

    /// nainter's rates and cnexp on instances `i`, `i + 1`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn na_pair(p: &mut Pack, i: usize) {
        let dt = _mm_set1_pd(p.dt());
        let v = v2(p, i);
        let (mti, hti) = (get2(p, N_MTAU_INV, i), get2(p, N_HTAU_INV, i));
        let dm = v.sub(get2(p, N_MV05, i));
        let dh = v.sub(get2(p, N_HV05, i));
        let ma = rate(mti, dm, 11.75, false);
        let mb = rate(mti, dm, 27.0, true);
        let ha = rate(hti, dh, 33.0, true);
        let hb = rate(hti, dh, 12.2, false);
        let (msum, hsum) = (ma.add(mb), ha.add(hb));
        let one = _mm_set1_pd(1.0);
        let (minf, mtau) = (ma.div(msum), one.div(msum));
        let (hinf, htau) = (ha.div(hsum), one.div(hsum));
        set2(p, N_MINF, i, minf);
        set2(p, N_MTAU, i, mtau);
        set2(p, N_HINF, i, hinf);
        set2(p, N_HTAU, i, htau);
        let m = relax(get2(p, N_M, i), dt, minf, mtau);
        let h = relax(get2(p, N_H, i), dt, hinf, htau);
        set2(p, N_M, i, m);
        set2(p, N_H, i, h);
    }

    /// # Safety
    /// As [`na_state`].
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn kdr_state(p: &mut Pack) -> usize {
        let pairs = p.n() / 2 * 2;
        for i in (0..pairs).step_by(2) {
            kdr_pair(p, i);
        }
        pairs
    }

    /// kdrinter's rates and cnexp on instances `i`, `i + 1`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn kdr_pair(p: &mut Pack, i: usize) {
        let dt = _mm_set1_pd(p.dt());
        let v = v2(p, i);
        let ti = get2(p, K_TAU_INV, i);
        let d = v.sub(get2(p, K_V05, i));
        let nalf = rate(ti, d, 10.67, false);
        let nbet = rate(ti, d, 42.68, true);
        let sum = nalf.add(nbet);
        let (inf, tau) = (nalf.div(sum), _mm_set1_pd(1.0).div(sum));
        set2(p, K_INF, i, inf);
        set2(p, K_TAU, i, tau);
        let n = relax(get2(p, K_N, i), dt, inf, tau);
        set2(p, K_N, i, n);
    }

    /// hh.mod's rates from its table (`rates` with `usetable`): the index and
    /// fraction of each lane, then per rate `tab[i] + θ·(tab[i + 1] − tab[i])`.
    /// `None` when a lane is outside the table's open range or NaN (the
    /// scalar code clamps or passes NaN through there).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn hh_rates(s: &[f64], v: __m256d) -> Option<[__m256d; 6]> {
        let mfac = 1.0 / ((hh::TMAX - hh::TMIN) / hh::NTAB as f64);
        let xi = _mm256_mul_pd(
            _mm256_set1_pd(mfac),
            _mm256_sub_pd(v, _mm256_set1_pd(hh::TMIN)),
        );
        let inside = _mm256_and_pd(
            _mm256_cmp_pd::<_CMP_GT_OQ>(xi, _mm256_set1_pd(0.0)),
            _mm256_cmp_pd::<_CMP_LT_OQ>(xi, _mm256_set1_pd(hh::NTAB as f64)),
        );
        if _mm256_movemask_pd(inside) != 0b1111 {
            return None;
        }
        let idx = _mm256_cvttpd_epi32(xi);
        let theta = _mm256_sub_pd(xi, _mm256_cvtepi32_pd(idx));
        let mut at = [0i32; 4];
        _mm_storeu_si128(at.as_mut_ptr() as *mut __m128i, idx);
        let at = at.map(|x| x as usize);
        // A loop, not `array::from_fn`: its closure was not inlined.
        let mut out = [_mm256_set1_pd(0.0); 6];
        for (j, o) in out.iter_mut().enumerate() {
            let t = &s[2 + j * (hh::NTAB + 1)..];
            let lo = ld([t[at[0]], t[at[1]], t[at[2]], t[at[3]]]);
            let hi = ld([t[at[0] + 1], t[at[1] + 1], t[at[2] + 1], t[at[3] + 1]]);
            *o = _mm256_add_pd(lo, _mm256_mul_pd(theta, _mm256_sub_pd(hi, lo)));
        }
        Some(out)
    }

    /// # Safety
    /// As [`na_state`]; hh's table must be built in the scratch.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn hh_state(p: &mut Pack, one: fn(&mut Pack, usize)) -> usize {
        let dt = _mm256_set1_pd(p.dt());
        let n4 = p.n() / 4 * 4;
        for i in (0..n4).step_by(4) {
            let v = ld(p.v4(i));
            let Some(r) = hh_rates(p.scratch(), v) else {
                (i..i + 4).for_each(|j| one(p, j));
                continue;
            };
            let [minf, mtau, hinf, htau, ninf, ntau] = r;
            for (f, x) in [
                (hh::MINF, minf),
                (hh::MTAU, mtau),
                (hh::HINF, hinf),
                (hh::HTAU, htau),
                (hh::NINF, ninf),
                (hh::NTAU, ntau),
            ] {
                p.set4(f, i, st(x));
            }
            let m = relax(ld(p.get4(hh::M, i)), dt, minf, mtau);
            let h = relax(ld(p.get4(hh::H, i)), dt, hinf, htau);
            let n = relax(ld(p.get4(hh::N, i)), dt, ninf, ntau);
            p.set4(hh::M, i, st(m));
            p.set4(hh::H, i, st(h));
            p.set4(hh::N, i, st(n));
        }
        n4
    }
}
