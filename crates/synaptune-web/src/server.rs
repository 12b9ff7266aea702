//! The HTTP side: routes, the page's assets, the loopback guard, the listener.

use crate::api;
use crate::error::{ApiError, LoadError};
use crate::state::App;
use axum::extract::{Request, State};
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

/// The routes of the page and its API over `app`, answering only requests
/// whose `Host` is loopback.
pub fn router(app: Arc<App>) -> Router {
    routes(app, Arc::new(Vec::new()))
}

/// The routes, answering loopback and `hosts` (names a proxy forwards).
fn routes(app: Arc<App>, hosts: Arc<Vec<String>>) -> Router {
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
        .layer(axum::middleware::from_fn_with_state(hosts, guard))
        .with_state(app)
}

/// Refuse foreign Host headers (DNS rebinding: only loopback and the names
/// given to [`Server::allow_hosts`]) and non-JSON POST bodies.
async fn guard(State(hosts): State<Arc<Vec<String>>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = match host.rfind(':') {
        Some(i) if !host.ends_with(']') => &host[..i],
        _ => host,
    };
    let allowed = matches!(name, "127.0.0.1" | "localhost" | "[::1]")
        || hosts.iter().any(|h| h.eq_ignore_ascii_case(name));
    if !allowed {
        return ApiError {
            status: StatusCode::FORBIDDEN,
            message: format!(
                "host `{host}` refused: this server answers only 127.0.0.1{}",
                if hosts.is_empty() {
                    String::new()
                } else {
                    format!(" and {}", hosts.join(", "))
                }
            ),
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

/// A listener on `127.0.0.1:PORT` with the app it serves.
pub struct Server {
    listener: std::net::TcpListener,
    addr: SocketAddr,
    app: Arc<App>,
    hosts: Vec<String>,
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
            hosts: Vec::new(),
        })
    }

    /// Also answer requests whose `Host` is one of `hosts` (without port):
    /// the public name of a proxy that forwards to this loopback port, such as
    /// a JupyterHub's behind jupyter-server-proxy. The socket stays on
    /// 127.0.0.1; the check only refuses DNS-rebinding pages.
    pub fn allow_hosts(mut self, hosts: Vec<String>) -> Server {
        self.hosts = hosts;
        self
    }

    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serve until the process stops (two worker threads for the HTTP side;
    /// simulations run on the blocking pool, one per core at most).
    pub fn run(self) -> Result<(), LoadError> {
        let port = self.addr.port();
        let rt = runtime(port)?;
        let app = self.routes();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            axum::serve(listener, app).await
        })
        .map_err(|e| LoadError::Listen { port, source: e })
    }

    /// Serve on a thread of its own until [`Handle::stop`] (or the handle is
    /// dropped): the Python package's `InteractiveTuner()` in a notebook.
    pub fn spawn(self) -> Result<Handle, LoadError> {
        let port = self.addr.port();
        let url = self.url();
        let rt = runtime(port)?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = self.routes();
        let listener = self.listener;
        let thread = std::thread::Builder::new()
            .name(format!("synaptune-web:{port}"))
            .spawn(move || {
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
                        })
                        .await
                })
            })
            .map_err(|e| LoadError::Listen { port, source: e })?;
        Ok(Handle {
            url,
            port,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    fn routes(&self) -> Router {
        routes(self.app.clone(), Arc::new(self.hosts.clone()))
    }
}

/// The runtime of a server: two worker threads for the HTTP side.
fn runtime(port: u16) -> Result<tokio::runtime::Runtime, LoadError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| LoadError::Listen { port, source: e })
}

/// A server running on its own thread ([`Server::spawn`]).
pub struct Handle {
    url: String,
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Handle {
    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether it is still serving.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stop accepting connections, let requests in flight finish, close the
    /// port and join the thread. Stopping a stopped server does nothing.
    pub fn stop(&mut self) -> Result<(), LoadError> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(Err(e))) => Err(LoadError::Listen {
                port: self.port,
                source: e,
            }),
            Some(Err(_)) => Err(LoadError::Listen {
                port: self.port,
                source: std::io::Error::other("the server thread panicked"),
            }),
            _ => Ok(()),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
