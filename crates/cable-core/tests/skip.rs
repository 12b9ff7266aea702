//! Skipping stationary steps (`SimOptions::skip_stationary`) changes nothing:
//! every recorded trace, spike time and final value is bit-identical to the run
//! that computes every step, over random protocols that mix rest, current and
//! voltage clamps with stages, synaptic events, self events (NetStim), gap
//! junctions and both integration methods. Each case also checks that steps were
//! in fact skipped, so the comparison cannot pass by skipping nothing.

use cable_core::{CellSpec, Loc, ModelBuilder, SimOptions, Simulation, Target};
use proptest::prelude::*;
use std::path::PathBuf;

fn cell(name: &str) -> CellSpec {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/cells")
        .join(name);
    CellSpec::from_file(p).unwrap()
}

/// A protocol: what is attached and when.
#[derive(Debug, Clone)]
struct Protocol {
    secondorder: i32,
    iclamp: (f64, f64, f64),
    clamp: Clamp,
    stim: Option<(f64, f64, f64)>,
    gap: Option<f64>,
    tstop: f64,
}

#[derive(Debug, Clone)]
enum Clamp {
    None,
    V([f64; 3], [f64; 3]),
    Se([f64; 3], [f64; 3]),
}

struct Outcome {
    traces: Vec<Vec<u64>>,
    spikes: Vec<u64>,
    steps: u64,
    skipped: u64,
    replayed: u64,
    solves: u64,
}

fn run(p: &Protocol, skip: bool) -> Outcome {
    let reg = standard_mechanisms::registry();
    let hh = cell("hh_soma.json");
    let passive = cell("ball_stick.json");
    let mut b = ModelBuilder::new(&reg);
    let c0 = b.add_cell(&hh).unwrap();
    let c1 = b.add_cell(&passive).unwrap();
    let (del, dur, amp) = p.iclamp;
    b.add_point(
        "IClamp",
        Loc::new(c0, "soma", 0.5),
        &[("del", del), ("dur", dur), ("amp", amp)],
    )
    .unwrap();
    match p.clamp {
        Clamp::None => {}
        Clamp::V(d, a) => {
            b.add_point(
                "VClamp",
                Loc::new(c1, "soma[0]", 0.5),
                &[
                    ("dur[0]", d[0]),
                    ("dur[1]", d[1]),
                    ("dur[2]", d[2]),
                    ("amp[0]", a[0]),
                    ("amp[1]", a[1]),
                    ("amp[2]", a[2]),
                ],
            )
            .unwrap();
        }
        Clamp::Se(d, a) => {
            b.add_point(
                "SEClamp",
                Loc::new(c1, "soma[0]", 0.5),
                &[
                    ("dur1", d[0]),
                    ("dur2", d[1]),
                    ("dur3", d[2]),
                    ("amp1", a[0]),
                    ("amp2", a[1]),
                    ("amp3", a[2]),
                ],
            )
            .unwrap();
        }
    }
    let syn = b
        .add_point("Exp2Syn", Loc::new(c1, "dend[0]", 0.3), &[("tau2", 3.0)])
        .unwrap();
    let mut sources = vec![b.voltage_source(Loc::new(c0, "soma", 0.5), 0.0).unwrap()];
    b.connect(sources[0], Target::Point(syn), 2.0, &[0.01])
        .unwrap();
    if let Some((start, interval, number)) = p.stim {
        let ns = b
            .add_artificial(
                "NetStim",
                &[("start", start), ("interval", interval), ("number", number)],
            )
            .unwrap();
        let s = b.artificial_source(ns).unwrap();
        b.connect(s, Target::Point(syn), 1.0, &[0.005]).unwrap();
        sources.push(s);
    }
    if let Some(g) = p.gap {
        let g1 = b
            .add_point("Gap", Loc::new(c0, "soma", 0.5), &[("g", g)])
            .unwrap();
        let g2 = b
            .add_point("Gap", Loc::new(c1, "soma[0]", 0.5), &[("g", g)])
            .unwrap();
        b.transfer(Loc::new(c1, "soma[0]", 0.5), g1, "vgap")
            .unwrap();
        b.transfer(Loc::new(c0, "soma", 0.5), g2, "vgap").unwrap();
    }
    let mut sim: Simulation = b
        .build(SimOptions {
            celsius: 6.3,
            secondorder: p.secondorder,
            skip_stationary: skip,
            ..SimOptions::default()
        })
        .unwrap();
    for &s in &sources {
        sim.record_spikes(s).unwrap();
    }
    let probes = [
        sim.record_time(),
        sim.record(0, "soma", 0.5, "v").unwrap(),
        sim.record(0, "soma", 0.5, "m_hh").unwrap(),
        sim.record(0, "soma", 0.5, "ina").unwrap(),
        sim.record(1, "dend[0]", 0.9, "v").unwrap(),
        sim.record_point(syn, "g").unwrap(),
        // A second time record: skipped steps copy the first one's times.
        sim.record_time(),
    ];
    sim.run(p.tstop, -65.0).unwrap();
    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let mut spikes = Vec::new();
    for &s in &sources {
        spikes.extend(bits(sim.spikes(s).unwrap()));
    }
    Outcome {
        traces: probes.iter().map(|&p| bits(sim.trace(p))).collect(),
        spikes,
        steps: sim.steps(),
        skipped: sim.skipped_steps(),
        replayed: sim.replayed_calls(),
        solves: sim.replayed_solves(),
    }
}

