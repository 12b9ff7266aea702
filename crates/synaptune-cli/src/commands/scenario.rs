//! `synaptune scenario`: run a scenario file.

use crate::cli::ScenarioArgs;
use crate::output::{csv_text, print_json, print_text, write_atomic};
use anyhow::Result;
use cable_scenario::scenario::Scenario;
use serde_json::json;

pub fn run(a: ScenarioArgs) -> Result<()> {
    let reg = super::registry(&a.common)?;
    let sc = Scenario::from_file(&a.file)?;
    let so = a
        .secondorder
        .unwrap_or_else(|| sc.secondorders.first().copied().unwrap_or(0));
    let start = std::time::Instant::now();
    let out = sc.run(&reg, so)?;
    let elapsed = start.elapsed();
    let text = csv_text(&out.names, &out.columns);
    match &a.csv {
        Some(p) => write_atomic(p, text.as_bytes())?,
        None if !a.common.json => print_text(&text)?,
        None => {}
    }
    if a.common.json {
        let mut finals = serde_json::Map::new();
        for (k, n) in out.names.iter().enumerate().skip(1) {
            finals.insert(n.clone(), json!(out.columns[k].last()));
        }
        print_json(&json!({
            "scenario": a.file.display().to_string(),
            "secondorder": so,
            "samples": out.columns[0].len(),
            "final": finals,
            "spikes": out.spikes,
            "csv": a.csv.as_ref().map(|p| p.display().to_string()),
            "wall_time_s": elapsed.as_secs_f64(),
        }))?;
    } else {
        eprintln!(
            "ran {} ({} samples) in {:.1} ms",
            a.file.display(),
            out.columns[0].len(),
            elapsed.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
