//! Per-step cost of the fixed-step loop (criterion). Figures go to
//! `benches/README.md`. Run: `cargo bench --bench step`.
//!
//! * `fadvance/hh_cable_compartments/N`: one `fadvance` of an hh soma plus an
//!   hh + pas cable, N compartments, IClamp on (default options);
//! * `fsi/*`: the FSI example cell (2 compartments, 5 nodes) with the Dep2FSI
//!   synapse (GABA_A_STP at soma[0](0.5)), a VClamp holding −55 mV there and a
//!   NetStim every 20 ms from t = 100 ms, celsius 20, with
//!   `skip_stationary: false` so every step is computed: `fsi/fadvance` is one
//!   step in the periodic regime, `fsi/run_600ms` a whole `finitialize` +
//!   `continuerun(600)` (24 000 steps);
//! * `fsi/fadvance_1hz_skipping`: one step of that model with a NetStim every
//!   1 000 ms and skipping on, after its second event (the regime of the
//!   frequency response's 1 Hz train: nothing stationary, most types replayed);
//! * `fsi/fadvance_1hz_quiet`: 4 000 steps (100 ms) of that model from 500 ms
//!   after an event, restored from a saved state each time: only the synapse
//!   computed, the four other types replayed, the voltages unmoved (the
//!   regime most of the slow trains' steps are in); throughput per step;
//! * `fsi_parts/*`: that step with parts of its model taken away (channels,
//!   synapse, clamp), every step computed;
//! * `lanes/fsi_fadvance/K`: K copies of that model (own NetStim each) in one
//!   simulation, one step; throughput K, so criterion's rate is per lane.

use cable_core::{CellSpec, Loc, ModelBuilder, SimOptions, Simulation, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::Duration;

/// An hh soma and an hh + pas cable of `nseg` 10 µm segments. NEURON allows at
/// most 32 767 segments per section: longer cables are chained sections of at
/// most 10 000 segments each.
fn cable(nseg: usize) -> CellSpec {
    let pieces = nseg.div_ceil(10_000);
    let mut sections =
        vec![r#"{"name": "soma", "L": 20, "diam": 20, "mechanisms": {"hh": {}}}"#.to_string()];
    for k in 0..pieces {
        let n = nseg / pieces + usize::from(k < nseg % pieces);
        let parent = if k == 0 {
            "soma".to_string()
        } else {
            format!("cable{}", k - 1)
        };
        sections.push(format!(
            r#"{{"name": "cable{k}", "parent": {{"section": "{parent}", "x": 1}}, "L": {l}, "diam": 1,
              "nseg": {n}, "Ra": 100, "mechanisms": {{"hh": {{}}, "pas": {{"g": 1e-5}}}}}}"#,
            l = n as f64 * 10.0
        ));
    }
    let text = format!(
        r#"{{"format": "synaptune-cell/1", "sections": [{}]}}"#,
        sections.join(",\n")
    );
    CellSpec::from_json_str(&text, "<bench>").unwrap()
}

fn sim(cell: &CellSpec) -> Simulation {
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    let c = b.add_cell(cell).unwrap();
    b.add_point(
        "IClamp",
        Loc::new(c, "soma", 0.5),
        &[("del", 0.0), ("dur", 1e9), ("amp", 0.2)],
    )
    .unwrap();
    let mut s = b
        .build(SimOptions {
            celsius: 6.3,
            ..SimOptions::default()
        })
        .unwrap();
    s.finitialize(-65.0).unwrap();
    s
}

fn steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("fadvance");
    for nseg in [1usize, 10, 100, 1000, 10_000, 100_000] {
        if nseg >= 10_000 {
            g.sample_size(20).measurement_time(Duration::from_secs(8));
        }
        let cell = cable(nseg);
        let mut s = sim(&cell);
        g.throughput(Throughput::Elements((nseg + 1) as u64));
        g.bench_with_input(
            BenchmarkId::new("hh_cable_compartments", nseg + 1),
            &nseg,
            |b, _| b.iter(|| s.fadvance().unwrap()),
        );
    }
    g.finish();
}

fn fsi_sim() -> Simulation {
    fsi_lanes(1)
}