/// Compare the run with skipping to the one without; returns the skipping
/// run's (skipped steps, replayed calls, replayed solves).
fn check(p: &Protocol) -> Result<(u64, u64, u64), TestCaseError> {
    let full = run(p, false);
    let fast = run(p, true);
    prop_assert_eq!(full.skipped, 0);
    prop_assert_eq!(full.replayed, 0);
    prop_assert_eq!(full.solves, 0);
    prop_assert_eq!(full.steps, fast.steps);
    prop_assert_eq!(&full.spikes, &fast.spikes);
    for (k, (a, b)) in full.traces.iter().zip(&fast.traces).enumerate() {
        prop_assert_eq!(a.len(), b.len());
        if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
            return Err(TestCaseError::fail(format!(
                "trace {k} differs first at sample {i}: {} vs {} ({p:?})",
                f64::from_bits(a[i]),
                f64::from_bits(b[i])
            )));
        }
    }
    Ok((fast.skipped, fast.replayed, fast.solves))
}

fn stages() -> impl Strategy<Value = ([f64; 3], [f64; 3])> {
    (
        prop::array::uniform3(0.0f64..600.0),
        prop::array::uniform3(-90.0f64..-40.0),
    )
}

fn protocol() -> impl Strategy<Value = Protocol> {
    (
        prop_oneof![Just(0), Just(2)],
        (200.0f64..900.0, 0.0f64..50.0, -0.2f64..0.4),
        prop_oneof![
            Just(Clamp::None),
            stages().prop_map(|(d, a)| Clamp::V(d, a)),
            stages().prop_map(|(d, a)| Clamp::Se(d, a)),
        ],
        prop::option::of((300.0f64..1200.0, 5.0f64..700.0, 1.0f64..4.0)),
        prop::option::of(0.0f64..0.01),
    )
        .prop_map(|(secondorder, iclamp, clamp, stim, gap)| Protocol {
            secondorder,
            iclamp,
            clamp,
            stim: stim.map(|(s, i, n)| (s, i, n.floor())),
            gap,
            tstop: 1500.0,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn skipping_is_bit_identical(p in protocol()) {
        let (skipped, replayed, solves) = check(&p)?;
        // A cell at rest for hundreds of ms settles bitwise; most protocols
        // give long quiet stretches.
        prop_assume!(skipped > 0 || replayed > 0 || solves > 0);
    }
}

#[test]
fn a_quiet_protocol_skips_most_steps() {
    // Rest, one small pulse, rest again, with a clamp whose stages switch
    // during the quiet stretches (the horizon must stop the skip at each). No
    // synaptic event: a decaying synapse keeps changing until its states
    // underflow, seconds later, and nothing is stationary meanwhile.
    let p = Protocol {
        secondorder: 0,
        iclamp: (700.0, 20.0, 0.02),
        clamp: Clamp::V([400.0, 500.0, 1e9], [-65.0, -60.0, -70.0]),
        stim: None,
        gap: Some(0.001),
        tstop: 2500.0,
    };
    let (skipped, _, _) = check(&p).unwrap();
    assert!(skipped > 50_000, "skipped {skipped} of 100000 steps");
}

#[test]
fn settled_mechanisms_are_replayed_while_a_synapse_decays() {
    // Synaptic events 700 ms apart: between them the cells settle bitwise
    // long before the synapse's states stop decaying, so whole steps cannot
    // be skipped but the settled channels and clamps need not be called.
    for secondorder in [0, 2] {
        let p = Protocol {
            secondorder,
            iclamp: (5000.0, 1.0, 0.0),
            clamp: Clamp::Se([300.0, 1e9, 0.0], [-65.0, -65.0, -65.0]),
            stim: Some((100.0, 700.0, 4.0)),
            gap: Some(0.0005),
            tstop: 3000.0,
        };
        let (_, replayed, solves) = check(&p).unwrap();
        eprintln!("secondorder {secondorder}: {replayed} calls, {solves} solves replayed");
        assert!(
            replayed > 20_000,
            "secondorder {secondorder}: replayed {replayed} calls"
        );
        // The decaying synapse's current no longer changes the system's bits
        // long before its states stop changing: the same solve repeats (with
        // backward Euler; under Crank–Nicolson this protocol's system keeps
        // changing in its last bits).
        assert!(
            secondorder == 2 || solves > 10_000,
            "secondorder {secondorder}: replayed {solves} solves"
        );
    }
}
