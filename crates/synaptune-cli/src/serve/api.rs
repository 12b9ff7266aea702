//! The handlers of the JSON API (documented in the module above).

use super::error::ApiError;
use super::json_response;
use super::request::Body;
use super::state::{self, limits, Prepared, Shared};
use super::traces::{self, Buckets};
use crate::commands::tune::pulse_marks;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;
use tuner_opt::{StpMetrics, Traces, BMTOOL_FREQUENCIES};

type Shr = State<Arc<Shared>>;
type Q = Result<Query<HashMap<String, String>>, QueryRejection>;
type B = Result<Bytes, BytesRejection>;

fn ok(v: Value) -> Response {
    json_response(StatusCode::OK, &v)
}

fn reply(r: Result<Value, ApiError>) -> Response {
    match r {
        Ok(v) => ok(v),
        Err(e) => e.into_response(),
    }
}

/// Run `f` on the blocking pool (at most one simulation per core at once); a
/// panic becomes a 500 answer and the server goes on.
async fn job<T: Send + 'static>(
    s: &Arc<Shared>,
    f: impl FnOnce(&Shared) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = s
        .slots
        .acquire()
        .await
        .map_err(|_| ApiError::internal("the server is stopping"))?;
    let s = s.clone();
    match tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(|| f(&s)))).await {
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

fn query(q: Q, allowed: &[&str]) -> Result<HashMap<String, String>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
    if let Some(k) = q.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown query parameter `{k}`; this route takes {}",
            allowed.join(", ")
        )));
    }
    Ok(q)
}

fn body(b: B) -> Result<Body, ApiError> {
    let b = b.map_err(|e| ApiError {
        status: e.status(),
        message: format!("cannot read the body: {}", e.body_text()),
    })?;
    Body::parse(&b)
}

pub async fn health() -> Response {
    ok(json!({"ok": true}))
}

pub async fn model(State(s): Shr, q: Q) -> Response {
    let r = async {
        let q = query(q, &["network"])?;
        let network = s.network_name(q.get("network").map(String::as_str))?;
        job(&s, move |s| {
            s.with_net(&network, |net| Ok(state::model_json(s, &network, net)))
        })
        .await
    }
    .await;
    reply(r)
}

fn header_json(p: &Prepared) -> Map<String, Value> {
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

pub async fn params(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let spec = b.run_spec()?;
        b.finish()?;
        job(&s, move |s| {
            let p = s.prepare(&spec)?;
            Ok(Value::Object(header_json(&p)))
        })
        .await
    }
    .await;
    reply(r)
}

/// The page's panels: synaptic current (pA, numbered pulses), clamp current in
/// voltage-clamp mode or soma voltage, one per extra variable.
fn traces_json(tr: &Traces, x0: f64, x1: f64, marks: Value) -> Value {
    let b = Buckets::new(&tr.t, x0, x1, traces::BUCKETS);
    let mut panels = vec![traces::panel(
        "Synaptic current",
        "i_syn (pA)",
        b.y(&tr.i_syn, 1000.0),
        marks,
    )];
    match (&tr.i_clamp, tr.clamp_measured) {
        (Some(c), true) => panels.push(traces::panel(
            "Clamp current at the soma",
            "i_clamp (pA)",
            b.y(c, 1000.0),
            json!([]),
        )),
        _ => panels.push(traces::panel(
            "Soma voltage",
            "v (mV)",
            b.y(&tr.soma_v, 1.0),
            json!([]),
        )),
    }
    for (n, v) in &tr.extras {
        panels.push(traces::panel(n, n, b.y(v, 1.0), json!([])));
    }
    json!({"x": b.x(&tr.t), "x0": x0, "x1": x1, "xlabel": "t (ms)", "panels": panels})
}

/// Most pulse numbers drawn (long continuous inputs would bury the trace).
const MAX_MARKS: usize = 24;

fn marks_json(p: &Prepared, tr: &Traces) -> Value {
    let g = &p.tuner.settings().general;
    let marks = pulse_marks(tr, g.delay, g.dt);
    if marks.len() > MAX_MARKS {
        return json!([]);
    }
    Value::Array(
        marks
            .into_iter()
            .map(|m| {
                json!({"x": traces::round(m.x), "y": traces::round(m.y), "text": m.text.trim()})
            })
            .collect(),
    )
}

