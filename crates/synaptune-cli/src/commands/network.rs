//! `synaptune networks` and `synaptune connections`, and tuner settings derived
//! from a SONATA/BMTK config.

use crate::cli::{ConnectionsArgs, NetworksArgs};
use crate::output::{print_json, print_text};
use anyhow::{Context, Result};
use serde_json::{json, Map, Value};
use std::path::Path;
use tuner_opt::{settings::connection_from_value, GeneralSettings, TunerSettings};

pub fn networks(a: NetworksArgs) -> Result<()> {
    let cfg = sonata_config::Config::load(&a.config)?;
    let nets = sonata_config::networks(&cfg);
    if a.common.json {
        print_json(&json!(nets))?;
    } else {
        print_text(&nets.iter().map(|n| format!("{n}\n")).collect::<String>())?;
    }
    Ok(())
}

fn settings_json(s: &TunerSettings, full: bool) -> Value {
    let mut out = Map::new();
    for c in &s.connections {
        out.insert(
            c.name.clone(),
            if full {
                c.to_json()
            } else {
                json!({
                    "post_cell": c.spec_settings.post_cell,
                    "synapse_type": c.spec_settings.level_of_detail,
                    "parameters": c.spec_syn_param.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
                })
            },
        );
    }
    Value::Object(out)
}

pub fn connections(a: ConnectionsArgs) -> Result<()> {
    let v: Value = match (&a.config, &a.settings) {
        (Some(c), _) => {
            let cfg = sonata_config::Config::load(c)?;
            let types = sonata_config::connection_types(&cfg, a.network.as_deref())?;
            serde_json::from_str(&sonata_config::connections_json(&types, a.full))?
        }
        (None, Some(s)) => settings_json(&TunerSettings::from_file(s)?, a.full),
        (None, None) => anyhow::bail!("give --config FILE or --settings FILE"),
    };
    if a.common.json || a.full {
        print_json(&v)?;
    } else {
        let mut s = format!(
            "{:<28} {:<20} {:<20} parameters\n",
            "connection", "post_cell", "synapse"
        );
        for (name, c) in v.as_object().into_iter().flatten() {
            let params: Vec<String> = c["parameters"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            s.push_str(&format!(
                "{:<28} {:<20} {:<20} {}\n",
                name,
                c["post_cell"].as_str().unwrap_or(""),
                c["synapse_type"].as_str().unwrap_or("(none)"),
                params.join(", ")
            ));
        }
        print_text(&s)?;
    }
    Ok(())
}

/// Tuner settings from a SONATA/BMTK config: bmtool's general defaults, the
/// derived connection types, and `<cells or templates_dir>/<post_cell>.json`.
pub fn sonata_settings(
    config: &Path,
    network: Option<&str>,
    cells: Option<&Path>,
) -> Result<TunerSettings> {
    let cfg = sonata_config::Config::load(config)?;
    let types = sonata_config::connection_types(&cfg, network)?;
    if types.is_empty() {
        anyhow::bail!(
            "{}: no connection types{}",
            config.display(),
            network
                .map(|n| format!(" in network `{n}`"))
                .unwrap_or_default()
        );
    }
    let full: Value = serde_json::from_str(&sonata_config::connections_json(&types, true))?;
    let mut connections = Vec::new();
    for (name, c) in full.as_object().into_iter().flatten() {
        let mut c = c.clone();
        // A NULL level_of_detail (pandas NaN) fails when that connection is used.
        if !c["spec_settings"]["level_of_detail"].is_string() {
            c["spec_settings"]["level_of_detail"] = json!("(missing level_of_detail)");
        }
        connections.push(connection_from_value(name, &c, config)?);
    }
    let dir = match cells {
        Some(d) => d.to_path_buf(),
        None => cfg.components().templates_dir.clone().with_context(|| {
            format!(
                "{}: no components.templates_dir to find cell files in; give --cells DIR (a folder of <post_cell>.json files, see tools/export-cell)",
                config.display()
            )
        })?,
    };
    let mut cell_files = Vec::new();
    for c in &connections {
        let n = &c.spec_settings.post_cell;
        if !cell_files
            .iter()
            .any(|(k, _): &(String, std::path::PathBuf)| k == n)
        {
            cell_files.push((n.clone(), dir.join(format!("{n}.json"))));
        }
    }
    Ok(TunerSettings {
        general: GeneralSettings::default(),
        connections,
        cells: cell_files,
        mechanisms: Vec::new(),
        source: config.to_path_buf(),
    })
}
