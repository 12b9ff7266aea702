//! synaptune's side of `benches/compare_neuron/compare.py`: runs the FSI
//! example's jobs in process, each several times, and prints one JSON object
//! with the wall times (seconds) and the number of simulations per job.
//!
//! ```text
//! cargo bench --bench compare_neuron -- [--reps N] [--only a,b] [--threads N]
//! ```
//!
//! The jobs are bmtool's, with bmtool's protocol (`Convention::Bmtool`, the
//! notebook's settings: voltage clamp on), so both programs compute the same
//! numbers: the single event, the 50 Hz train with its metrics, the frequency
//! response over bmtool's 16 frequencies, the Dep2FSI STP fit, the gap
//! conductance fit (target cc 0.37) and a gap sweep of 20 conductances.
//! Two more jobs are synaptune's alone (not in `compare.py`): eight trains of
//! 20–200 Hz through `SynapseTuner::trains` (lanes, `trains_lanes`) and one
//! `train` per run on the rayon pool (`trains_alone`).
//! The tuners are built once from the settings files, untimed (as bmtool's
//! worker builds its tuner once); each job still builds its simulations. The
//! first repetition is not discarded.
//!
//! Every repetition of those jobs starts with no saved start (the tuner's
//! memo of its last run before the first event is cleared, untimed): each is
//! a first call. Two more jobs time the calls after it, as a notebook makes
//! them when a slider moves: `single_event_again` and `train_again` run the
//! single event and the 50 Hz train on a copy of the tuner whose `Use`
//! alternates between 0.4 and 0.41 from one repetition to the next (an
//! event-only parameter), after two untimed calls (the second saves the
//! start); each continues from the start the tuner saved.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;
use tuner_opt::{
    Bound, Convention, GapCoupling, GapJunctionTuner, GapSettings, Init, Method, OptimizeOptions,
    SynapseOptimizer, SynapseTuner, TunerSettings, BMTOOL_FREQUENCIES,
};

const JOBS: [&str; 10] = [
    "single_event",
    "train",
    "single_event_again",
    "train_again",
    "freq_response",
    "stp_fit",
    "gap_fit",
    "gap_sweep",
    "trains_lanes",
    "trains_alone",
];

/// The protocols of `trains_lanes` / `trains_alone`: eight trains of similar
/// length (recovery delay 250 ms).
const LANE_FREQS: [f64; 8] = [20.0, 35.0, 50.0, 100.0, 200.0, 150.0, 70.0, 40.0];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tuner() -> SynapseTuner {
    let s =
        TunerSettings::from_file(root().join("examples/fsi/settings.json")).unwrap_or_else(fail);
    SynapseTuner::new(
        standard_mechanisms::registry(),
        s,
        Some("Dep2FSI"),
        Convention::Bmtool,
    )
    .unwrap_or_else(fail)
}

fn gap_tuner() -> GapJunctionTuner {
    let g = GapSettings::from_file(root().join("examples/fsi/gap.json")).unwrap_or_else(fail);
    GapJunctionTuner::new(
        standard_mechanisms::registry(),
        g,
        None,
        GapCoupling::Neuron,
    )
    .unwrap_or_else(fail)
}

