//! nainter's, kdrinter's and hh's state updates (their rates and cnexp)
//! four instances at a time, with AVX2: every lane performs the scalar code's
//! operations in its order, and IEEE division, multiplication, addition and
//! negation round the same way in a vector lane as in a scalar register;
//! the exponentials are `mech_api::math::exp_m256`, lane by lane the scalar
//! `exp`. So each instance gets the bits of the scalar loop (a property test
//! compares the two on random fields and 1 to 13 instances).
//!
//! nainter and kdrinter go in lanes from two instances: two or three left
//! over (the FSI cell has two) share one vector, the last repeated in the
//! spare lanes, whose results are dropped; one left over stays scalar. The
//! spare lanes' loads are built in registers (`_mm256_setr_pd`): a wide load
//! of narrow stores stalls store forwarding, and did (FSI step 292 → 375 ns);
//! built in registers the FSI step costs what the scalar pair did (0–3 % less,
//! within build-to-build noise), since one instance's chain of divisions and
//! exponentials bounds it either way; it takes fewer instructions. hh goes
//! in lanes from four instances.
//!
//! Used where a call has four instances or more: a cell with four segments
//! carrying the channel, a gap-junction pair, several runs in lanes. With
//! many instances the step is bound by throughput, and four instances per
//! instruction help: FSI lanes, per lane-step, K = 4: 272 → 204 ns, K = 16:
//! 210 → 178 ns (`cargo bench --bench step -- lanes`); the hh cable of 1 001
//! compartments 56.7 → 45–47 µs per step.

use mech_api::Pack;

/// Whether a call goes four instances at a time: `min` instances or more,
/// and the vector `exp` in use (which implies AVX2 and FMA).
#[cfg(target_arch = "x86_64")]
fn in_lanes(p: &Pack, min: usize) -> bool {
    p.n() >= min && mech_api::math::exp4_is_vector()
}

/// Fewest instances nainter's and kdrinter's kernels take in lanes: two or
/// three go in one vector, the last instance repeated in the spare lanes.
const PADDED_MIN: usize = 2;