/// numpy's `percentile(a, q)` (linear interpolation).
fn percentile(a: &[f64], q: f64) -> f64 {
    let mut v = a.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let r = q / 100.0 * (v.len() - 1) as f64;
    let (lo, hi) = (r.floor() as usize, r.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (r - lo as f64)
}

/// The terms of the STP formulas, for the page to show the arithmetic.
fn terms(a: &[f64], m: &StpMetrics) -> Value {
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    if a.len() < 12 {
        return Value::Null;
    }
    json!({
        "a1": a[0], "a2": a[1],
        "mean_a6_a8": mean(&a[5..8]), "mean_a1_a4": mean(&a[0..4]), "mean_a9_a12": mean(&a[8..12]),
        "max": m.max_amplitude, "p90": percentile(a, 90.0),
    })
}

fn timed<T>(f: impl FnOnce() -> Result<T, tuner_opt::TunerError>) -> Result<(T, f64), ApiError> {
    let start = Instant::now();
    let r = f().map_err(ApiError::from_tuner)?;
    Ok((r, start.elapsed().as_secs_f64() * 1e3))
}

pub async fn single_event(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let spec = b.run_spec()?;
        b.finish()?;
        job(&s, move |s| {
            let p = s.prepare(&spec)?;
            let (r, ms) = timed(|| p.tuner.single_event())?;
            let g = &p.tuner.settings().general;
            let mut m = header_json(&p);
            m.insert("protocol".into(), json!("single-event"));
            m.insert("kinetics".into(), json!(r.kinetics));
            add_traces(
                &mut m,
                &r.traces,
                g.tstart - 5.0,
                g.tstart + g.tdur,
                json!([]),
                ms,
            );
            Ok(Value::Object(m))
        })
        .await
    }
    .await;
    reply(r)
}

fn names(tr: &Traces) -> Vec<&str> {
    tr.extras.iter().map(|(n, _)| n.as_str()).collect()
}

/// The part every protocol's answer ends with: the trace panels over
/// `[x0, x1]`, the recorded variables and the simulation time.
fn add_traces(m: &mut Map<String, Value>, tr: &Traces, x0: f64, x1: f64, marks: Value, ms: f64) {
    m.insert("traces".into(), traces_json(tr, x0, x1, marks));
    m.insert("record".into(), json!(names(tr)));
    m.insert("elapsed_ms".into(), json!(ms));
}

pub async fn train(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let spec = b.run_spec()?;
        let freq = b
            .number("freq", 0.0, limits::FREQ_MAX, true, "Hz")?
            .unwrap_or(state::FREQ0);
        let delay = b
            .number("delay", 0.0, limits::DELAY_MAX, false, "ms")?
            .unwrap_or(state::DELAY0);
        b.finish()?;
        job(&s, move |s| {
            let p = s.prepare(&spec)?;
            let (r, ms) = timed(|| p.tuner.train(freq, delay))?;
            let g = &p.tuner.settings().general;
            let mut m = header_json(&p);
            m.insert("protocol".into(), json!("train"));
            m.insert("freq".into(), json!(freq));
            m.insert("delay".into(), json!(delay));
            m.insert("amplitudes_pA".into(), json!(r.amplitudes_pa));
            m.insert("metrics".into(), json!(r.metrics));
            m.insert("terms".into(), terms(&r.amplitudes_pa, &r.metrics));
            let marks = marks_json(&p, &r.traces);
            let x0 = g.tstart - 1000.0 / freq / 3.0;
            add_traces(&mut m, &r.traces, x0, r.traces.tstop, marks, ms);
            Ok(Value::Object(m))
        })
        .await
    }
    .await;
    reply(r)
}

