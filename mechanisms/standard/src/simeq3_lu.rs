//! [`simeq3`](crate::simeq3) split in two: the elimination of the 3×3 matrix
//! ([`Lu3::factor`]) and the replay of the same operations on a right-hand
//! side ([`Lu3::solve`]).
//!
//! In `simeq3` every pivot choice, every singularity test and every operation
//! on a matrix entry reads matrix entries only; the right-hand-side column is
//! updated with values the matrix elimination produces, in a fixed order. So
//! when the matrix is unchanged (VClamp's is a function of its parameters and
//! `dt` only), eliminating it once and replaying only the right-hand-side
//! operations — the same operations on the same values in the same order —
//! gives the same bits as `simeq3` on the whole system (a property test checks
//! it).

/// The eliminated matrix of a 3×3 system, as `simeq3` leaves it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lu3 {
    /// Original row of each elimination position.
    pub rows: [usize; 3],
    /// Column-0 pivot `r0[0]` and the multipliers `r1[0]`, `r2[0]` (in the
    /// final row order: the column-1 swap moves them with their rows).
    pub c0: [f64; 3],
    /// `r0[1]`, `r0[2]` after division by the pivot.
    pub u0: [f64; 2],
    /// Column-1 pivot `r1[1]`, multiplier `r2[1]`, `r1[2]` after division.
    pub c1: [f64; 3],
    /// Column-2 pivot `r2[2]`.
    pub p2: f64,
}

impl Lu3 {
    /// Eliminate the matrix `m` (rows of 3 coefficients) as `simeq3` does;
    /// `None` where `simeq3` finds a pivot below 1e-20.
    #[inline]
    pub fn factor(m: [[f64; 3]; 3]) -> Option<Lu3> {
        let mut rows = [0usize, 1, 2];
        let [mut r0, mut r1, mut r2] = m;
        let mut isave = 0;
        let mut piv = r0[0].abs();
        if piv < r1[0].abs() {
            piv = r1[0].abs();
            isave = 1;
        }
        if piv < r2[0].abs() {
            isave = 2;
        }
        match isave {
            1 => {
                std::mem::swap(&mut r0, &mut r1);
                rows.swap(0, 1);
            }
            2 => {
                std::mem::swap(&mut r0, &mut r2);
                rows.swap(0, 2);
            }
            _ => {}
        }
        if r0[0].abs() < 1e-20 {
            return None;
        }
        let mut c0 = [r0[0], r1[0], r2[0]];
        r0[1] /= r0[0];
        r0[2] /= r0[0];
        for r in [&mut r1, &mut r2] {
            r[1] -= r0[1] * r[0];
            r[2] -= r0[2] * r[0];
        }
        if r1[1].abs() < r2[1].abs() {
            std::mem::swap(&mut r1, &mut r2);
            rows.swap(1, 2);
            c0.swap(1, 2);
        }
        if r1[1].abs() < 1e-20 {
            return None;
        }
        r1[2] /= r1[1];
        r2[2] -= r1[2] * r2[1];
        if r2[2].abs() < 1e-20 {
            return None;
        }
        Some(Lu3 {
            rows,
            c0,
            u0: [r0[1], r0[2]],
            c1: [r1[1], r2[1], r1[2]],
            p2: r2[2],
        })
    }

    /// The solution for the right-hand side `b`: `simeq3`'s operations on its
    /// last column and its back substitution, in its order.
    #[inline]
    pub fn solve(&self, b: [f64; 3]) -> [f64; 3] {
        let [c00, m1, m2] = self.c0;
        let mut y0 = b[self.rows[0]];
        let mut y1 = b[self.rows[1]];
        let mut y2 = b[self.rows[2]];
        y0 /= c00;
        y1 -= y0 * m1;
        y2 -= y0 * m2;
        let [p1, l21, u12] = self.c1;
        y1 /= p1;
        y2 -= y1 * l21;
        y2 /= self.p2;
        let x2 = y2;
        let mut x1 = y1;
        x1 -= u12 * x2;
        let mut x0 = y0;
        x0 -= self.u0[0] * x1;
        x0 -= self.u0[1] * x2;
        [x0, x1, x2]
    }
}
