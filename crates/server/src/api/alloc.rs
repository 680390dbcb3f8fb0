//! Shared capacity over HTTP: `/api/alloc/shops`, `/api/alloc/sample-order`, `/api/alloc/plan`.

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
use innomesh_alloc::order::Order;
use innomesh_alloc::{plan_order, PlanConfig};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/alloc/shops", get(shops))
        .route("/api/alloc/sample-order", get(sample_order))
        .route("/api/alloc/plan", post(plan))
        .route("/api/alloc/repair", post(repair))
}

/// Body: `{"order": {...}, "plan": <a plan from /api/alloc/plan>, "dropped_shop": "<credit code>"}`:
/// a new plan that keeps every lot not at the dropped shop where it was, if it can.
async fn repair(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let req: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(Code::BadJson, format!("请求体不是合法的 JSON：{e}")))?;
    let invalid = |m: String| ApiError::new(Code::InvalidField, m);
    let order: Order = serde_json::from_value(req.get("order").cloned().unwrap_or(Value::Null))
        .map_err(|e| invalid(format!("订单 order 格式不对：{e}")))?;
    let previous: innomesh_alloc::Plan =
        serde_json::from_value(req.get("plan").cloned().unwrap_or(Value::Null))
            .map_err(|e| invalid(format!("原计划 plan 格式不对：{e}")))?;
    let dropped = req
        .get("dropped_shop")
        .and_then(|v| v.as_str())
        .ok_or_else(|| invalid("缺少 dropped_shop（退出车间的统一社会信用代码）".into()))?
        .to_string();
    let v = blocking(move || -> Result<Value, ApiError> {
        let shops = st.capacity_shops(&who)?;
        let mut cfg = PlanConfig {
            policy: innomesh_app::alloc::policy(),
            ..PlanConfig::default()
        };
        cfg.gap.time_limit = 1.0;
        cfg.fjsp.time_limit = 1.0;
        let report = innomesh_alloc::repair_plan(&order, &shops, &previous, &dropped, &cfg)
            .map_err(|e| invalid(e.to_string()))?;
        serde_json::to_value(report).map_err(ApiError::internal)
    })
    .await??;
    Ok(Json(v))
}

async fn shops(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let shops = st.capacity_shops(&who)?;
        let policy = innomesh_app::alloc::policy();
        let items: Vec<Value> = shops
            .iter()
            .map(|s| {
                json!({"id": s.id, "name": s.name, "local": s.local, "machines": s.machines.len(),
                       "free_hours_per_week": s.machines.iter().map(|m| m.free_hours_per_week).sum::<f64>(),
                       "deliveries": s.deliveries.len(), "performance": s.performance(&policy),
                       "order_limit_hours": s.order_limit_hours(&policy)})
            })
            .collect();
        Ok(json!({"total": items.len(), "shops": items}))
    })
    .await??;
    Ok(Json(v))
}

async fn sample_order(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Order>, ApiError> {
    let params = query_params(params)?;
    let parts = match super::given(&params, "parts") {
        None => 8,
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| ApiError::new(Code::InvalidQuery, "parts 应为 1–200 的整数"))?,
    };
    let seed = match super::given(&params, "seed") {
        None => 1,
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| ApiError::new(Code::InvalidQuery, "seed 应为非负整数"))?,
    };
    let order = blocking(move || -> Result<Order, ApiError> {
        let shops = st.capacity_shops(&who)?;
        Ok(innomesh_app::alloc::sample_order(&shops, parts, seed))
    })
    .await??;
    Ok(Json(order))
}

/// Body: `{"order": {...}, "time_limit": seconds (default 2, at most 30)}`.
async fn plan(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let req: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(Code::BadJson, format!("请求体不是合法的 JSON：{e}")))?;
    let order: Order = serde_json::from_value(req.get("order").cloned().unwrap_or(Value::Null))
        .map_err(|e| ApiError::new(Code::InvalidField, format!("订单 order 格式不对：{e}")))?;
    if order.parts.is_empty() {
        return Err(ApiError::new(Code::InvalidField, "订单没有零件"));
    }
    let time_limit = match req.get("time_limit") {
        None | Some(Value::Null) => 2.0,
        Some(v) => v
            .as_f64()
            .filter(|t| *t > 0.0 && *t <= 30.0)
            .ok_or_else(|| ApiError::new(Code::InvalidField, "time_limit 应为 0–30 秒"))?,
    };
    let v = blocking(move || -> Result<Value, ApiError> {
        let shops = st.capacity_shops(&who)?;
        let mut cfg = PlanConfig {
            policy: innomesh_app::alloc::policy(),
            ..PlanConfig::default()
        };
        cfg.gap.time_limit = time_limit / 2.0;
        cfg.fjsp.time_limit = time_limit / 2.0;
        let plan = plan_order(&order, &shops, &cfg)
            .map_err(|e| ApiError::new(Code::InvalidField, e.to_string()))?;
        let names: serde_json::Map<String, Value> = shops
            .iter()
            .map(|s| (s.id.clone(), json!(s.name)))
            .collect();
        Ok(json!({"plan": plan, "shop_names": names}))
    })
    .await??;
    Ok(Json(v))
}
