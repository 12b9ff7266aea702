//! Models whose mechanisms draw random numbers (mech-api's `draws_random`,
//! set by the mod compiler for `scop_random`, `normrand`, `exprand` and
//! `set_seed`): such a mechanism draws from one stream that outlives a run
//! (NEURON's, one per process), so a run's numbers depend on every draw made
//! before it. NEURON, under bmtool, runs one simulation after another, each
//! from its start; so does the tuner for these models: no saved or shared
//! starts, no lanes, no parallel runs. Its results are then deterministic
//! and in NEURON's order.

use super::SynapseTuner;
use mech_api::Registry;

impl SynapseTuner {
    /// Whether a mechanism of this connection's model (the post cell's,
    /// the synapse, the clamp, the stimulators) draws random numbers from a
    /// stream that outlives a run: its runs go one after another, each
    /// simulated from its start.
    pub fn draws_random(&self) -> bool {
        !self.random_mechanisms().is_empty()
    }

    /// The mechanisms of this connection's model that draw random numbers
    /// (see [`Self::draws_random`]), each once, in the model's order.
    pub fn random_mechanisms(&self) -> Vec<String> {
        let conn = self.connection();
        let spec = &conn.spec_settings;
        let inserted = self
            .cells
            .get(&spec.post_cell)
            .into_iter()
            .flat_map(|c| c.sections.iter())
            .flat_map(|s| s.mechanisms.iter().map(|m| m.name.as_str()));
        let added = [
            spec.level_of_detail.as_str(),
            "VClamp",
            "NetStim",
            "VecStim",
        ];
        random_among(&self.reg, inserted.chain(added))
    }

    /// The notice for a model that draws random numbers (`None` otherwise):
    /// which mechanisms, and that its runs go one after another.
    pub fn random_notice(&self) -> Option<String> {
        let names = self.random_mechanisms();
        (!names.is_empty()).then(|| serial_notice(&self.connection().name, &names))
    }
}

