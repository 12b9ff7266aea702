//! nainter's and kdrinter's state updates in pairs (AVX2, two-lane vectors;
//! an odd last instance scalar) and hh's four at a time give every instance
//! the bits of the mod files' expressions evaluated one instance at a time in
//! nocmodl's order (written out here with `mech_api::math::exp`), on random
//! fields and voltages; and a call of n instances equals n calls of one.

use mech_api::abi::PPack;
use mech_api::math::exp;
use mech_api::{Mechanism, Pack};
use proptest::prelude::*;
use standard_mechanisms::{Hh, KdrInter, NaInter};

/// Call `M::state` on instances with these fields (`fields[f][i]`) and
/// voltages (one node per instance); globals at their defaults but
/// `usetable` (hh's) as given, a fresh scratch.
fn state_with<M: Mechanism>(fields: &mut [Vec<f64>], v: &[f64], dt: f64, usetable: f64) {
    let info = M::info();
    let mut globals: Vec<f64> = info
        .globals
        .iter()
        .map(|g| {
            if g.name == "usetable" {
                usetable
            } else {
                g.default
            }
        })
        .collect();
    let mut scratch = vec![0.0; info.scratch_len];
    let n = v.len();
    let nodes: Vec<u32> = (0..n as u32).collect();
    let ptrs: Vec<*mut f64> = fields.iter_mut().map(|f| f.as_mut_ptr()).collect();
    // SAFETY: every pointer field is null or set below; the ABI's PPack is
    // plain data.
    let mut pp: PPack = unsafe { std::mem::zeroed() };
    pp.n = n as u32;
    pp.n_nodes = n as u32;
    pp.n_fields = fields.len() as u32;
    pp.node_index = nodes.as_ptr();
    pp.v = v.as_ptr();
    pp.dt = dt;
    pp.celsius = 20.0;
    pp.fields = ptrs.as_ptr();
    pp.n_globals = globals.len() as u32;
    pp.globals = globals.as_mut_ptr();
    pp.scratch_len = scratch.len() as u32;
    pp.scratch = scratch.as_mut_ptr();
    // SAFETY: the descriptor points to n instances of n_fields fields and n
    // voltages, which outlive the call.
    let mut p = unsafe { Pack::from_raw(&mut pp) };
    M::state(&mut p);
}

/// Every field of `n` instances after one call of `n`, and after `n` calls of one.
fn together_and_alone<M: Mechanism>(
    fields: Vec<Vec<f64>>,
    v: &[f64],
    dt: f64,
) -> (Vec<Vec<u64>>, Vec<Vec<u64>>) {
    together_and_alone_with::<M>(fields, v, dt, 1.0)
}

fn together_and_alone_with<M: Mechanism>(
    fields: Vec<Vec<f64>>,
    v: &[f64],
    dt: f64,
    usetable: f64,
) -> (Vec<Vec<u64>>, Vec<Vec<u64>>) {
    let mut together = fields.clone();
    state_with::<M>(&mut together, v, dt, usetable);
    let mut alone = fields;
    for i in 0..v.len() {
        let mut one: Vec<Vec<f64>> = alone.iter().map(|f| vec![f[i]]).collect();
        state_with::<M>(&mut one, &v[i..=i], dt, usetable);
        for (f, x) in alone.iter_mut().zip(one) {
            f[i] = x[0];
        }
    }
    (bits(&together), bits(&alone))
}

/// cnexp: `x + (1 - exp(dt·((-1)/tau)))·(-(inf/tau)/((-1)/tau) - x)`.
fn relax(x: f64, dt: f64, inf: f64, tau: f64) -> f64 {
    x + (1.0 - exp(dt * ((-1.0) / tau))) * (-(inf / tau) / ((-1.0) / tau) - x)
}

/// nainter.mod's `rates(v)` and cnexp of m and h, instance by instance
/// (fields: gnabar, mv_05, hv_05, mtau_inv, htau_inv, minf, hinf, mtau, htau,
/// gna, m, h).
fn nainter_reference(f: &mut [Vec<f64>], v: &[f64], dt: f64) {
    for (i, &v) in v.iter().enumerate() {
        let (mti, hti, mv05, hv05) = (f[3][i], f[4][i], f[1][i], f[2][i]);
        let ma = mti * exp((v - mv05) / 11.75);
        let mb = mti * exp(-(v - mv05) / 27.0);
        let ha = hti * exp(-(v - hv05) / 33.0);
        let hb = hti * exp((v - hv05) / 12.2);
        let (msum, hsum) = (ma + mb, ha + hb);
        let (minf, mtau, hinf, htau) = (ma / msum, 1.0 / msum, ha / hsum, 1.0 / hsum);
        f[5][i] = minf;
        f[7][i] = mtau;
        f[6][i] = hinf;
        f[8][i] = htau;
        f[10][i] = relax(f[10][i], dt, minf, mtau);
        f[11][i] = relax(f[11][i], dt, hinf, htau);
    }
}

