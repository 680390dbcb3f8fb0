//! Industrial chains over HTTP: `/api/chains…` — diagnosis, node detail, gap ledger, targets,
//! referral paths, impact simulation, editable rules and the XLSX chain report.

use super::{body_bytes, query_params, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use innomesh_app::chains::{chain_error, node_key, store_id, ChainData};
use innomesh_chain::{DiagnosisRules, MetricsConfig, ReferralScratch};
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/chains", get(list))
        .route("/api/chains/rules", get(get_rules).put(put_rules))
        .route("/api/chains/simulate", post(simulate))
        .route("/api/chains/referral/{code}", get(referral))
        .route("/api/chains/org/{code}", get(org_nodes))
        .route("/api/chains/{chain}", get(report))
        .route("/api/chains/{chain}/report", get(report_file))
        .route("/api/chains/{chain}/nodes/{node}", get(node_detail))
}

fn year_param(params: &Params) -> Result<Option<u16>, ApiError> {
    super::given(params, "year")
        .map(|y| {
            y.parse::<u16>()
                .ok()
                .filter(|y| (1949..=2100).contains(y))
                .ok_or_else(|| ApiError::new(Code::InvalidQuery, format!("年份「{y}」无效")))
        })
        .transpose()
}

/// Every chain's report for a year, with the engine behind it (cached per registry version).
pub fn chain_reports(
    st: &AppState,
    who: &innomesh_app::Principal,
    year: Option<u16>,
) -> Result<Arc<ChainData>, ApiError> {
    Ok(st.chain_reports(who, year)?)
}

async fn list(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let year = year_param(&params)?;
    let data = blocking(move || chain_reports(&st, &who, year)).await??;
    let (loaded, reports) = (&data.loaded, &data.reports);
    let chains: Vec<Value> = loaded
        .engine
        .chains()
        .chains()
        .iter()
        .zip(reports)
        .map(|(c, r)| {
            json!({
                "id": c.id, "name": c.name, "description": c.description,
                "nodes": c.nodes.iter().map(|n| json!({"id": format!("{}.{}", c.id, n.id), "name": n.name, "position": n.position, "supplies": n.supplies.iter().map(|s| format!("{}.{s}", c.id)).collect::<Vec<_>>()})).collect::<Vec<_>>(),
                "summary": r.summary,
            })
        })
        .collect();
    Ok(Json(
        json!({ "chains": chains, "years": loaded.engine.years() }),
    ))
}

async fn report(
    State(st): State<AppState>,
    Who(who): Who,
    Path(chain): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let year = year_param(&params)?;
    let data = blocking(move || chain_reports(&st, &who, year)).await??;
    let reports = &data.reports;
    let r = reports
        .iter()
        .find(|r| r.chain == chain)
        .ok_or_else(|| ApiError::not_found(format!("没有编号为「{chain}」的产业链")))?;
    Ok(Json(serde_json::to_value(r).map_err(ApiError::internal)?))
}

async fn node_detail(
    State(st): State<AppState>,
    Who(who): Who,
    Path((chain, node)): Path<(String, String)>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let year = year_param(&params)?;
    let node = node
        .strip_prefix(&format!("{chain}."))
        .unwrap_or(&node)
        .to_string();
    let key = format!("{chain}/{node}");
    let data = blocking(move || chain_reports(&st, &who, year)).await??;
    let (loaded, reports) = (&data.loaded, &data.reports);
    let report = reports
        .iter()
        .flat_map(|r| r.nodes.iter())
        .find(|n| n.metrics.node == key)
        .ok_or_else(|| ApiError::not_found(format!("没有链节点「{}」", store_id(&key))))?;
    let orgs = loaded.engine.node_orgs(&key).map_err(chain_error)?;
    let firms: Vec<Value> = orgs
        .iter()
        .filter_map(|&i| {
            let o = loaded.engine.input().orgs.get(i as usize)?;
            let m = loaded.engine.explain_org(i).into_iter().find(|m| m.node == key)?;
            Some(json!({"credit_code": o.credit_code, "name": o.name, "region": o.region, "local": o.local,
                        "revenue": o.revenue, "confidence": m.confidence, "manual": m.manual, "reason": m.reason}))
        })
        .collect();
    Ok(Json(
        json!({ "node": store_id(&key), "report": report, "firms": firms }),
    ))
}