/// Run one job; returns (number of simulations, a result to print).
fn job(name: &str, t: &SynapseTuner, gt: &GapJunctionTuner) -> (usize, Value) {
    match name {
        "single_event" | "single_event_again" => {
            let r = t.single_event().unwrap_or_else(fail);
            (1, json!({ "amp_nA": r.kinetics.amp }))
        }
        "train" | "train_again" => {
            let r = t.train(50.0, 250.0).unwrap_or_else(fail);
            (
                1,
                json!({ "ppr": r.metrics.stp_initial_p90, "induction": r.metrics.induction_p90, "recovery": r.metrics.recovery_p90 }),
            )
        }
        "freq_response" => {
            let r = t
                .freq_response(&BMTOOL_FREQUENCIES, 250.0, &|| {})
                .unwrap_or_else(fail);
            (BMTOOL_FREQUENCIES.len(), json!({ "n": r.ppr.len() }))
        }
        "stp_fit" => {
            let b = |name: &str, lo: f64, hi: f64| Bound {
                name: name.into(),
                lo,
                hi,
            };
            let opts = OptimizeOptions {
                // bmtool 0.8's meanings under Convention::Bmtool.
                targets: vec![("induction".into(), -0.97), ("ppr".into(), -0.1)],
                bounds: vec![
                    b("Dep", 0.0, 800.0),
                    b("Fac", 0.0, 100.0),
                    b("Use", 0.1, 1.0),
                ],
                method: Method::Lm,
                init: Init::Middle,
                ..OptimizeOptions::default()
            };
            let r = SynapseOptimizer::new(t, opts)
                .unwrap_or_else(fail)
                .run()
                .unwrap_or_else(fail);
            (
                r.n_simulations,
                json!({ "error": r.error, "params": r.optimal_params }),
            )
        }
        "gap_fit" => {
            let r = tuner_opt::GapJunctionOptimizer::new(gt, 0.37, 1e-4, 1e-2)
                .and_then(|o| o.run())
                .unwrap_or_else(fail);
            (
                r.n_simulations,
                json!({ "g": r.optimal_g, "cc": r.achieved_cc }),
            )
        }
        "gap_sweep" => {
            let gs: Vec<f64> = (0..20)
                .map(|k| 10f64.powf(-4.0 + 2.0 * k as f64 / 19.0))
                .collect();
            let cc = gt.sweep(&gs, &|| {}).unwrap_or_else(fail);
            (gs.len(), json!({ "cc_first": cc[0], "cc_last": cc[19] }))
        }
        "trains_lanes" => {
            let p: Vec<(f64, f64)> = LANE_FREQS.iter().map(|&f| (f, 250.0)).collect();
            let r = t.trains(&p).unwrap_or_else(fail);
            (p.len(), json!({ "ppr_first": r[0].metrics.ppr }))
        }
        "trains_alone" => {
            use rayon::prelude::*;
            let r: Vec<_> = LANE_FREQS
                .par_iter()
                .map(|&f| t.train(f, 250.0).unwrap_or_else(fail))
                .collect();
            (r.len(), json!({ "ppr_first": r[0].metrics.ppr }))
        }
        _ => unreachable!("jobs are checked in main"),
    }
}

fn main() {
    let mut reps = 5usize;
    let mut only: Vec<String> = JOBS.iter().map(|s| s.to_string()).collect();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--reps" => {
                reps = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--only" => {
                only = args
                    .next()
                    .unwrap_or_else(|| usage())
                    .split(',')
                    .map(|s| s.to_string())
                    .collect()
            }
            "--threads" => {
                let n: usize = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage());
                if let Err(e) = rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build_global()
                {
                    eprintln!("compare_neuron: thread pool: {e}");
                    std::process::exit(2);
                }
            }
            // `cargo bench` passes `--bench`; anything else is ignored too.
            _ => {}
        }
    }
    if let Some(bad) = only.iter().find(|j| !JOBS.contains(&j.as_str())) {
        eprintln!(
            "compare_neuron: unknown job `{bad}`; jobs: {}",
            JOBS.join(", ")
        );
        std::process::exit(2);
    }
    let mut out = serde_json::Map::new();
    for name in &only {
        let mut times = Vec::new();
        let mut sims = 0;
        let mut result = Value::Null;
        // Built once, untimed, as the bmtool worker builds its tuner.
        let t0 = Instant::now();
        let (t, gt) = (tuner(), gap_tuner());
        let setup = t0.elapsed().as_secs_f64();
        let again = name.ends_with("_again");
        if again {
            job(name, &t, &gt);
            job(name, &t, &gt);
        }
        for rep in 0..reps {
            let moved = again.then(|| slider(&t, rep));
            if !again {
                t.clear_saved_starts();
            }
            let t0 = Instant::now();
            let (n, r) = job(name, moved.as_ref().unwrap_or(&t), &gt);
            times.push(t0.elapsed().as_secs_f64());
            sims = n;
            result = r;
        }
        eprintln!(
            "{name:<14} min {:9.4} s  median {:9.4} s  ({sims} simulations)",
            times.iter().cloned().fold(f64::INFINITY, f64::min),
            median(&times)
        );
        out.insert(
            name.clone(),
            json!({ "times_s": times, "simulations": sims, "result": result, "setup_s": setup }),
        );
    }
    out.insert("threads".into(), json!(rayon::current_num_threads()));
    println!("{}", Value::Object(out));
}

/// A copy of `t` (sharing its saved starts) with `Use` moved as a slider
/// would move it between two calls.
fn slider(t: &SynapseTuner, rep: usize) -> SynapseTuner {
    let mut c = t.clone();
    let u = if rep.is_multiple_of(2) { 0.41 } else { 0.4 };
    c.set_param("Use", u).unwrap_or_else(fail);
    c
}

/// Report a typed error from the tuners and stop (exit 1, no panic).
fn fail<T>(e: impl std::fmt::Display) -> T {
    eprintln!("compare_neuron: {e}");
    std::process::exit(1)
}

fn usage() -> ! {
    eprintln!("usage: compare_neuron [--reps N] [--only a,b] [--threads N]");
    std::process::exit(2)
}

fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
