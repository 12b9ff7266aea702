//! `synaptune optimize`, `gap`, `gap-optimize`, `gap-sweep`.

use super::tune::{plot_run, pulse_marks, tuner, Progress};
use crate::cli::{GapArgs, GapModelArgs, GapOptimizeArgs, GapSweepArgs, OptimizeArgs};
use crate::output::{csv_text, print_json, print_text, write_atomic};
use crate::plot::{self, Panel, Series};
use anyhow::{anyhow, bail, Result};
use serde_json::{json, Map, Value};
use std::time::Instant;
use tuner_opt::{
    Bound, GapCoupling, GapJunctionTuner, GapSettings, Init, Method, OptimizeOptions,
    SynapseOptimizer,
};

fn pair(s: &str, flag: &str, example: &str) -> Result<(String, f64)> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| anyhow!("{flag} `{s}`: expected NAME=VALUE, e.g. {example}"))?;
    let v: f64 = v
        .trim()
        .parse()
        .map_err(|_| anyhow!("{flag} `{s}`: `{v}` is not a number"))?;
    Ok((k.trim().to_string(), v))
}

fn range(s: &str, flag: &str) -> Result<(f64, f64)> {
    let (a, b) = s
        .split_once(':')
        .ok_or_else(|| anyhow!("{flag} `{s}`: expected LO:HI"))?;
    let lo: f64 = a
        .trim()
        .parse()
        .map_err(|_| anyhow!("{flag} `{s}`: `{a}` is not a number"))?;
    let hi: f64 = b
        .trim()
        .parse()
        .map_err(|_| anyhow!("{flag} `{s}`: `{b}` is not a number"))?;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        bail!("{flag} `{s}`: need finite LO < HI");
    }
    Ok((lo, hi))
}

fn obj(v: &[(String, f64)]) -> Value {
    let mut m = Map::new();
    for (k, x) in v {
        m.insert(k.clone(), json!(x));
    }
    Value::Object(m)
}

pub fn optimize(a: OptimizeArgs) -> Result<()> {
    let t = tuner(&a.model, &a.common)?;
    let targets = a
        .targets
        .iter()
        .map(|s| pair(s, "--target", "induction=-0.6"))
        .collect::<Result<Vec<_>>>()?;
    let weights = a
        .weights
        .iter()
        .map(|s| pair(s, "--weight", "ppr=3"))
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
    let opts = OptimizeOptions {
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
        ..OptimizeOptions::default()
    };
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
        let costs: Vec<f64> = r
            .history
            .iter()
            .map(|e| e.error.max(1e-300).log10())
            .collect();
        let idx: Vec<f64> = (1..=costs.len()).map(|i| i as f64).collect();
        let mut running = f64::INFINITY;
        let best_so_far: Vec<f64> = r
            .history
            .iter()
            .map(|e| {
                running = running.min(e.error);
                running.max(1e-300).log10()
            })
            .collect();
        let conv = Panel {
            title: "Cost per simulation".into(),
            xlabel: "simulation".into(),
            ylabel: "log10(cost)".into(),
            series: vec![
                Series {
                    label: "cost".into(),
                    x: &idx,
                    y: costs,
                },
                Series {
                    label: "best so far".into(),
                    x: &idx,
                    y: best_so_far,
                },
            ],
            marks: Vec::new(),
            log_x: false,
            points: true,
        };
        // The final train goes to a second file next to the convergence plot.
        plot::write(
            p,
            &format!(
                "{}: optimisation ({}, {} simulations)",
                t.connection().name,
                r.method,
                r.n_evaluations
            ),
            &[conv],
        )?;
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let ext = p
            .extension()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "svg".into());
        let final_path = p.with_file_name(format!("{stem}_final.{ext}"));
        let g = &t.settings().general;
        plot_run(
            &final_path,
            &format!(
                "{}: fitted parameters, {} Hz train",
                t.connection().name,
                a.freq
            ),
            &tr.traces,
            t.vclamp(),
            g.tstart - 10.0,
            pulse_marks(&tr.traces, g.delay, g.dt),
        )?;
    }
    if a.common.json {
        let history: Vec<Value> = r
            .history
            .iter()
            .map(
                |e| json!({"params": obj(&e.params), "metrics": obj(&e.metrics), "error": e.error}),
            )
            .collect();
        print_json(&json!({
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
        }))?;
    } else {
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
        print_text(&s)?;
    }
    Ok(())
}

fn gap_tuner(m: &GapModelArgs) -> Result<GapJunctionTuner> {
    let reg = standard_mechanisms::registry();
    let s = GapSettings::from_file(&m.settings)?;
    let coupling = if m.implicit {
        GapCoupling::Implicit
    } else {
        GapCoupling::Neuron
    };
    Ok(GapJunctionTuner::new(
        reg,
        s,
        m.connection.as_deref(),
        coupling,
    )?)
}

