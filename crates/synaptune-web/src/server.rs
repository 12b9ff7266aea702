//! The HTTP side: routes, the page's assets, the loopback guard, the listener.

use crate::api;
use crate::error::{ApiError, LoadError};
use crate::state::App;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const PLOT_JS: &str = include_str!("../assets/plot.js");
const STYLE_CSS: &str = include_str!("../assets/style.css");

/// A JSON response.
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
/// The routes of the page and its API over `app`.
pub fn router(app: Arc<App>) -> Router {
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
        .with_state(app)
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
/// A listener on `127.0.0.1:PORT` with the app it serves.
pub struct Server {
    listener: std::net::TcpListener,
    addr: SocketAddr,
    app: Arc<App>,
}

impl Server {
    /// Bind `127.0.0.1:port` (0: any free port). Nothing listens elsewhere.
    pub fn bind(app: App, port: u16) -> Result<Server, LoadError> {
        let listen = |e: std::io::Error| LoadError::Listen { port, source: e };
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(listen)?;
        listener.set_nonblocking(true).map_err(listen)?;
        let addr = listener.local_addr().map_err(listen)?;
        Ok(Server {
            listener,
            addr,
            app: Arc::new(app),
        })
    }

    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serve until the process stops (two worker threads for the HTTP side;
    /// simulations run on the blocking pool, one per core at most).
    pub fn run(self) -> Result<(), LoadError> {
        let io = |e: std::io::Error| LoadError::Listen {
            port: self.addr.port(),
            source: e,
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(io)?;
        let app = self.app;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            axum::serve(listener, router(app)).await
        })
        .map_err(io)
    }
}
