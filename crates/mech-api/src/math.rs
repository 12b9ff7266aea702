//! `exp` as the C library computes it, without the call into it.
//!
//! NEURON's mechanisms call the C library's `exp`; synaptune's results are
//! bit-identical to NEURON's only if its `exp` returns the same bits. On
//! x86-64 glibc (since 2.28) `exp` is ARM's optimized-routines algorithm
//! (`exp(x) = 2^(k/128) · exp(r)`, a table of 128 pairs and a degree-5
//! polynomial) in the build that uses fused multiply-adds wherever the CPU
//! has them. [`exp`] performs that build's operations in the same order, so
//! it returns the same bits, minus the two calls (the versioned wrapper and
//! the CPU-dispatched kernel) that make up about a third of the library's
//! cost. The table is derived from its definition by
//! `tools/exp-table/gen_exp_table.py`.
//!
//! The inline path is used only where it is proven to agree: on first use,
//! the CPU must have FMA and the inline kernel must reproduce the C library
//! bit for bit on 2 048 arguments spread over its range; otherwise (another
//! C library, another CPU) every call goes to the C library. Arguments
//! outside the kernel's plain range (|x| < 2⁻⁵⁴ or |x| ≥ 512, NaN, ±∞) always
//! go to the C library.

use std::sync::atomic::{AtomicU8, Ordering};

#[allow(clippy::unreadable_literal)]
mod table {
    include!("exp_table.rs");
}
pub use crate::exp_lanes::{exp4, exp4_is_vector};
#[cfg(target_arch = "x86_64")]
pub use crate::exp_lanes::{exp_m128, exp_m256};
pub(crate) use table::EXP_TABLE;

pub(crate) const INV_LN2_N: f64 = f64::from_bits(0x40671547652b82fe); // 128 / ln 2
pub(crate) const NEG_LN2_HI_N: f64 = f64::from_bits(0xbf762e42fefa0000); // −ln 2 / 128, high part
pub(crate) const NEG_LN2_LO_N: f64 = f64::from_bits(0xbd0cf79abc9e3b3a); // and its low part
pub(crate) const SHIFT: f64 = f64::from_bits(0x4338000000000000); // 1.5 · 2⁵²
pub(crate) const C2: f64 = f64::from_bits(0x3fdffffffffffdbd); // ≈ 1/2
pub(crate) const C3: f64 = f64::from_bits(0x3fc555555555543c); // ≈ 1/6
pub(crate) const C4: f64 = f64::from_bits(0x3fa55555cf172b91); // ≈ 1/24
pub(crate) const C5: f64 = f64::from_bits(0x3f81111167a4d017); // ≈ 1/120

/// 0: not decided yet; 1: inline kernel; 2: the C library.
static MODE: AtomicU8 = AtomicU8::new(0);

/// `e^x`, bit-identical to the C library's `exp` (see the module docs).
#[inline]
pub fn exp(x: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        match MODE.load(Ordering::Relaxed) {
            // SAFETY: mode 1 is set only after checking that the CPU has FMA.
            1 => return unsafe { exp_fma(x) },
            0 => return exp_first(x),
            _ => {}
        }
    }
    x.exp()
}

/// Whether [`exp`] runs inline (`false`: it calls the C library).
pub fn exp_is_inline() -> bool {
    decided(&MODE, kernel_agrees) == 1
}

#[cold]
#[inline(never)]
fn exp_first(x: f64) -> f64 {
    decided(&MODE, kernel_agrees);
    exp(x)
}

/// A kernel's mode (1: the fast kernel, 2: the fallback), deciding it with
/// `agrees` the first time (0: not decided yet). Shared by [`exp`] and
/// [`exp4`].
pub(crate) fn decided(mode: &AtomicU8, agrees: fn() -> bool) -> u8 {
    let m = mode.load(Ordering::Relaxed);
    if m != 0 {
        return m;
    }
    let m = if agrees() { 1 } else { 2 };
    mode.store(m, Ordering::Relaxed);
    m
}

#[cfg(target_arch = "x86_64")]
fn kernel_agrees() -> bool {
    if !std::arch::is_x86_feature_detected!("fma") {
        return false;
    }
    // A fixed pseudo-random sample (xorshift64) over the kernel's range and
    // over the narrower range mechanisms mostly use, plus a few exact points.
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || uniform(&mut s);
    let fixed = [
        0.0, -0.0, 1.0, -1.0, 0.5, 1e-10, -745.0, 700.0, 709.7, -0.025,
    ];
    (0..2048)
        .map(|i| match i {
            i if i < fixed.len() => fixed[i],
            i if i % 2 == 0 => (next() - 0.5) * 1024.0,
            _ => (next() - 0.5) * 80.0,
        })
        // SAFETY: FMA checked above.
        .all(|x| unsafe { exp_fma(x) }.to_bits() == x.exp().to_bits())
}

