//! SynapseTuner behaviour that does not need NEURON references: protocol timing,
//! the two conventions, parameter handling, errors.

use cable_core::{ModelBuilder, SimOptions, Target};
use std::path::PathBuf;
use tuner_opt::*;

fn settings() -> TunerSettings {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fsi/settings.json");
    TunerSettings::from_file(p).unwrap()
}

fn tuner(conn: &str, conv: Convention) -> SynapseTuner {
    SynapseTuner::new(
        standard_mechanisms::registry(),
        settings(),
        Some(conn),
        conv,
    )
    .unwrap()
}

#[test]
fn train_times_equal_what_two_netstims_send() {
    for &(f, d) in &[(50.0, 250.0), (3.0, 125.5), (35.0, 250.0), (200.0, 10.0)] {
        let reg = standard_mechanisms::registry();
        let mut b = ModelBuilder::new(&reg);
        let interval = 1000.0 / f;
        let start2 = 500.0 + 7.0 * interval + d;
        let a = b
            .add_artificial(
                "NetStim",
                &[("start", 500.0), ("interval", interval), ("number", 8.0)],
            )
            .unwrap();
        let c = b
            .add_artificial(
                "NetStim",
                &[("start", start2), ("interval", interval), ("number", 4.0)],
            )
            .unwrap();
        let (sa, sc) = (
            b.artificial_source(a).unwrap(),
            b.artificial_source(c).unwrap(),
        );
        b.connect(sa, Target::None, 1.0, &[]).unwrap();
        b.connect(sc, Target::None, 1.0, &[]).unwrap();
        let mut sim = b.build(SimOptions::default()).unwrap();
        sim.record_spikes(sa).unwrap();
        sim.record_spikes(sc).unwrap();
        let (times, tstop) = train_times(500.0, f, d);
        sim.run(tstop, -65.0).unwrap();
        let mut got = sim.spikes(sa).unwrap().to_vec();
        got.extend_from_slice(sim.spikes(sc).unwrap());
        assert_eq!(got, times, "f = {f}");
        assert_eq!(tstop, start2 + 4.0 * interval);
    }
}

#[test]
fn per_connection_stp_restarts_at_pulse_nine_only_under_bmtool() {
    // GABA_A_STP keeps R, u per connection: bmtool's second stimulator starts
    // fresh, so pulse 9 equals pulse 1; through one connection it has not
    // recovered after 250 ms.
    let d = tuner("Dep2FSI", Convention::Default)
        .train(50.0, 250.0)
        .unwrap();
    let b = tuner("Dep2FSI", Convention::Bmtool)
        .train(50.0, 250.0)
        .unwrap();
    let (a1, a9) = (b.amplitudes_pa[0], b.amplitudes_pa[8]);
    assert!((a9 / a1 - 1.0).abs() < 1e-6, "bmtool: a9/a1 = {}", a9 / a1);
    let (a1, a9) = (d.amplitudes_pa[0], d.amplitudes_pa[8]);
    assert!(a9 / a1 < 0.9, "default: a9/a1 = {}", a9 / a1);
    assert!(d.metrics.recovery < -0.05 && b.metrics.recovery.abs() < 1e-6);
    assert_eq!(d.traces.spikes.len(), 12);
    assert_eq!(b.traces.spikes.len(), 12);
    assert_eq!(d.traces.spikes, b.traces.spikes, "same presynaptic times");
}

#[test]
fn current_mode_has_no_clamp_by_default_but_bmtool_keeps_it() {
    let mut d = tuner("Fac2FSI", Convention::Default);
    d.set_vclamp(false);
    let ev = d.single_event().unwrap();
    assert!(ev.traces.i_clamp.is_none());
    let vmax = ev
        .traces
        .soma_v
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    let vmin = ev
        .traces
        .soma_v
        .iter()
        .skip(20000)
        .cloned()
        .fold(f64::INFINITY, f64::min);
    assert!(
        vmax - vmin > 0.01,
        "the free soma shows the PSP ({vmin}..{vmax})"
    );
    let mut b = tuner("Fac2FSI", Convention::Bmtool);
    b.set_vclamp(false);
    let eb = b.single_event().unwrap();
    assert!(
        eb.traces.i_clamp.is_some(),
        "bmtool's clamp stays in current mode"
    );
    let v: Vec<f64> = eb.traces.soma_v[19000..].to_vec();
    let spread = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - v.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(spread < 1e-3, "clamped soma barely moves ({spread} mV)");
}

#[test]
fn set_param_changes_the_response_and_unknown_names_are_refused() {
    let mut t = tuner("Dep2FSI", Convention::Default);
    let a = t.single_event().unwrap().kinetics.amp;
    t.set_param("initW", 40.0).unwrap();
    let b = t.single_event().unwrap().kinetics.amp;
    assert!(
        (b / a - 2.0).abs() < 0.05,
        "doubling initW doubles the amplitude: {a} -> {b}"
    );
    assert_eq!(t.param("initW"), Some(40.0));
    assert_eq!(
        t.param("gmax"),
        Some(0.001),
        "default of a parameter not in settings"
    );
    let e = t.set_param("Usee", 0.3).unwrap_err();
    assert!(matches!(e, TunerError::UnknownParameter { .. }), "{e}");
    assert!(
        e.to_string().contains("Use") && e.to_string().contains("Dep"),
        "{e}"
    );
    assert!(matches!(
        t.set_param("Use", f64::NAN).unwrap_err(),
        TunerError::BadValue { .. }
    ));
}

