//! `synaptune optimize`: fit synaptic parameters to target metrics.

use crate::cli::OptimizeArgs;
use crate::model::tuner;
use crate::output::{print_json, print_text};
use crate::parse::{name_value, range};
use crate::plots::{plot_fit, pulse_marks};
use crate::progress::Progress;
use crate::report::obj;
use anyhow::{anyhow, Result};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tuner_opt::{
    Bound, Init, Method, OptimizationResult, OptimizeOptions, SynapseOptimizer, SynapseTuner,
};

/// The fit the flags ask for.
fn options(a: &OptimizeArgs) -> Result<OptimizeOptions> {
    let targets = a
        .targets
        .iter()
        .map(|s| name_value(s, "--target", "induction=-0.6"))
        .collect::<Result<Vec<_>>>()?;
    let weights = a
        .weights
        .iter()
        .map(|s| name_value(s, "--weight", "ppr=3"))
        .collect::<Result<Vec<_>>>()?;
    let mut bounds = Vec::new();
    for s in &a.bounds {
        let (k, r) = s
            .split_once('=')
            .ok_or_else(|| anyhow!("--bound `{s}`: expected NAME=LO:HI, e.g. Dep=0:800"))?;
        let (lo, hi) = range(r, "--bound")?;
        bounds.push(Bound {
            name: k.trim().to_string(),
            lo,
            hi,
        });
    }
    let method: Method = a
        .method
        .parse()
        .map_err(|e: String| anyhow!("--method: {e}"))?;
    Ok(OptimizeOptions {
        targets,
        weights,
        bounds,
        single_event: a.single_event || a.no_train,
        train: !a.no_train,
        freq: a.freq,
        delay: a.delay,
        method,
        init: if a.init == "random" {
            Init::Random
        } else {
            Init::Middle
        },
        seed: a.seed,
        starts: a.starts,
        max_evaluations: a.max_evaluations,
        lanes: a.lanes,
        ..OptimizeOptions::default()
    })
}

pub fn optimize(a: OptimizeArgs) -> Result<()> {
    let t = tuner(&a.model, &a.common)?;
    let opts = options(&a)?;
    let prog = Progress::new(a.max_evaluations as u64, "simulations");
    let tick = |_n: usize| prog.tick();
    let start = Instant::now();
    let r = SynapseOptimizer::new(&t, opts)?
        .with_progress(&tick)
        .run()?;
    prog.finish();
    let elapsed = start.elapsed();
    if let Some(p) = &a.plot {
        let mut best = t.clone();
        for (k, v) in &r.optimal_params {
            best.set_param(k, *v)?;
        }
        let tr = best.train(a.freq, a.delay)?;
        let g = &t.settings().general;
        let marks = pulse_marks(&tr.traces, g.delay, g.dt);
        let name = &t.connection().name;
        plot_fit(
            p,
            name,
            &r,
            &tr.traces,
            a.freq,
            (t.vclamp(), g.tstart - 10.0, marks),
        )?;
    }
    if a.common.json {
        print_json(&result_json(&t, &r, elapsed))
    } else {
        print_text(&result_text(&t, &r, elapsed))
    }
}

fn result_json(t: &SynapseTuner, r: &OptimizationResult, elapsed: Duration) -> Value {
    let history: Vec<Value> = r
        .history
        .iter()
        .map(|e| json!({"params": obj(&e.params), "metrics": obj(&e.metrics), "error": e.error}))
        .collect();
    json!({
        "connection": t.connection().name,
        "method": r.method,
        "optimal_params": obj(&r.optimal_params),
        "achieved_metrics": obj(&r.achieved_metrics),
        "target_metrics": obj(&r.target_metrics),
        "error": r.error,
        "n_evaluations": r.n_evaluations,
        "n_simulations": r.n_simulations,
        "wall_time_s": elapsed.as_secs_f64(),
        "history": history,
    })
}

fn result_text(t: &SynapseTuner, r: &OptimizationResult, elapsed: Duration) -> String {
    let mut s = format!(
        "{} fitted with {} in {} evaluations ({} simulations, {:.2} s): cost {:.3e}\n",
        t.connection().name,
        r.method,
        r.n_evaluations,
        r.n_simulations,
        elapsed.as_secs_f64(),
        r.error
    );
    for (k, v) in &r.optimal_params {
        s.push_str(&format!("  {k:<12} {v}\n"));
    }
    for (k, target) in &r.target_metrics {
        let got = r
            .achieved_metrics
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| *v)
            .unwrap_or(f64::NAN);
        s.push_str(&format!("  {k:<12} {got:.6} (target {target})\n"));
    }
    s
}
