//! nainter's, kdrinter's and hh's state updates (their rates and cnexp)
//! four instances at a time, with AVX2: every lane performs the scalar code's
//! operations in its order, and IEEE division, multiplication, addition and
//! negation round the same way in a vector lane as in a scalar register;
//! the exponentials are `mech_api::math::exp_m256`, lane by lane the scalar
//! `exp`. So each instance gets the bits of the scalar loop (a property test
//! compares the two on random fields and 1 to 13 instances).
//!
//! nainter and kdrinter go in lanes from two instances: two left over (the
//! FSI cell has two) share one two-lane (128-bit) vector, three one
//! four-lane vector with the last repeated in the spare lane, whose results
//! are dropped; one left over stays scalar. Two instances take two lanes,
//! not four padded ones, because a 256-bit division keeps the divider busy
//! twice as long as a 128-bit one and nainter's update divides fourteen
//! times: the FSI step 294 → 279–282 ns (`cargo bench --bench step --
//! fsi/fadvance`, alternating builds). The spare lanes' loads are built in
//! registers (`_mm256_setr_pd`): a wide load of narrow stores stalls store
//! forwarding, and did (FSI step 292 → 375 ns). hh goes in lanes from four
//! instances.
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

    /// The instances in a vector's lanes: `first .. first + real`; in a
    /// four-lane vector with `real` < 4 the last of them is repeated in the
    /// other lanes (whose results are not stored).
    #[derive(Clone, Copy)]
    struct Group {
        first: usize,
        real: usize,
    }

    impl Group {
        /// The instance in each of four lanes.
        #[inline(always)]
        fn lanes(self) -> [usize; 4] {
            let last = self.first + self.real - 1;
            let at = |j: usize| (self.first + j).min(last);
            [at(0), at(1), at(2), at(3)]
        }
    }

    /// The lanes a kernel computes on: four (`__m256d`, a group of three or
    /// four instances) or two (`__m128d`, a group of two). Two instances go
    /// in two lanes, not four: a 256-bit division occupies the divider twice
    /// as long as a 128-bit one, and padded lanes would divide for nothing.
    ///
    /// Each operation is the IEEE operation lane by lane; `exp` is the
    /// C library's lane by lane (`exp_m256`).
    trait Vector: Copy {
        unsafe fn splat(x: f64) -> Self;
        unsafe fn add(self, o: Self) -> Self;
        unsafe fn sub(self, o: Self) -> Self;
        unsafe fn mul(self, o: Self) -> Self;
        unsafe fn div(self, o: Self) -> Self;
        /// `-x` (the sign bit flipped, as scalar negation).
        unsafe fn neg(self) -> Self;
        unsafe fn exp(self) -> Self;
        /// Field `f` of the group's instances.
        unsafe fn get(p: &Pack, f: usize, g: Group) -> Self;
        /// The voltages at the group's instances.
        unsafe fn v(p: &Pack, g: Group) -> Self;
        /// Store the group's real lanes in field `f`.
        unsafe fn set(self, p: &mut Pack, f: usize, g: Group);
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
        #[inline(always)]
        unsafe fn get(p: &Pack, f: usize, g: Group) -> Self {
            if g.real == 4 {
                ld(p.get4(f, g.first))
            } else {
                // In registers: a wide load of narrow stores would stall.
                let [a, b, c, d] = g.lanes();
                _mm256_setr_pd(p.get(f, a), p.get(f, b), p.get(f, c), p.get(f, d))
            }
        }
        #[inline(always)]
        unsafe fn v(p: &Pack, g: Group) -> Self {
            if g.real == 4 {
                ld(p.v4(g.first))
            } else {
                let [a, b, c, d] = g.lanes();
                _mm256_setr_pd(p.v(a), p.v(b), p.v(c), p.v(d))
            }
        }
        #[inline(always)]
        unsafe fn set(self, p: &mut Pack, f: usize, g: Group) {
            if g.real == 4 {
                p.set4(f, g.first, st(self));
            } else {
                let a = st(self);
                for (j, &y) in a.iter().enumerate().take(g.real) {
                    p.set(f, g.first + j, y);
                }
            }
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
        #[inline(always)]
        unsafe fn get(p: &Pack, f: usize, g: Group) -> Self {
            let a = p.get2(f, g.first);
            _mm_loadu_pd(a.as_ptr())
        }
        #[inline(always)]
        unsafe fn v(p: &Pack, g: Group) -> Self {
            _mm_setr_pd(p.v(g.first), p.v(g.first + 1))
        }
        #[inline(always)]
        unsafe fn set(self, p: &mut Pack, f: usize, g: Group) {
            let mut a = [0.0; 2];
            _mm_storeu_pd(a.as_mut_ptr(), self);
            p.set2(f, g.first, a);
        }
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

    /// The groups of a call: whole fours, then two or three instances left
    /// over in one group (one left over stays scalar: a vector lengthens a
    /// lone instance's chain); returns how many instances the groups hold.
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
        for g in all_groups(p.n()) {
            if g.real == 2 {
                na_group::<__m128d>(p, g);
            } else {
                na_group::<__m256d>(p, g);
            }
        }
        groups(p.n()).0
    }

    /// nainter's rates and cnexp on one group's lanes.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn na_group<V: Vector>(p: &mut Pack, g: Group) {
        let dt = V::splat(p.dt());
        let v = V::v(p, g);
        let (mti, hti) = (V::get(p, N_MTAU_INV, g), V::get(p, N_HTAU_INV, g));
        let dm = v.sub(V::get(p, N_MV05, g));
        let dh = v.sub(V::get(p, N_HV05, g));
        let ma = rate(mti, dm, 11.75, false);
        let mb = rate(mti, dm, 27.0, true);
        let ha = rate(hti, dh, 33.0, true);
        let hb = rate(hti, dh, 12.2, false);
        let (msum, hsum) = (ma.add(mb), ha.add(hb));
        let one = V::splat(1.0);
        let (minf, mtau) = (ma.div(msum), one.div(msum));
        let (hinf, htau) = (ha.div(hsum), one.div(hsum));
        minf.set(p, N_MINF, g);
        mtau.set(p, N_MTAU, g);
        hinf.set(p, N_HINF, g);
        htau.set(p, N_HTAU, g);
        let m = relax(V::get(p, N_M, g), dt, minf, mtau);
        let h = relax(V::get(p, N_H, g), dt, hinf, htau);
        m.set(p, N_M, g);
        h.set(p, N_H, g);
    }

    /// # Safety
    /// As [`na_state`].
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn kdr_state(p: &mut Pack) -> usize {
        for g in all_groups(p.n()) {
            if g.real == 2 {
                kdr_group::<__m128d>(p, g);
            } else {
                kdr_group::<__m256d>(p, g);
            }
        }
        groups(p.n()).0
    }

    /// kdrinter's rates and cnexp on one group's lanes.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn kdr_group<V: Vector>(p: &mut Pack, g: Group) {
        let dt = V::splat(p.dt());
        let v = V::v(p, g);
        let ti = V::get(p, K_TAU_INV, g);
        let d = v.sub(V::get(p, K_V05, g));
        let nalf = rate(ti, d, 10.67, false);
        let nbet = rate(ti, d, 42.68, true);
        let sum = nalf.add(nbet);
        let (inf, tau) = (nalf.div(sum), V::splat(1.0).div(sum));
        inf.set(p, K_INF, g);
        tau.set(p, K_TAU, g);
        let n = relax(V::get(p, K_N, g), dt, inf, tau);
        n.set(p, K_N, g);
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