#[test]
fn switching_connections_and_extra_records() {
    let mut t = tuner("Fac2FSI", Convention::Default);
    t.switch_connection("Dep2FSI").unwrap();
    assert_eq!(t.connection().name, "Dep2FSI");
    t.set_extra_records(&["record_Pr".into(), "record_use".into()])
        .unwrap();
    let tr = t.train(50.0, 250.0).unwrap();
    let pr = &tr.traces.extras[0].1;
    // record_Pr steps at each event: 12 distinct values after the first event.
    let mut changes = 0;
    for w in pr.windows(2) {
        if w[0] != w[1] {
            changes += 1;
        }
    }
    assert_eq!(changes, 12);
    assert!(matches!(
        t.switch_connection("Nope").unwrap_err(),
        TunerError::Settings(_)
    ));
    assert_eq!(
        t.connection().name,
        "Dep2FSI",
        "a failed switch keeps the connection"
    );
    assert!(matches!(
        t.set_extra_records(&["record_Prr".into()]).unwrap_err(),
        TunerError::UnknownVariable { .. }
    ));
}

#[test]
fn continuous_input_delivers_the_expected_pulses() {
    let t = tuner("Dep2FSI", Convention::Default);
    let r = t.continuous(20.0, 300.0).unwrap();
    // bmtool's count: ceil(duration/1000*f + 1).
    assert_eq!(r.traces.spikes.len(), 7);
    assert_eq!(r.amplitudes_pa.len(), 7);
    assert!((r.traces.tstop - 1100.0).abs() < 1e-9);
}

#[test]
fn frequency_response_runs_every_frequency_and_matches_single_trains() {
    let t = tuner("Fac2FSI", Convention::Default);
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let fr = t
        .freq_response(&[10.0, 50.0, 100.0], 250.0, &|| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })
        .unwrap();
    assert_eq!(calls.into_inner(), 3);
    let single = t.train(50.0, 250.0).unwrap();
    assert_eq!(
        fr.ppr[1], single.metrics.ppr,
        "parallel runs give the same numbers"
    );
    assert!(fr.ppr[0] < fr.ppr[2], "facilitation grows with frequency");
}

#[test]
fn bad_settings_and_inputs_are_typed_errors() {
    let mut s = settings();
    s.connections[0].spec_settings.sec_id = 9;
    let e = SynapseTuner::new(
        standard_mechanisms::registry(),
        s,
        None,
        Convention::Default,
    )
    .unwrap_err();
    assert!(
        matches!(e, TunerError::SectionIndex { sec_id: 9, .. }),
        "{e}"
    );
    let mut s = settings();
    s.connections[1].spec_settings.level_of_detail = "GABA_B_STP".into();
    let e = SynapseTuner::new(
        standard_mechanisms::registry(),
        s,
        Some("Dep2FSI"),
        Convention::Default,
    )
    .unwrap_err();
    assert!(matches!(e, TunerError::UnknownMechanism { .. }), "{e}");
    let mut s = settings();
    s.connections[1].spec_settings.level_of_detail = "IClamp".into();
    let e = SynapseTuner::new(
        standard_mechanisms::registry(),
        s,
        Some("Dep2FSI"),
        Convention::Default,
    )
    .unwrap_err();
    assert!(matches!(e, TunerError::NotASynapse { .. }), "{e}");
    let mut s = settings();
    s.cells.clear();
    let e = SynapseTuner::new(
        standard_mechanisms::registry(),
        s,
        None,
        Convention::Default,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("no cell description for post cell `FSI_Cell`"),
        "{e}"
    );
    let t = tuner("Dep2FSI", Convention::Default);
    assert!(matches!(
        t.train(0.0, 250.0).unwrap_err(),
        TunerError::BadValue { .. }
    ));
    assert!(matches!(
        t.train(50.0, -1.0).unwrap_err(),
        TunerError::BadValue { .. }
    ));
    assert!(matches!(
        t.continuous(50.0, 0.0).unwrap_err(),
        TunerError::BadValue { .. }
    ));
}

#[test]
fn unknown_spec_syn_param_keys_are_warnings_as_in_bmtool() {
    let mut s = settings();
    s.connections[1].set_param("not_a_param", 1.0);
    let t = SynapseTuner::new(
        standard_mechanisms::registry(),
        s,
        Some("Dep2FSI"),
        Convention::Default,
    )
    .unwrap();
    assert_eq!(t.warnings().len(), 1);
    assert!(t.warnings()[0].contains("not_a_param"));
    t.single_event().unwrap();
}