/// A uniform number in [0, 1) from an xorshift64 state.
#[cfg(any(test, target_arch = "x86_64"))]
pub(crate) fn uniform(s: &mut u64) -> f64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    (*s >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(not(target_arch = "x86_64"))]
fn kernel_agrees() -> bool {
    false
}

/// `a·b + c` rounded once (`vfmadd231sd`). Inline assembly rather than
/// `f64::mul_add` under `#[target_feature]`, so that callers can inline it;
/// it is executed only after the CPU was found to have FMA.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn fma(a: f64, b: f64, c: f64) -> f64 {
    let mut r = c;
    // SAFETY: a register-only instruction; reached only when MODE == 1, which
    // `decide` sets only on a CPU with FMA.
    unsafe {
        std::arch::asm!(
            "vfmadd231sd {r}, {a}, {b}",
            r = inout(xmm_reg) r,
            a = in(xmm_reg) a,
            b = in(xmm_reg) b,
            options(pure, nomem, nostack, preserves_flags)
        );
    }
    r
}

/// glibc's `__exp` as built for FMA CPUs: the same operations, the same
/// fused multiply-adds, in the same order.
///
/// # Safety
/// The CPU must have FMA.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn exp_fma(x: f64) -> f64 {
    let abstop = ((x.to_bits() >> 52) & 0x7ff) as u32;
    if abstop.wrapping_sub(0x3c9) > 0x3e {
        // Tiny, large, infinite or NaN: the library's special cases.
        return libm_exp(x);
    }
    let kd = fma(x, INV_LN2_N, SHIFT);
    let ki = kd.to_bits();
    let kd = kd - SHIFT;
    let r = fma(kd, NEG_LN2_HI_N, x);
    let r = fma(kd, NEG_LN2_LO_N, r);
    let idx = 2 * (ki & 0x7f) as usize;
    let tail = f64::from_bits(EXP_TABLE[idx]);
    let scale = f64::from_bits(EXP_TABLE[idx + 1].wrapping_add(ki << 45));
    let r2 = r * r;
    let tmp = fma(fma(r, C3, C2), r2, r + tail);
    let tmp = fma(r2 * r2, fma(r, C5, C4), tmp);
    fma(scale, tmp, scale)
}

#[cold]
#[inline(never)]
fn libm_exp(x: f64) -> f64 {
    x.exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xs: impl Iterator<Item = f64>) -> usize {
        let mut n = 0;
        for x in xs {
            let (a, b) = (exp(x), x.exp());
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "exp({x:e}): {a:e} against libm {b:e}"
            );
            n += 1;
        }
        n
    }

    #[test]
    fn agrees_with_the_c_library_bit_for_bit() {
        let mut s = 0x2545_f491_4f6c_dd1du64;
        let mut u = move || uniform(&mut s);
        let mut xs: Vec<f64> = Vec::new();
        for _ in 0..1_000_000 {
            xs.push((u() - 0.5) * 1500.0);
            xs.push((u() - 0.5) * 60.0);
            xs.push((u() - 0.5) * 1e-3);
            // Arguments of the shape mechanisms produce: −dt/τ, (v − v½)/k.
            xs.push(-0.025 / (u() * 200.0 + 1e-3));
            xs.push((u() * 160.0 - 120.0) / (u() * 40.0 + 1.0));
        }
        let specials = [
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            1e-300,
            -1e-17,
            511.999,
            512.0,
            -512.0,
            709.78,
            709.79,
            -745.13,
            -745.14,
            -708.4,
        ];
        let n = check(xs.into_iter());
        for x in specials {
            let (a, b) = (exp(x), x.exp());
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "exp({x})"
            );
        }
        assert_eq!(n, 5_000_000);
        eprintln!("inline exp: {}", exp_is_inline());
    }

    #[test]
    fn every_table_entry_is_exercised() {
        // x = j·ln2/128 hits entry j mod 128 with r ≈ 0.
        let step = std::f64::consts::LN_2 / 128.0;
        check((-2000..2000).map(|j| j as f64 * step));
        check((-2000..2000).map(|j| (j as f64 + 0.5) * step));
    }
}
