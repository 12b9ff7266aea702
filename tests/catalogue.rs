//! The standard catalogue as a whole: defaults equal NEURON's (a table NEURON
//! itself wrote), names resolve as BMTK spells them, NetStim's noise is seeded.

mod common;

use cable_core::{ModelBuilder, SimOptions, Target};
use common::*;
use mech_api::FieldKind;

#[test]
fn every_default_equals_neurons() {
    let reg = standard_mechanisms::registry();
    let text = std::fs::read_to_string(fixture("neuron/mechanism_defaults.json")).unwrap();
    let table: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for (mech, params) in table.as_object().unwrap() {
        let t = reg.get(mech).unwrap_or_else(|| panic!("`{mech}` missing"));
        for (p, v) in params.as_object().unwrap() {
            let k = t
                .info
                .field_index(p)
                .unwrap_or_else(|| panic!("{mech}.{p} missing"));
            assert_eq!(t.info.fields[k].kind, FieldKind::Parameter, "{mech}.{p}");
            assert_eq!(t.info.fields[k].default, v.as_f64().unwrap(), "{mech}.{p}");
            checked += 1;
        }
    }
    assert!(checked > 60, "only {checked} defaults checked");
}

#[test]
fn bmtk_lower_case_names_resolve() {
    let reg = standard_mechanisms::registry();
    assert_eq!(reg.get("exp2syn").unwrap().info.name, "Exp2Syn");
    assert_eq!(reg.get("expsyn").unwrap().info.name, "ExpSyn");
    assert!(reg.get("EXP2SYN").is_none());
}

fn noisy_spikes(seed: f64, noise: f64) -> Vec<f64> {
    let reg = standard_mechanisms::registry();
    let mut b = ModelBuilder::new(&reg);
    let ns = b
        .add_artificial(
            "NetStim",
            &[
                ("start", 0.0),
                ("interval", 5.0),
                ("number", 2000.0),
                ("noise", noise),
                ("seed", seed),
            ],
        )
        .unwrap();
    let s = b.artificial_source(ns).unwrap();
    b.connect(s, Target::None, 1.0, &[]).unwrap();
    let mut sim = b.build(SimOptions::default()).unwrap();
    sim.record_spikes(s).unwrap();
    sim.run(20000.0, -65.0).unwrap();
    sim.spikes(s).unwrap().to_vec()
}

#[test]
fn netstim_noise_is_seeded_and_has_the_right_statistics() {
    let a = noisy_spikes(7.0, 1.0);
    let b = noisy_spikes(7.0, 1.0);
    let c = noisy_spikes(8.0, 1.0);
    assert_eq!(a, b, "same seed, same train");
    assert_ne!(a, c, "another seed, another train");
    assert_eq!(a.len(), 2000);
    // Poisson train: intervals exponential with mean `interval`.
    let iv: Vec<f64> = a.windows(2).map(|w| w[1] - w[0]).collect();
    let mean = iv.iter().sum::<f64>() / iv.len() as f64;
    let var = iv.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / iv.len() as f64;
    assert!((mean - 5.0).abs() < 0.4, "mean interval {mean}");
    assert!(
        (var.sqrt() / mean - 1.0).abs() < 0.1,
        "CV {}",
        var.sqrt() / mean
    );
    // noise = 0 is NEURON's exact regular train.
    let r = noisy_spikes(7.0, 0.0);
    assert_eq!(r[0], 0.0);
    assert_eq!(r[1], 5.0);
}