async fn org_nodes(
    State(st): State<AppState>,
    Who(who): Who,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let matches = blocking(move || -> Result<Value, ApiError> {
        let loaded = st.chains_loaded(&who)?;
        let i = *loaded.codes.get(code.trim()).ok_or_else(|| ApiError::not_found(format!("登记库中没有组织「{code}」")))?;
        let m: Vec<Value> = loaded
            .engine
            .explain_org(i)
            .into_iter()
            .map(|m| json!({"node": store_id(&m.node), "name": m.name, "confidence": m.confidence, "manual": m.manual, "reason": m.reason}))
            .collect();
        Ok(json!({"organisation": code, "nodes": m}))
    })
    .await??;
    Ok(Json(matches))
}

async fn referral(
    State(st): State<AppState>,
    Who(who): Who,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let loaded = st.chains_loaded(&who)?;
        let i = *loaded
            .codes
            .get(code.trim())
            .ok_or_else(|| ApiError::not_found(format!("登记库中没有组织「{code}」")))?;
        let mut scratch = ReferralScratch::default();
        let path = loaded.engine.referral_path(i, &mut scratch);
        Ok(json!({"target": code, "path": path.map(|p| p.explanation)}))
    })
    .await??;
    Ok(Json(v))
}

async fn simulate(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let req: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(Code::BadJson, format!("请求体不是合法的 JSON：{e}")))?;
    let target = req["target"]
        .as_str()
        .ok_or_else(|| {
            ApiError::new(
                Code::InvalidField,
                "缺少 target（目标企业统一社会信用代码）",
            )
        })?
        .to_string();
    let node = req["node"]
        .as_str()
        .ok_or_else(|| {
            ApiError::new(
                Code::InvalidField,
                "缺少 node（链节点编号，如 rare_earth.magnet）",
            )
        })?
        .to_string();
    let v = blocking(move || -> Result<Value, ApiError> {
        let loaded = st.chains_loaded(&who)?;
        let rules = st.chain_rules(&who)?;
        let i = *loaded.codes.get(target.trim()).ok_or_else(|| {
            ApiError::new(
                Code::UnknownReference,
                format!("登记库中没有组织「{target}」：请先导入候选企业"),
            )
        })?;
        let metrics = loaded.engine.metrics(&MetricsConfig::default());
        let r = loaded
            .engine
            .simulate(&metrics, &rules, i, &node_key(&node))
            .map_err(chain_error)?;
        serde_json::to_value(r).map_err(ApiError::internal)
    })
    .await??;
    Ok(Json(v))
}

async fn get_rules(
    State(st): State<AppState>,
    Who(who): Who,
) -> Result<Json<DiagnosisRules>, ApiError> {
    let r = blocking(move || st.chain_rules(&who)).await??;
    Ok(Json(r))
}

async fn put_rules(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DiagnosisRules>, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::new(Code::BadJson, "请求体不是 UTF-8 文本"))?;
    // serde reads a struct from an array too (`[]` would silently mean "all defaults").
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ApiError::new(Code::BadJson, format!("请求体不是合法的 JSON：{e}")))?;
    if !value.is_object() {
        return Err(ApiError::new(
            Code::BadJson,
            "请求体应为一个 JSON 对象（诊断规则）",
        ));
    }
    let r = DiagnosisRules::from_json(text).map_err(chain_error)?;
    let json = serde_json::to_string(&r).map_err(ApiError::internal)?;
    blocking(move || st.set_setting(&who, "chain_rules", &json)).await??;
    Ok(Json(r))
}

async fn report_file(
    State(st): State<AppState>,
    Who(who): Who,
    Path(chain): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query_params(params)?;
    let year = year_param(&params)?;
    let sample = st.sample_label();
    let (name, bytes) = blocking(move || -> Result<(String, Vec<u8>), ApiError> {
        let data = chain_reports(&st, &who, year)?;
        let reports = &data.reports;
        let r = reports
            .iter()
            .find(|r| r.chain == chain)
            .ok_or_else(|| ApiError::not_found(format!("没有编号为「{chain}」的产业链")))?;
        let bytes =
            innomesh_app::chains_report::xlsx(r, sample.as_deref()).map_err(ApiError::internal)?;
        Ok((
            format!(
                "{}诊断报告{}.xlsx",
                r.name,
                if sample.is_some() {
                    "-示例数据"
                } else {
                    ""
                }
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
