//! The synapse optimiser: the notebook's Dep2FSI fit, synthetic problems with
//! known optima for every method, determinism, errors.

use std::path::PathBuf;
use tuner_opt::*;

fn tuner(conn: &str, conv: Convention) -> SynapseTuner {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fsi/settings.json");
    SynapseTuner::new(
        standard_mechanisms::registry(),
        TunerSettings::from_file(p).unwrap(),
        Some(conn),
        conv,
    )
    .unwrap()
}

fn dep2fsi_fit(method: Method) -> OptimizationResult {
    dep2fsi_fit_lanes(method, FIT_LANES, 500)
}

fn dep2fsi_fit_lanes(method: Method, lanes: usize, max_evaluations: usize) -> OptimizationResult {
    let t = tuner("Dep2FSI", Convention::Default);
    let opts = OptimizeOptions {
        targets: vec![("induction".into(), -0.6), ("ppr".into(), 0.8)],
        weights: vec![("ppr".into(), 3.0)],
        bounds: vec![
            Bound {
                name: "Dep".into(),
                lo: 0.0,
                hi: 800.0,
            },
            Bound {
                name: "Fac".into(),
                lo: 0.0,
                hi: 100.0,
            },
            Bound {
                name: "Use".into(),
                lo: 0.1,
                hi: 1.0,
            },
        ],
        method,
        lanes,
        max_evaluations,
        ..OptimizeOptions::default()
    };
    SynapseOptimizer::new(&t, opts).unwrap().run().unwrap()
}

/// Every evaluation's parameters, metrics and cost, as bits.
fn history_bits(r: &OptimizationResult) -> Vec<Vec<u64>> {
    r.history
        .iter()
        .map(|e| {
            let mut b: Vec<u64> = e.params.iter().map(|(_, v)| v.to_bits()).collect();
            b.extend(e.metrics.iter().map(|(_, v)| v.to_bits()));
            b.push(e.error.to_bits());
            b
        })
        .collect()
}

/// Trains in lanes (a swarm's rounds shared among the threads two
/// evaluations per simulation, continued from a start saved in two lanes)
/// change nothing: the history, bit for bit, and the simulations run are those
/// of one simulation per evaluation.
#[test]
fn lanes_change_no_evaluation() {
    assert_eq!(FIT_LANES, 2);
    let one = dep2fsi_fit_lanes(Method::ParticleSwarm, 1, 60);
    let two = dep2fsi_fit_lanes(Method::ParticleSwarm, 2, 60);
    assert!(one.history.len() >= 40, "{} evaluations", one.history.len());
    assert_eq!(history_bits(&one), history_bits(&two));
    assert_eq!(one.optimal_params, two.optimal_params);
    assert_eq!(one.n_simulations, two.n_simulations);
}

#[test]
fn the_notebooks_dep2fsi_fit_reaches_a_tiny_cost() {
    let r = dep2fsi_fit(Method::Lm);
    println!(
        "lm: cost {:.3e} after {} simulations; params {:?}; metrics induction {:?} ppr {:?}",
        r.error,
        r.n_evaluations,
        r.optimal_params,
        r.achieved_metrics.iter().find(|(k, _)| k == "induction"),
        r.achieved_metrics.iter().find(|(k, _)| k == "ppr")
    );
    assert!(r.error < 1e-6, "cost {}", r.error);
    assert_eq!(r.history.len(), r.n_evaluations);
    for (name, v) in &r.optimal_params {
        let (lo, hi) = match name.as_str() {
            "Dep" => (0.0, 800.0),
            "Fac" => (0.0, 100.0),
            _ => (0.1, 1.0),
        };
        assert!((lo..=hi).contains(v), "{name} = {v} outside its bounds");
    }
    // The final parameters do give the metrics reported.
    let mut t = tuner("Dep2FSI", Convention::Default);
    for (k, v) in &r.optimal_params {
        t.set_param(k, *v).unwrap();
    }
    let m = t.train(50.0, 250.0).unwrap().metrics;
    assert!(((m.induction + 0.6).powi(2) + 3.0 * (m.ppr - 0.8).powi(2)) < 1e-6);
}

