//! Exports: the current model as a settings file, a connection's parameters as
//! a BMTK dynamics_params file.

use crate::error::ApiError;
use crate::state::{App, Net};
use serde_json::{json, Value};
use std::path::Path;

/// The current settings of a network as a settings file (paths made absolute).
pub fn settings_file_json(app: &App, net: &Net) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(
        "comment".into(),
        json!(format!(
            "exported by synaptune serve from {}",
            net.settings.source.display()
        )),
    );
    if let Value::Object(o) = net.settings.to_json() {
        out.extend(o);
    }
    out["general_settings"]["vclamp"] = json!(app.vclamp());
    Value::Object(out)
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
