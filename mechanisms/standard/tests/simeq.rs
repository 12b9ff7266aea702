//! `simeq3` (VClamp's register-resident 3×3 solve) is bit-identical to the
//! general `simeq` (scopmath's algorithm), including pivot ties, signed zeros,
//! singular systems and the exact layout VClamp builds; and `simeq3_many`,
//! one matrix with two right-hand sides in lanes, gives each lane the bits of
//! `simeq3` on that right-hand side.

use proptest::prelude::*;
use standard_mechanisms::{simeq, simeq3, simeq3_many};

fn same(c: [[f64; 4]; 3]) -> Result<(), TestCaseError> {
    let mut g = c;
    let a = simeq(&mut g);
    let b = simeq3(c);
    match (a, b) {
        (None, None) => Ok(()),
        (Some(x), Some(y)) => {
            for k in 0..3 {
                prop_assert_eq!(x[k].to_bits(), y[k].to_bits(), "x[{}] of {:?}", k, c);
            }
            Ok(())
        }
        _ => Err(TestCaseError::fail(format!("one singular, one not: {c:?}"))),
    }
}

/// Entries drawn to provoke the corner cases: zeros of both signs, equal
/// magnitudes of both signs (pivot ties), tiny pivots, ordinary numbers.
fn entry() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(1.0),
        Just(-1.0),
        Just(2.0),
        Just(1e-21),
        Just(-1e-19),
        -1e3f64..1e3,
        -1.0f64..1.0,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]
    #[test]
    fn simeq3_matches_simeq(c in prop::array::uniform3(prop::array::uniform4(entry()))) {
        same(c)?;
    }

    #[test]
    fn simeq3_matches_simeq_on_vclamp_systems(
        v in -100.0f64..50.0, fac in prop_oneof![Just(0.0), 0.0f64..10.0],
        t1 in prop_oneof![Just(0.0), 0.0f64..1.0], t2 in prop_oneof![Just(0.0), 0.0f64..1.0],
        gain in 0.0f64..1e6, stim in -100.0f64..50.0,
        vo0 in -100.0f64..50.0, vi0 in -100.0f64..50.0, e0 in -1.0f64..1.0,
    ) {
        // The coefficients VClamp accumulates, as nocmodl orders them.
        let mut c = [[0.0f64; 4]; 3];
        c[0][0] -= 1.0;
        c[0][3] -= v;
        c[0][1] += fac * 1.0;
        c[0][3] += fac * v;
        c[1][1] -= t2 * 1.0;
        c[1][3] -= t2 * vo0;
        c[1][1] -= 1.0;
        c[1][2] -= gain * 1.0;
        c[2][3] -= stim;
        c[2][2] += 1.0;
        c[2][0] -= 1.0;
        c[2][2] += 1.0;
        c[2][0] -= t1 * 1.0;
        c[2][2] += t1 * 1.0;
        c[2][3] -= t1 * (vi0 - e0);
        c[2][3] -= 0.0;
        same(c)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]
    #[test]
    fn two_right_hand_sides_are_two_solves(
        m in prop::array::uniform3(prop::array::uniform3(entry())),
        b in prop::array::uniform3(prop::array::uniform2(entry())),
    ) {
        let both = simeq3_many(m, b);
        for l in 0..2 {
            let c = [0, 1, 2].map(|i| [m[i][0], m[i][1], m[i][2], b[i][l]]);
            let one = simeq3(c);
            match (one, both) {
                (None, None) => {}
                (Some(x), Some(y)) => {
                    for k in 0..3 {
                        prop_assert_eq!(x[k].to_bits(), y[k][l].to_bits(), "lane {} x[{}]", l, k);
                    }
                }
                _ => prop_assert!(false, "one singular, one not: {:?} {:?}", m, b),
            }
        }
    }
}
