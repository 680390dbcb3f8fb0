//! CRUD and lists for every entity kind: `/api/{kind}` and `/api/{kind}/{id}`.

use super::{body_bytes, given, kind_of, param, query_params, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use innomesh_core::{EntityKind, Record};
use innomesh_store::{ListQuery, Sort};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/{kind}", get(list).post(create))
        .route("/api/{kind}/{id}", get(read).put(update).delete(remove))
        .route("/api/{kind}/{id}/relations", get(relations))
        .route("/api/audit", get(audit))
}

/// `?personal=full&reason=…`: personal data in full, for a caller allowed to see it, who says
/// why (checked and audited by `App`).
fn full_personal(params: &Params) -> Option<String> {
    (param(params, "personal") == Some("full"))
        .then(|| param(params, "reason").unwrap_or("").to_string())
}

fn show(record: &Record, full: bool) -> Value {
    if full {
        record.to_json()
    } else {
        record.to_masked_json()
    }
}

/// Builds a store query from URL parameters; every bad value is a 400 with its reason.
pub fn list_query(kind: EntityKind, params: &Params) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery::new(kind);
    if let Some(r) = param(params, "region") {
        q = q
            .region(r)
            .map_err(|m| ApiError::new(Code::InvalidQuery, m))?;
    }
    if let Some(i) = param(params, "industry") {
        q = q
            .industry(i)
            .map_err(|m| ApiError::new(Code::InvalidQuery, m))?;
    }
    q.subkind = param(params, "kind").map(str::to_string);
    q.tier = param(params, "tier").map(str::to_string);
    q.flag = param(params, "flag").map(str::to_string);
    q.text = param(params, "q")
        .or_else(|| param(params, "text"))
        .map(str::to_string);
    // Chain filters (organisations only; `App` refuses them for other kinds and unknown ids).
    q.chain = param(params, "chain").map(str::to_string);
    q.node = param(params, "node").map(str::to_string);
    q.sort = match param(params, "sort") {
        None | Some("id") => Sort::Id,
        Some("name") => Sort::Name,
        Some("number") | Some("-number") => Sort::NumberDesc,
        Some("updated") | Some("-updated") => Sort::UpdatedDesc,
        Some(other) => {
            return Err(ApiError::new(
                Code::InvalidQuery,
                format!("排序「{other}」无效，可选：id、name、number、updated"),
            ))
        }
    };
    let num = |key: &str, default: usize, max: usize| -> Result<usize, ApiError> {
        match given(params, key) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    ApiError::new(
                        Code::InvalidQuery,
                        format!("{key} 应为 1–{max} 的整数，实际为「{v}」"),
                    )
                }),
        }
    };
    q.page = num("page", 1, 1_000_000)?;
    q.per_page = num("per_page", 50, 1000)?;
    Ok(q)
}

async fn list(
    State(st): State<AppState>,
    Who(who): Who,
    Path(kind): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&kind)?;
    let params = query_params(params)?;
    let q = list_query(kind, &params)?;
    let reason = full_personal(&params);
    let full = reason.is_some();
    let repo = st.clone();
    let page = blocking(move || {
        if let Some(reason) = &reason {
            repo.log_unmask(&who, None, reason, &format!("列表（{}）", kind.label()))?;
        }
        repo.list(&who, &q)
    })
    .await??;
    let items: Vec<Value> = page.records.iter().map(|r| show(r, full)).collect();
    Ok(Json(json!({
        "kind": kind.code(),
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "items": items,
    })))
}

fn parse_record(kind: EntityKind, body: &[u8]) -> Result<Record, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            Code::BadJson,
            format!(
                "请求体不是合法的 JSON（第 {} 行第 {} 列）：{e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::new(Code::BadJson, "请求体应为一个 JSON 对象"));
    }
    let record =
        Record::from_json(kind, value).map_err(|m| ApiError::new(Code::InvalidField, m))?;
    record.validate().map_err(|errs| {
        let msg: Vec<String> = errs
            .iter()
            .map(|e| format!("{}：{}", e.field, e.message))
            .collect();
        ApiError::new(Code::InvalidField, msg.join("；"))
    })?;
    Ok(record)
}

async fn create(
    State(st): State<AppState>,
    Who(who): Who,
    Path(kind): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = kind_of(&kind)?;
    let body = body_bytes(body, JSON_LIMIT)?;
    let record = parse_record(kind, &body)?;
    let repo = st.clone();
    let saved = blocking(move || repo.create(&who, record)).await??;
    Ok((StatusCode::CREATED, Json(saved.to_masked_json())))
}

async fn read(
    State(st): State<AppState>,
    Who(who): Who,
    Path((kind, id)): Path<(String, String)>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&kind)?;
    let params = query_params(params)?;
    let reason = full_personal(&params);
    let full = reason.is_some();
    let repo = st.clone();
    let record = blocking(move || match reason {
        Some(reason) => repo.unmask(&who, kind, &id, &reason),
        None => repo.fetch(&who, kind, &id),
    })
    .await??;
    Ok(Json(show(&record, full)))
}

async fn update(
    State(st): State<AppState>,
    Who(who): Who,
    Path((kind, id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&kind)?;
    let body = body_bytes(body, JSON_LIMIT)?;
    let record = parse_record(kind, &body)?;
    let repo = st.clone();
    let saved = blocking(move || repo.update(&who, kind, &id, record)).await??;
    Ok(Json(saved.to_masked_json()))
}

async fn remove(
    State(st): State<AppState>,
    Who(who): Who,
    Path((kind, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let kind = kind_of(&kind)?;
    blocking(move || st.delete(&who, kind, &id)).await??;
    Ok(StatusCode::NO_CONTENT)
}

async fn relations(
    State(st): State<AppState>,
    Who(who): Who,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&kind)?;
    if kind != EntityKind::Organisation {
        return Err(ApiError::new(Code::InvalidQuery, "只有组织有关联记录列表"));
    }
    // An id is looked up, not checked: no organisation has a code with a wrong check digit, so
    // it is "not found", as for any other id (the document's pattern cannot hold the check digit).
    let code = innomesh_core::CreditCode::parse(&id).map_err(|e| {
        ApiError::new(
            Code::NotFound,
            format!("没有统一社会信用代码为「{id}」的组织（{e}）"),
        )
    })?;
    let repo = st.clone();
    let rels = blocking(move || repo.relations(&who, &code)).await??;
    Ok(Json(json!({ "organisation": id, "relations": rels })))
}

async fn audit(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    // `kind=` given empty is refused like any unknown kind, not read as "all kinds".
    let kind = given(&params, "kind").map(kind_of).transpose()?;
    let id = param(&params, "id").map(str::to_string);
    let limit = match given(&params, "limit") {
        None => 100,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| ApiError::new(Code::InvalidQuery, "limit 应为 1–10000 的整数"))?,
    };
    let repo = st.clone();
    let entries = blocking(move || repo.audit(&who, kind, id.as_deref(), limit)).await??;
    Ok(Json(json!({ "entries": entries })))
}
