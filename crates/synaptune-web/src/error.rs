//! API errors: a status and one message, sent as `{"error": "...", "status": N}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tuner_opt::{SettingsErrorKind, TunerError};

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
        crate::server::json_response(self.status, &body)
    }
}
