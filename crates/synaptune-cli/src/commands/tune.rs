//! The synapse-tuner commands: single-event, train, continuous, freq-response,
//! table.

use crate::cli::{
    Common, Compat, ContinuousArgs, FreqResponseArgs, ModelArgs, OutputArgs, SingleEventArgs,
    TableArgs, TrainArgs,
};
use crate::output::{csv_text, print_json, print_text, write_atomic};
use crate::plot::{self, Mark, Panel, Series};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Map, Value};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tuner_opt::{Convention, SynapseTuner, Traces, TunerSettings, BMTOOL_FREQUENCIES};

/// A progress bar on stderr that appears only once the job has taken a second.
pub struct Progress {
    bar: indicatif::ProgressBar,
    start: Instant,
    shown: Mutex<bool>,
}

impl Progress {
    /// A bar for `n` steps with a message.
    pub fn new(n: u64, msg: &str) -> Progress {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(n),
            indicatif::ProgressDrawTarget::hidden(),
        );
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(msg.to_string());
        Progress {
            bar,
            start: Instant::now(),
            shown: Mutex::new(false),
        }
    }

    /// One step done.
    pub fn tick(&self) {
        if self.start.elapsed() > Duration::from_secs(1) {
            let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
            if !*shown {
                self.bar
                    .set_draw_target(indicatif::ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
        self.bar.inc(1);
    }

    /// Done.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Build a tuner from the model arguments.
pub fn tuner(m: &ModelArgs, common: &Common) -> Result<SynapseTuner> {
    let mut reg = super::registry(common)?;
    let mut settings = match (&m.settings, &m.config) {
        (Some(s), _) => TunerSettings::from_file(s)?,
        (None, Some(c)) => super::sonata_settings(c, m.network.as_deref(), m.cells.as_deref())?,
        (None, None) => bail!("give a model: --settings FILE or --config FILE"),
    };
    for p in &settings.mechanisms {
        for cat in mech_api::load_path(p).with_context(|| {
            format!("loading mechanisms listed in {}", settings.source.display())
        })? {
            for n in reg.add(&cat) {
                eprintln!("synaptune: notice: {n}");
            }
        }
    }
    if let Some(dir) = &m.json_folder {
        let done = settings.apply_json_folder(dir)?;
        eprintln!(
            "synaptune: updated {} connection(s) from {}",
            done.len(),
            dir.display()
        );
    }
    let conv = match m.compat {
        Compat::Default => Convention::Default,
        Compat::Bmtool => Convention::Bmtool,
    };
    let mut t = SynapseTuner::new(reg, settings, m.connection.as_deref(), conv)?;
    if m.vclamp {
        t.set_vclamp(true);
    }
    if m.no_vclamp {
        t.set_vclamp(false);
    }
    for s in &m.set {
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| anyhow!("--set `{s}`: expected NAME=VALUE, e.g. Use=0.3"))?;
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| anyhow!("--set `{s}`: `{v}` is not a number"))?;
        t.set_param(k.trim(), v)?;
    }
    t.set_extra_records(&m.record)?;
    for w in t.warnings() {
        eprintln!("synaptune: warning: {w}");
    }
    Ok(t)
}

fn header(t: &SynapseTuner) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("connection".into(), json!(t.connection().name));
    m.insert(
        "convention".into(),
        json!(match t.convention() {
            Convention::Bmtool => "bmtool",
            _ => "default",
        }),
    );
    m.insert("vclamp".into(), json!(t.vclamp()));
    m
}

fn write_traces(out: &OutputArgs, tr: &Traces) -> Result<()> {
    if let Some(p) = &out.traces {
        let (names, cols) = tr.columns();
        let owned: Vec<Vec<f64>> = cols.iter().map(|c| c.to_vec()).collect();
        write_atomic(p, csv_text(&names, &owned).as_bytes())?;
    }
    Ok(())
}

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
    let mut b: Vec<usize> = tr
        .spikes
        .iter()
        .map(|s| ((s + delay) / dt).floor().max(0.0) as usize)
        .collect();
    b.push(tr.i_syn.len());
    let base = b
        .first()
        .and_then(|&i| tr.i_syn.get(i))
        .copied()
        .unwrap_or(0.0);
    (0..b.len().saturating_sub(1))
        .filter_map(|k| {
            let (lo, hi) = (b[k].min(tr.i_syn.len()), b[k + 1].min(tr.i_syn.len()));
            (lo < hi).then(|| {
                let j = (lo..hi)
                    .max_by(|&i, &j| {
                        (tr.i_syn[i] - base)
                            .abs()
                            .total_cmp(&(tr.i_syn[j] - base).abs())
                    })
                    .unwrap();
                Mark {
                    x: tr.t[j],
                    y: tr.i_syn[j] * 1000.0,
                    text: format!(" {}", k + 1),
                }
            })
        })
        .collect()
}

