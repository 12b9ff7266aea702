//! `synaptune networks` and `synaptune connections`: what a SONATA/BMTK config
//! (or a settings file) holds, without building a tuner.

use crate::cli::{ConnectionsArgs, NetworksArgs};
use crate::output::{print_json, print_text};
use anyhow::Result;
use serde_json::{json, Map, Value};
use tuner_opt::TunerSettings;

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
            if a.full {
                serde_json::to_value(sonata_config::connections_full(&types))?
            } else {
                serde_json::to_value(sonata_config::connections_summary(&types))?
            }
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
