//! The HTTP face of the one error contract: `innomesh_app::Error` answered as `{code, message}`
//! with the status its `Code` names. Internal details go to the log, never to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
pub use innomesh_app::Code;
use innomesh_core::tabular::RowError;
use innomesh_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RowError>,
}

/// The HTTP status of a code: every code maps to exactly one.
pub fn status_of(code: Code) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            errors: vec![],
        }
    }
    pub fn query(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidQuery, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        innomesh_app::Error::internal(detail).into()
    }
    pub fn status(&self) -> StatusCode {
        status_of(self.code)
    }
}

impl From<innomesh_app::Error> for ApiError {
    fn from(e: innomesh_app::Error) -> Self {
        Self {
            code: e.code,
            message: e.message,
            errors: e.errors,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        innomesh_app::Error::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(&self)).into_response()
    }
}

/// The HTTP status of an error from `App` or from this crate.
pub trait HttpStatus {
    fn status(&self) -> StatusCode;
}

impl HttpStatus for innomesh_app::Error {
    fn status(&self) -> StatusCode {
        status_of(self.code)
    }
}
