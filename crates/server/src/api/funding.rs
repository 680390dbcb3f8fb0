//! Funding over HTTP: `/api/funding/overview`, `/api/funding/duplicates` (the review list, one
//! pair, the decision on a pair), `/api/funding/check-draft`.

use super::{body_bytes, query_params, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use innomesh_app::duplicates::{DecisionFilter, ReviewKind, ReviewQuery, ReviewSort};
use innomesh_core::{EntityKind, Record};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/funding/overview", get(overview))
        .route("/api/funding/duplicates", get(duplicates))
        .route("/api/funding/duplicates/{a}/{b}", get(pair))
        .route("/api/funding/duplicates/{a}/{b}/decision", post(decide))
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

/// `?sort=&kind=&decision=&offset=&limit=` of the review list (pages and API alike).
pub fn review_query(params: &Params) -> Result<ReviewQuery, ApiError> {
    Ok(ReviewQuery {
        sort: super::given(params, "sort")
            .map(ReviewSort::parse)
            .transpose()?
            .unwrap_or_default(),
        kind: super::given(params, "kind")
            .map(ReviewKind::parse)
            .transpose()?,
        decision: super::given(params, "decision")
            .map(DecisionFilter::parse)
            .transpose()?
            .unwrap_or_default(),
        offset: super::number(params, "offset", 0, 10_000_000)?,
        limit: super::number(
            params,
            "limit",
            innomesh_app::duplicates::DEFAULT_LIMIT,
            innomesh_app::duplicates::MAX_LIMIT,
        )?,
    })
}

async fn duplicates(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = review_query(&query_params(params)?)?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let page = st.duplicate_review(&who, &q)?;
        let pairs: Vec<Value> = page
            .items
            .iter()
            .map(|i| {
                let mut v = serde_json::to_value(i).map_err(ApiError::internal)?;
                v["pair"] =
                    serde_json::to_value(i.row.pair.as_ref()).map_err(ApiError::internal)?;
                Ok(v)
            })
            .collect::<Result<_, ApiError>>()?;
        let counts: serde_json::Map<String, Value> = page
            .counts
            .iter()
            .map(|(k, n)| (k.code().to_string(), json!(n)))
            .collect();
        Ok(json!({
            "total": page.total,
            "applications": page.applications,
            "counts": counts,
            "open": page.open,
            "confirmed": page.confirmed,
            "excluded": page.excluded,
            "offset": page.offset,
            "limit": page.limit,
            "pairs": pairs,
        }))
    })
    .await??;
    Ok(Json(v))
}

async fn pair(
    State(st): State<AppState>,
    Who(who): Who,
    Path((a, b)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        serde_json::to_value(st.duplicate_pair(&who, &a, &b)?).map_err(ApiError::internal)
    })
    .await??;
    Ok(Json(v))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(st): State<AppState>,
    Who(who): Who,
    Path((a, b)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let value = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
        .unwrap_or(Value::Null);
    let d: Decision = serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            Code::BadJson,
            format!("请求体应为 {{\"decision\": \"confirmed\"（确认重复）或 \"excluded\"（排除）, \"reason\": 理由}}：{e}"),
        )
    })?;
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(json!(st.decide_duplicate(
            &who,
            &a,
            &b,
            &d.decision,
            &d.reason
        )?))
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
