//! `GET /api/suggest`: records of one kind by name as the user types, for the forms'
//! search-as-you-type reference fields; only records the caller may read (`App::suggest`).

use super::{given, param, query_params, Params};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use innomesh_core::EntityKind;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/suggest", get(suggest))
}

async fn suggest(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let segment = param(&params, "kind").unwrap_or("");
    let kind = EntityKind::from_plural(segment).ok_or_else(|| {
        let all: Vec<&str> = EntityKind::ALL.iter().map(|k| k.plural()).collect();
        ApiError::new(
            Code::InvalidQuery,
            format!("kind 应为记录类型之一：{}", all.join("、")),
        )
    })?;
    let q = given(&params, "q").unwrap_or("").to_string();
    let limit = match given(&params, "limit") {
        None => 10,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=innomesh_app::suggest::MAX_CANDIDATES).contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidQuery,
                    format!(
                        "limit 应为 1–{} 的整数，实际为「{v}」",
                        innomesh_app::suggest::MAX_CANDIDATES
                    ),
                )
            })?,
    };
    let app = st.clone();
    let items = blocking(move || app.suggest(&who, kind, &q, limit)).await??;
    Ok(Json(json!({ "kind": kind.code(), "items": items })))
}
