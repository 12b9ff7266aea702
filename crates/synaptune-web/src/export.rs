//! Exports: the current model as a settings file, a connection's parameters as
//! a BMTK dynamics_params file.

use crate::error::ApiError;
use crate::state::{App, Net};
use serde_json::{json, Value};
use std::path::Path;

/// The current settings of a network as a settings file (paths made absolute).
pub fn settings_file_json(app: &App, net: &Net) -> Value {
    let s = &net.settings;
    let g = &s.general;
    let mut conns = serde_json::Map::new();
    for c in &s.connections {
        conns.insert(c.name.clone(), c.to_json());
    }
    let abs = |p: &Path| {
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .display()
            .to_string()
    };
    let mut cells = serde_json::Map::new();
    for (k, p) in &s.cells {
        cells.insert(k.clone(), json!(abs(p)));
    }
    let mut out = json!({
        "comment": format!("exported by synaptune serve from {}", s.source.display()),
        "general_settings": {
            "vclamp": app.vclamp(),
            "rise_interval": [g.rise_interval.0, g.rise_interval.1],
            "tstart": g.tstart, "tdur": g.tdur, "threshold": g.threshold,
            "delay": g.delay, "weight": g.weight, "dt": g.dt,
            "celsius": g.celsius, "v_init": g.v_init,
        },
        "conn_type_settings": conns,
        "cells": cells,
    });
    if !s.mechanisms.is_empty() {
        out["mechanisms"] = json!(s.mechanisms.iter().map(|p| abs(p)).collect::<Vec<_>>());
    }
    out
}

/// A connection's current parameters as a BMTK dynamics_params file
/// (`level_of_detail` and `spec_syn_param`); also a `--json-folder` file.
pub fn dynamics_json(net: &Net, connection: &str) -> Result<(String, Value), ApiError> {
    let c = net
        .settings
        .connections
        .iter()
        .find(|c| c.name == connection)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no connection `{connection}`; connections: {}",
                net.settings.connection_names().join(", ")
            ))
        })?;
    let mut m = serde_json::Map::new();
    m.insert(
        "level_of_detail".into(),
        json!(c.spec_settings.level_of_detail),
    );
    for (k, v) in &c.spec_syn_param {
        if k != "level_of_detail" {
            m.insert(k.clone(), v.clone());
        }
    }
    let file = c
        .spec_settings
        .extra
        .get("dynamics_params_file")
        .and_then(Value::as_str)
        .and_then(|f| Path::new(f).file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{}.json", c.name));
    Ok((file, Value::Object(m)))
}
