//! 考核评估 over HTTP: rounds (list, create, scorecards, publish, XLSX), the manual figures
//! platforms enter and the bureau checks, their evidence files, and the comparison of two rounds.
//! Who may do what is decided by `App`.

use super::{body_bytes, param, query_params, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/assessment/rounds", get(rounds).post(create))
        .route("/api/assessment/rounds/{id}", get(round))
        .route("/api/assessment/rounds/{id}/publish", post(publish))
        .route("/api/assessment/rounds/{id}/export", get(export))
        .route(
            "/api/assessment/rounds/{id}/entries",
            get(entries).post(submit),
        )
        .route("/api/assessment/rounds/{id}/review", post(review))
        .route("/api/assessment/compare", get(compare))
        .route(
            "/api/assessment/frameworks",
            get(frameworks).post(save_framework),
        )
        .route("/api/assessment/frameworks/{id}/diff", get(framework_diff))
        .route("/api/assessment/evidence/{id}", get(evidence_download))
}

/// Evidence uploads: their own body limit (a file, not JSON).
pub fn evidence_router() -> Router<AppState> {
    Router::new().route(
        "/api/assessment/rounds/{id}/evidence",
        get(evidence_list).post(evidence_upload),
    )
}

/// The body limit of an evidence upload: the file limit, and a little more so that a file just
/// over it is answered by `App` with the limit in its message.
pub const EVIDENCE_BODY_LIMIT: usize = innomesh_app::evidence::EVIDENCE_LIMIT + 64 * 1024;

async fn evidence_list(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || st.assessment_evidence(&who, &id)).await??;
    Ok(Json(json!({"files": v})))
}

async fn evidence_upload(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let params = query_params(params)?;
    let (Some(unit), Some(indicator)) = (param(&params, "unit"), param(&params, "indicator"))
    else {
        return Err(ApiError::new(
            Code::InvalidQuery,
            "请用 ?unit=平台编号&indicator=指标编号&filename=文件名 指明佐证材料属于哪一项",
        ));
    };
    let (unit, indicator) = (unit.to_string(), indicator.to_string());
    let name = param(&params, "filename").unwrap_or("").to_string();
    let body = body_bytes(body, innomesh_app::evidence::EVIDENCE_LIMIT)?;
    let f =
        blocking(move || st.assessment_evidence_upload(&who, &id, &unit, &indicator, &name, &body))
            .await??;
    Ok((StatusCode::CREATED, Json(json!(f))).into_response())
}

async fn evidence_download(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (f, bytes) = blocking(move || st.assessment_evidence_file(&who, &id)).await??;
    Ok(super::transfer::attachment(
        bytes,
        &f.file_name,
        &f.media_type,
    ))
}

/// A JSON object body, or a Chinese message naming the expected fields.
fn object(
    body: Result<Bytes, BytesRejection>,
    expected: &str,
) -> Result<Map<String, Value>, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(ApiError::new(
            Code::BadJson,
            format!("请求体应为 JSON 对象 {expected}"),
        )),
    }
}

fn text<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    required: bool,
) -> Result<Option<&'a str>, ApiError> {
    match m.get(key) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        // A figure may be given as a number.
        _ => Err(ApiError::new(
            Code::InvalidField,
            format!("字段「{key}」须为字符串"),
        )),
    }
}

async fn rounds(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || st.assessment_rounds(&who)).await??;
    Ok(Json(json!({"rounds": v})))
}

async fn create(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let m = object(
        body,
        "{\"framework\": 指标体系编号, \"year\": 年度, \"name\": 名称（可选）}",
    )?;
    let framework = text(&m, "framework", true)?.unwrap_or_default().to_string();
    let year = m
        .get("year")
        .and_then(Value::as_i64)
        .and_then(|y| i32::try_from(y).ok())
        .ok_or_else(|| ApiError::new(Code::InvalidField, "字段「year」须为整数年度，如 2025"))?;
    let name = text(&m, "name", false)?.map(str::to_string);
    let version = text(&m, "version", false)?.map(str::to_string);
    let pairs = match m.get("pairs") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item.as_array().map(|a| a.as_slice()) {
                    Some([Value::String(c), Value::String(l)]) => out.push((c.clone(), l.clone())),
                    _ => {
                        return Err(ApiError::new(
                            Code::InvalidField,
                            "字段「pairs」每一项须为 [制造业创新中心编号, 重点实验室编号]",
                        ))
                    }
                }
            }
            Some(out)
        }
        Some(_) => {
            return Err(ApiError::new(
                Code::InvalidField,
                "字段「pairs」须为数组：[[制造业创新中心编号, 重点实验室编号], …]",
            ))
        }
    };
    let r = blocking(move || {
        st.assessment_round_create_with_pairs(
            &who,
            &framework,
            version.as_deref(),
            year,
            name.as_deref(),
            pairs.as_deref(),
        )
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!(r))).into_response())
}