/// `lanes` copies of the FSI model in one simulation, each with its own
/// NetStim (interval 20 ms + 1 ms per lane).
fn fsi_lanes(lanes: usize) -> Simulation {
    fsi_model(lanes, 20.0, false)
}

/// `lanes` copies of the FSI model, NetStim intervals `interval` + 1 ms per
/// lane, skipping as given.
fn fsi_model(lanes: usize, interval: f64, skip_stationary: bool) -> Simulation {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/fsi/cells/FSI_Cell.json"
    );
    let cell = CellSpec::from_file(path).unwrap();
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    for lane in 0..lanes {
        add_fsi_lane(&mut b, &cell, interval + lane as f64);
    }
    b.build(SimOptions {
        celsius: 20.0,
        skip_stationary,
        ..SimOptions::default()
    })
    .unwrap()
}

/// The Dep2FSI synapse's parameters (examples/fsi/settings.json).
const DEP2FSI: &[(&str, f64)] = &[
    ("initW", 20.0),
    ("tau_r_GABAA", 0.9),
    ("tau_d_GABAA", 15.0),
    ("Use", 0.4),
    ("Dep", 190.0),
    ("Fac", 0.0),
];

/// One FSI cell with the Dep2FSI synapse, a clamp at −55 mV and a NetStim
/// every `interval` ms from t = 100 ms.
fn add_fsi_lane(b: &mut ModelBuilder, cell: &CellSpec, interval: f64) {
    let c = b.add_cell(cell).unwrap();
    let syn = b
        .add_point("GABA_A_STP", Loc::new(c, "soma[0]", 0.5), DEP2FSI)
        .unwrap();
    b.add_point(
        "VClamp",
        Loc::new(c, "soma[0]", 0.5),
        &[
            ("dur[0]", 500.0),
            ("dur[1]", 600.0),
            ("dur[2]", 1e9),
            ("amp[0]", -55.0),
            ("amp[1]", -55.0),
            ("amp[2]", -55.0),
        ],
    )
    .unwrap();
    let ns = b
        .add_artificial(
            "NetStim",
            &[
                ("start", 100.0),
                ("interval", interval),
                ("number", 1e9),
                ("noise", 0.0),
            ],
        )
        .unwrap();
    let src = b.artificial_source(ns).unwrap();
    b.connect(src, Target::Point(syn), 1.3, &[1.0]).unwrap();
}

/// Steps of one `fsi/fadvance_1hz_quiet` iteration (100 ms).
const QUIET_STEPS: u64 = 4000;

fn fsi(c: &mut Criterion) {
    let mut g = c.benchmark_group("fsi");
    let mut s = fsi_sim();
    assert_eq!(s.discretization().area.len(), 5, "5 nodes");
    // Into the periodic regime (the synapse has received events).
    s.run(200.0, -65.0).unwrap();
    assert_eq!(s.skipped_steps(), 0);
    g.throughput(Throughput::Elements(1));
    g.bench_function("fadvance", |b| b.iter(|| s.fadvance().unwrap()));
    // Between 1 Hz pulses with skipping on (the frequency response's longest
    // train): nothing is stationary, most types are replayed.
    let mut s = fsi_model(1, 1000.0, true);
    s.run(1200.0, -65.0).unwrap();
    g.bench_function("fadvance_1hz_skipping", |b| {
        b.iter(|| s.fadvance().unwrap())
    });
    // Half a second after a pulse of that model: every type but the synapse
    // (still decaying) replayed, the voltages unmoved (the frequency
    // response's slow trains spend most of their steps so).
    let mut s = fsi_model(1, 1000.0, true);
    s.run(1600.0, -65.0).unwrap();
    let quiet = s.save_state().unwrap();
    let (c0, k0) = (s.replayed_calls(), s.steps());
    for _ in 0..QUIET_STEPS {
        s.fadvance().unwrap();
    }
    // Four types replayed (their `current` and `state`) at every step.
    assert_eq!(
        s.replayed_calls() - c0,
        8 * (s.steps() - k0),
        "the quiet regime"
    );
    g.throughput(Throughput::Elements(QUIET_STEPS));
    g.bench_function("fadvance_1hz_quiet", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                s.restore_state(&quiet).unwrap();
                let start = std::time::Instant::now();
                for _ in 0..QUIET_STEPS {
                    s.fadvance().unwrap();
                }
                total += start.elapsed();
            }
            total
        })
    });
    g.throughput(Throughput::Elements(1));
    let mut s = fsi_sim();
    g.sample_size(30).measurement_time(Duration::from_secs(6));
    g.throughput(Throughput::Elements(24_000));
    g.bench_function("run_600ms", |b| {
        b.iter(|| {
            s.run(600.0, -65.0).unwrap();
            debug_assert_eq!(s.skipped_steps(), 0);
        })
    });
    g.finish();
}

