//! `synaptune simulate`: one cell, current clamps, recorded traces.

use crate::cli::SimulateArgs;
use crate::output::{csv_text, print_json, print_text, write_atomic};
use anyhow::{anyhow, bail, Context, Result};
use cable_core::CellSpec;
use cable_scenario::protocol::{self, IClampSpec, Protocol, RecordSpec};
use serde_json::json;

pub fn run(a: SimulateArgs) -> Result<()> {
    let reg = super::registry(&a.common)?;
    let cell = CellSpec::from_file(&a.cell)?;
    let iclamps = a
        .iclamp
        .iter()
        .map(|s| s.parse::<IClampSpec>().map_err(|e| anyhow!("--iclamp {e}")))
        .collect::<Result<Vec<_>>>()?;
    let mut records = a
        .record
        .iter()
        .map(|s| s.parse::<RecordSpec>().map_err(|e| anyhow!("--record {e}")))
        .collect::<Result<Vec<_>>>()?;
    if records.is_empty() {
        let soma = &cell.sections[cell.soma_index()].name;
        records.push(RecordSpec {
            section: soma.clone(),
            x: 0.5,
            var: "v".into(),
        });
    }
    let mut globals = Vec::new();
    for g in &a.globals {
        let (k, v) = g
            .split_once('=')
            .ok_or_else(|| anyhow!("--global `{g}`: expected NAME=VALUE, e.g. usetable_hh=0"))?;
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| anyhow!("--global `{g}`: `{v}` is not a number"))?;
        globals.push((k.trim().to_string(), v));
    }
    if !(a.tstop >= 0.0 && a.tstop.is_finite()) {
        bail!("--tstop must be a finite time ≥ 0 ms, got {}", a.tstop);
    }
    let p = Protocol {
        iclamps,
        records,
        tstop: a.tstop,
        dt: a.dt,
        celsius: a.celsius,
        v_init: a.v_init,
        secondorder: a.secondorder,
        globals,
    };
    let start = std::time::Instant::now();
    let traces = protocol::run(&reg, &cell, &p)
        .with_context(|| format!("simulating {}", a.cell.display()))?;
    let elapsed = start.elapsed();
    let text = csv_text(&traces.names, &traces.columns);
    match &a.csv {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None if !a.common.json => print_text(&text)?,
        None => {}
    }
    if a.common.json {
        let mut recs = serde_json::Map::new();
        for (k, name) in traces.names.iter().enumerate().skip(1) {
            let c = &traces.columns[k];
            let (mn, mx) = c
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            recs.insert(
                name.clone(),
                json!({"min": mn, "max": mx, "final": c.last().copied().unwrap_or(f64::NAN)}),
            );
        }
        print_json(&json!({
            "cell": cell.name,
            "tstop": p.tstop,
            "dt": p.dt,
            "celsius": p.celsius,
            "v_init": p.v_init,
            "secondorder": p.secondorder,
            "samples": traces.columns[0].len(),
            "csv": a.csv.as_ref().map(|p| p.display().to_string()),
            "wall_time_s": elapsed.as_secs_f64(),
            "records": recs,
        }))?;
    } else {
        eprintln!(
            "simulated {} ({} samples, t = 0..{} ms) in {:.1} ms",
            cell.name,
            traces.columns[0].len(),
            traces.columns[0].last().copied().unwrap_or(0.0),
            elapsed.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
