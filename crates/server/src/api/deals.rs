//! 技术交易 over HTTP: contract figures, broker performance, one broker, the network, common
//! problems, and consortium proposals (创新联合体组建建议: propose, save, list, read, export).

use super::{body_bytes, given, query_params, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use innomesh_app::consortium::{Basis, SaveInput};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/deals/figures", get(figures))
        .route("/api/deals/performance", get(performance))
        .route("/api/deals/brokers/{id}", get(broker))
        .route("/api/deals/network", get(network))
        .route("/api/deals/problems", get(problems))
        .route("/api/consortia/propose", get(propose))
        .route("/api/consortia", get(consortia).post(save))
        .route("/api/consortia/{id}", get(consortium))
        .route("/api/consortia/{id}/export", get(export))
}

/// The basis of a proposal from `node`, `problem` or `demand` (exactly one).
pub fn basis_param(p: &Params) -> Result<Basis, ApiError> {
    let given: Vec<(&str, &str)> = ["node", "problem", "demand"]
        .into_iter()
        .filter_map(|k| given(p, k).map(|v| (k, v)))
        .collect();
    match given.as_slice() {
        [(k, v)] => Ok(Basis::parse(k, v).map_err(|e| ApiError::new(Code::InvalidQuery, e.message))?),
        _ => Err(ApiError::new(
            Code::InvalidQuery,
            "请给出 node（产业链节点编号，如 rare_earth.magnet）、problem（共性技术问题序号）或 demand（技术需求编号）三者之一",
        )),
    }
}

async fn propose(
    State(st): State<AppState>,
    Who(who): Who,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let basis = basis_param(&query_params(q)?)?;
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(json!(st.propose_consortium(&who, &basis)?))
    })
    .await??;
    Ok(Json(v))
}

async fn consortia(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let list = st.consortia(&who)?;
        Ok(json!({"total": list.len(), "proposals": list}))
    })
    .await??;
    Ok(Json(v))
}

async fn save(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let value = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
        .unwrap_or(Value::Null);
    let input: SaveInput = serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            Code::BadJson,
            format!("请求体应为 {{\"title\", \"basis\": {{\"kind\", \"id\"}}, \"members\": [{{\"role\", \"id\", \"reason\"}}], \"note\", \"revises\"}}：{e}"),
        )
    })?;
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(json!(st.save_consortium(&who, input)?))
    })
    .await??;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn consortium(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> { Ok(json!(st.consortium(&who, &id)?)) })
        .await??;
    Ok(Json(v))
}

async fn export(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let sample = st.sample_label().is_some();
    let (name, bytes) = blocking(move || -> Result<(String, Vec<u8>), ApiError> {
        let bytes = st.consortium_xlsx(&who, &id)?;
        let p = st.consortium(&who, &id)?;
        Ok((
            format!(
                "{}-{}-创新联合体组建建议{}.xlsx",
                id,
                p.title,
                if sample { "-示例数据" } else { "" }
            ),
            bytes,
        ))
    })
    .await??;
    Ok(super::transfer::attachment(
        bytes,
        &name,
        innomesh_sheets::Format::Xlsx.mime(),
    ))
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
