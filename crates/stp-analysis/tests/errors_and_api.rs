//! Typed errors for bad input, and the serialized keys the CLI relies on.

use stp_analysis::{
    coupling_coefficient, current_integral, fit_exp_decay, pulse_amplitudes, single_event,
    stp_metrics, AnalysisError, Convention, EventOptions, Kinetics, StpMetrics, TrainOptions,
};

const DT: f64 = 0.025;

fn psc_trace() -> (Vec<f64>, Vec<f64>, EventOptions) {
    let t: Vec<f64> = (0..2001).map(|k| k as f64 * DT).collect();
    let i = t
        .iter()
        .map(|&t| {
            let s = t - 11.3;
            if s > 0.0 {
                -0.05 * ((-s / 3.0).exp() - (-s / 0.3).exp())
            } else {
                0.0
            }
        })
        .collect();
    let opts = EventOptions {
        dt: DT,
        event_time: 10.0,
        tstart: 10.0,
        tdur: 40.0,
        ..EventOptions::default()
    };
    (t, i, opts)
}

#[test]
fn single_event_input_errors() {
    let (t, i, opts) = psc_trace();
    assert_eq!(
        single_event(&[], &[], &[], &opts),
        Err(AnalysisError::Empty { what: "t" })
    );
    assert_eq!(
        single_event(&t, &i[..10], &i, &opts),
        Err(AnalysisError::LengthMismatch {
            what: "i_measured",
            got: 10,
            expected: t.len()
        })
    );
    let mut bad = i.clone();
    bad[500] = f64::NAN;
    assert!(matches!(
        single_event(&t, &i, &bad, &opts),
        Err(AnalysisError::NonFinite {
            what: "i_syn",
            index: 500,
            ..
        })
    ));
    for dt in [0.0, -0.025, f64::NAN] {
        let o = EventOptions { dt, ..opts };
        assert!(matches!(
            single_event(&t, &i, &i, &o),
            Err(AnalysisError::InvalidOption { name: "dt", .. })
        ));
    }
    for ri in [(0.9, 0.1), (0.1, 1.5), (-0.1, 0.9), (0.5, 0.5)] {
        let o = EventOptions {
            rise_interval: ri,
            ..opts
        };
        assert!(
            matches!(
                single_event(&t, &i, &i, &o),
                Err(AnalysisError::InvalidOption { .. })
            ),
            "{ri:?}"
        );
    }
    // the trace was recorded with dt = 0.025; claiming 0.05 is caught
    let o = EventOptions { dt: 0.05, ..opts };
    assert!(matches!(
        single_event(&t, &i, &i, &o),
        Err(AnalysisError::TimeGrid { index: 1, .. })
    ));
    // a sample off the grid is found wherever it is: inside the scan's rounds
    // of eight and in the tail after them
    for k in [517, t.len() - 1] {
        let mut off = t.clone();
        off[k] += 0.01;
        let got = single_event(&off, &i, &i, &opts);
        assert!(
            matches!(got, Err(AnalysisError::TimeGrid { index, .. }) if index == k),
            "{k}: {got:?}"
        );
    }
    for ev in [-1.0, 60.0] {
        let o = EventOptions {
            event_time: ev,
            ..opts
        };
        assert!(matches!(
            single_event(&t, &i, &i, &o),
            Err(AnalysisError::OutOfRange {
                what: "event_time",
                ..
            })
        ));
    }
}

#[test]
fn single_event_no_response() {
    let (t, _, opts) = psc_trace();
    let flat = vec![-0.2; t.len()];
    assert!(matches!(
        single_event(&t, &flat, &flat, &opts),
        Err(AnalysisError::NoResponse { .. })
    ));
    // a ramp has no local maximum
    let ramp: Vec<f64> = t.iter().map(|t| 0.001 * t).collect();
    let e = single_event(&t, &ramp, &ramp, &opts).unwrap_err();
    assert!(e.to_string().contains("no local maximum"), "{e}");
}

#[test]
fn neuron_accumulated_time_is_accepted() {
    let (_, i, opts) = psc_trace();
    let mut t = Vec::with_capacity(i.len());
    let mut acc = 0.0;
    for _ in 0..i.len() {
        t.push(acc);
        acc += DT;
    }
    assert_ne!(t[2000], 2000.0 * DT, "accumulated rounding is present");
    let k = single_event(&t, &i, &i, &opts).unwrap();
    assert_eq!(k.sign, -1.0);
}

#[test]
fn current_integral_windows() {
    let (t, i, opts) = psc_trace();
    let whole = current_integral(
        &t,
        &i,
        &i,
        &EventOptions {
            convention: Convention::Bmtool,
            ..opts
        },
    )
    .unwrap();
    let window = current_integral(&t, &i, &i, &opts).unwrap();
    // the PSC integral: -50 pA · (3 - 0.3) ms, scaled by the trace's normalisation
    assert!(whole < 0.0 && (whole - window).abs() < 1e-9 * whole.abs());
    // an empty window integrates to zero
    let o = EventOptions { tdur: 0.0, ..opts };
    assert_eq!(current_integral(&t, &i, &i, &o).unwrap(), 0.0);
}