async fn round(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || st.assessment_round(&who, &id)).await??;
    Ok(Json(serde_json::to_value(&v).map_err(ApiError::internal)?))
}

async fn publish(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || st.assessment_round_publish(&who, &id)).await??;
    Ok(Json(
        json!({"round": v.round, "snapshot_hash": v.snapshot_hash}),
    ))
}

async fn export(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let name = format!("{id}.xlsx");
    let bytes = blocking(move || st.assessment_xlsx(&who, &id)).await??;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                innomesh_sheets::Format::Xlsx.mime().to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    name.replace(['"', '\\'], "_")
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn entries(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || st.assessment_entries(&who, &id)).await??;
    Ok(Json(json!({"entries": v})))
}

async fn submit(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let m = object(
        body,
        "{\"unit\": 平台编号, \"indicator\": 指标编号, \"value\": 数值或等级, \"evidence\": 佐证}",
    )?;
    let get = |k: &str| -> Result<String, ApiError> {
        Ok(match m.get(k) {
            Some(Value::Number(n)) if k == "value" => n.to_string(),
            _ => text(&m, k, true)?.unwrap_or_default().to_string(),
        })
    };
    let (unit, indicator, value, evidence) = (
        get("unit")?,
        get("indicator")?,
        get("value")?,
        get("evidence")?,
    );
    let e = blocking(move || {
        st.assessment_entry_submit(&who, &id, &unit, &indicator, &value, &evidence)
    })
    .await??;
    Ok(Json(json!(e)))
}

async fn review(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let m = object(
        body,
        "{\"unit\": 平台编号, \"indicator\": 指标编号, \"approve\": true/false, \"note\": 意见}",
    )?;
    let unit = text(&m, "unit", true)?.unwrap_or_default().to_string();
    let indicator = text(&m, "indicator", true)?.unwrap_or_default().to_string();
    let approve = m.get("approve").and_then(Value::as_bool).ok_or_else(|| {
        ApiError::new(
            Code::InvalidField,
            "字段「approve」须为 true（通过）或 false（退回）",
        )
    })?;
    let note = text(&m, "note", false)?.unwrap_or_default().to_string();
    let e =
        blocking(move || st.assessment_entry_review(&who, &id, &unit, &indicator, approve, &note))
            .await??;
    Ok(Json(json!(e)))
}

async fn compare(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let (Some(a), Some(b)) = (param(&params, "a"), param(&params, "b")) else {
        return Err(ApiError::new(
            Code::InvalidQuery,
            "请用 ?a=轮次编号&b=轮次编号 指定要比较的两个评估轮次",
        ));
    };
    let (a, b) = (a.to_string(), b.to_string());
    let v = blocking(move || st.assessment_compare(&who, &a, &b)).await??;
    Ok(Json(serde_json::to_value(&v).map_err(ApiError::internal)?))
}

async fn frameworks(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || st.assessment_frameworks(&who)).await??;
    Ok(Json(json!({"frameworks": v})))
}

async fn save_framework(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let m = object(body, "{\"yaml\": 指标体系 YAML 全文}")?;
    let yaml = text(&m, "yaml", true)?.unwrap_or_default().to_string();
    let v = blocking(move || st.assessment_framework_save(&who, &yaml)).await??;
    Ok((StatusCode::CREATED, Json(json!(v))).into_response())
}

async fn framework_diff(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let (Some(from), Some(to)) = (param(&params, "from"), param(&params, "to")) else {
        return Err(ApiError::new(
            Code::InvalidQuery,
            "请用 ?from=版本&to=版本 指定要比较的两个版本",
        ));
    };
    let (from, to) = (from.to_string(), to.to_string());
    let (f2, t2) = (from.clone(), to.clone());
    let v = blocking(move || st.assessment_framework_diff(&who, &id, &f2, &t2)).await??;
    Ok(Json(json!({"from": from, "to": to, "changes": v})))
}
