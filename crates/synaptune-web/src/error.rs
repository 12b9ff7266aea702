//! The server's errors: [`LoadError`] (it cannot start) and [`ApiError`] (a
//! request gets a status and one message, sent as `{"error": "...", "status": N}`).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;
use tuner_opt::{SettingsError, SettingsErrorKind, TunerError};

/// An error a handler answers with.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, in one paragraph.
    pub message: String,
}

impl ApiError {
    /// 400: the request is malformed (not JSON, a wrong type, an unknown field).
    pub fn bad_request(m: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: m.into(),
        }
    }

    /// 404: no such network, connection or route.
    pub fn not_found(m: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: m.into(),
        }
    }

    /// 422: well-formed but unusable (out of range, unknown parameter, a model
    /// the simulation or the analysis refuses).
    pub fn unprocessable(m: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: m.into(),
        }
    }

    /// 409: a newer request of the same page lane superseded this one (its
    /// simulation was cancelled).
    pub fn superseded() -> ApiError {
        ApiError {
            status: StatusCode::CONFLICT,
            message: "superseded: a newer request from the same page replaced this one, and its simulation was cancelled".into(),
        }
    }

    /// 429: too many requests waiting for a simulation slot.
    pub fn busy(waiting: usize) -> ApiError {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: format!(
                "busy: {waiting} requests are already running or waiting for a simulation; try again when one has finished"
            ),
        }
    }

    /// 503: the server cannot take the request now.
    pub fn unavailable(m: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: m.into(),
        }
    }

    /// 500: a bug (a panic caught in a simulation).
    pub fn internal(m: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: m.into(),
        }
    }

    /// A tuner error: unknown connections are 404, everything else 422.
    pub fn from_tuner(e: TunerError) -> ApiError {
        match &e {
            TunerError::Settings(s) if s.kind == SettingsErrorKind::UnknownConnection => {
                ApiError::not_found(e.to_string())
            }
            _ if e.is_cancelled() => ApiError::superseded(),
            _ => ApiError::unprocessable(e.to_string()),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.message, "status": self.status.as_u16()});
        json_response(self.status, &body)
    }
}

/// A JSON answer that is never cached.
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

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The model (as the tuner commands would refuse it).
    #[error(transparent)]
    Tuner(#[from] TunerError),
    /// The gap-junction settings.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// A network the config does not have.
    #[error("{}: no network `{network}`; networks: {networks}", config.display())]
    NoNetwork {
        /// The config.
        config: PathBuf,
        /// The name asked for.
        network: String,
        /// The networks it has.
        networks: String,
    },
    /// A config without networks.
    #[error("{}: no networks (edge populations)", config.display())]
    NoNetworks {
        /// The config.
        config: PathBuf,
    },
    /// The port could not be listened on.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen {
        /// The port.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
}
