//! Cost of event delivery (criterion): a passive soma with an `ExpSyn` fed by a
//! `VecStim` (connection delay 1 ms) playing K events spread evenly over a fixed
//! 1000 ms run (40 000 steps, `skip_stationary: false` so every step is
//! computed whatever K is). `events/vecstim_expsyn/K` times the whole run
//! (`finitialize` + `continuerun`); the cost per event is
//! `(time(K) - time(0)) / K`. Each event is a VecStim self event (its
//! NET_RECEIVE plays the next element and calls `net_event`) and a delivery
//! through the connection to the ExpSyn: two queue insertions, two removals
//! and two NET_RECEIVE calls. Run: `cargo bench --bench events`.

use cable_core::{CellSpec, Loc, ModelBuilder, SimOptions, Simulation, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::Duration;

const TSTOP: f64 = 1000.0;

fn sim(k: usize) -> Simulation {
    let cell = CellSpec::from_json_str(
        r#"{"format": "synaptune-cell/1", "sections": [
        {"name": "soma", "L": 20, "diam": 20, "mechanisms": {"pas": {"g": 1e-4, "e": -65}}}]}"#,
        "<bench>",
    )
    .unwrap();
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(&cell).unwrap();
    let syn = b
        .add_point("ExpSyn", Loc::new(c, "soma", 0.5), &[("tau", 2.0)])
        .unwrap();
    let vs = b.add_artificial("VecStim", &[]).unwrap();
    let src = b.artificial_source(vs).unwrap();
    b.connect(src, Target::Point(syn), 1.0, &[1e-4]).unwrap();
    let mut s = b
        .build(SimOptions {
            skip_stationary: false,
            ..SimOptions::default()
        })
        .unwrap();
    // K times evenly over [1, TSTOP - 2) ms, so every event is delivered.
    let times: Vec<f64> = (0..k)
        .map(|j| 1.0 + (TSTOP - 3.0) * j as f64 / k as f64)
        .collect();
    s.set_artificial_vector(vs, times).unwrap();
    s
}

fn events(c: &mut Criterion) {
    let mut g = c.benchmark_group("events");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    for k in [0usize, 100, 10_000, 100_000] {
        let mut s = sim(k);
        s.run(TSTOP, -65.0).unwrap();
        assert_eq!(s.steps(), 40_000, "every step is computed");
        assert_eq!(s.pending_events(), 0, "every event was delivered");
        if k > 0 {
            let v = s.value(0, "soma", 0.5, "v").unwrap();
            assert!(v > -65.0, "the synapse depolarises the soma ({v} mV)");
        }
        // Elements are steps: criterion's rate is steps per second.
        g.throughput(Throughput::Elements(40_000));
        g.bench_with_input(BenchmarkId::new("vecstim_expsyn", k), &k, |b, _| {
            b.iter(|| s.run(TSTOP, -65.0).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, events);
criterion_main!(benches);
