//! The figures the commands write (`--plot FILE.svg|png`): a run's traces with
//! numbered pulses, the frequency response, a gap-junction pair, an
//! optimisation's convergence. Drawn with [`crate::plot`].

use crate::plot::{self, Mark, Panel, Series};
use anyhow::Result;
use std::path::Path;
use tuner_opt::{FreqResponse, GapJunctionTuner, GapRun, OptimizationResult, Traces};

/// Min/max decimation of (x, y) within [x0, x1] to at most ~2·n points (keeps peaks).
fn decimate(x: &[f64], y: &[f64], x0: f64, x1: f64, n: usize) -> (Vec<f64>, Vec<f64>) {
    let idx: Vec<usize> = (0..x.len()).filter(|&i| x[i] >= x0 && x[i] <= x1).collect();
    if idx.len() <= 2 * n {
        return (
            idx.iter().map(|&i| x[i]).collect(),
            idx.iter().map(|&i| y[i]).collect(),
        );
    }
    let per = idx.len().div_ceil(n);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for chunk in idx.chunks(per) {
        let (mut lo, mut hi) = (chunk[0], chunk[0]);
        for &i in chunk {
            if y[i] < y[lo] {
                lo = i;
            }
            if y[i] > y[hi] {
                hi = i;
            }
        }
        for i in if lo <= hi { [lo, hi] } else { [hi, lo] } {
            xs.push(x[i]);
            ys.push(y[i]);
        }
    }
    (xs, ys)
}

/// Plot a run: synaptic current (with pulse marks), clamp current (voltage-clamp
/// mode) or soma voltage, one panel per extra variable; from `x0` to the end.
pub fn plot_run(
    path: &std::path::Path,
    title: &str,
    tr: &Traces,
    vclamp: bool,
    x0: f64,
    marks: Vec<Mark>,
) -> Result<()> {
    let pa = |v: &[f64]| v.iter().map(|x| x * 1000.0).collect::<Vec<f64>>();
    // (title, y label, trace): decimated below so plots stay small.
    let mut rows: Vec<(String, String, Vec<f64>)> =
        vec![("Synaptic current".into(), "i (pA)".into(), pa(&tr.i_syn))];
    match (&tr.i_clamp, vclamp) {
        (Some(c), true) => rows.push(("Clamp current at the soma".into(), "i (pA)".into(), pa(c))),
        _ => rows.push(("Soma voltage".into(), "v (mV)".into(), tr.soma_v.clone())),
    }
    for (n, v) in &tr.extras {
        rows.push((n.clone(), n.clone(), v.clone()));
    }
    let dec: Vec<(Vec<f64>, Vec<f64>)> = rows
        .iter()
        .map(|(_, _, y)| decimate(&tr.t, y, x0, tr.tstop, 2000))
        .collect();
    let mut marks = Some(marks);
    let panels: Vec<Panel> = rows
        .into_iter()
        .zip(&dec)
        .map(|((title, ylabel, _), (xs, ys))| Panel {
            series: vec![Series {
                label: title.clone(),
                x: xs,
                y: ys.clone(),
            }],
            title,
            xlabel: "t (ms)".into(),
            ylabel,
            marks: marks.take().unwrap_or_default(),
            log_x: false,
            points: false,
        })
        .collect();
    plot::write(path, title, &panels)
}

/// Marks at each pulse's peak on the synaptic current (pA), numbered from 1;
/// windows as the amplitude analysis takes them (event + delay to the next).
pub fn pulse_marks(tr: &Traces, delay: f64, dt: f64) -> Vec<Mark> {
    stp_analysis::pulse_peaks(&tr.i_syn, &tr.spikes, delay, dt)
        .into_iter()
        .enumerate()
        .filter_map(|(k, j)| {
            j.map(|j| Mark {
                x: tr.t[j],
                y: tr.i_syn[j] * 1000.0,
                text: format!(" {}", k + 1),
            })
        })
        .collect()
}

/// The three-panel frequency-response plot.
pub fn plot_freq_response(path: &Path, name: &str, r: &FreqResponse) -> Result<()> {
    let panel = |title: &str, y: &[f64]| Panel {
        title: title.into(),
        xlabel: "frequency (Hz)".into(),
        ylabel: title.into(),
        series: vec![Series {
            label: title.into(),
            x: &r.frequencies,
            y: y.to_vec(),
        }],
        marks: Vec::new(),
        log_x: true,
        points: true,
    };
    plot::write(
        path,
        &format!("{name}: frequency response ({} ms recovery)", r.delay),
        &[
            panel("PPR (a2/a1)", &r.ppr),
            panel("induction", &r.induction),
            panel("recovery", &r.recovery),
        ],
    )
}

/// Both soma voltages of a gap-junction pair around the current step.
pub fn plot_pair(path: &Path, title: &str, t: &GapJunctionTuner, run: &GapRun) -> Result<()> {
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

/// The cost of every simulation of a fit and the best so far (log10), to
/// `path`; the final train, `train`, to `<stem>_final.<ext>` beside it.
pub fn plot_fit(
    path: &Path,
    name: &str,
    r: &OptimizationResult,
    train: &Traces,
    freq: f64,
    (vclamp, x0, marks): (bool, f64, Vec<Mark>),
) -> Result<()> {
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
    plot::write(
        path,
        &format!(
            "{name}: optimisation ({}, {} simulations)",
            r.method, r.n_evaluations
        ),
        &[conv],
    )?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "svg".into());
    let final_path = path.with_file_name(format!("{stem}_final.{ext}"));
    plot_run(
        &final_path,
        &format!("{name}: fitted parameters, {freq} Hz train"),
        train,
        vclamp,
        x0,
        marks,
    )
}
