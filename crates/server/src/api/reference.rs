//! Code lists and registry totals: `/api/regions`, `/api/industries`, `/api/stats`.

use super::{param, query_params, Params};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use innomesh_core::reference::{industries, regions};
use innomesh_core::EntityKind;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/regions", get(region_list))
        .route("/api/industries", get(industry_list))
        .route("/api/stats", get(stats))
}

/// Children of `parent` (default: provinces), or one region with `code`.
async fn region_list(
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let regs = regions();
    let parent = match param(&params, "parent") {
        Some(p) => Some(
            regs.resolve(p)
                .ok_or_else(|| {
                    ApiError::new(Code::InvalidQuery, format!("行政区划代码「{p}」不存在"))
                })?
                .code
                .clone(),
        ),
        None => None,
    };
    let items: Vec<Value> = match &parent {
        Some(p) => regs
            .children(p)
            .iter()
            .filter_map(|c| regs.get(c))
            .map(|r| json!(r))
            .collect(),
        None => {
            let mut provinces: Vec<_> = (11..=82)
                .filter_map(|n| regs.get(&format!("{n}0000")))
                .map(|r| json!(r))
                .collect();
            provinces.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
            provinces
        }
    };
    Ok(Json(json!({ "parent": parent, "items": items })))
}

async fn industry_list(
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query_params(params)?;
    let inds = industries();
    let items: Vec<Value> = match param(&params, "parent") {
        Some(p) => {
            let i = inds.resolve(p).ok_or_else(|| {
                ApiError::new(Code::InvalidQuery, format!("行业代码「{p}」不存在"))
            })?;
            inds.children(&i.code)
                .iter()
                .filter_map(|c| inds.get(c))
                .map(|x| json!(x))
                .collect()
        }
        None => inds
            .sections()
            .iter()
            .filter_map(|c| inds.get(c))
            .map(|x| json!(x))
            .collect(),
    };
    Ok(Json(json!({ "items": items })))
}

async fn stats(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let repo = st.clone();
    let counts = blocking(move || -> Result<Vec<(EntityKind, usize)>, ApiError> {
        EntityKind::ALL
            .iter()
            .map(|k| Ok((*k, repo.count(&who, *k)?)))
            .collect()
    })
    .await??;
    let map: serde_json::Map<String, Value> = counts
        .into_iter()
        .map(|(k, n)| (k.code().to_string(), json!(n)))
        .collect();
    Ok(Json(
        json!({ "counts": map, "sample_data": st.sample_label() }),
    ))
}
