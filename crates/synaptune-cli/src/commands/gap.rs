//! `synaptune gap`, `gap-optimize`, `gap-sweep`: the gap-junction tuner.

use crate::cli::{Common, GapArgs, GapModelArgs, GapOptimizeArgs, GapSweepArgs};
use crate::output::{csv_text, print_json, print_text, write_atomic};
use crate::parse::range;
use crate::plot::{self, Panel, Series};
use crate::plots::plot_pair;
use crate::progress::Progress;
use anyhow::{bail, Result};
use serde_json::json;
use std::time::Instant;
use tuner_opt::{
    load_mechanisms, Budget, GapCoupling, GapJunctionOptimizer, GapJunctionTuner, GapSettings,
};

fn gap_tuner(m: &GapModelArgs, common: &Common) -> Result<GapJunctionTuner> {
    let s = match (&m.settings, &m.config) {
        (Some(p), _) => GapSettings::from_file(p)?,
        (None, Some(c)) => GapSettings::from_sonata(c, m.cells.as_deref())?,
        (None, None) => bail!("give --settings FILE or --config FILE"),
    };
    let mut reg = standard_mechanisms::registry();
    for p in common.mechanisms.iter().chain(&s.mechanisms) {
        let context = format!("loading mechanisms from {}", p.display());
        crate::model::print_notices(&load_mechanisms(&mut reg, p, &context)?);
    }
    let coupling = if m.implicit {
        GapCoupling::Implicit
    } else {
        GapCoupling::Neuron
    };
    let mut t = GapJunctionTuner::new(reg, s, m.connection.as_deref(), coupling)?;
    if let Some(text) = t.random_notice() {
        eprintln!("synaptune: notice: {text}");
    }
    t.set_budget(crate::model::budget(&m.budget, Budget::DEFAULT)?);
    t.set_cancel(Some(crate::interrupt::flag()));
    Ok(t)
}

pub fn gap(a: GapArgs) -> Result<()> {
    let t = gap_tuner(&a.model, &a.common)?;
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
    let t = gap_tuner(&a.model, &a.common)?;
    let (lo, hi) = range(&a.bounds, "--bounds")?;
    let prog = Progress::new(40, "simulations");
    let start = Instant::now();
    let tick = |_n: usize| prog.tick();
    let r = GapJunctionOptimizer::new(&t, a.target_cc, lo, hi)?
        .with_progress(&tick)
        .run()?;
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
    let t = gap_tuner(&a.model, &a.common)?;
    let (lo, hi) = range(&a.range, "--g")?;
    if a.n < 2 {
        bail!("--n must be at least 2");
    }
    if a.log && lo <= 0.0 {
        bail!("--log needs LO > 0");
    }
    // Refused before the list of conductances is even made.
    t.check_work(&t.cc_work(format!("a sweep over {} conductances", a.n), a.n as f64))?;
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