fn plot_traces(
    t: &SynapseTuner,
    out: &OutputArgs,
    tr: &Traces,
    title: &str,
    x0: f64,
    marks: Vec<Mark>,
) -> Result<()> {
    match &out.plot {
        Some(p) => plot_run(p, title, tr, t.vclamp(), x0, marks),
        None => Ok(()),
    }
}

/// The JSON of a single event.
pub fn single_event_json(t: &SynapseTuner, k: &tuner_opt::Kinetics) -> Value {
    let mut m = header(t);
    if let Value::Object(o) = serde_json::to_value(k).expect("serialisable") {
        m.extend(o);
    }
    Value::Object(m)
}

/// The JSON of a train.
pub fn train_json(t: &SynapseTuner, r: &tuner_opt::TrainResult) -> Value {
    let mut m = header(t);
    m.insert("freq".into(), json!(r.freq));
    m.insert("delay".into(), json!(r.delay));
    m.insert("amplitudes_pA".into(), json!(r.amplitudes_pa));
    if let Value::Object(o) = serde_json::to_value(r.metrics).expect("serialisable") {
        m.extend(o);
    }
    Value::Object(m)
}

pub fn single_event(a: SingleEventArgs) -> Result<()> {
    let t = tuner(&a.model, &a.common)?;
    let start = Instant::now();
    let r = t.single_event()?;
    let elapsed = start.elapsed();
    write_traces(&a.out, &r.traces)?;
    let g = &t.settings().general;
    plot_traces(
        &t,
        &a.out,
        &r.traces,
        &format!("{}: single event", t.connection().name),
        g.tstart - 5.0,
        Vec::new(),
    )?;
    if a.common.json {
        print_json(&single_event_json(&t, &r.kinetics))?;
    } else {
        let k = &r.kinetics;
        print_text(&format!(
            "{} single event ({} mode)\n  baseline        {:.6} nA\n  sign            {}\n  latency         {:.4} ms\n  amplitude       {:.6} nA\n  rise time       {:.4} ms ({:.0}-{:.0} %)\n  decay tau       {:.4} ms\n  half width      {:.4} ms\n  current integral {:.4} pA·ms\n",
            t.connection().name,
            if t.vclamp() { "voltage-clamp" } else { "current" },
            k.baseline, k.sign, k.latency, k.amp, k.rise_time,
            g.rise_interval.0 * 100.0, g.rise_interval.1 * 100.0,
            k.decay_time, k.half_width, k.current_integral
        ))?;
        eprintln!("({:.1} ms)", elapsed.as_secs_f64() * 1e3);
    }
    Ok(())
}

fn metrics_text(m: &tuner_opt::StpMetrics) -> String {
    format!(
        "  ppr (a2/a1)      {:.4}\n  induction        {:.4}\n  recovery         {:.4}\n  max amplitude    {:.4} pA\n  bmtool 0.8: ppr (a2-a1)/p90 {:.4}, induction {:.4}, recovery {:.4}\n",
        m.ppr, m.induction, m.recovery, m.max_amplitude, m.stp_initial_p90, m.induction_p90, m.recovery_p90
    )
}

/// Write the traces of a pulse protocol and plot them with numbered pulses
/// (the marks are computed only when a plot is asked for).
fn output_pulse_run(t: &SynapseTuner, out: &OutputArgs, tr: &Traces, title: &str) -> Result<()> {
    write_traces(out, tr)?;
    if out.plot.is_none() {
        return Ok(());
    }
    let g = &t.settings().general;
    let marks = pulse_marks(tr, g.delay, g.dt);
    plot_traces(t, out, tr, title, g.tstart - 10.0, marks)
}

pub fn train(a: TrainArgs) -> Result<()> {
    let t = tuner(&a.model, &a.common)?;
    let start = Instant::now();
    let r = t.train(a.freq, a.delay)?;
    let elapsed = start.elapsed();
    let title = format!(
        "{}: {} Hz train, {} ms recovery",
        t.connection().name,
        a.freq,
        a.delay
    );
    output_pulse_run(&t, &a.out, &r.traces, &title)?;
    if a.common.json {
        print_json(&train_json(&t, &r))?;
    } else {
        let amps: Vec<String> = r.amplitudes_pa.iter().map(|x| format!("{x:.3}")).collect();
        print_text(&format!(
            "{} train at {} Hz, {} ms recovery delay\n  amplitudes (pA) {}\n{}",
            t.connection().name,
            a.freq,
            a.delay,
            amps.join(" "),
            metrics_text(&r.metrics)
        ))?;
        eprintln!("({:.1} ms)", elapsed.as_secs_f64() * 1e3);
    }
    Ok(())
}

