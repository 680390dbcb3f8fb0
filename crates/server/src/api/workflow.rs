//! The demand workflow over HTTP: `POST /api/demands/{id}/transition`,
//! `/api/demands/{id}/history`, `/api/demands/{id}/responses`, `/api/demand-funnel`,
//! `/api/solvers/{type}/{id}/responses`.

use super::{body_bytes, query_params, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use innomesh_app::workflow::{self, TransitionRequest};
use innomesh_core::model::SolverType;
use innomesh_core::Labelled;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/demands/{id}/transition", post(transition))
        .route("/api/demands/{id}/history", get(history))
        .route("/api/demands/{id}/responses", get(demand_responses))
        .route("/api/demand-funnel", get(funnel))
        .route("/api/solvers/{kind}/{id}/responses", get(solver_responses))
}

async fn transition(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    // serde reads a struct from an array too; only an object is a transition.
    let object = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
        .unwrap_or(Value::Null);
    let req: TransitionRequest = serde_json::from_value(object).map_err(|e| {
        ApiError::new(Code::BadJson,
            format!("请求体应为 {{\"to\": 目标状态, \"note\": 说明, \"actor\": 经办人, \"manager\": 技术经理人编号}}：{e}"),
        )
    })?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let d = workflow::transition(&st, &who, &id, &req)?;
        let history = workflow::history(&st, &who, &id)?;
        Ok(json!({"demand": d, "history": history}))
    })
    .await??;
    Ok(Json(v))
}

async fn history(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let h = workflow::history(&st, &who, &id)?;
        Ok(json!({"demand": id, "history": h}))
    })
    .await??;
    Ok(Json(v))
}

async fn demand_responses(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let r = workflow::responses(&st, &who, Some(&id), None)?;
        Ok(json!({"demand": id, "responses": r}))
    })
    .await??;
    Ok(Json(v))
}

async fn funnel(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query_params(params)?;
    let format = super::given(&params, "format")
        .unwrap_or("json")
        .to_string();
    if format != "json" && format != "xlsx" {
        return Err(ApiError::new(
            Code::InvalidQuery,
            "format 只能是 json 或 xlsx",
        ));
    }
    let f = blocking(move || workflow::funnel(&st, &who)).await??;
    if format == "xlsx" {
        let bytes = workflow::funnel_xlsx(&f)?;
        return Ok(crate::pages::common::download(
            bytes,
            "需求转化漏斗.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ));
    }
    Ok(Json(f).into_response())
}

async fn solver_responses(
    State(st): State<AppState>,
    Who(who): Who,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let t = SolverType::parse_labelled(&kind).map_err(|m| ApiError::new(Code::InvalidQuery, m))?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let r = workflow::responses(&st, &who, None, Some((t, &id)))?;
        Ok(json!({"solver_type": t.code(), "solver": id, "responses": r}))
    })
    .await??;
    Ok(Json(v))
}
