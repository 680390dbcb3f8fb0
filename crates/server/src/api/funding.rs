//! Funding over HTTP: `/api/funding/overview`, `/api/funding/duplicates`, `/api/funding/check-draft`.

use super::{body_bytes, query_params, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use innomesh_core::{EntityKind, Record};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/funding/overview", get(overview))
        .route("/api/funding/duplicates", get(duplicates))
        .route("/api/funding/check-draft", post(check_draft))
}

async fn overview(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let year = super::given(&params, "year")
        .map(|y| {
            y.parse::<i32>()
                .ok()
                .filter(|y| (1949..=2100).contains(y))
                .ok_or_else(|| ApiError::new(Code::InvalidQuery, format!("年份「{y}」无效")))
        })
        .transpose()?;
    let o = blocking(move || st.funding_overview(&who, year)).await??;
    Ok(Json(serde_json::to_value(&*o).map_err(ApiError::internal)?))
}

async fn duplicates(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let pairs = st.funding_duplicates(&who)?;
        let apps = st.funding_applications(&who)?;
        let titles: std::collections::HashMap<&str, (&str, &str, i32)> = apps
            .iter()
            .map(|a| {
                (
                    a.id.as_str(),
                    (a.title.as_str(), a.programme.as_str(), a.year),
                )
            })
            .collect();
        let items: Vec<Value> = pairs
            .iter()
            .map(|p| {
                let info = |id: &str| {
                    titles
                        .get(id)
                        .map(|(t, pg, y)| json!({"id": id, "title": t, "programme": pg, "year": y}))
                };
                json!({"a": info(&p.a), "b": info(&p.b), "pair": p})
            })
            .collect();
        Ok(json!({"total": items.len(), "applications": apps.len(), "pairs": items}))
    })
    .await??;
    Ok(Json(v))
}

/// The applicant checks a draft (an application JSON, not saved) against its own earlier
/// applications only.
async fn check_draft(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let mut value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(Code::BadJson, format!("请求体不是合法的 JSON：{e}")))?;
    // Indexing a non-object would panic: refuse it first.
    let Some(fields) = value.as_object_mut() else {
        return Err(ApiError::new(
            Code::BadJson,
            "请求体应为一个 JSON 对象（申报书草稿）",
        ));
    };
    fields.entry("id").or_insert_with(|| json!(""));
    let record = Record::from_json(EntityKind::Application, value)
        .map_err(|m| ApiError::new(Code::InvalidField, m))?;
    let Record::Application(draft) = record else {
        return Err(ApiError::internal("kind mismatch"));
    };
    if draft.abstract_text.trim().is_empty()
        && draft.sections.iter().all(|s| s.text.trim().is_empty())
    {
        return Err(ApiError::new(
            Code::InvalidField,
            "草稿没有正文：请填写项目摘要或正文章节",
        ));
    }
    let v = blocking(move || -> Result<Value, ApiError> {
        let matches = st.check_draft(&who, &draft)?;
        Ok(json!({"applicant": draft.applicant.as_str(), "overlaps": matches}))
    })
    .await??;
    Ok(Json(v))
}