fn plot_pair(
    path: &std::path::Path,
    title: &str,
    t: &GapJunctionTuner,
    run: &tuner_opt::GapRun,
) -> Result<()> {
    let g = &t.settings().general;
    let (x0, x1) = (g.tstart - 100.0, g.tstart + g.tdur + 100.0);
    let keep: Vec<usize> = (0..run.t.len())
        .filter(|&i| run.t[i] >= x0 && run.t[i] <= x1)
        .step_by(4)
        .collect();
    let x: Vec<f64> = keep.iter().map(|&i| run.t[i]).collect();
    let panel = Panel {
        title: format!("g = {} µS, coupling {:.4}", run.g, run.coupling_coefficient),
        xlabel: "t (ms)".into(),
        ylabel: "v (mV)".into(),
        series: vec![
            Series {
                label: "cell 1 (injected)".into(),
                x: &x,
                y: keep.iter().map(|&i| run.v1[i]).collect(),
            },
            Series {
                label: "cell 2".into(),
                x: &x,
                y: keep.iter().map(|&i| run.v2[i]).collect(),
            },
        ],
        marks: Vec::new(),
        log_x: false,
        points: false,
    };
    plot::write(path, title, &[panel])
}

pub fn gap(a: GapArgs) -> Result<()> {
    let t = gap_tuner(&a.model)?;
    let g = match (a.g, a.resistance) {
        (Some(g), _) => g,
        (None, Some(r)) => {
            eprintln!("synaptune: note: --resistance is bmtool's name for the Gap's conductance g (µS); using g = {r}");
            r
        }
        _ => bail!("give --g G (µS)"),
    };
    let run = t.run(g)?;
    if let Some(p) = &a.traces {
        write_atomic(
            p,
            csv_text(
                &["t".into(), "v1".into(), "v2".into()],
                &[run.t.clone(), run.v1.clone(), run.v2.clone()],
            )
            .as_bytes(),
        )?;
    }
    if let Some(p) = &a.plot {
        plot_pair(
            p,
            &format!("{}: gap junction", t.connection().name),
            &t,
            &run,
        )?;
    }
    if a.common.json {
        print_json(
            &json!({"connection": t.connection().name, "g": g, "coupling_coefficient": run.coupling_coefficient, "iclamp_amp": t.iclamp_amp()}),
        )?;
    } else {
        print_text(&format!(
            "{}: g = {} µS, coupling coefficient {:.6}\n",
            t.connection().name,
            g,
            run.coupling_coefficient
        ))?;
    }
    Ok(())
}

pub fn gap_optimize(a: GapOptimizeArgs) -> Result<()> {
    let t = gap_tuner(&a.model)?;
    let (lo, hi) = range(&a.bounds, "--bounds")?;
    let prog = Progress::new(40, "simulations");
    let start = Instant::now();
    let r = t.optimize(a.target_cc, lo, hi, &|| prog.tick())?;
    prog.finish();
    let elapsed = start.elapsed();
    if let Some(p) = &a.plot {
        let run = t.run(r.optimal_g)?;
        plot_pair(
            p,
            &format!(
                "{}: g = {:.6} µS for coupling {}",
                t.connection().name,
                r.optimal_g,
                a.target_cc
            ),
            &t,
            &run,
        )?;
    }
    if a.common.json {
        print_json(&json!({
            "connection": t.connection().name,
            "optimal_g": r.optimal_g,
            "achieved_cc": r.achieved_cc,
            "target_cc": r.target_cc,
            "error": r.error,
            "n_simulations": r.n_simulations,
            "wall_time_s": elapsed.as_secs_f64(),
            "history": r.history,
        }))?;
    } else {
        print_text(&format!(
            "{}: g = {} µS gives coupling {:.6} (target {}) after {} simulations ({:.2} s)\n",
            t.connection().name,
            r.optimal_g,
            r.achieved_cc,
            r.target_cc,
            r.n_simulations,
            elapsed.as_secs_f64()
        ))?;
    }
    Ok(())
}

pub fn gap_sweep(a: GapSweepArgs) -> Result<()> {
    let t = gap_tuner(&a.model)?;
    let (lo, hi) = range(&a.range, "--g")?;
    if a.n < 2 {
        bail!("--n must be at least 2");
    }
    if a.log && lo <= 0.0 {
        bail!("--log needs LO > 0");
    }
    let gs: Vec<f64> = (0..a.n)
        .map(|i| {
            let f = i as f64 / (a.n - 1) as f64;
            if a.log {
                10f64.powf(lo.log10() + f * (hi.log10() - lo.log10()))
            } else {
                lo + f * (hi - lo)
            }
        })
        .collect();
    let prog = Progress::new(gs.len() as u64, "conductances");
    let start = Instant::now();
    let cc = t.sweep(&gs, &|| prog.tick())?;
    prog.finish();
    let elapsed = start.elapsed();
    if let Some(p) = &a.plot {
        let panel = Panel {
            title: "Coupling coefficient".into(),
            xlabel: "g (µS)".into(),
            ylabel: "coupling".into(),
            series: vec![Series {
                label: "cc".into(),
                x: &gs,
                y: cc.clone(),
            }],
            marks: Vec::new(),
            log_x: a.log,
            points: true,
        };
        plot::write(
            p,
            &format!("{}: gap-junction sweep", t.connection().name),
            &[panel],
        )?;
    }
    if a.common.json {
        print_json(
            &json!({"connection": t.connection().name, "g": gs, "coupling_coefficient": cc, "wall_time_s": elapsed.as_secs_f64()}),
        )?;
    } else {
        let mut s = format!(
            "{}: {:>14} {:>12}\n",
            t.connection().name,
            "g (µS)",
            "coupling"
        );
        for (g, c) in gs.iter().zip(&cc) {
            s.push_str(&format!("  {g:>14.6e} {c:>12.6}\n"));
        }
        print_text(&s)?;
    }
    Ok(())
}
