//! The model and its values: health, the model description, parameters.

use super::common::{body, header_json, job, ok, query, reply, Shr, B, Q};
use crate::model;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

pub async fn health() -> Response {
    ok(json!({"ok": true}))
}

pub async fn model(State(s): Shr, q: Q) -> Response {
    let r = async {
        let q = query(q, &["network"])?;
        let network = s.network_name(q.get("network").map(String::as_str))?;
        job(&s, None, move |s, _c| {
            s.with_net(&network, |net| Ok(model::model_json(s, &network, net)))
        })
        .await
    }
    .await;
    reply(r)
}

pub async fn params(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let spec = b.run_spec()?;
        let ticket = b.ticket()?;
        b.finish()?;
        job(&s, ticket, move |s, _c| {
            let p = s.prepare(&spec)?;
            Ok(Value::Object(header_json(&p)))
        })
        .await
    }
    .await;
    reply(r)
}
