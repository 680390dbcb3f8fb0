//! 技术交易 over HTTP: contract figures, broker performance, one broker, the network.

use super::{given, query_params, Params};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/deals/figures", get(figures))
        .route("/api/deals/performance", get(performance))
        .route("/api/deals/brokers/{id}", get(broker))
        .route("/api/deals/network", get(network))
        .route("/api/deals/problems", get(problems))
}

/// `year`: absent for all years; given, 1949–2100.
pub fn year_param(p: &Params) -> Result<Option<i32>, ApiError> {
    match given(p, "year") {
        None => Ok(None),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1949..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidQuery,
                    format!("year「{y}」应为 1949–2100 的年份"),
                )
            }),
    }
}

async fn figures(
    State(st): State<AppState>,
    Who(who): Who,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let year = year_param(&query_params(q)?)?;
    let v =
        blocking(move || -> Result<Value, ApiError> { Ok(json!(st.deal_figures(&who, year)?)) })
            .await??;
    Ok(Json(v))
}

async fn performance(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let (intermediaries, managers) = st.broker_performance(&who)?;
        Ok(json!({"intermediaries": intermediaries, "managers": managers}))
    })
    .await??;
    Ok(Json(v))
}

async fn broker(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v =
        blocking(move || -> Result<Value, ApiError> { Ok(json!(st.broker(&who, &id)?)) }).await??;
    Ok(Json(v))
}

async fn network(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> { Ok(json!(st.deal_network(&who)?)) })
        .await??;
    Ok(Json(v))
}

async fn problems(
    State(st): State<AppState>,
    Who(who): Who,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let p = query_params(q)?;
    let k = match given(&p, "k") {
        None => None,
        Some(v) => Some(
            v.parse::<usize>()
                .ok()
                .filter(|k| (2..=200).contains(k))
                .ok_or_else(|| ApiError::new(Code::InvalidQuery, "k 应为 2–200 的整数"))?,
        ),
    };
    let v = blocking(move || -> Result<Value, ApiError> {
        let c = st.common_problems(&who, k)?;
        Ok(json!({"total": c.len(), "problems": c}))
    })
    .await??;
    Ok(Json(v))
}
