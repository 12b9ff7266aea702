//! What the tuner commands print and write: JSON objects with the command's
//! header, the human-readable text, traces as CSV.

use crate::cli::OutputArgs;
use crate::output::{csv_text, write_atomic};
use anyhow::Result;
use serde_json::{json, Map, Value};
use tuner_opt::{Convention, Kinetics, StpMetrics, SynapseTuner, Traces, TrainResult};

/// The fields every tuner result starts with: connection, convention, clamp mode.
pub fn header(t: &SynapseTuner) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("connection".into(), json!(t.connection().name));
    m.insert(
        "convention".into(),
        json!(match t.convention() {
            Convention::Bmtool => "bmtool",
            _ => "default",
        }),
    );
    m.insert("vclamp".into(), json!(t.vclamp()));
    m
}

/// `{name: value}` in order.
pub fn obj(v: &[(String, f64)]) -> Value {
    let mut m = Map::new();
    for (k, x) in v {
        m.insert(k.clone(), json!(x));
    }
    Value::Object(m)
}

/// Traces as CSV text (a column per trace).
pub fn traces_csv(tr: &Traces) -> String {
    let (names, cols) = tr.columns();
    let owned: Vec<Vec<f64>> = cols.iter().map(|c| c.to_vec()).collect();
    csv_text(&names, &owned)
}

/// `--traces FILE.csv`, when given.
pub fn write_traces(out: &OutputArgs, tr: &Traces) -> Result<()> {
    if let Some(p) = &out.traces {
        write_atomic(p, traces_csv(tr).as_bytes())?;
    }
    Ok(())
}

/// The JSON of a single event.
pub fn single_event_json(t: &SynapseTuner, k: &Kinetics) -> Value {
    let mut m = header(t);
    if let Value::Object(o) = serde_json::to_value(k).expect("serialisable") {
        m.extend(o);
    }
    Value::Object(m)
}

/// The JSON of a train.
pub fn train_json(t: &SynapseTuner, r: &TrainResult) -> Value {
    let mut m = header(t);
    m.insert("freq".into(), json!(r.freq));
    m.insert("delay".into(), json!(r.delay));
    m.insert("amplitudes_pA".into(), json!(r.amplitudes_pa));
    if let Value::Object(o) = serde_json::to_value(r.metrics).expect("serialisable") {
        m.extend(o);
    }
    Value::Object(m)
}

/// The STP metrics as text.
pub fn metrics_text(m: &StpMetrics) -> String {
    format!(
        "  ppr (a2/a1)      {:.4}\n  induction        {:.4}\n  recovery         {:.4}\n  max amplitude    {:.4} pA\n  bmtool 0.8: ppr (a2-a1)/p90 {:.4}, induction {:.4}, recovery {:.4}\n",
        m.ppr, m.induction, m.recovery, m.max_amplitude, m.stp_initial_p90, m.induction_p90, m.recovery_p90
    )
}