/// kdrinter.mod's `rate(v)` and cnexp of n (fields: gkdrbar, v_05, tau_inv,
/// inf, tau, gkdr, n).
fn kdrinter_reference(f: &mut [Vec<f64>], v: &[f64], dt: f64) {
    for (i, &v) in v.iter().enumerate() {
        let (ti, v05) = (f[2][i], f[1][i]);
        let nalf = ti * exp((v - v05) / 10.67);
        let nbet = ti * exp(-(v - v05) / 42.68);
        let sum = nalf + nbet;
        let (inf, tau) = (nalf / sum, 1.0 / sum);
        f[3][i] = inf;
        f[4][i] = tau;
        f[6][i] = relax(f[6][i], dt, inf, tau);
    }
}

fn bits(fs: &[Vec<f64>]) -> Vec<Vec<u64>> {
    fs.iter()
        .map(|f| f.iter().map(|x| x.to_bits()).collect())
        .collect()
}

/// Random fields of `n` instances: parameters near the mod files' defaults
/// (and sometimes far), states in [0, 1].
fn fields(nf: usize, n: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
    proptest::collection::vec(
        proptest::collection::vec(prop_oneof![-40.0f64..40.0, 0.0f64..1.0, Just(0.0)], n),
        nf,
    )
}

fn voltages(n: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(prop_oneof![-100.0f64..60.0, Just(-65.0), -1e4f64..1e4], n)
}

fn case() -> impl Strategy<Value = (usize, Vec<Vec<f64>>, Vec<f64>, f64)> {
    (1usize..14).prop_flat_map(|n| {
        (
            Just(n),
            fields(12, n),
            voltages(n),
            prop_oneof![Just(0.025), 0.001f64..0.2],
        )
    })
}

#[test]
fn the_vector_kernels_are_in_use_on_this_machine() {
    // Otherwise the property tests below compare the scalar loop with itself.
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        assert!(mech_api::math::exp4_is_vector());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn nainter_four_at_a_time_is_one_at_a_time((n, f, v, dt) in case()) {
        let nf = NaInter::info().fields.len();
        let f: Vec<Vec<f64>> = f.into_iter().cycle().take(nf).collect();
        prop_assert_eq!(f.len(), nf);
        let mut reference = f.clone();
        nainter_reference(&mut reference, &v[..n], dt);
        let (a, b) = together_and_alone::<NaInter>(f, &v[..n], dt);
        prop_assert_eq!(&a, &bits(&reference));
        prop_assert_eq!(a, b);
    }

    /// hh with its rate table (voltages inside, at and outside its range, NaN
    /// among them: those chunks go instance by instance) and without it.
    #[test]
    fn hh_four_at_a_time_is_one_at_a_time(
        (n, f, v, dt) in case(),
        edge in prop::collection::vec(prop_oneof![Just(-100.0), Just(100.0), Just(f64::NAN), Just(99.99), -99.0f64..99.0], 13),
        usetable in prop_oneof![Just(1.0), Just(0.0)],
    ) {
        let nf = Hh::info().fields.len();
        let f: Vec<Vec<f64>> = f.into_iter().cycle().take(nf).collect();
        let v: Vec<f64> = v.iter().zip(&edge).enumerate()
            .map(|(i, (&a, &b))| if i % 3 == 0 { b } else { a })
            .collect();
        let (a, b) = together_and_alone_with::<Hh>(f, &v[..n], dt, usetable);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn kdrinter_four_at_a_time_is_one_at_a_time((n, f, v, dt) in case()) {
        let nf = KdrInter::info().fields.len();
        let f: Vec<Vec<f64>> = f.into_iter().take(nf).collect();
        let mut reference = f.clone();
        kdrinter_reference(&mut reference, &v[..n], dt);
        let (a, b) = together_and_alone::<KdrInter>(f, &v[..n], dt);
        prop_assert_eq!(&a, &bits(&reference));
        prop_assert_eq!(a, b);
    }
}