/// K copies of the FSI model advanced in one simulation ("lanes": each its
/// own cell, synapse, clamp and events; every lane computes the bits of the
/// run alone, see `tuner-opt`'s gap lanes test): the time per lane-step.
fn lanes(c: &mut Criterion) {
    let mut g = c.benchmark_group("lanes");
    for k in [1usize, 2, 4, 8, 16] {
        let mut s = fsi_lanes(k);
        s.run(200.0, -65.0).unwrap();
        assert_eq!(s.skipped_steps(), 0);
        g.throughput(Throughput::Elements(k as u64));
        g.bench_with_input(BenchmarkId::new("fsi_fadvance", k), &k, |b, _| {
            b.iter(|| s.fadvance().unwrap())
        });
    }
    g.finish();
}

/// The FSI model with only the density mechanisms in `keep` (the ions of the
/// channels removed stay set, unused), and the synapse (with its NetStim) and
/// the clamp when asked.
fn fsi_part(keep: &[&str], syn: bool, clamp: bool) -> Simulation {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/fsi/cells/FSI_Cell.json"
    );
    let mut cell = CellSpec::from_file(path).unwrap();
    for sec in &mut cell.sections {
        sec.mechanisms.retain(|m| keep.contains(&m.name.as_str()));
    }
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    if syn && clamp {
        add_fsi_lane(&mut b, &cell, 20.0);
    } else {
        let c = b.add_cell(&cell).unwrap();
        if clamp || syn {
            let (name, params): (&str, &[(&str, f64)]) = if clamp {
                ("VClamp", &[("dur[0]", 1e9), ("amp[0]", -55.0)])
            } else {
                ("GABA_A_STP", DEP2FSI)
            };
            let pt = b
                .add_point(name, Loc::new(c, "soma[0]", 0.5), params)
                .unwrap();
            if syn {
                let ns = b
                    .add_artificial(
                        "NetStim",
                        &[("start", 100.0), ("interval", 20.0), ("number", 1e9)],
                    )
                    .unwrap();
                let src = b.artificial_source(ns).unwrap();
                b.connect(src, Target::Point(pt), 1.3, &[1.0]).unwrap();
            }
        }
    }
    b.build(SimOptions {
        celsius: 20.0,
        skip_stationary: false,
        ..SimOptions::default()
    })
    .unwrap()
}

/// The FSI step with parts of its model taken away (every step computed):
/// what each part adds to the step.
fn parts(c: &mut Criterion) {
    let all = ["leak", "nainter", "kdrinter"];
    let mut g = c.benchmark_group("fsi_parts");
    for (name, keep, syn, clamp) in [
        ("all", &all[..], true, true),
        ("no_kdrinter", &["leak", "nainter"][..], true, true),
        ("no_clamp", &all[..], true, false),
        ("no_synapse", &all[..], false, true),
        ("channels_only", &all[..], false, false),
        ("leak_clamp", &["leak"][..], false, true),
        ("leak_only", &["leak"][..], false, false),
    ] {
        let mut s = fsi_part(keep, syn, clamp);
        s.run(200.0, -65.0).unwrap();
        assert_eq!(s.skipped_steps(), 0, "{name}");
        g.bench_function(name, |b| b.iter(|| s.fadvance().unwrap()));
    }
    g.finish();
}

criterion_group!(benches, steps, fsi, lanes, parts);
criterion_main!(benches);
