//! Matching over HTTP: `/api/demands/{id}/matches`, `/api/demands/{id}/card`,
//! `/api/achievements/{id}/adopters`.

use super::{query_params, Params};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use innomesh_core::{EntityKind, Record};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/demands/{id}/matches", get(matches))
        .route("/api/demands/{id}/card", get(card))
        .route("/api/achievements/{id}/adopters", get(adopters))
}

fn top_param(params: &Params) -> Result<usize, ApiError> {
    match super::given(params, "top") {
        None => Ok(20),
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| ApiError::new(Code::InvalidQuery, "top 应为 1–200 的整数")),
    }
}

async fn matches(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let top = top_param(&params)?;
    let kind = match super::given(&params, "type") {
        None => None,
        Some(t) => Some(innomesh_app::matching::solver_kind(t).ok_or_else(|| {
            ApiError::new(
                Code::InvalidQuery,
                "type 应为 expert、platform、achievement 或 equipment",
            )
        })?),
    };
    let v = blocking(move || -> Result<Value, ApiError> {
        let (d, hits) = st.broker_matches(&who, &id, kind, top)?;
        let issues = innomesh_app::matching::card_issues(&d);
        Ok(json!({"demand": d.id, "title": d.title, "card_issues": issues, "hits": hits}))
    })
    .await??;
    Ok(Json(v))
}

async fn card(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let Record::Demand(d) = st.fetch(&who, EntityKind::Demand, &id)? else {
            return Err(ApiError::not_found(format!("未找到技术需求「{id}」")));
        };
        Ok(json!({"demand": d.id, "issues": innomesh_app::matching::card_issues(&d)}))
    })
    .await??;
    Ok(Json(v))
}

async fn adopters(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let top = top_param(&query_params(params)?)?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let hits = st.adopters(&who, &id, top)?;
        Ok(json!({"achievement": id, "hits": hits}))
    })
    .await??;
    Ok(Json(v))
}
