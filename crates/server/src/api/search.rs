//! Full-text search: `GET /api/search?q=&kind=&region=&limit=&offset=`. The index is kept current
//! by `App` (every write path catches it up), not here.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use innomesh_core::EntityKind;
use innomesh_search::{SearchQuery, SearchResults};

use super::{number, param, query_params, Params};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;

/// Longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 100;
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
const MAX_OFFSET: usize = 10_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/search", get(search))
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::InvalidQuery, message)
}

/// Query parameters → a validated `SearchQuery`.
pub(crate) fn parse(params: &Params) -> Result<SearchQuery, ApiError> {
    let q = param(params, "q")
        .map(str::trim)
        .ok_or_else(|| invalid("请提供检索词 q，例如 /api/search?q=稀土永磁"))?;
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(invalid(format!(
            "检索词过长：最多 {MAX_QUERY_CHARS} 个字符"
        )));
    }
    let mut kinds = Vec::new();
    if let Some(list) = param(params, "kind") {
        for k in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let kind = EntityKind::from_plural(k)
                .or_else(|| EntityKind::from_code(k))
                .ok_or_else(|| {
                    let all: Vec<&str> = EntityKind::ALL.iter().map(|k| k.plural()).collect();
                    invalid(format!("没有「{k}」这种记录类型，可用：{}", all.join("、")))
                })?;
            kinds.push(kind);
        }
    }
    let region_prefix = match param(params, "region") {
        None => None,
        Some(r) => {
            let regions = innomesh_core::reference::regions();
            let region = regions.resolve(r).ok_or_else(|| {
                invalid(format!(
                    "行政区划代码「{r}」无效：应为 GB/T 2260 代码，例如 1502（包头市）或 150203（昆都仑区）"
                ))
            })?;
            Some(innomesh_core::reference::Regions::descendant_prefix(region).to_string())
        }
    };
    let limit = number(params, "limit", DEFAULT_LIMIT, MAX_LIMIT)?;
    let offset = number(params, "offset", 0, MAX_OFFSET)?;
    Ok(SearchQuery {
        q: q.to_string(),
        kinds,
        region_prefix,
        limit,
        offset,
    })
}

async fn search(
    State(st): State<AppState>,
    Who(who): Who,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let params = query_params(params)?;
    let sq = parse(&params)?;
    let results = blocking(move || st.search(&who, &sq)).await??;
    Ok(Json(results))
}
