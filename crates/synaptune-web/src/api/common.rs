//! What every handler shares: reading requests, running jobs off the async
//! threads, answering.

use crate::error::{json_response, ApiError};
use crate::request::{Body, Ticket};
use crate::state::{App, Prepared};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tuner_opt::Cancel;

pub(crate) type Shr = State<Arc<App>>;
pub(crate) type Q = Result<Query<HashMap<String, String>>, QueryRejection>;
pub(crate) type B = Result<Bytes, BytesRejection>;

pub(crate) fn ok(v: Value) -> Response {
    json_response(StatusCode::OK, &v)
}

pub(crate) fn reply(r: Result<Value, ApiError>) -> Response {
    match r {
        Ok(v) => ok(v),
        Err(e) => e.into_response(),
    }
}

/// Sets the flag when dropped: a handler future dropped because its client
/// went away cancels its simulation.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Run `f` on the blocking pool with a cancel flag of its own. The request
/// waits for one of the simulation slots (one per core) in a bounded queue
/// (beyond it: 429 at once); its flag is set when the client goes away (the
/// handler future is dropped) or when a newer request of the same page lane
/// (`ticket`) supersedes it (then it answers 409). A panic becomes a 500
/// answer and the server goes on.
pub(crate) async fn job<T: Send + 'static>(
    s: &Arc<App>,
    ticket: Option<Ticket>,
    f: impl FnOnce(&App, &Cancel) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let cancel: Cancel = Arc::new(AtomicBool::new(false));
    let _on_drop = CancelOnDrop(cancel.clone());
    let _place = s.admission.enter()?;
    let _lane = match ticket {
        Some(t) => Some(s.lanes.enter(t, &cancel)?),
        None => None,
    };
    let _permit = s
        .slots
        .acquire()
        .await
        .map_err(|_| ApiError::unavailable("the server is stopping"))?;
    if cancel.load(Ordering::Relaxed) {
        return Err(ApiError::superseded());
    }
    let s = s.clone();
    let c = cancel.clone();
    let r = tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(|| f(&s, &c)))).await;
    match r {
        Ok(Ok(r)) => r,
        Ok(Err(p)) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            Err(ApiError::internal(format!(
                "internal error (a bug, please report it): {msg}"
            )))
        }
        Err(e) => Err(ApiError::internal(format!("internal error: {e}"))),
    }
}

pub(crate) fn query(q: Q, allowed: &[&str]) -> Result<HashMap<String, String>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
    if let Some(k) = q.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown query parameter `{k}`; this route takes {}",
            allowed.join(", ")
        )));
    }
    Ok(q)
}

pub(crate) fn body(b: B) -> Result<Body, ApiError> {
    let b = b.map_err(|e| ApiError {
        status: e.status(),
        message: format!("cannot read the body: {}", e.body_text()),
    })?;
    Body::parse(&b)
}

/// Time a tuner call (ms), turning its error into an answer.
pub(crate) fn timed<T>(
    f: impl FnOnce() -> Result<T, tuner_opt::TunerError>,
) -> Result<(T, f64), ApiError> {
    let start = Instant::now();
    let r = f().map_err(ApiError::from_tuner)?;
    Ok((r, start.elapsed().as_secs_f64() * 1e3))
}

pub(crate) fn header_json(p: &Prepared) -> Map<String, Value> {
    let t = &p.tuner;
    let mut m = Map::new();
    m.insert("connection".into(), json!(t.connection().name));
    m.insert(
        "network".into(),
        if p.network.is_empty() {
            Value::Null
        } else {
            json!(p.network)
        },
    );
    m.insert("vclamp".into(), json!(t.vclamp()));
    m.insert(
        "vclamp_amp".into(),
        json!(t.connection().spec_settings.vclamp_amp),
    );
    let mut params = Map::new();
    for (k, v) in &p.params {
        params.insert(k.clone(), json!(v));
    }
    m.insert("params".into(), Value::Object(params));
    m
}
