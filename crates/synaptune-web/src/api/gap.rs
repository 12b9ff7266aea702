//! The gap-junction tab: one run at a conductance.

use super::common::{body, job, reply, timed, Shr, B};
use crate::error::ApiError;
use crate::model::GAP_G0;
use crate::request::limits;
use crate::traces::{self, Buckets};
use axum::extract::State;
use axum::response::Response;
use serde_json::json;

pub async fn gap(State(s): Shr, b: B) -> Response {
    let r = async {
        let mut b = body(b)?;
        let connection = b.string("connection")?;
        let g = b
            .number("g", 0.0, limits::G_MAX, false, "µS")?
            .unwrap_or(GAP_G0);
        let implicit = b.boolean("implicit")?.unwrap_or(false);
        let ticket = b.ticket()?;
        b.finish()?;
        job(&s, ticket, move |s, c| {
            let mut t = (*s.gap_tuner(connection.as_deref(), implicit)?).clone();
            t.set_cancel(Some(c.clone()));
            let (r, ms) = timed(|| t.run(g))?;
            let gen = &t.settings().general;
            let (x0, x1) = (gen.tstart - 100.0, gen.tstart + gen.tdur + 100.0);
            let bk = Buckets::new(&r.t, x0, x1, traces::BUCKETS);
            let cell = t.connection().cell.clone();
            // The terms of the coupling coefficient, as the analysis took them.
            let terms =
                stp_analysis::coupling_terms(&r.t, &r.v1, &r.v2, gen.tstart, gen.tstart + gen.tdur)
                    .map_err(|e| ApiError::from_tuner(e.into()))?;
            Ok(json!({
                "connection": t.connection().name,
                "g": g,
                "implicit": implicit,
                "coupling_coefficient": r.coupling_coefficient,
                "dv1": terms.dv1, "dv2": terms.dv2,
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
