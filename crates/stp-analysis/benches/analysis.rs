//! Benchmarks of the analysis functions at several trace lengths (dt = 0.025 ms).
//!
//! `cargo bench -p stp-analysis` (figures in the crate's report; criterion writes
//! its own to target/criterion).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use stp_analysis::{
    fit_exp_decay, pulse_amplitudes, single_event, stp_metrics, Convention, EventOptions,
    TrainOptions,
};

const DT: f64 = 0.025;

fn biexp(t: f64, onset: f64, amp: f64) -> f64 {
    let s = t - onset;
    if s <= 0.0 {
        0.0
    } else {
        amp * ((-s / 5.0).exp() - (-s / 0.5).exp())
    }
}

fn bench_single_event(c: &mut Criterion) {
    let mut g = c.benchmark_group("single_event");
    // run lengths of 50 ms, 150 ms (bmtool's tstart+tdur at a short tstart), 600 ms
    // (bmtool's defaults 500 + 100) and 2 s
    for ms in [50.0, 150.0, 600.0, 2000.0] {
        let n = (ms / DT) as usize + 1;
        let t: Vec<f64> = (0..n).map(|k| k as f64 * DT).collect();
        let ev = ms - 45.0;
        let i: Vec<f64> = t.iter().map(|&t| biexp(t, ev + 1.3, -0.05)).collect();
        let opts = EventOptions {
            dt: DT,
            event_time: ev,
            tstart: ev,
            tdur: 45.0,
            rise_interval: (0.1, 0.9),
            convention: Convention::Default,
        };
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| single_event(black_box(&t), black_box(&i), &i, &opts).unwrap())
        });
    }
    g.finish();
    // bmtool's own case: a 600 ms run, the event at 500 ms, the response
    // decaying to the end (a 4 000-sample fit), the current integral over
    // the whole trace (Convention::Bmtool).
    let mut g = c.benchmark_group("single_event_bmtool");
    let n = (600.0 / DT) as usize + 1;
    let t: Vec<f64> = (0..n).map(|k| k as f64 * DT).collect();
    let i: Vec<f64> = t.iter().map(|&t| biexp(t, 501.3, -0.05)).collect();
    let opts = EventOptions {
        dt: DT,
        event_time: 500.0,
        tstart: 500.0,
        tdur: 100.0,
        rise_interval: (0.1, 0.9),
        convention: Convention::Bmtool,
    };
    g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
        b.iter(|| single_event(black_box(&t), black_box(&i), &i, &opts).unwrap())
    });
    g.finish();
}

fn bench_fit(c: &mut Criterion) {
    let mut g = c.benchmark_group("fit_exp_decay");
    for n in [200usize, 2_000, 20_000] {
        let t: Vec<f64> = (0..n).map(|k| k as f64 * DT).collect();
        let tau = n as f64 * DT / 8.0;
        let y: Vec<f64> = t
            .iter()
            .map(|t| (-t / tau).exp() - 0.3 * (-t / (0.2 * tau)).exp())
            .collect();
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| fit_exp_decay(black_box(&t), black_box(&y), None).unwrap())
        });
    }
    g.finish();
}

fn bench_train(c: &mut Criterion) {
    let mut g = c.benchmark_group("pulse_amplitudes+stp_metrics");
    // 8 + 4 trains at 100, 50 and 10 Hz with a 250 ms gap, 20 ms lead-in
    for freq in [100.0, 50.0, 10.0] {
        let iv = 1000.0 / freq;
        let mut ev: Vec<f64> = (0..8).map(|k| 20.0 + k as f64 * iv).collect();
        let s2 = 20.0 + 7.0 * iv + 250.0;
        ev.extend((0..4).map(|k| s2 + k as f64 * iv));
        let tstop = s2 + 4.0 * iv;
        let n = (tstop / DT) as usize + 1;
        let t: Vec<f64> = (0..n).map(|k| k as f64 * DT).collect();
        let i: Vec<f64> = t
            .iter()
            .map(|&t| ev.iter().map(|&e| biexp(t, e + 1.3, -0.04)).sum())
            .collect();
        let opts = TrainOptions {
            dt: DT,
            delay: 1.3,
            tstop,
            convention: Convention::Default,
        };
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let a = pulse_amplitudes(black_box(&t), black_box(&i), &i, &ev, &opts).unwrap();
                stp_metrics(&a).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_single_event, bench_fit, bench_train);
criterion_main!(benches);