fn same_traces(a: &Traces, b: &Traces) -> bool {
    let eq = |x: &[f64], y: &[f64]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
    };
    eq(&a.t, &b.t)
        && eq(&a.soma_v, &b.soma_v)
        && eq(&a.i_syn, &b.i_syn)
        && match (&a.i_clamp, &b.i_clamp) {
            (Some(x), Some(y)) => eq(x, y),
            (None, None) => true,
            _ => false,
        }
        && eq(&a.spikes, &b.spikes)
}

/// The example's two connections, each under one convention.
const BOTH: [(&str, Convention); 2] = [
    ("Dep2FSI", Convention::Bmtool),
    ("Fac2FSI", Convention::Default),
];

/// A parameter of `conn`'s synapse that is not event-only (its decay).
fn decay_param(conn: &str) -> &'static str {
    if conn == "Dep2FSI" {
        "tau_d_GABAA"
    } else {
        "tau_d_AMPA"
    }
}

/// Trains continued side by side from a start saved in two lanes (three
/// that it applies to: one full group of two, one group with a spare lane)
/// equal the trains simulated whole, bit for bit; a tuner it does not apply
/// to is simulated whole. Lanes outside 1..=TRAIN_LANES are refused.
#[test]
fn trains_continued_in_lanes_equal_whole_trains() {
    for (conn, conv) in BOTH {
        let t = tuner(conn, conv);
        let start = t.train_start_lanes(20.0, 125.0, 2).unwrap();
        assert_eq!(start.lanes(), 2);
        let mut tuners = Vec::new();
        for (name, value) in [("Use", 0.9), ("Dep", 20.0), ("Fac", 333.0)] {
            let mut u = t.clone();
            u.set_param(name, value).unwrap();
            tuners.push(u);
        }
        // Not event-only: simulated whole.
        let mut u = t.clone();
        u.set_param(decay_param(conn), 3.0).unwrap();
        tuners.insert(1, u);
        let refs: Vec<&SynapseTuner> = tuners.iter().collect();
        let continued = SynapseTuner::trains_from(&start, &refs).unwrap();
        assert_eq!(continued.len(), tuners.len());
        for (k, (u, c)) in tuners.iter().zip(&continued).enumerate() {
            let whole = u.train(20.0, 125.0).unwrap();
            assert!(same_traces(&whole.traces, &c.traces), "{conn} tuner {k}");
            assert_eq!(whole.amplitudes_pa, c.amplitudes_pa);
            assert_eq!(whole.metrics, c.metrics);
        }
        assert_ne!(continued[0].metrics, continued[2].metrics);
    }
    let t = tuner("Dep2FSI", Convention::Bmtool);
    for lanes in [0, TRAIN_LANES + 1] {
        assert!(matches!(
            t.train_start_lanes(20.0, 125.0, lanes),
            Err(TunerError::BadValue { .. })
        ));
    }
}

/// A train continued from the state saved before its first event equals the
/// train simulated whole, bit for bit, whatever the event-only parameters
/// (Use, Dep, Fac); a tuner that differs in anything else simulates whole.
#[test]
fn trains_continued_from_a_saved_start_equal_whole_trains() {
    for (conn, conv) in BOTH {
        let t = tuner(conn, conv);
        assert_eq!(t.event_only_params(), ["Use", "Dep", "Fac"]);
        let start = t.train_start(20.0, 125.0).unwrap();
        assert!(
            start.t() < 500.0 && start.t() > 499.9,
            "saved at {}",
            start.t()
        );
        for (name, value) in [("Use", 0.9), ("Dep", 20.0), ("Fac", 333.0), ("Use", 0.13)] {
            let mut u = t.clone();
            u.set_param(name, value).unwrap();
            let whole = u.train(20.0, 125.0).unwrap();
            let continued = u.train_from(&start).unwrap();
            assert!(
                same_traces(&whole.traces, &continued.traces),
                "{conn} {name}"
            );
            assert_eq!(whole.amplitudes_pa, continued.amplitudes_pa);
            assert_eq!(whole.metrics, continued.metrics);
        }
        // Not event-only: the saved start does not apply, the train is whole.
        let mut u = t.clone();
        u.set_param(decay_param(conn), 3.0).unwrap();
        let whole = u.train(20.0, 125.0).unwrap();
        let continued = u.train_from(&start).unwrap();
        assert!(same_traces(&whole.traces, &continued.traces));
        assert_ne!(whole.metrics, t.train(20.0, 125.0).unwrap().metrics);
    }
    // A first event at t = 0 would reach the synapse inside finitialize:
    // no saved start then.
    let mut s = settings();
    s.general.tstart = 0.0;
    s.general.delay = 0.0;
    let t = SynapseTuner::new(
        standard_mechanisms::registry(),
        s,
        Some("Dep2FSI"),
        Convention::Bmtool,
    )
    .unwrap();
    assert!(matches!(
        t.train_start(20.0, 125.0),
        Err(TunerError::BadValue { .. })
    ));
}
