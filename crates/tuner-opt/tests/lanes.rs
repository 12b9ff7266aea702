//! Lanes: trains run several to a simulation give, lane by lane, the bits of
//! the train run alone — every sample of every trace, the spikes, the
//! amplitudes and metrics — over random protocols, both conventions, the
//! clamp on and off, and connections with different synapse types.

use proptest::prelude::*;
use std::path::PathBuf;
use tuner_opt::*;

fn tuner(conn: &str, conv: Convention, vclamp: bool) -> SynapseTuner {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fsi/settings.json");
    let mut t = SynapseTuner::new(
        standard_mechanisms::registry(),
        TunerSettings::from_file(p).unwrap(),
        Some(conn),
        conv,
    )
    .unwrap();
    t.set_vclamp(vclamp);
    t
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

fn same_traces(a: &Traces, b: &Traces, what: &str) {
    assert_eq!(bits(&a.t), bits(&b.t), "{what}: t");
    assert_eq!(bits(&a.soma_v), bits(&b.soma_v), "{what}: soma v");
    assert_eq!(
        a.i_clamp.as_deref().map(bits),
        b.i_clamp.as_deref().map(bits),
        "{what}: clamp current"
    );
    assert_eq!(bits(&a.i_syn), bits(&b.i_syn), "{what}: synaptic current");
    assert_eq!(bits(&a.spikes), bits(&b.spikes), "{what}: spikes");
    assert_eq!(a.tstop.to_bits(), b.tstop.to_bits(), "{what}: tstop");
}

fn check(conn: &str, conv: Convention, vclamp: bool, protocols: &[(f64, f64)]) {
    let t = tuner(conn, conv, vclamp);
    let batch = t.trains(protocols).unwrap();
    assert_eq!(batch.len(), protocols.len());
    for (&(freq, delay), lane) in protocols.iter().zip(&batch) {
        let what = format!("{conn} {conv:?} clamp {vclamp} {freq} Hz, delay {delay}");
        let alone = t.train(freq, delay).unwrap();
        assert_eq!((lane.freq, lane.delay), (freq, delay), "{what}");
        same_traces(&lane.traces, &alone.traces, &what);
        assert_eq!(
            bits(&lane.amplitudes_pa),
            bits(&alone.amplitudes_pa),
            "{what}: amplitudes"
        );
        assert_eq!(
            lane.metrics.ppr.to_bits(),
            alone.metrics.ppr.to_bits(),
            "{what}: ppr"
        );
    }
}

/// Protocols of similar lengths (so they share simulations) and one far
/// longer, more than one batch's worth.
#[test]
fn lanes_of_the_frequency_response_are_the_trains_alone() {
    let protocols: Vec<(f64, f64)> = [20.0, 35.0, 50.0, 100.0, 200.0, 150.0, 70.0, 40.0, 25.0, 4.0]
        .iter()
        .map(|&f| (f, 250.0))
        .collect();
    check("Dep2FSI", Convention::Bmtool, true, &protocols);
    check("Fac2FSI", Convention::Default, false, &protocols);
}

/// The frequency response runs trains of similar length in pairs
/// ([`FREQ_LANES`]): each of its metrics is, bit for bit, that of the train
/// run alone (five frequencies: two pairs and one alone).
#[test]
fn the_frequency_response_is_the_trains_alone() {
    assert_eq!(FREQ_LANES, 2);
    let freqs = [100.0, 4.0, 200.0, 35.0, 50.0];
    for (conn, conv) in [
        ("Dep2FSI", Convention::Bmtool),
        ("Fac2FSI", Convention::Default),
    ] {
        let t = tuner(conn, conv, true);
        let fr = t.freq_response(&freqs, 250.0, &|| {}).unwrap();
        for (k, &f) in freqs.iter().enumerate() {
            let m = t.train(f, 250.0).unwrap().metrics;
            let alone = [
                m.ppr,
                m.induction,
                m.recovery,
                m.simple_ppr,
                m.stp_initial_p90,
                m.induction_p90,
                m.recovery_p90,
            ];
            let got = [
                fr.ppr[k],
                fr.induction[k],
                fr.recovery[k],
                fr.simple_ppr[k],
                fr.stp_initial_p90[k],
                fr.induction_p90[k],
                fr.recovery_p90[k],
            ];
            assert_eq!(bits(&got), bits(&alone), "{conn} {f} Hz");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn every_lane_is_the_train_run_alone(
        freqs in prop::collection::vec(10.0f64..250.0, 2..6),
        delays in prop::collection::vec(50.0f64..400.0, 6),
        bmtool in any::<bool>(),
        vclamp in any::<bool>(),
        fac in any::<bool>(),
    ) {
        let protocols: Vec<(f64, f64)> = freqs.iter().zip(&delays).map(|(&f, &d)| (f, d)).collect();
        let conv = if bmtool { Convention::Bmtool } else { Convention::Default };
        check(if fac { "Fac2FSI" } else { "Dep2FSI" }, conv, vclamp, &protocols);
    }
}
