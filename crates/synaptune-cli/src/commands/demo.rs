//! `synaptune demo`: the FSI example end to end, from files built into the
//! binary (works from any directory).

use crate::cli::DemoArgs;
use crate::model::print_notices;
use crate::output::{print_json, print_text, write_atomic};
use crate::plots::{plot_freq_response, plot_run, pulse_marks};
use crate::progress::Progress;
use crate::report::{single_event_json, traces_csv, train_json};
use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tuner_opt::{ModelSource, SynapseTuner, TunerSpec, BMTOOL_FREQUENCIES};

const SETTINGS: &str = include_str!("../../../../examples/fsi/settings.json");
const FSI_CELL: &str = include_str!("../../../../examples/fsi/cells/FSI_Cell.json");
const MARKER: &str = "synaptune-demo.json";

fn prepare_out(out: &Path) -> Result<PathBuf> {
    if out.exists() {
        let is_demo = out.join(MARKER).exists();
        let empty = std::fs::read_dir(out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !is_demo && !empty {
            bail!(
                "{} exists and is not a previous demo output (no {MARKER} in it); choose another --out",
                out.display()
            );
        }
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("{}: cannot create", parent.display()))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "synaptune-demo".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("example/cells"))
        .with_context(|| format!("{}: cannot create", tmp.display()))?;
    Ok(tmp)
}

pub fn run(a: DemoArgs) -> Result<()> {
    let tmp = prepare_out(&a.out)?;
    let res = build(&tmp, &a);
    match res {
        Ok(summary) => {
            if a.out.exists() {
                std::fs::remove_dir_all(&a.out)
                    .with_context(|| format!("{}: cannot replace", a.out.display()))?;
            }
            std::fs::rename(&tmp, &a.out)
                .with_context(|| format!("{}: cannot write", a.out.display()))?;
            if a.common.json {
                print_json(&summary)?;
            }
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

fn build(dir: &Path, a: &DemoArgs) -> Result<Value> {
    let start = Instant::now();
    std::fs::write(dir.join("example/settings.json"), SETTINGS)?;
    std::fs::write(dir.join("example/cells/FSI_Cell.json"), FSI_CELL)?;
    let mut spec = TunerSpec::new(ModelSource::Settings(dir.join("example/settings.json")));
    spec.mechanisms = a.common.mechanisms.clone();
    spec.record = vec!["record_Pr".to_string(), "record_use".to_string()];
    let built = spec.build()?;
    print_notices(&built.notices);
    let mut t: SynapseTuner = built.tuner;
    let conns = t.settings().connection_names();
    let prog = Progress::new(
        (conns.len() * (2 + BMTOOL_FREQUENCIES.len())) as u64,
        "demo",
    );
    let mut summary = Map::new();
    let mut text =
        String::from("synaptune demo: the FSI interneuron of bmtool's synaptic-tuner example\n");
    for name in &conns {
        t.switch_connection(name)?;
        let g = t.settings().general.clone();
        let t0 = Instant::now();
        let ev = t.single_event()?;
        let t_ev = t0.elapsed();
        prog.tick();
        let t0 = Instant::now();
        let tr = t.train(50.0, 250.0)?;
        let t_tr = t0.elapsed();
        prog.tick();
        let t0 = Instant::now();
        let fr = t.freq_response(&BMTOOL_FREQUENCIES, 250.0, &|| prog.tick())?;
        let t_fr = t0.elapsed();
        write_atomic(
            &dir.join(format!("{name}_single_event.csv")),
            traces_csv(&ev.traces).as_bytes(),
        )?;
        write_atomic(
            &dir.join(format!("{name}_train.csv")),
            traces_csv(&tr.traces).as_bytes(),
        )?;
        plot_run(
            &dir.join(format!("{name}_single_event.png")),
            &format!("{name}: single event"),
            &ev.traces,
            t.vclamp(),
            g.tstart - 5.0,
            Vec::new(),
        )?;
        plot_run(
            &dir.join(format!("{name}_train.png")),
            &format!("{name}: 50 Hz train, 250 ms recovery"),
            &tr.traces,
            t.vclamp(),
            g.tstart - 10.0,
            pulse_marks(&tr.traces, g.delay, g.dt),
        )?;
        plot_freq_response(&dir.join(format!("{name}_freq_response.png")), name, &fr)?;
        let k = &ev.kinetics;
        let m = &tr.metrics;
        text.push_str(&format!(
            "  {name:<8} ({}, {} mode): amplitude {:.2} pA, rise {:.2} ms, decay tau {:.2} ms | 50 Hz: ppr {:.3}, induction {:.3}, recovery {:.3}\n",
            t.connection().spec_settings.level_of_detail,
            if t.vclamp() { "voltage-clamp" } else { "current" },
            k.amp * 1000.0, k.rise_time, k.decay_time, m.ppr, m.induction, m.recovery
        ));
        summary.insert(
            name.clone(),
            json!({
                "single_event": single_event_json(&t, k),
                "train": train_json(&t, &tr),
                "freq_response": serde_json::to_value(&fr)?,
                "wall_time_s": {"single_event": t_ev.as_secs_f64(), "train": t_tr.as_secs_f64(), "freq_response": t_fr.as_secs_f64()},
            }),
        );
    }
    prog.finish();
    let summary = Value::Object(summary);
    write_atomic(
        &dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)?.as_bytes(),
    )?;
    write_atomic(
        &dir.join(MARKER),
        serde_json::to_string_pretty(
            &json!({"generator": "synaptune demo", "version": env!("CARGO_PKG_VERSION")}),
        )?
        .as_bytes(),
    )?;
    text.push_str(&format!(
        "wrote JSON (summary.json), traces (CSV) and plots (PNG) to {} in {:.2} s\n",
        a.out.display(),
        start.elapsed().as_secs_f64()
    ));
    if !a.common.json {
        print_text(&text)?;
    }
    Ok(summary)
}
