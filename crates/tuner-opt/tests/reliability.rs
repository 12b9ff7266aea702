//! Bounded work, cancellation, the measured current, where compat runs
//! start, `current_name`, and non-numeric synaptic parameters (issue 17 and
//! item 6 of issue 16).

use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tuner_opt::*;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fsi/settings.json")
}

fn spec(conn: &str) -> TunerSpec {
    let mut s = TunerSpec::new(ModelSource::Settings(example()));
    s.connection = Some(conn.into());
    s
}

fn tuner(conn: &str) -> SynapseTuner {
    spec(conn).build().unwrap().tuner
}

/// The settings file with `edit` applied, written beside the example (so the
/// cell paths still resolve).
fn edited(tag: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    edit(&mut v);
    let dir = std::env::temp_dir().join(format!("synaptune-rel-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cells = example().parent().unwrap().join("cells/FSI_Cell.json");
    v["cells"]["FSI_Cell"] = Value::from(cells.to_str().unwrap());
    let p = dir.join("settings.json");
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    p
}

#[test]
fn runs_beyond_the_budget_are_refused_before_simulating() {
    let t = tuner("Fac2FSI");
    let start = std::time::Instant::now();
    for e in [
        t.continuous(50.0, 1e9).unwrap_err(),
        t.train(1e-6, 250.0).unwrap_err(),
        t.freq_response(&[1e-4, 50.0], 250.0, &|| {}).unwrap_err(),
    ] {
        assert!(matches!(e, TunerError::OverBudget { .. }), "{e}");
        let m = e.to_string();
        assert!(
            m.contains("steps") && m.contains("--max-steps") && m.contains("--max-memory"),
            "{m}"
        );
        assert!(m.contains("budget is 1,000,000,000 steps"), "{m}");
    }
    assert!(start.elapsed().as_secs_f64() < 1.0, "refused up front");
    // The limit can be raised (and lowered).
    let mut small = t.clone();
    small.set_budget(Budget {
        max_steps: 10_000,
        max_memory: u64::MAX,
    });
    let e = small.train(50.0, 250.0).unwrap_err();
    assert!(e.to_string().contains("38,800 steps"), "{e}");
    let mut tiny_mem = t.clone();
    tiny_mem.set_budget(Budget {
        max_steps: u64::MAX,
        max_memory: 1 << 20,
    });
    assert!(matches!(
        tiny_mem.train(50.0, 250.0).unwrap_err(),
        TunerError::OverBudget { .. }
    ));
}

#[test]
fn normal_work_is_within_the_default_budget() {
    let t = tuner("Dep2FSI");
    // bmtool's 16 frequencies with the page's longest recovery delay, a 10 s
    // continuous input, a 500-evaluation optimisation, the table: all pass.
    let b = Budget::DEFAULT;
    let mut fr = Work::new("fr");
    for f in BMTOOL_FREQUENCIES {
        fr.add(&t.evaluation_work(false, Some((f, 20_000.0)), 1.0), 1.0);
    }
    b.check(&fr).unwrap();
    Budget::SERVER.check(&fr).unwrap();
    b.check(&t.evaluation_work(true, Some((1.0, 250.0)), 501.0))
        .unwrap();
    let r = t.continuous(20.0, 10_000.0).unwrap();
    assert_eq!(r.amplitudes_pa.len(), 201);
    let g = GapJunctionTuner::new(
        standard_mechanisms::registry(),
        GapSettings::from_file(example().parent().unwrap().join("gap.json")).unwrap(),
        None,
        GapCoupling::Neuron,
    )
    .unwrap();
    g.check_work(&g.cc_work("a 20-point sweep".into(), 20.0))
        .unwrap();
    assert!(g.check_work(&g.cc_work("1e8".into(), 1e8)).is_err());
}

#[test]
fn a_set_cancel_flag_stops_the_protocols() {
    let mut t = tuner("Fac2FSI");
    let flag = Arc::new(AtomicBool::new(true));
    t.set_cancel(Some(flag.clone()));
    assert!(t.train(50.0, 250.0).unwrap_err().is_cancelled());
    assert!(t.single_event().unwrap_err().is_cancelled());
    let e = t.freq_response(&[10.0, 50.0], 250.0, &|| {}).unwrap_err();
    assert!(e.is_cancelled(), "{e}");
    let opts = OptimizeOptions {
        targets: vec![("induction".into(), 0.5)],
        bounds: vec![Bound {
            name: "Use".into(),
            lo: 0.1,
            hi: 0.9,
        }],
        max_evaluations: 20,
        ..OptimizeOptions::default()
    };
    let e = SynapseOptimizer::new(&t, opts).unwrap().run().unwrap_err();
    assert!(e.is_cancelled(), "{e}");
    flag.store(false, Ordering::Relaxed);
    t.train(50.0, 250.0).unwrap();
}

#[test]
fn under_voltage_clamp_trains_are_measured_on_the_clamp_current() {
    let t = tuner("Fac2FSI");
    assert!(t.vclamp(), "the example is in voltage-clamp mode");
    let clamp = t.train(50.0, 250.0).unwrap();
    assert!(clamp.traces.clamp_measured);
    let mut s = t.clone();
    s.set_measure(Some(Measure::Synapse));
    let syn = s.train(50.0, 250.0).unwrap();
    assert!(!syn.traces.clamp_measured);
    // A dendritic synapse: the electrode sees less than the synapse makes.
    let (a, b) = (clamp.amplitudes_pa[0], syn.amplitudes_pa[0]);
    assert!(a < b && (b - a) / b > 0.005, "clamp {a} pA, synapse {b} pA");
    let mut c = t.clone();
    c.set_measure(Some(Measure::Clamp));
    assert_eq!(
        c.train(50.0, 250.0).unwrap().amplitudes_pa,
        clamp.amplitudes_pa
    );
    // There is no clamp to measure in current mode.
    c.set_vclamp(false);
    assert!(c.train(50.0, 250.0).is_err());
}

#[test]
fn compat_trains_start_at_plus_70_mv_and_single_events_at_v_init() {
    let mut sp = spec("Dep2FSI");
    sp.convention = Convention::Bmtool;
    let t = sp.build().unwrap().tuner;
    assert_eq!(t.train(50.0, 250.0).unwrap().traces.soma_v[0], 70.0);
    assert_eq!(t.continuous(50.0, 100.0).unwrap().traces.soma_v[0], 70.0);
    assert_eq!(t.single_event().unwrap().traces.soma_v[0], -65.0);
    let d = tuner("Dep2FSI");
    assert_eq!(d.train(50.0, 250.0).unwrap().traces.soma_v[0], -65.0);
}

#[test]
fn current_name_chooses_the_recorded_current() {
    // A top-level settings key...
    let p = edited("current", |v| v["current_name"] = Value::from("i_NMDA"));
    let mut sp = TunerSpec::new(ModelSource::Settings(p));
    sp.connection = Some("Fac2FSI".into());
    sp.vclamp = Some(false);
    let t = sp.clone().build().unwrap().tuner;
    assert_eq!(t.current_name(), "i_NMDA");
    let nmda = t.single_event().unwrap();
    // ...overridden by the spec (the CLI's --current-name).
    sp.current_name = Some("i_AMPA".into());
    let ampa = sp.clone().build().unwrap().tuner.single_event().unwrap();
    assert_ne!(nmda.traces.i_syn, ampa.traces.i_syn);
    assert!(nmda.kinetics.decay_time > ampa.kinetics.decay_time);
    sp.current_name = Some("i_GABA".into());
    let e = sp.build().unwrap_err().to_string();
    assert!(
        e.contains("i_GABA (current_name)") && e.contains("i_AMPA"),
        "{e}"
    );
}

#[test]
fn a_string_for_a_synapse_parameter_is_an_error_and_other_strings_a_warning() {
    let p = edited("use-high", |v| {
        v["conn_type_settings"]["Fac2FSI"]["spec_syn_param"]["Use"] = Value::from("high")
    });
    let mut sp = TunerSpec::new(ModelSource::Settings(p));
    sp.connection = Some("Fac2FSI".into());
    let e = sp.build().unwrap_err();
    assert!(matches!(e, TunerError::NonNumericParameter { .. }), "{e}");
    let m = e.to_string();
    assert!(
        m.contains("Fac2FSI") && m.contains("`Use`") && m.contains("\"high\""),
        "{m}"
    );
    let p = edited("note", |v| {
        v["conn_type_settings"]["Fac2FSI"]["spec_syn_param"]["note"] = Value::from("tuned by hand")
    });
    let mut sp = TunerSpec::new(ModelSource::Settings(p));
    sp.connection = Some("Fac2FSI".into());
    let b = sp.build().unwrap();
    let w: Vec<_> = b
        .notices
        .iter()
        .filter(|n| n.level == NoticeLevel::Warning)
        .map(|n| n.text.clone())
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("`note`") && w[0].contains("not a number"),
        "{w:?}"
    );
}
