//! Full-text search: `GET /api/search?q=&kind=&region=&limit=&offset=`, and the hooks that keep the
//! index current after registry writes (the store stays the source of truth: an index failure is
//! logged, never turned into a failed write).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use innomesh_core::{EntityKind, Record};
use innomesh_search::{SearchIndex, SearchQuery, SearchResults};

use super::{param, query_params, Params};
use crate::error::ApiError;
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
    ApiError::bad_request("invalid_query", message)
}

fn number(params: &Params, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
    match param(params, key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| invalid(format!("参数 {key}「{v}」应为 0 到 {max} 之间的整数"))),
    }
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

/// The index: the one given at start, or one built in memory from the store on first use.
/// Blocking (may read the whole store): call inside `blocking`.
pub fn index(st: &AppState) -> Result<Arc<SearchIndex>, ApiError> {
    if let Some(ix) = st.search.get() {
        return Ok(ix.clone());
    }
    let dicts = crate::dictionaries::active(st)?;
    let ix = SearchIndex::in_memory_with(dicts.user.clone(), dicts.aliases.clone())
        .map_err(ApiError::internal)?;
    let mut records = Vec::new();
    for kind in EntityKind::ALL {
        records.extend(st.repo.all(kind)?);
    }
    ix.rebuild(&records).map_err(ApiError::internal)?;
    // Another request may have built it meanwhile: keep whichever came first.
    Ok(st.search.get_or_init(|| Arc::new(ix)).clone())
}

async fn search(
    State(st): State<AppState>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let params = query_params(params)?;
    let sq = parse(&params)?;
    let results = blocking(move || {
        let ix = index(&st)?;
        ix.search(&sq).map_err(ApiError::internal)
    })
    .await??;
    Ok(Json(results))
}

/// After a successful create or update: index `record` and make it searchable now.
/// Blocking: call inside `blocking`. Does nothing until an index exists (a later lazy build reads
/// the store, which already holds the write).
pub fn indexed_upsert(st: &AppState, record: &Record) {
    // Derived caches (facets, dashboard, chains, matching) rebuild in the background; readers
    // meanwhile get the previous figures instead of waiting.
    crate::pages::cache::wake(st);
    if let Some(ix) = st.search.get() {
        if let Err(e) = ix.upsert(record).and_then(|_| ix.commit()) {
            eprintln!("搜索索引更新失败（可运行 innomesh reindex 重建）：{e}");
        }
    }
}

/// After a successful delete.
pub fn indexed_delete(st: &AppState, kind: EntityKind, id: &str) {
    crate::pages::cache::wake(st);
    if let Some(ix) = st.search.get() {
        if let Err(e) = ix.delete(kind, id).and_then(|_| ix.commit()) {
            eprintln!("搜索索引更新失败（可运行 innomesh reindex 重建）：{e}");
        }
    }
}

/// After a successful import: re-index every record of `kind` from the store.
pub fn indexed_reindex_kind(st: &AppState, kind: EntityKind) {
    crate::pages::cache::wake(st);
    let Some(ix) = st.search.get() else { return };
    let result = st
        .repo
        .all(kind)
        .map_err(|e| e.to_string())
        .and_then(|records| {
            ix.delete_kind(kind)
                .and_then(|_| records.iter().try_for_each(|r| ix.upsert(r)))
                .and_then(|_| ix.commit())
                .map_err(|e| e.to_string())
        });
    if let Err(e) = result {
        eprintln!("搜索索引更新失败（可运行 innomesh reindex 重建）：{e}");
    }
}
