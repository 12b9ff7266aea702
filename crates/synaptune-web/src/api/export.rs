//! Downloads: a connection's dynamics_params file, the whole settings file.

use super::common::{job, query, Shr, Q};
use crate::export;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

fn attachment(file: &str, v: &Value) -> Response {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    let safe: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        text,
    )
        .into_response()
}

pub async fn export_dynamics(State(s): Shr, q: Q) -> Response {
    let r = async {
        let q = query(q, &["network", "connection"])?;
        let network = s.network_name(q.get("network").map(String::as_str))?;
        let connection = q.get("connection").cloned();
        job(&s, None, move |s, _c| {
            s.with_net(&network, |net| {
                let c = connection.unwrap_or_else(|| net.default_connection.clone());
                export::dynamics_json(net, &c)
            })
        })
        .await
    }
    .await;
    match r {
        Ok((file, v)) => attachment(&file, &v),
        Err(e) => e.into_response(),
    }
}

pub async fn export_settings(State(s): Shr, q: Q) -> Response {
    let r = async {
        let q = query(q, &["network"])?;
        let network = s.network_name(q.get("network").map(String::as_str))?;
        let name = if network.is_empty() {
            "settings.json".to_string()
        } else {
            format!("{network}_settings.json")
        };
        job(&s, None, move |s, _c| {
            s.with_net(&network, |net| Ok(export::settings_file_json(s, net)))
        })
        .await
        .map(|v| (name, v))
    }
    .await;
    match r {
        Ok((file, v)) => attachment(&file, &v),
        Err(e) => e.into_response(),
    }
}
