//! The editable dictionaries over HTTP: `GET /api/dictionaries`, `GET|PUT /api/dictionaries/{which}`
//! (`aliases` 别名词典, `user-words` 领域词典), `DELETE` to go back to the bundled one.

use super::{body_bytes, JSON_LIMIT};
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use innomesh_app::dictionaries::{self, Which};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/dictionaries", get(list)).route(
        "/api/dictionaries/{which}",
        get(read).put(write).delete(reset),
    )
}

fn which(s: &str) -> Result<Which, ApiError> {
    Which::parse(s).ok_or_else(|| {
        ApiError::not_found(format!(
            "没有词典「{s}」：可用 aliases（别名词典）、user-words（领域词典）"
        ))
    })
}

fn describe(st: &AppState, w: Which) -> Result<Value, ApiError> {
    let (text, edited) = dictionaries::text(st.repo(), w)?;
    let entries = dictionaries::check(w, &text).unwrap_or(0);
    Ok(json!({
        "name": w.code(),
        "label": w.label(),
        "edited": edited,
        "entries": entries,
        "text": text,
    }))
}

async fn list(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(json!({
            "dictionaries": [describe(&st, Which::Aliases)?, describe(&st, Which::UserWords)?]
        }))
    })
    .await??;
    Ok(Json(v))
}

async fn read(State(st): State<AppState>, Path(w): Path<String>) -> Result<Json<Value>, ApiError> {
    let w = which(&w)?;
    let v = blocking(move || describe(&st, w)).await??;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Put {
    text: String,
    #[serde(default)]
    actor: Option<String>,
}

async fn write(
    State(st): State<AppState>,
    Path(w): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let w = which(&w)?;
    let body = body_bytes(body, JSON_LIMIT)?;
    // serde reads a struct from an array too; only an object is a dictionary body.
    let object = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
        .unwrap_or(Value::Null);
    let put: Put = serde_json::from_value(object).map_err(|e| {
        ApiError::new(
            Code::BadJson,
            format!("请求体应为 {{\"text\": 词典全文, \"actor\": 经办人}}：{e}"),
        )
    })?;
    let actor = put
        .actor
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "api".into());
    let v = blocking(move || -> Result<Value, ApiError> {
        dictionaries::save(&st, w, Some(&put.text), &super::named(actor))?;
        describe(&st, w)
    })
    .await??;
    Ok(Json(v))
}

async fn reset(State(st): State<AppState>, Path(w): Path<String>) -> Result<Json<Value>, ApiError> {
    let w = which(&w)?;
    let v = blocking(move || -> Result<Value, ApiError> {
        dictionaries::save(&st, w, None, &super::named("api"))?;
        describe(&st, w)
    })
    .await??;
    Ok(Json(v))
}
