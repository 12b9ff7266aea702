//! Numbers as they reach NEURON through text and float32.
//!
//! Import3d passes coordinates to NEURON by building hoc statements with
//! `sprint("%.8g")` and executing them, SWC numbers are read with hoc's `sscanf`
//! `%f` (a C `float`), and NEURON stores pt3d values as `float`. These helpers
//! reproduce each step exactly: C's `%.Pg` prints the exact binary value rounded
//! to P significant digits, ties to even, as Rust's `{:.*e}` does; hoc reads the
//! text back with `strtod`, as `str::parse::<f64>` does (both correctly rounded).

/// The double hoc holds after `sprint(s, "%.<prec>g", x)` and executing `s`.
pub(crate) fn via_g(x: f64, prec: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let text = format!("{:.*e}", prec.max(1) - 1, x);
    text.parse()
        .expect("Rust's scientific formatting of a finite double parses")
}

/// The value NEURON stores for a pt3d coordinate or diameter (a C `float`).
pub(crate) fn f32v(x: f64) -> f64 {
    x as f32 as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_digits_round_half_even_like_glibc() {
        // printf("%.8g") in glibc: 131072.12 and 131072.38 (exact ties, to even).
        assert_eq!(via_g(131072.125, 8), 131072.12);
        assert_eq!(via_g(131072.375, 8), 131072.38);
        assert_eq!(via_g(414.8144, 6), 414.814);
        assert_eq!(via_g(-0.000012345678912, 8), -1.2345679e-5);
        assert_eq!(via_g(0.5, 8), 0.5);
    }

    #[test]
    fn a_float_through_eight_digits_can_land_on_its_neighbour() {
        // 1000.0000610351562 (float32 0x447a0001) prints as "1000.0001" with
        // %.8g, which reads back as the float32 1000.0001220703125.
        let x = f32::from_bits(0x447a_0001) as f64;
        assert_eq!(x, 1000.0000610351562);
        assert_eq!(f32v(via_g(x, 8)), 1000.0001220703125);
    }
}