pub async fn continuous(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let spec = b.run_spec()?;
        let freq = b
            .number("freq", 0.0, limits::FREQ_MAX, true, "Hz")?
            .unwrap_or(state::FREQ0);
        let duration = b
            .number("duration", 0.0, limits::DURATION_MAX, true, "ms")?
            .unwrap_or(state::DURATION0);
        b.finish()?;
        job(&s, move |s| {
            let p = s.prepare(&spec)?;
            let (r, ms) = timed(|| p.tuner.continuous(freq, duration))?;
            let g = &p.tuner.settings().general;
            let mut m = header_json(&p);
            m.insert("protocol".into(), json!("continuous"));
            m.insert("freq".into(), json!(freq));
            m.insert("duration".into(), json!(duration));
            m.insert("amplitudes_pA".into(), json!(r.amplitudes_pa));
            // bmtool's update_ui computes the train metrics on continuous input too.
            match stp_analysis::stp_metrics(&r.amplitudes_pa) {
                Ok(x) => {
                    m.insert("metrics".into(), json!(x));
                    m.insert("terms".into(), terms(&r.amplitudes_pa, &x));
                }
                Err(e) => {
                    m.insert("metrics".into(), Value::Null);
                    m.insert("metrics_note".into(), json!(e.to_string()));
                }
            }
            let marks = marks_json(&p, &r.traces);
            let x0 = g.tstart - 1000.0 / freq / 3.0;
            add_traces(&mut m, &r.traces, x0, r.traces.tstop, marks, ms);
            Ok(Value::Object(m))
        })
        .await
    }
    .await;
    reply(r)
}

pub async fn freq_response(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let spec = b.run_spec()?;
        let freqs = b
            .numbers("freqs", 0.0, limits::FREQ_MAX, limits::FREQS_MAX, "Hz")?
            .unwrap_or_else(|| BMTOOL_FREQUENCIES.to_vec());
        let delay = b
            .number("delay", 0.0, limits::DELAY_MAX, false, "ms")?
            .unwrap_or(state::DELAY0);
        b.finish()?;
        job(&s, move |s| {
            let mut p = s.prepare(&spec)?;
            // Extra variables are not needed for the metrics.
            p.tuner
                .set_extra_records(&[])
                .map_err(ApiError::from_tuner)?;
            let (r, ms) = timed(|| p.tuner.freq_response(&freqs, delay, &|| {}))?;
            let mut m = header_json(&p);
            m.insert("protocol".into(), json!("freq-response"));
            if let Value::Object(o) = json!(r) {
                m.extend(o);
            }
            m.insert("elapsed_ms".into(), json!(ms));
            Ok(Value::Object(m))
        })
        .await
    }
    .await;
    reply(r)
}

pub async fn gap(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let connection = b.string("connection")?;
        let g = b
            .number("g", 0.0, limits::G_MAX, false, "µS")?
            .unwrap_or(state::GAP_G0);
        let implicit = b.boolean("implicit")?.unwrap_or(false);
        b.finish()?;
        job(&s, move |s| {
            let t = s.gap_tuner(connection.as_deref(), implicit)?;
            let (r, ms) = timed(|| t.run(g))?;
            let gen = &t.settings().general;
            let (x0, x1) = (gen.tstart - 100.0, gen.tstart + gen.tdur + 100.0);
            let bk = Buckets::new(&r.t, x0, x1, traces::BUCKETS);
            let cell = t.connection().cell.clone();
            // The terms of the coupling coefficient (stp_analysis's samples).
            let last_before = |x: f64| r.t.partition_point(|&s| s < x).saturating_sub(1);
            let (i0, i1) = (last_before(gen.tstart), last_before(gen.tstart + gen.tdur));
            let dv = |v: &[f64]| v.get(i1).zip(v.get(i0)).map(|(a, b)| a - b);
            Ok(json!({
                "connection": t.connection().name,
                "g": g,
                "implicit": implicit,
                "coupling_coefficient": r.coupling_coefficient,
                "dv1": dv(&r.v1), "dv2": dv(&r.v2),
                "iclamp_amp": t.iclamp_amp(),
                "tstart": gen.tstart, "tdur": gen.tdur,
                "traces": {
                    "x": bk.x(&r.t), "x0": x0, "x1": x1, "xlabel": "t (ms)",
                    "panels": [{
                        "title": "Soma voltages", "ylabel": "v (mV)",
                        "series": [
                            {"label": format!("{cell} 1 (injected)"), "y": bk.y(&r.v1, 1.0)},
                            {"label": format!("{cell} 2 (coupled)"), "y": bk.y(&r.v2, 1.0)},
                        ],
                    }],
                },
                "elapsed_ms": ms,
            }))
        })
        .await
    }
    .await;
    reply(r)
}

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
        job(&s, move |s| {
            s.with_net(&network, |net| {
                let c = connection.unwrap_or_else(|| net.default_connection.clone());
                state::dynamics_json(net, &c)
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
        job(&s, move |s| {
            s.with_net(&network, |net| Ok(state::settings_file_json(s, net)))
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