/// The mechanisms of `names` (in order, each once) that draw random numbers
/// according to `reg`.
pub(crate) fn random_among<'a>(
    reg: &Registry,
    names: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let draws = reg.get(n).is_some_and(|t| t.info.draws_random);
        if draws && !out.iter().any(|m| m == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// What a user is told about a model whose mechanisms `names` draw random
/// numbers (`connection`: the tuner's connection).
pub(crate) fn serial_notice(connection: &str, names: &[String]) -> String {
    format!(
        "connection `{connection}`: {} draw{} random numbers (scop_random, normrand, exprand) from one stream per process, as in NEURON; its simulations run one after another, each from its start, in NEURON's order (no lanes, parallel runs or saved starts), so the results are NEURON's and the same every time, at the speed of one core",
        names.join(", "),
        if names.len() == 1 { "s" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use crate::{
        GapCoupling, GapJunctionTuner, GapSettings, SynapseTuner, TunerError, TunerSettings,
    };
    use mech_api::export::{build_catalogue, entry};
    use mech_api::{Catalogue, MechInfo, Mechanism, Pack, Registry};
    use std::sync::atomic::{AtomicU32, Ordering};
    use stp_analysis::Convention;

    /// The test's own process-wide stream (as `scop_random`'s).
    static STREAM: AtomicU32 = AtomicU32::new(1);

    fn draw() -> f64 {
        let step = |v: u32| v.wrapping_mul(2147437301).wrapping_add(453816981);
        let old = STREAM
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| Some(step(v)))
            .unwrap_or(1);
        step(old) as f64 / u32::MAX as f64
    }

    /// A noise current drawn every step from [`STREAM`].
    struct Noise;

    impl Mechanism for Noise {
        fn info() -> MechInfo {
            MechInfo::density("noise")
                .param("amp", "mA/cm2", 2e-4)
                .assigned("i", "mA/cm2")
                .draws_random()
        }

        fn current(p: &mut Pack) {
            for k in 0..p.n() {
                let i = p.get(0, k) * (draw() - 0.5);
                p.set(1, k, i);
                p.density_current(k, i, i);
            }
        }
    }

    /// The FSI example with `noise` inserted in the soma, written to a
    /// folder of its own; the registry with `noise`.
    fn noisy_example() -> (std::path::PathBuf, Registry) {
        let ex = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fsi");
        let dir = std::env::temp_dir().join(format!("synaptune-noisy-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("cells")).unwrap();
        for f in ["settings.json", "gap.json"] {
            std::fs::copy(ex.join(f), dir.join(f)).unwrap();
        }
        let cell = std::fs::read_to_string(ex.join("cells/FSI_Cell.json")).unwrap();
        let cell = cell.replacen("\"mechanisms\": {", "\"mechanisms\": {\"noise\": {},", 1);
        std::fs::write(dir.join("cells/FSI_Cell.json"), cell).unwrap();
        let mut reg: Registry = standard_mechanisms::registry();
        let h = build_catalogue("noisy", "0", vec![entry::<Noise>()]);
        reg.add(&Catalogue::from_static(h.get()).unwrap());
        (dir, reg)
    }

    fn noisy_tuner(conv: Convention) -> SynapseTuner {
        let (dir, reg) = noisy_example();
        let s = TunerSettings::from_file(dir.join("settings.json")).unwrap();
        SynapseTuner::new(reg, s, Some("Dep2FSI"), conv).unwrap()
    }

    /// The gap tuner's runs of such a model: the sweep gives what the
    /// coefficients computed one by one in order give.
    fn gap_runs_serially() {
        let (dir, reg) = noisy_example();
        let s = GapSettings::from_file(dir.join("gap.json")).unwrap();
        let t = GapJunctionTuner::new(reg, s, None, GapCoupling::Neuron).unwrap();
        assert!(t.draws_random());
        assert!(t.random_notice().is_some_and(|n| n.contains("noise draws")));
        let gs = [1e-4, 1e-3, 3e-3];
        STREAM.store(11, Ordering::Relaxed);
        let one_by_one: Vec<f64> = gs
            .iter()
            .map(|&g| t.coupling_coefficient(g).unwrap())
            .collect();
        STREAM.store(11, Ordering::Relaxed);
        let swept = t.sweep(&gs, &|| {}).unwrap();
        assert_eq!(bits(&swept), bits(&one_by_one));
        let later = t.coupling_coefficient(gs[0]).unwrap();
        assert_ne!(later.to_bits(), one_by_one[0].to_bits());
    }

    fn bits(x: &[f64]) -> Vec<u64> {
        x.iter().map(|v| v.to_bits()).collect()
    }

    /// A model that draws random numbers runs its trains one after another,
    /// each whole: `trains` and the frequency response give what the trains
    /// run one by one in order give from the same point of the stream, and
    /// nothing is saved or continued; the FSI model without it does not
    /// draw; the gap tuner's sweep goes one run after another too. (The
    /// stream is the test's own, so the tests run in one test function.)
    #[test]
    fn a_model_that_draws_random_numbers_runs_serially() {
        let t = noisy_tuner(Convention::Bmtool);
        assert!(t.draws_random());
        assert_eq!(t.random_mechanisms(), ["noise"]);
        assert!(t.random_notice().is_some_and(|n| n.contains("noise draws")));
        let protocols = [(50.0, 250.0), (20.0, 100.0), (40.0, 250.0)];
        STREAM.store(7, Ordering::Relaxed);
        let serial: Vec<_> = protocols
            .iter()
            .map(|&(f, d)| t.train(f, d).unwrap())
            .collect();
        STREAM.store(7, Ordering::Relaxed);
        let together = t.trains(&protocols).unwrap();
        for (a, b) in serial.iter().zip(&together) {
            assert!(bits(&a.traces.i_syn) == bits(&b.traces.i_syn), "i_syn");
            assert!(bits(&a.traces.soma_v) == bits(&b.traces.soma_v), "v");
        }
        let freqs = [50.0, 20.0, 40.0];
        STREAM.store(7, Ordering::Relaxed);
        let fr = t.freq_response(&freqs, 250.0, &|| {}).unwrap();
        STREAM.store(7, Ordering::Relaxed);
        for (k, &f) in freqs.iter().enumerate() {
            let m = t.train(f, 250.0).unwrap().metrics;
            assert_eq!(fr.ppr[k].to_bits(), m.ppr.to_bits(), "{f} Hz");
        }
        // The noise moves the trains: the same call later in the stream
        // differs (a check that the model really draws).
        let again = t.train(50.0, 250.0).unwrap();
        assert!(bits(&again.traces.soma_v) != bits(&serial[0].traces.soma_v));
        assert_eq!(t.saved_starts(), 0);
        assert_eq!(t.saved_start_uses(), 0);
        assert!(matches!(
            t.train_start(50.0, 250.0),
            Err(TunerError::DrawsRandom(_))
        ));
        let plain = SynapseTuner::new(
            standard_mechanisms::registry(),
            TunerSettings::from_file(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../examples/fsi/settings.json"),
            )
            .unwrap(),
            Some("Dep2FSI"),
            Convention::Bmtool,
        )
        .unwrap();
        assert!(!plain.draws_random());
        assert_eq!(plain.random_notice(), None);
        gap_runs_serially();
    }
}