/// Run nainter's state update on the first instances, four at a time (two or
/// three left over in one padded vector), where the vector kernel is
/// available; returns how many it did (0 with one instance or without AVX2).
pub(crate) fn na_state(p: &mut Pack) -> usize {
    #[cfg(target_arch = "x86_64")]
    if in_lanes(p, PADDED_MIN) {
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
    if in_lanes(p, PADDED_MIN) {
        // SAFETY: as in na_state.
        return unsafe { avx2::kdr_state(p) };
    }
    let _ = p;
    0
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use crate::channels::{
        K_INF, K_N, K_TAU, K_TAU_INV, K_V05, N_H, N_HINF, N_HTAU, N_HTAU_INV, N_HV05, N_M, N_MINF,
        N_MTAU, N_MTAU_INV, N_MV05,
    };
    use crate::hh;
    use mech_api::math::exp_m256;
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

    /// `-x` (the sign bit flipped, as scalar negation).
    #[inline(always)]
    unsafe fn neg(x: __m256d) -> __m256d {
        _mm256_xor_pd(x, _mm256_set1_pd(-0.0))
    }

    #[inline(always)]
    unsafe fn k(x: f64) -> __m256d {
        _mm256_set1_pd(x)
    }

    /// `cnexp::relax` on four lanes:
    /// `x + (1 - exp(dt·((-1)/tau)))·(-(inf/tau)/((-1)/tau) - x)`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn relax(x: __m256d, dt: __m256d, inf: __m256d, tau: __m256d) -> __m256d {
        let a = _mm256_div_pd(k(-1.0), tau);
        let f = _mm256_sub_pd(k(1.0), exp_m256(_mm256_mul_pd(dt, a)));
        let g = _mm256_div_pd(neg(_mm256_div_pd(inf, tau)), a);
        _mm256_add_pd(x, _mm256_mul_pd(f, _mm256_sub_pd(g, x)))
    }

    /// `tau_inv · exp(d / c)` (`neg`: of `-d / c`).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn rate(tau_inv: __m256d, d: __m256d, c: f64, negate: bool) -> __m256d {
        let d = if negate { neg(d) } else { d };
        _mm256_mul_pd(tau_inv, exp_m256(_mm256_div_pd(d, k(c))))
    }

    /// The instances in the four lanes: `first .. first + 4`, or the `real`
    /// instances from `first` with the last of them repeated in the other
    /// lanes (whose results are not stored).
    #[derive(Clone, Copy)]
    struct Group {
        first: usize,
        real: usize,
    }

    impl Group {
        /// The instance in each lane.
        #[inline(always)]
        fn lanes(self) -> [usize; 4] {
            let last = self.first + self.real - 1;
            let at = |j: usize| (self.first + j).min(last);
            [at(0), at(1), at(2), at(3)]
        }

        /// Field `f` of the group's instances.
        #[inline(always)]
        unsafe fn get(self, p: &Pack, f: usize) -> __m256d {
            if self.real == 4 {
                ld(p.get4(f, self.first))
            } else {
                // In registers: a wide load of narrow stores would stall.
                let [a, b, c, d] = self.lanes();
                _mm256_setr_pd(p.get(f, a), p.get(f, b), p.get(f, c), p.get(f, d))
            }
        }

        /// The voltages at the group's instances.
        #[inline(always)]
        unsafe fn v(self, p: &Pack) -> __m256d {
            if self.real == 4 {
                ld(p.v4(self.first))
            } else {
                let [a, b, c, d] = self.lanes();
                _mm256_setr_pd(p.v(a), p.v(b), p.v(c), p.v(d))
            }
        }

        /// Store the real lanes of `x` in field `f`.
        #[inline(always)]
        unsafe fn set(self, p: &mut Pack, f: usize, x: __m256d) {
            if self.real == 4 {
                p.set4(f, self.first, st(x));
            } else {
                let a = st(x);
                for (j, &y) in a.iter().enumerate().take(self.real) {
                    p.set(f, self.first + j, y);
                }
            }
        }
    }

    /// The groups of a call: whole fours, then two or three instances left
    /// over in one padded group (one left over stays scalar: a vector
    /// lengthens a lone instance's chain); returns how many instances the
    /// groups hold.
    fn groups(n: usize) -> (usize, Option<Group>) {
        let n4 = n / 4 * 4;
        match n - n4 {
            r @ (2 | 3) => (n, Some(Group { first: n4, real: r })),
            _ => (n4, None),
        }
    }

    /// The groups of a call, in order (see [`groups`]).
    fn all_groups(n: usize) -> impl Iterator<Item = Group> {
        let (_, tail) = groups(n);
        (0..n / 4)
            .map(|q| Group {
                first: 4 * q,
                real: 4,
            })
            .chain(tail)
    }

    /// # Safety
    /// The CPU must have AVX2 and FMA and `exp4_is_vector` must be true.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn na_state(p: &mut Pack) -> usize {
        let dt = k(p.dt());
        for g in all_groups(p.n()) {
            let v = g.v(p);
            let (mti, hti) = (g.get(p, N_MTAU_INV), g.get(p, N_HTAU_INV));
            let dm = _mm256_sub_pd(v, g.get(p, N_MV05));
            let dh = _mm256_sub_pd(v, g.get(p, N_HV05));
            let ma = rate(mti, dm, 11.75, false);
            let mb = rate(mti, dm, 27.0, true);
            let ha = rate(hti, dh, 33.0, true);
            let hb = rate(hti, dh, 12.2, false);
            let (msum, hsum) = (_mm256_add_pd(ma, mb), _mm256_add_pd(ha, hb));
            let (minf, mtau) = (_mm256_div_pd(ma, msum), _mm256_div_pd(k(1.0), msum));
            let (hinf, htau) = (_mm256_div_pd(ha, hsum), _mm256_div_pd(k(1.0), hsum));
            g.set(p, N_MINF, minf);
            g.set(p, N_MTAU, mtau);
            g.set(p, N_HINF, hinf);
            g.set(p, N_HTAU, htau);
            let m = relax(g.get(p, N_M), dt, minf, mtau);
            let h = relax(g.get(p, N_H), dt, hinf, htau);
            g.set(p, N_M, m);
            g.set(p, N_H, h);
        }
        groups(p.n()).0
    }

    /// # Safety
    /// As [`na_state`].
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn kdr_state(p: &mut Pack) -> usize {
        let dt = k(p.dt());
        for g in all_groups(p.n()) {
            let v = g.v(p);
            let ti = g.get(p, K_TAU_INV);
            let d = _mm256_sub_pd(v, g.get(p, K_V05));
            let nalf = rate(ti, d, 10.67, false);
            let nbet = rate(ti, d, 42.68, true);
            let sum = _mm256_add_pd(nalf, nbet);
            let (inf, tau) = (_mm256_div_pd(nalf, sum), _mm256_div_pd(k(1.0), sum));
            g.set(p, K_INF, inf);
            g.set(p, K_TAU, tau);
            let n = relax(g.get(p, K_N), dt, inf, tau);
            g.set(p, K_N, n);
        }
        groups(p.n()).0
    }

    /// hh.mod's rates from its table (`rates` with `usetable`): the index and
    /// fraction of each lane, then per rate `tab[i] + θ·(tab[i + 1] − tab[i])`.
    /// `None` when a lane is outside the table's open range or NaN (the
    /// scalar code clamps or passes NaN through there).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn hh_rates(s: &[f64], v: __m256d) -> Option<[__m256d; 6]> {
        let mfac = 1.0 / ((hh::TMAX - hh::TMIN) / hh::NTAB as f64);
        let xi = _mm256_mul_pd(k(mfac), _mm256_sub_pd(v, k(hh::TMIN)));
        let inside = _mm256_and_pd(
            _mm256_cmp_pd::<_CMP_GT_OQ>(xi, k(0.0)),
            _mm256_cmp_pd::<_CMP_LT_OQ>(xi, k(hh::NTAB as f64)),
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
        let mut out = [k(0.0); 6];
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
        let dt = k(p.dt());
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