#[test]
fn the_gradient_method_also_converges() {
    let r = dep2fsi_fit(Method::Gradient);
    println!(
        "gradient: cost {:.3e} after {} simulations",
        r.error, r.n_evaluations
    );
    assert!(r.error < 1e-6, "cost {}", r.error);
}

/// Targets made from known parameters (Use 0.3, Dep 150 ms): every method must
/// find parameters that reproduce them.
fn synthetic(method: Method, init: Init, seed: u64, budget: usize) -> (OptimizationResult, f64) {
    let mut t = tuner("Dep2FSI", Convention::Default);
    t.set_param("Use", 0.3).unwrap();
    t.set_param("Dep", 150.0).unwrap();
    let truth = t.train(50.0, 250.0).unwrap().metrics;
    let opts = OptimizeOptions {
        targets: vec![
            ("ppr".into(), truth.ppr),
            ("induction".into(), truth.induction),
        ],
        bounds: vec![
            Bound {
                name: "Use".into(),
                lo: 0.1,
                hi: 0.9,
            },
            Bound {
                name: "Dep".into(),
                lo: 20.0,
                hi: 400.0,
            },
        ],
        method,
        init,
        seed,
        max_evaluations: budget,
        ..OptimizeOptions::default()
    };
    let r = SynapseOptimizer::new(&t, opts).unwrap().run().unwrap();
    let dist = {
        let u = r.optimal_params.iter().find(|(k, _)| k == "Use").unwrap().1;
        let d = r.optimal_params.iter().find(|(k, _)| k == "Dep").unwrap().1;
        ((u - 0.3) / 0.3).abs().max(((d - 150.0) / 150.0).abs())
    };
    (r, dist)
}

