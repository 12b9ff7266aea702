//! The synapse protocols: single event, train, continuous input, frequency
//! response.

use super::common::{body, header_json, job, reply, timed, Shr, B};
use crate::error::ApiError;
use crate::model::{DELAY0, DURATION0, FREQ0};
use crate::request::limits;
use crate::state::Prepared;
use crate::traces::{self, Buckets};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Map, Value};
use tuner_opt::{Traces, BMTOOL_FREQUENCIES};

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

/// Each pulse's number at its peak on the synaptic current (pA), as the
/// analysis windows them (none beyond [`MAX_MARKS`]).
fn marks_json(p: &Prepared, tr: &Traces) -> Value {
    let g = &p.tuner.settings().general;
    let marks: Vec<Value> = stp_analysis::pulse_peaks(&tr.i_syn, &tr.spikes, g.delay, g.dt)
        .into_iter()
        .enumerate()
        .filter_map(|(k, j)| j.map(|j| (k, j)))
        .map(|(k, j)| {
            json!({"x": traces::round(tr.t[j]), "y": traces::round(tr.i_syn[j] * 1000.0), "text": format!("{}", k + 1)})
        })
        .collect();
    if marks.len() > MAX_MARKS {
        return json!([]);
    }
    Value::Array(marks)
}

/// The terms of the STP formulas with the very numbers the metrics used, for
/// the page to show the arithmetic (null with fewer than 12 amplitudes).
fn terms(a: &[f64]) -> Value {
    stp_analysis::stp_terms(a).map_or(Value::Null, |t| json!(t))
}

pub async fn single_event(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let spec = b.run_spec()?;
        let ticket = b.ticket()?;
        b.finish()?;
        job(&s, ticket, move |s, c| {
            let mut p = s.prepare(&spec)?;
            p.tuner.set_cancel(Some(c.clone()));
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
            .unwrap_or(FREQ0);
        let delay = b
            .number("delay", 0.0, limits::DELAY_MAX, false, "ms")?
            .unwrap_or(DELAY0);
        let ticket = b.ticket()?;
        b.finish()?;
        job(&s, ticket, move |s, c| {
            let mut p = s.prepare(&spec)?;
            p.tuner.set_cancel(Some(c.clone()));
            let (r, ms) = timed(|| p.tuner.train(freq, delay))?;
            let g = &p.tuner.settings().general;
            let mut m = header_json(&p);
            m.insert("protocol".into(), json!("train"));
            m.insert("freq".into(), json!(freq));
            m.insert("delay".into(), json!(delay));
            m.insert("amplitudes_pA".into(), json!(r.amplitudes_pa));
            m.insert("metrics".into(), json!(r.metrics));
            m.insert("terms".into(), terms(&r.amplitudes_pa));
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
            .unwrap_or(FREQ0);
        let duration = b
            .number("duration", 0.0, limits::DURATION_MAX, true, "ms")?
            .unwrap_or(DURATION0);
        let ticket = b.ticket()?;
        b.finish()?;
        job(&s, ticket, move |s, c| {
            let mut p = s.prepare(&spec)?;
            p.tuner.set_cancel(Some(c.clone()));
            let (r, ms) = timed(|| p.tuner.continuous(freq, duration))?;
            let g = &p.tuner.settings().general;
            let mut m = header_json(&p);
            m.insert("protocol".into(), json!("continuous"));
            m.insert("freq".into(), json!(freq));
            m.insert("duration".into(), json!(duration));
            m.insert("amplitudes_pA".into(), json!(r.amplitudes_pa));
            // bmtool's update_ui computes the train metrics on continuous input too.
            match &r.metrics {
                Ok(x) => {
                    m.insert("metrics".into(), json!(x));
                    m.insert("terms".into(), terms(&r.amplitudes_pa));
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
            .unwrap_or(DELAY0);
        let ticket = b.ticket()?;
        b.finish()?;
        job(&s, ticket, move |s, c| {
            let mut p = s.prepare(&spec)?;
            p.tuner.set_cancel(Some(c.clone()));
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
