//! nocmodl's `cnexp` update of a state, `x + factor*(target - x)`, for
//! mechanisms written by hand and generated: the same operations, except
//! where they provably give `x` back for a subnormal `x`, which a decaying
//! state sinks to and then keeps.

/// Whether `x + factor * (target - x)` is `x` itself because `target` is zero
/// and `x` a subnormal so small that the product rounds to zero: `target - x`
/// is `-x` exactly, `|factor·x|` is below half the smallest subnormal (`x` is
/// `m` units of 2⁻¹⁰⁷⁴ and `fl(|factor|·m) < 0.5` implies the exact product is
/// below 0.5, 0.5 being a double), so the product is ±0 and `x ± 0` is `x`.
///
/// A decaying state sinks to such a value and stays there (a synapse's rise
/// variable, τ 0.9 ms, about 640 ms after an event), and a multiplication
/// with a subnormal operand costs a microcode assist on x86 (≈ 38 ns against
/// ≈ 1 in a scratch loop): every later step paid it until the next event.
#[inline(always)]
pub fn stuck_subnormal(x: f64, factor: f64, target: f64) -> bool {
    let m = x.to_bits() & !(1u64 << 63);
    target == 0.0 && m != 0 && m < (1u64 << 52) && (m as f64) * factor.abs() < 0.5
}

/// `x + factor * (target - x)`, bit for bit, without the multiplication
/// where [`stuck_subnormal`] shows the result is `x`.
#[inline(always)]
pub fn cnexp_step(x: f64, factor: f64, target: f64) -> f64 {
    if stuck_subnormal(x, factor, target) {
        return x;
    }
    x + factor * (target - x)
}