#[test]
fn pulse_amplitude_errors() {
    let (t, i, _) = psc_trace();
    let o = TrainOptions {
        dt: DT,
        delay: 1.3,
        tstop: 50.0,
        convention: Convention::Default,
    };
    assert_eq!(
        pulse_amplitudes(&t, &i, &i, &[], &o),
        Err(AnalysisError::Empty {
            what: "event_times"
        })
    );
    // two events at the same time: the first window is empty
    assert!(matches!(
        pulse_amplitudes(&t, &i, &i, &[10.0, 10.0, 20.0], &o),
        Err(AnalysisError::EmptyWindow { index: 0, .. })
    ));
    assert!(matches!(
        pulse_amplitudes(&t, &i, &i, &[-5.0, 10.0], &o),
        Err(AnalysisError::OutOfRange { .. })
    ));
    // the last window starting after the trace is dropped, as bmtool does
    let a = pulse_amplitudes(&t, &i, &i, &[10.0, 30.0, 60.0], &o).unwrap();
    assert_eq!(a.len(), 2);
    // peak of -0.05·(e^{-s/3} - e^{-s/0.3}) is 34.84 pA; the second window sees the tail
    assert!((a[0] - 34.84).abs() < 0.01 && a[1] < 0.1, "{a:?}");
}

#[test]
fn stp_metric_errors() {
    assert_eq!(
        stp_metrics(&[1.0; 11]),
        Err(AnalysisError::TooFewAmplitudes { got: 11 })
    );
    let mut a = [1.0; 12];
    a[0] = 0.0;
    assert!(matches!(
        stp_metrics(&a),
        Err(AnalysisError::ZeroDenominator { what: "a1", .. })
    ));
    a[0] = f64::INFINITY;
    assert!(matches!(
        stp_metrics(&a),
        Err(AnalysisError::NonFinite { index: 0, .. })
    ));
    // p90 of mostly-negative amplitudes can be exactly zero
    let mut z = [-1.0; 12];
    z[0] = 2.0;
    z[10] = 0.0;
    z[11] = 0.0;
    assert!(matches!(
        stp_metrics(&z),
        Err(AnalysisError::ZeroDenominator {
            what: "the 90th percentile",
            ..
        })
    ));
}

#[test]
fn coupling_errors() {
    let t = [0.0, 1.0, 2.0];
    assert!(matches!(
        coupling_coefficient(&t, &[1.0; 3], &[1.0; 3], 0.0, 2.0),
        Err(AnalysisError::OutOfRange {
            what: "t_start",
            ..
        })
    ));
    assert!(matches!(
        coupling_coefficient(&t, &[1.0; 3], &[1.0, 2.0, 3.0], 0.5, 2.0),
        Err(AnalysisError::ZeroDenominator { .. })
    ));
    assert!(matches!(
        coupling_coefficient(&t, &[1.0; 2], &[1.0; 3], 0.5, 2.0),
        Err(AnalysisError::LengthMismatch { what: "v1", .. })
    ));
}

#[test]
fn fit_that_cannot_start_is_an_error() {
    let t: Vec<f64> = (0..10).map(|k| k as f64).collect();
    let y = vec![1.0; 10];
    let e = fit_exp_decay(&t, &y, Some((1e300, -1e-3))).unwrap_err();
    assert!(matches!(e, AnalysisError::FitDidNotConverge { .. }));
    assert!(
        e.to_string().contains("not finite at the initial guess"),
        "{e}"
    );
}

#[test]
fn messages_name_the_input() {
    let e = AnalysisError::NonFinite {
        what: "i_syn",
        index: 3,
        value: f64::NAN,
    };
    assert_eq!(e.to_string(), "i_syn[3] is not finite (NaN)");
    let e = AnalysisError::TooFewAmplitudes { got: 11 };
    assert_eq!(
        e.to_string(),
        "need at least 12 pulse amplitudes (8 + 4 train), got 11"
    );
}

#[test]
fn kinetics_serialize_with_bmtool_keys() {
    let (t, i, opts) = psc_trace();
    let k: Kinetics = single_event(&t, &i, &i, &opts).unwrap();
    let v = serde_json::to_value(k).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "amp",
            "baseline",
            "current_integral",
            "decay_time",
            "half_width",
            "latency",
            "rise_time",
            "sign"
        ]
    );
    let m: StpMetrics = stp_metrics(&[
        50.0, 40.0, 35.0, 30.0, 28.0, 27.0, 26.0, 25.0, 45.0, 38.0, 33.0, 30.0,
    ])
    .unwrap();
    let v = serde_json::to_value(m).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "induction",
            "induction_p90",
            "max_amplitude_pA",
            "ppr",
            "recovery",
            "recovery_p90",
            "simple_ppr",
            "stp_initial_p90"
        ]
    );
    assert_eq!(v["max_amplitude_pA"], 50.0);
    assert_eq!(v["ppr"], 0.8);
}
