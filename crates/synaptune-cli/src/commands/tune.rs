//! The synapse-tuner commands: single-event, train, continuous, freq-response,
//! table.

use crate::cli::{
    ContinuousArgs, FreqResponseArgs, OutputArgs, SingleEventArgs, TableArgs, TrainArgs,
};
use crate::model::tuner;
use crate::output::{print_json, print_text, write_atomic};
use crate::plot::Mark;
use crate::plots::{plot_freq_response, plot_run, pulse_marks};
use crate::progress::Progress;
use crate::report::{header, metrics_text, single_event_json, train_json, write_traces};
use anyhow::{bail, Result};
use serde_json::{json, Map, Value};
use std::time::Instant;
use tuner_opt::{SynapseTuner, Traces, BMTOOL_FREQUENCIES};

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
