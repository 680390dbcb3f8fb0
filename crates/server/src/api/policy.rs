//! 政策找企业 over HTTP: `/api/policy-rules` (rules, versions, matching, 政策评估, export) and
//! `/api/organisations/{code}/policies` (an enterprise's policies and gaps) with
//! `/api/organisations/{code}/policy-facts` (entering the facts the registry lacks).

use super::{body_bytes, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use innomesh_app::policy::{
    conditions_text, source_text, today, Category, FactInput, ListPage, RuleEntry, MAX_LIST_PAGE,
};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/policy-rules", get(list))
        .route("/api/policy-rules/{rule}", get(read).put(save))
        .route("/api/policy-rules/{rule}/history", get(history))
        .route("/api/policy-rules/{rule}/matches", get(matches))
        .route("/api/policy-rules/{rule}/export", get(export))
        .route("/api/policy-rules/{rule}/assessment", get(assessment))
        .route("/api/organisations/{code}/policies", get(org_policies))
        .route(
            "/api/organisations/{code}/policy-facts",
            get(org_policies).put(set_facts),
        )
}

/// A rule as the API shows it; `full` adds the YAML and the conditions in plain Chinese.
pub fn describe(e: &RuleEntry, full: bool) -> Value {
    let r = &e.rule;
    let mut v = json!({
        "id": r.id,
        "name": r.name,
        "source": source_text(r),
        "origin": e.origin_label(),
        "saved_version": e.saved.as_ref().map(|s| s.seq),
        "versions": r.versions.iter().map(|v| json!({
            "valid_from": v.valid_from.to_string(),
            "valid_to": v.valid_to.map(|d| d.to_string()),
            "note": v.note,
        })).collect::<Vec<_>>(),
        "policies": e.policies.iter().map(|(id, title)| json!({"id": id, "title": title})).collect::<Vec<_>>(),
    });
    if full {
        v["yaml"] = json!(e.yaml);
        v["conditions"] = json!(conditions_text(r, today()));
        v["facts"] = json!(r
            .facts
            .iter()
            .map(|f| json!({
                "key": f.key, "name": f.name, "type": f.ty.name_zh(), "unit": f.unit,
                "manual": f.manual, "derived": f.derived.is_some(), "description": f.description,
            }))
            .collect::<Vec<_>>());
    }
    v
}

async fn list(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let rules = st.policy_rules(&who)?;
        Ok(json!({"rules": rules.iter().map(|e| describe(e, false)).collect::<Vec<_>>()}))
    })
    .await??;
    Ok(Json(v))
}

async fn read(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(describe(&st.policy_rule(&who, &rule)?, true))
    })
    .await??;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveRule {
    yaml: String,
    #[serde(default)]
    note: Option<String>,
}

/// Reads a JSON object body into `T` (serde reads a struct from an array too; only an object is
/// accepted).
fn object_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    shape: &str,
) -> Result<T, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let object = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
        .unwrap_or(Value::Null);
    serde_json::from_value(object)
        .map_err(|e| ApiError::new(Code::BadJson, format!("请求体应为 {shape}：{e}")))
}

async fn save(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let put: SaveRule = object_body(body, "{\"yaml\": 规则全文, \"note\": 修改说明}")?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let e = st.save_policy_rule(&who, &rule, &put.yaml, put.note.as_deref().unwrap_or(""))?;
        Ok(describe(&e, true))
    })
    .await??;
    Ok(Json(v))
}

async fn history(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let current = st.policy_rule(&who, &rule)?;
        let versions = st.policy_rule_history(&who, &rule)?;
        Ok(json!({"rule": current.rule.id, "versions": versions}))
    })
    .await??;
    Ok(Json(v))
}

/// `?list=eligible|near_miss|unknown&offset=&limit=` → the page of the lists to answer.
pub(crate) fn list_page(params: &Params) -> Result<ListPage, ApiError> {
    let category = match super::given(params, "list") {
        None => None,
        Some("eligible") => Some(Category::Eligible),
        Some("near_miss") => Some(Category::NearMiss),
        Some("unknown") => Some(Category::Unknown),
        Some(v) => {
            return Err(ApiError::new(
                Code::InvalidQuery,
                format!(
                    "list「{v}」应为 eligible（符合）、near_miss（差一项）或 unknown（待补充）"
                ),
            ))
        }
    };
    Ok(ListPage {
        category,
        offset: super::number(params, "offset", 0, 10_000_000)?,
        limit: super::number(params, "limit", 100, MAX_LIST_PAGE)?,
    })
}

async fn matches(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let page = list_page(&super::query_params(params)?)?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let m = st.policy_matches(&who, &rule, page)?;
        serde_json::to_value(&m).map_err(ApiError::internal)
    })
    .await??;
    Ok(Json(v))
}

async fn export(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
) -> Result<Response, ApiError> {
    let sample = st.sample_label().is_some();
    let (name, bytes) = blocking(move || -> Result<(String, Vec<u8>), ApiError> {
        let e = st.policy_rule(&who, &rule)?;
        let bytes = st.policy_matches_xlsx(&who, &rule)?;
        Ok((
            format!(
                "{}-政策找企业{}.xlsx",
                e.rule.name,
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

async fn assessment(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let a = st.policy_assessment(&who, &rule)?;
        serde_json::to_value(&a).map_err(ApiError::internal)
    })
    .await??;
    Ok(Json(v))
}

async fn org_policies(
    State(st): State<AppState>,
    Who(who): Who,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let p = st.org_policies(&who, &code)?;
        serde_json::to_value(&p).map_err(ApiError::internal)
    })
    .await??;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFacts {
    facts: Vec<FactInput>,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

async fn set_facts(
    State(st): State<AppState>,
    Who(who): Who,
    Path(code): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let put: SetFacts = object_body(
        body,
        "{\"facts\": [{\"key\": 事实键, \"value\": 值或 null}], \"as_of\": \"YYYY-MM-DD\", \"note\": 说明}",
    )?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let p = st.set_org_facts(
            &who,
            &code,
            &put.facts,
            put.as_of.as_deref(),
            put.note.as_deref().unwrap_or(""),
        )?;
        serde_json::to_value(&p).map_err(ApiError::internal)
    })
    .await??;
    Ok(Json(v))
}
