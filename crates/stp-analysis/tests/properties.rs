//! Property tests: the decay fit, invariances of the kinetics and STP metrics, sign
//! handling, the Tsodyks–Markram recursion, and "no panic on any input".

use proptest::prelude::*;
use stp_analysis::{
    coupling_coefficient, fit_exp_decay, pulse_amplitudes, single_event, stp_metrics, Convention,
    EventOptions, Kinetics, StpMetrics, TrainOptions,
};

const DT: f64 = 0.025;

/// Bi-exponential PSC starting at `onset`, peak value `amp` (signed).
fn biexp(t: f64, onset: f64, amp: f64, tau_r: f64, tau_d: f64) -> f64 {
    let s = t - onset;
    if s <= 0.0 {
        return 0.0;
    }
    let tp = tau_r * tau_d / (tau_d - tau_r) * (tau_d / tau_r).ln();
    let norm = 1.0 / ((-tp / tau_d).exp() - (-tp / tau_r).exp());
    amp * norm * ((-s / tau_d).exp() - (-s / tau_r).exp())
}

fn grid(t0: f64, n: usize) -> Vec<f64> {
    (0..n).map(|k| t0 + k as f64 * DT).collect()
}

fn sse(t: &[f64], y: &[f64], a: f64, tau: f64) -> f64 {
    t.iter()
        .zip(y)
        .map(|(t, y)| (a * (-t / tau).exp() - y).powi(2))
        .sum()
}

/// A single-event trace: baseline `base`, event at `ev` (mid-sample), PSC after
/// 1.3 ms. Returns (t, i, opts).
fn event_trace(
    t0: f64,
    base: f64,
    amp: f64,
    tau_r: f64,
    tau_d: f64,
) -> (Vec<f64>, Vec<f64>, EventOptions) {
    let n = ((20.0 + 8.0 * tau_d + 10.0) / DT) as usize;
    let t = grid(t0, n);
    let ev = t0 + 800.5 * DT; // 20.0125 ms after t0, between two samples
    let i = t
        .iter()
        .map(|&t| base + biexp(t, ev + 1.3, amp, tau_r, tau_d))
        .collect();
    let opts = EventOptions {
        dt: DT,
        event_time: ev,
        tstart: ev,
        tdur: 8.0 * tau_d,
        rise_interval: (0.1, 0.9),
        convention: Convention::Default,
    };
    (t, i, opts)
}

fn same_times(a: &Kinetics, b: &Kinetics) {
    assert_eq!(a.latency, b.latency);
    assert_eq!(a.rise_time, b.rise_time);
    assert_eq!(a.half_width, b.half_width);
}

/// Deterministic Tsodyks–Markram / Fuhrmann release probabilities, as in the
/// NET_RECEIVE blocks of GABA_A_STP / Exp2Syn_STP (u0 = 0, Pv starts at 1).
fn tm_release(events: &[f64], use_: f64, dep: f64, fac: f64) -> Vec<f64> {
    let (mut u, mut r, mut tsyn) = (0.0f64, 1.0f64, 0.0f64);
    events
        .iter()
        .map(|&t| {
            let d = t - tsyn;
            if fac > 0.0 {
                u *= (-d / fac).exp();
                u += use_ * (1.0 - u);
            } else {
                u = use_;
            }
            r = 1.0 - (1.0 - r) * (-d / dep).exp();
            let pr = u * r;
            r -= u * r;
            tsyn = t;
            pr
        })
        .collect()
}