#[test]
fn every_method_recovers_known_parameters() {
    for (m, budget, cost_tol, dist_tol) in [
        (Method::Lm, 100, 1e-12, 1e-3),
        (Method::Gradient, 150, 1e-8, 1e-2),
        (Method::NelderMead, 150, 1e-5, 5e-2),
        (Method::ParticleSwarm, 240, 1e-10, 1e-3),
    ] {
        let (r, dist) = synthetic(m, Init::Middle, 1, budget);
        println!(
            "{:?}: cost {:.2e}, {} simulations, max relative parameter error {:.2e}",
            m, r.error, r.n_evaluations, dist
        );
        assert!(r.error < cost_tol, "{m:?}: cost {}", r.error);
        assert!(dist < dist_tol, "{m:?}: parameters {:?}", r.optimal_params);
        assert!(
            r.n_evaluations <= budget + 8,
            "{m:?} used {} simulations",
            r.n_evaluations
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_result() {
    let (a, _) = synthetic(Method::ParticleSwarm, Init::Random, 7, 60);
    let (b, _) = synthetic(Method::ParticleSwarm, Init::Random, 7, 60);
    let (c, _) = synthetic(Method::ParticleSwarm, Init::Random, 8, 60);
    assert_eq!(a.history, b.history);
    assert_ne!(a.history, c.history);
    let (a, _) = synthetic(Method::Lm, Init::Random, 3, 30);
    let (b, _) = synthetic(Method::Lm, Init::Random, 3, 30);
    assert_eq!(a.history, b.history);
    assert_ne!(
        a.history[0].params,
        synthetic(Method::Lm, Init::Middle, 3, 1).0.history[0].params
    );
}

#[test]
fn a_custom_cost_is_minimised() {
    let t = tuner("Dep2FSI", Convention::Default);
    let opts = OptimizeOptions {
        targets: vec![("ppr".into(), 0.7)],
        bounds: vec![Bound {
            name: "Use".into(),
            lo: 0.1,
            hi: 0.9,
        }],
        max_evaluations: 60,
        ..OptimizeOptions::default()
    };
    // |ppr − target| instead of the square.
    let r = SynapseOptimizer::new(&t, opts)
        .unwrap()
        .with_cost(Box::new(|m, targets| {
            let ppr = m.iter().find(|(k, _)| k == "ppr").unwrap().1;
            (ppr - targets[0].1).abs()
        }))
        .run()
        .unwrap();
    assert_eq!(r.method, "gradient");
    assert!(r.error < 1e-4, "cost {}", r.error);
}

#[test]
fn bmtools_default_cost_counts_induction_only() {
    let t = tuner("Dep2FSI", Convention::Bmtool);
    let opts = OptimizeOptions {
        targets: vec![("induction".into(), -0.5), ("ppr".into(), 123.0)],
        bounds: vec![Bound {
            name: "Use".into(),
            lo: 0.1,
            hi: 0.9,
        }],
        max_evaluations: 40,
        ..OptimizeOptions::default()
    };
    let r = SynapseOptimizer::new(&t, opts).unwrap().run().unwrap();
    let ind = r
        .achieved_metrics
        .iter()
        .find(|(k, _)| k == "induction")
        .unwrap()
        .1;
    assert!(
        (r.error - (ind + 0.5).powi(2)).abs() < 1e-15,
        "the absurd ppr target is ignored"
    );
}

#[test]
fn bad_requests_are_refused() {
    let t = tuner("Dep2FSI", Convention::Default);
    let base = OptimizeOptions {
        targets: vec![("induction".into(), -0.5)],
        bounds: vec![Bound {
            name: "Use".into(),
            lo: 0.1,
            hi: 0.9,
        }],
        ..OptimizeOptions::default()
    };
    let err = |o: OptimizeOptions| {
        SynapseOptimizer::new(&t, o)
            .err()
            .expect("refused")
            .to_string()
    };
    assert!(err(OptimizeOptions {
        bounds: vec![],
        ..base.clone()
    })
    .contains("no parameters"));
    assert!(err(OptimizeOptions {
        targets: vec![],
        ..base.clone()
    })
    .contains("no targets"));
    assert!(err(OptimizeOptions {
        targets: vec![("rise_time".into(), 1.0)],
        ..base.clone()
    })
    .contains("needs the single event"));
    assert!(err(OptimizeOptions {
        targets: vec![("pprr".into(), 1.0)],
        ..base.clone()
    })
    .contains("available"));
    assert!(err(OptimizeOptions {
        bounds: vec![Bound {
            name: "Use".into(),
            lo: 0.9,
            hi: 0.1
        }],
        ..base.clone()
    })
    .contains("lo < hi"));
    assert!(err(OptimizeOptions {
        bounds: vec![Bound {
            name: "Usee".into(),
            lo: 0.1,
            hi: 0.9
        }],
        ..base.clone()
    })
    .contains("no parameter `Usee`"));
    assert!(err(OptimizeOptions {
        train: false,
        single_event: false,
        ..base
    })
    .contains("nothing to simulate"));
}

/// Levenberg–Marquardt runs the next Jacobian's first points ahead of need on
/// idle threads; those enter the history only when the search asks for them,
/// so one thread and three give the same history, bit for bit.
#[test]
fn running_ahead_does_not_change_the_search() {
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| dep2fsi_fit(Method::Lm))
    };
    let (one, three) = (run(1), run(3));
    assert_eq!(
        one.n_evaluations, one.n_simulations,
        "one thread runs nothing ahead"
    );
    assert!(
        three.n_simulations > three.n_evaluations,
        "three threads run points ahead"
    );
    assert_eq!(one.n_evaluations, three.n_evaluations);
    assert_eq!(one.history.len(), three.history.len());
    for (a, b) in one.history.iter().zip(&three.history) {
        assert_eq!(a.params, b.params);
        assert_eq!(a.error.to_bits(), b.error.to_bits());
        assert_eq!(a.metrics, b.metrics);
    }
    assert_eq!(one.optimal_params, three.optimal_params);
}