pub fn continuous(a: ContinuousArgs) -> Result<()> {
    let t = tuner(&a.model, &a.common)?;
    let r = t.continuous(a.freq, a.duration)?;
    let title = format!(
        "{}: {} Hz for {} ms",
        t.connection().name,
        a.freq,
        a.duration
    );
    output_pulse_run(&t, &a.out, &r.traces, &title)?;
    if a.common.json {
        let mut m = header(&t);
        m.insert("freq".into(), json!(r.freq));
        m.insert("duration".into(), json!(r.duration));
        m.insert("amplitudes_pA".into(), json!(r.amplitudes_pa));
        print_json(&Value::Object(m))?;
    } else {
        let amps: Vec<String> = r.amplitudes_pa.iter().map(|x| format!("{x:.3}")).collect();
        print_text(&format!(
            "{} continuous input at {} Hz for {} ms\n  amplitudes (pA) {}\n",
            t.connection().name,
            a.freq,
            a.duration,
            amps.join(" ")
        ))?;
    }
    Ok(())
}

/// The three-panel frequency-response plot.
pub fn plot_freq_response(
    path: &std::path::Path,
    name: &str,
    r: &tuner_opt::FreqResponse,
) -> Result<()> {
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

pub fn freq_response(a: FreqResponseArgs) -> Result<()> {
    let t = tuner(&a.model, &a.common)?;
    let freqs = if a.freqs.is_empty() {
        BMTOOL_FREQUENCIES.to_vec()
    } else {
        a.freqs.clone()
    };
    let prog = Progress::new(freqs.len() as u64, "frequencies");
    let start = Instant::now();
    let r = t.freq_response(&freqs, a.delay, &|| prog.tick())?;
    prog.finish();
    let elapsed = start.elapsed();
    if let Some(p) = &a.plot {
        plot_freq_response(p, &t.connection().name, &r)?;
    }
    if a.common.json {
        let mut m = header(&t);
        if let Value::Object(o) = serde_json::to_value(&r)? {
            m.extend(o);
        }
        print_json(&Value::Object(m))?;
    } else {
        let mut s = format!(
            "{} frequency response ({} ms recovery delay)\n  {:>8} {:>9} {:>10} {:>10}\n",
            t.connection().name,
            a.delay,
            "Hz",
            "ppr",
            "induction",
            "recovery"
        );
        for k in 0..r.frequencies.len() {
            s.push_str(&format!(
                "  {:>8} {:>9.4} {:>10.4} {:>10.4}\n",
                r.frequencies[k], r.ppr[k], r.induction[k], r.recovery[k]
            ));
        }
        print_text(&s)?;
        eprintln!("({:.2} s)", elapsed.as_secs_f64());
    }
    Ok(())
}

const TABLE_COLUMNS: &[&str] = &[
    "rise_time",
    "decay_time",
    "latency",
    "half_width",
    "amp",
    "baseline",
    "current_integral",
    "ppr",
    "induction",
    "recovery",
    "max_amplitude_pA",
    "stp_initial_p90",
    "induction_p90",
    "recovery_p90",
];

pub fn table(a: TableArgs) -> Result<()> {
    let t = tuner(&a.model, &a.common)?;
    let rows = t.table(a.freq, a.delay);
    let mut out = Map::new();
    let mut csv_rows: Vec<Vec<f64>> = vec![Vec::new(); TABLE_COLUMNS.len()];
    let mut names = Vec::new();
    let mut failures = Vec::new();
    for (name, row) in &rows {
        match row {
            Ok((k, m)) => {
                let mut o = Map::new();
                for v in [serde_json::to_value(k)?, serde_json::to_value(m)?] {
                    if let Value::Object(x) = v {
                        o.extend(x);
                    }
                }
                for (i, c) in TABLE_COLUMNS.iter().enumerate() {
                    csv_rows[i].push(o.get(*c).and_then(Value::as_f64).unwrap_or(f64::NAN));
                }
                names.push(name.clone());
                out.insert(name.clone(), Value::Object(o));
            }
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                out.insert(name.clone(), json!({"error": e.to_string()}));
            }
        }
    }
    if let Some(p) = &a.csv {
        let mut s = String::from("connection,");
        s.push_str(&TABLE_COLUMNS.join(","));
        s.push('\n');
        for (r, n) in names.iter().enumerate() {
            s.push_str(n);
            for col in &csv_rows {
                s.push_str(&format!(",{}", col[r]));
            }
            s.push('\n');
        }
        write_atomic(p, s.as_bytes())?;
    }
    if a.common.json {
        print_json(&Value::Object(out))?;
    } else {
        let mut s = format!("{:<16}", "connection");
        for c in TABLE_COLUMNS.iter().take(10) {
            s.push_str(&format!(" {:>11}", c));
        }
        s.push('\n');
        for (r, n) in names.iter().enumerate() {
            s.push_str(&format!("{n:<16}"));
            for col in csv_rows.iter().take(10) {
                s.push_str(&format!(" {:>11.4}", col[r]));
            }
            s.push('\n');
        }
        print_text(&s)?;
    }
    if !failures.is_empty() {
        bail!(
            "{} connection(s) failed: {}",
            failures.len(),
            failures.join("; ")
        );
    }
    Ok(())
}