/// 8 pulses at `freq` from `start`, a gap of `gap` ms after the 8th, 4 more.
fn train_times(start: f64, freq: f64, gap: f64) -> Vec<f64> {
    let iv = 1000.0 / freq;
    let mut v: Vec<f64> = (0..8).map(|k| start + k as f64 * iv).collect();
    let s2 = start + 7.0 * iv + gap;
    v.extend((0..4).map(|k| s2 + k as f64 * iv));
    v
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

fn metrics_close(a: &StpMetrics, b: &StpMetrics, tol: f64, with_p90: bool) {
    assert!(close(a.ppr, b.ppr, tol), "ppr {} vs {}", a.ppr, b.ppr);
    assert!(close(a.simple_ppr, b.simple_ppr, tol));
    for (x, y, what) in [
        (a.induction, b.induction, "induction"),
        (a.recovery, b.recovery, "recovery"),
    ] {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what} {x} vs {y}");
    }
    if with_p90 {
        for (x, y, what) in [
            (a.stp_initial_p90, b.stp_initial_p90, "stp_initial_p90"),
            (a.induction_p90, b.induction_p90, "induction_p90"),
            (a.recovery_p90, b.recovery_p90, "recovery_p90"),
        ] {
            assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what} {x} vs {y}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A pure exponential is recovered to 1e-7 from bmtool's initial guess.
    #[test]
    fn fit_recovers_exponential(
        a in prop_oneof![-10.0f64..-1e-3, 1e-3f64..10.0],
        tau in 0.3f64..60.0,
        windows in 2.0f64..10.0,
    ) {
        let n = ((windows * tau / DT) as usize).max(4);
        let t = grid(0.0, n);
        let y: Vec<f64> = t.iter().map(|t| a * (-t / tau).exp()).collect();
        let f = fit_exp_decay(&t, &y, None).unwrap();
        prop_assert!(close(f.tau, tau, 1e-7), "tau {} vs {tau}", f.tau);
        prop_assert!(close(f.a, a, 1e-7), "a {} vs {a}", f.a);
    }

    /// On a bi-exponential tail the fit reaches the least-squares minimum, and
    /// single_event's decay τ is within 5 % above τd when τr ≤ τd/10 (the rise term
    /// still present after the peak makes the single exponential slightly slower).
    #[test]
    fn fit_on_biexponential_is_the_least_squares_minimum(
        tau_d in 1.0f64..40.0,
        ratio in 0.01f64..0.1,
        amp in prop_oneof![-1.0f64..-1e-3, 1e-3f64..1.0],
    ) {
        let tau_r = ratio * tau_d;
        let (t, i, opts) = event_trace(0.0, 0.0, amp, tau_r, tau_d);
        let k = single_event(&t, &i, &i, &opts).unwrap();
        prop_assert!(k.decay_time >= tau_d * 0.999 && k.decay_time <= tau_d * 1.05,
            "tau {} vs tau_d {tau_d}", k.decay_time);
        // the same fit, done directly, is a minimum of the sum of squares
        let tp = tau_r * tau_d / (tau_d - tau_r) * (tau_d / tau_r).ln();
        let tt: Vec<f64> = (0..(6.0 * tau_d / DT) as usize).map(|k| k as f64 * DT).collect();
        let y: Vec<f64> = tt.iter().map(|&s| biexp(s + tp, 0.0, 1.0, tau_r, tau_d)).collect();
        let f = fit_exp_decay(&tt, &y, None).unwrap();
        let best = sse(&tt, &y, f.a, f.tau);
        for (da, dtau) in [(1e-4, 0.0), (-1e-4, 0.0), (0.0, 1e-4), (0.0, -1e-4)] {
            prop_assert!(sse(&tt, &y, f.a * (1.0 + da), f.tau * (1.0 + dtau)) >= best);
        }
    }

    /// Scaling the current scales amp, baseline and the integral and leaves every
    /// time metric within one sample (exactly equal for powers of two).
    #[test]
    fn kinetics_scale_with_the_current(
        scale in 0.01f64..100.0,
        pow2 in -8i32..8,
        base in -0.5f64..0.5,
        tau_d in 2.0f64..20.0,
    ) {
        let (t, i, opts) = event_trace(0.0, base, -0.05, 0.1 * tau_d, tau_d);
        let k = single_event(&t, &i, &i, &opts).unwrap();
        let p = 2f64.powi(pow2);
        let ip: Vec<f64> = i.iter().map(|v| v * p).collect();
        let kp = single_event(&t, &ip, &ip, &opts).unwrap();
        same_times(&k, &kp);
        prop_assert_eq!(kp.amp, k.amp * p);
        prop_assert_eq!(kp.current_integral, k.current_integral * p);
        prop_assert!(close(kp.decay_time, k.decay_time, 1e-6));
        let is: Vec<f64> = i.iter().map(|v| v * scale).collect();
        let ks = single_event(&t, &is, &is, &opts).unwrap();
        prop_assert!((ks.latency - k.latency).abs() <= DT * 1.0001);
        prop_assert!((ks.rise_time - k.rise_time).abs() <= DT * 1.0001);
        prop_assert!((ks.half_width - k.half_width).abs() <= DT * 1.0001);
        prop_assert!(close(ks.amp, k.amp * scale, 1e-12));
        prop_assert!(close(ks.baseline, k.baseline * scale, 1e-12));
        prop_assert!(close(ks.decay_time, k.decay_time, 1e-6));
        prop_assert!(close(ks.current_integral, k.current_integral * scale, 1e-9));
    }

    /// Shifting the whole recording in time (t0 and the event together, or a
    /// prepended stretch of baseline) changes nothing.
    #[test]
    fn kinetics_are_invariant_to_time_shifts(
        t0 in -500.0f64..500.0,
        pad in 0usize..400,
        tau_d in 2.0f64..20.0,
        convention in prop_oneof![Just(Convention::Default), Just(Convention::Bmtool)],
    ) {
        let (t, i, mut opts) = event_trace(0.0, 0.1, 0.03, 0.1 * tau_d, tau_d);
        opts.convention = convention;
        let k = single_event(&t, &i, &i, &opts).unwrap();
        // shift by t0
        let (ts, is, mut os) = event_trace(t0, 0.1, 0.03, 0.1 * tau_d, tau_d);
        os.convention = convention;
        let ks = single_event(&ts, &is, &is, &os).unwrap();
        same_times(&k, &ks);
        prop_assert!(close(ks.amp, k.amp, 1e-9));
        prop_assert!(close(ks.decay_time, k.decay_time, 1e-6));
        // prepend `pad` samples of baseline (shifts the samples, t0 stays)
        let mut ip = vec![0.1; pad];
        ip.extend_from_slice(&i);
        let tp = grid(0.0, ip.len());
        let op = EventOptions {
            event_time: opts.event_time + pad as f64 * DT,
            tstart: opts.tstart + pad as f64 * DT,
            ..opts
        };
        let kp = single_event(&tp, &ip, &ip, &op).unwrap();
        same_times(&k, &kp);
        prop_assert_eq!(kp.amp, k.amp);
        prop_assert_eq!(kp.decay_time, k.decay_time);
        if convention == Convention::Default {
            prop_assert!(close(kp.current_integral, k.current_integral, 1e-12));
        }
    }

    /// An inverted trace gives the same kinetics with the opposite sign and
    /// baseline, and the same (rectified) pulse amplitudes and STP metrics.
    #[test]
    fn inverted_trace_flips_only_the_sign(
        base in -0.5f64..0.5,
        amp in prop_oneof![-0.1f64..-1e-3, 1e-3f64..0.1],
        tau_d in 2.0f64..20.0,
        use_ in 0.05f64..0.9,
    ) {
        let (t, i, opts) = event_trace(0.0, base, amp, 0.1 * tau_d, tau_d);
        let inv: Vec<f64> = i.iter().map(|v| -v).collect();
        for convention in [Convention::Default, Convention::Bmtool] {
            let o = EventOptions { convention, ..opts };
            let k = single_event(&t, &i, &i, &o).unwrap();
            let ki = single_event(&t, &inv, &inv, &o).unwrap();
            prop_assert_eq!(ki.sign, -k.sign);
            prop_assert_eq!(ki.baseline, -k.baseline);
            prop_assert_eq!(ki.current_integral, -k.current_integral);
            prop_assert_eq!((ki.latency, ki.amp, ki.rise_time, ki.decay_time, ki.half_width),
                            (k.latency, k.amp, k.rise_time, k.decay_time, k.half_width));
        }
        let (tt, tr, ev, o) = tm_train_trace(use_, 300.0, 0.0, 100.0, 100.0, amp);
        let trinv: Vec<f64> = tr.iter().map(|v| -v).collect();
        let a = pulse_amplitudes(&tt, &tr, &tr, &ev, &o).unwrap();
        let ai = pulse_amplitudes(&tt, &trinv, &trinv, &ev, &o).unwrap();
        prop_assert_eq!(&a, &ai);
        prop_assert!(a.iter().all(|&x| x > 0.0));
        prop_assert_eq!(stp_metrics(&a).unwrap(), stp_metrics(&ai).unwrap());
    }

    /// STP metrics do not change when all amplitudes are scaled by c ≠ 0 (the p90
    /// variants only for c > 0: a percentile is not odd).
    #[test]
    fn stp_metrics_are_scale_invariant(
        amps in proptest::collection::vec(0.5f64..200.0, 12..16),
        c in prop_oneof![-1e3f64..-1e-3, 1e-3f64..1e3],
    ) {
        let m = stp_metrics(&amps).unwrap();
        let scaled: Vec<f64> = amps.iter().map(|a| a * c).collect();
        let ms = stp_metrics(&scaled).unwrap();
        metrics_close(&ms, &m, 1e-12, c > 0.0);
        prop_assert!(close(ms.max_amplitude, m.max_amplitude * c, 1e-15));
    }

    /// The TM recursion's release probabilities give the closed-form PPR, and for
    /// pure depression (Fac = 0) the closed-form induction and recovery.
    #[test]
    fn tm_recursion_gives_closed_form_metrics(
        use_ in 0.05f64..0.95,
        dep in 20.0f64..800.0,
        fac in prop_oneof![Just(0.0), 5.0f64..1000.0],
        freq in 5.0f64..200.0,
        gap in 50.0f64..1000.0,
        weight in 1.0f64..500.0,
    ) {
        let ev = train_times(500.0, freq, gap);
        let pr = tm_release(&ev, use_, dep, fac);
        let amps: Vec<f64> = pr.iter().map(|p| p * weight).collect();
        let m = stp_metrics(&amps).unwrap();
        let iv = 1000.0 / freq;
        let (ed, ef) = ((-iv / dep).exp(), if fac > 0.0 { (-iv / fac).exp() } else { 0.0 });
        let u2 = if fac > 0.0 { use_ * ef + use_ * (1.0 - use_ * ef) } else { use_ };
        let ppr = u2 * (1.0 - use_ * ed) / use_;
        prop_assert!(close(m.ppr, ppr, 1e-12), "ppr {} vs {ppr}", m.ppr);
        prop_assert_eq!(m.simple_ppr, m.ppr);
        prop_assert!((m.stp_initial_p90 - (amps[1] - amps[0]) / percentile90(&amps)).abs() < 1e-12);
        if fac == 0.0 {
            // R_{k+1} = q·R_k + b, q = (1-U)e^{-Δ/D}, b = 1 - e^{-Δ/D}; R_1 = 1
            let (q, b) = ((1.0 - use_) * ed, 1.0 - ed);
            let rinf = b / (1.0 - q);
            let r = |k: i32| rinf + (1.0 - rinf) * q.powi(k - 1);
            let pr_k = |k: i32| use_ * r(k);
            // after the gap: R9 from R8, then the same affine map
            let eg = (-gap / dep).exp();
            let r9 = 1.0 - (1.0 - (1.0 - use_) * r(8)) * eg;
            let r2 = |j: i32| rinf + (r9 - rinf) * q.powi(j);
            let late: f64 = (0..4).map(|j| use_ * r2(j)).sum::<f64>() / 4.0;
            let early: f64 = (1..=4).map(pr_k).sum::<f64>() / 4.0;
            let mx = (1..=8).map(pr_k).chain((0..4).map(|j| use_ * r2(j))).fold(0.0, f64::max);
            let ind = ((pr_k(6) + pr_k(7) + pr_k(8)) / 3.0 - pr_k(1)) / mx;
            let rec = (late - early) / mx;
            prop_assert!((m.induction - ind).abs() < 1e-12, "induction {} vs {ind}", m.induction);
            prop_assert!((m.recovery - rec).abs() < 1e-12, "recovery {} vs {rec}", m.recovery);
            prop_assert!(m.ppr <= 1.0 && m.induction <= 0.0);
            prop_assert!(close(m.max_amplitude, weight * use_, 1e-12));
        }
    }

    /// End to end: a trace made of short PSCs scaled by the TM release
    /// probabilities, any sign and scale, gives back the TM metrics through
    /// pulse_amplitudes + stp_metrics.
    #[test]
    fn tm_train_trace_round_trips(
        use_ in 0.05f64..0.9,
        dep in 20.0f64..500.0,
        fac in prop_oneof![Just(0.0), 5.0f64..500.0],
        gap in prop_oneof![Just(100.0), Just(250.0)],
        amp in prop_oneof![-0.2f64..-1e-3, 1e-3f64..0.2],
        convention in prop_oneof![Just(Convention::Default), Just(Convention::Bmtool)],
    ) {
        let (t, i, ev, mut o) = tm_train_trace(use_, dep, fac, 50.0, gap, amp);
        o.convention = convention;
        let amps = pulse_amplitudes(&t, &i, &i, &ev, &o).unwrap();
        prop_assert_eq!(amps.len(), 12);
        let pr = tm_release(&ev, use_, dep, fac);
        let want = stp_metrics(&pr).unwrap();
        let got = stp_metrics(&amps).unwrap();
        metrics_close(&got, &want, 1e-9, true);
    }

    /// No function panics, whatever the input: NaN, infinities, empty or
    /// mismatched traces, nonsense options.
    #[test]
    fn nothing_panics(
        t in proptest::collection::vec(prop_oneof![
            4 => -1e3f64..1e3, 1 => Just(f64::NAN), 1 => Just(f64::INFINITY)], 0..40),
        i in proptest::collection::vec(prop_oneof![
            4 => -1.0f64..1.0, 1 => Just(f64::NAN), 1 => Just(0.0)], 0..40),
        dt in prop_oneof![Just(0.025), Just(0.0), Just(-1.0), Just(f64::NAN), 1e-3f64..10.0],
        ev in prop_oneof![Just(0.0), Just(f64::NAN), -10.0f64..100.0],
        lo in -0.5f64..1.5, hi in -0.5f64..1.5,
        sorted in any::<bool>(),
    ) {
        let mut t = t;
        if sorted {
            t = (0..i.len()).map(|k| k as f64 * 0.025).collect();
        }
        let opts = EventOptions { dt, event_time: ev, tstart: ev, tdur: 1.0, rise_interval: (lo, hi), convention: Convention::Bmtool };
        let _ = single_event(&t, &i, &i, &opts);
        let _ = stp_analysis::current_integral(&t, &i, &i, &opts);
        let _ = pulse_amplitudes(&t, &i, &i, &[ev, ev + 0.1], &TrainOptions { dt, delay: 0.0, tstop: ev + 0.3, convention: Convention::Default });
        let _ = stp_metrics(&i);
        let _ = fit_exp_decay(&t, &i, None);
        let _ = fit_exp_decay(&t, &i, Some((lo, hi)));
        let _ = coupling_coefficient(&t, &i, &i, ev, ev + 0.5);
    }
}

/// numpy's linear 90th percentile, written independently of the crate.
fn percentile90(a: &[f64]) -> f64 {
    let mut s = a.to_vec();
    s.sort_by(f64::total_cmp);
    let vi = (s.len() - 1) as f64 * 0.9;
    let k = vi.floor() as usize;
    if k + 1 >= s.len() {
        return s[s.len() - 1];
    }
    s[k] + (s[k + 1] - s[k]) * (vi - k as f64)
}

/// A 12-pulse train of fast PSCs (τr 0.2, τd 1 ms: fully decayed between pulses)
/// whose amplitudes are `amp · Pr_k / Pr_1`, 1.3 ms after each event.
fn tm_train_trace(
    use_: f64,
    dep: f64,
    fac: f64,
    freq: f64,
    gap: f64,
    amp: f64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>, TrainOptions) {
    let ev = train_times(20.0, freq, gap);
    let pr = tm_release(&ev, use_, dep, fac);
    let tstop = ev[11] + 1000.0 / freq;
    let n = (tstop / DT) as usize + 1;
    let t = grid(0.0, n);
    let mut i = vec![0.0; n];
    for (e, p) in ev.iter().zip(&pr) {
        let k0 = ((e + 1.3) / DT) as usize;
        let k1 = (k0 + (15.0 / DT) as usize).min(n);
        for k in k0..k1 {
            i[k] += biexp(t[k], e + 1.3, amp * p / pr[0], 0.2, 1.0);
        }
    }
    let o = TrainOptions {
        dt: DT,
        delay: 1.3,
        tstop,
        convention: Convention::Default,
    };
    (t, i, ev, o)
}
