//! `synaptune serve`: bmtool's `InteractiveTuner` as a local web page.
//!
//! The server binds `127.0.0.1:PORT` only (`--port 0` takes any free port) and
//! prints `synaptune: serving on http://127.0.0.1:PORT/` on stderr. The page
//! (`assets/`: `index.html`, `app.js`, `plot.js`, `style.css`) is compiled into
//! the binary and needs nothing from the network. Requests whose `Host` is not
//! 127.0.0.1, localhost or [::1] are refused (403: no DNS rebinding), and POST
//! bodies must be `application/json` (415: no cross-site form posts).
//!
//! The server holds the tuner's state as bmtool's tuner object does: parameter
//! values and holding potentials sent with a request persist (per network and
//! connection) and are what the exports write.
//!
//! # JSON API
//!
//! Every error is `{"error": "one paragraph", "status": N}`: 400 for a body that is
//! not a JSON object, a field of the wrong type or an unknown field; 404 for an
//! unknown network, connection or route; 405 for a wrong method; 415 for a POST
//! that is not JSON; 422 for a value out of range, an unknown parameter or
//! variable, or a model the simulation or its analysis refuses; 500 only for a
//! bug (a panic in a simulation is caught and the server keeps serving).
//!
//! | route | request | answer |
//! |---|---|---|
//! | `GET /api/model[?network=N]` | | source, convention, `networks`, `network`, `connections` (sorted by name as bmtool's dropdown: mechanism, post cell, `vclamp_amp`, `params` with `value`, `initial`, `units` and bmtool's slider `min`/`max`/`step`, `variables`, default `record`), `default_connection`, `vclamp`, `general`, `choices` (bmtool's frequencies, delays, durations and initial values), `limits`, `gap` (connections, bmtool's log slider) |
//! | `POST /api/params` | model fields | applies them without simulating: `{connection, network, params, vclamp, vclamp_amp}` |
//! | `POST /api/single-event` | model fields | `kinetics`, `traces` from tstart − 5 to tstart + tdur |
//! | `POST /api/train` | model fields, `freq` (Hz, 0 < f ≤ 1000, default 50), `delay` (ms, 0 ≤ d ≤ 20000, default 250) | `amplitudes_pA`, `metrics` (`ppr`, `induction`, `recovery`, `simple_ppr`, `max_amplitude_pA`, the `*_p90` variants), `terms` (a1, a2, the means, max, p90), `traces` from tstart − interval/3 (bmtool's window) with numbered pulses (up to 24) |
//! | `POST /api/continuous` | model fields, `freq`, `duration` (ms, 0 < d ≤ 20000, default 300) | `amplitudes_pA`, `metrics` when there are ≥ 12 pulses (bmtool computes them on continuous input too), `traces` |
//! | `POST /api/freq-response` | model fields, `freqs` (default bmtool's 16, at most 64), `delay` | `frequencies`, `ppr`, `induction`, `recovery` and the bmtool 0.8 variants |
//! | `POST /api/gap` | `connection`, `g` (µS, 0 ≤ g ≤ 100, default 1e-3), `implicit` (bool) | `coupling_coefficient`, `iclamp_amp`, traces of both somata from tstart − 100 to tstart + tdur + 100 |
//! | `GET /api/export/dynamics?connection=C[&network=N]` | | the connection's current parameters as a BMTK dynamics_params file (`level_of_detail` + `spec_syn_param`; also a `--json-folder` file), as an attachment |
//! | `GET /api/export/settings[?network=N]` | | the current model as a settings file (`--settings`; cell paths absolute) |
//! | `GET /api/health` | | `{"ok": true}` |
//!
//! Model fields: `network`, `connection` (default: the network's first),
//! `params` (`{name: number}`, a parameter of the synapse, finite, within the
//! mechanism's limits and |value| ≤ 1e9), `vclamp` (bool), `vclamp_amp` (mV,
//! −200…200), `record` (extra synapse variables; default `--record`, else the
//! synapse's `record_*` variables). Every answer to a run also carries
//! `connection`, `network`, `vclamp`, `vclamp_amp`, `params` (all current values),
//! `record` and `elapsed_ms` (the simulation and analysis on the server).
//!
//! Traces are decimated ([`traces`]): at most 900 buckets, two values each.

mod api;
pub mod error;
pub mod request;
pub mod state;
pub mod traces;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use error::ApiError;
use state::Shared;
use std::sync::Arc;

const INDEX_HTML: &str = include_str!("../../assets/index.html");
const APP_JS: &str = include_str!("../../assets/app.js");
const PLOT_JS: &str = include_str!("../../assets/plot.js");
const STYLE_CSS: &str = include_str!("../../assets/style.css");

/// A JSON response.
pub fn json_response(status: StatusCode, v: &serde_json::Value) -> Response {
    let body = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn asset(mime: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/plot.js",
            get(|| async { asset("text/javascript; charset=utf-8", PLOT_JS) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }),
        )
        .route(
            "/favicon.ico",
            get(|| async { StatusCode::NO_CONTENT.into_response() }),
        )
        .route("/api/health", get(api::health))
        .route("/api/model", get(api::model))
        .route("/api/params", post(api::params))
        .route("/api/single-event", post(api::single_event))
        .route("/api/train", post(api::train))
        .route("/api/continuous", post(api::continuous))
        .route("/api/freq-response", post(api::freq_response))
        .route("/api/gap", post(api::gap))
        .route("/api/export/dynamics", get(api::export_dynamics))
        .route("/api/export/settings", get(api::export_settings))
        .fallback(|req: Request| async move {
            ApiError::not_found(format!("no route {} {}", req.method(), req.uri().path()))
        })
        .method_not_allowed_fallback(|req: Request| async move {
            ApiError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                message: format!("{} is not allowed on {}", req.method(), req.uri().path()),
            }
        })
        .layer(axum::middleware::from_fn(guard))
        .with_state(shared)
}

/// Refuse foreign Host headers (DNS rebinding) and non-JSON POST bodies.
async fn guard(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = match host.rfind(':') {
        Some(i) if !host.ends_with(']') => &host[..i],
        _ => host,
    };
    if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        return ApiError {
            status: StatusCode::FORBIDDEN,
            message: format!("host `{host}` refused: this server answers only 127.0.0.1"),
        }
        .into_response();
    }
    if req.method() == Method::POST {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"));
        if !json {
            return ApiError {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                message: "POST bodies must be JSON (Content-Type: application/json)".into(),
            }
            .into_response();
        }
    }
    next.run(req).await
}

/// Bind 127.0.0.1:`port`, print the URL on stderr, serve until stopped.
pub fn serve(shared: Shared, port: u16) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let shared = Arc::new(shared);
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        eprintln!("synaptune: serving on http://{addr}/");
        axum::serve(listener, router(shared)).await?;
        Ok(())
    })
}
