//! Shared state of the HTTP layer.

use innomesh_search::SearchIndex;
use innomesh_store::Repository;
use std::sync::{Arc, OnceLock};

#[derive(Clone)]
pub struct AppState {
    pub repo: Arc<dyn Repository>,
    /// The full-text index (a cache of the store). Set at start by `with_search`; otherwise built
    /// in memory from the store on the first search (`api::search::index`).
    pub search: Arc<OnceLock<Arc<SearchIndex>>>,
}

impl AppState {
    pub fn new(repo: Arc<dyn Repository>) -> Self {
        Self {
            repo,
            search: Arc::new(OnceLock::new()),
        }
    }

    /// With an index opened (and kept current) by the caller, e.g. `DATA_DIR/search-index/`.
    pub fn with_search(repo: Arc<dyn Repository>, index: Arc<SearchIndex>) -> Self {
        let search = OnceLock::new();
        let _ = search.set(index);
        Self {
            repo,
            search: Arc::new(search),
        }
    }

    /// The 示例数据 label when the database holds generated sample data.
    pub fn sample_label(&self) -> Option<String> {
        self.repo
            .meta("sample_data")
            .ok()
            .flatten()
            .map(|_| innomesh_core::sample::SAMPLE_LABEL.to_string())
    }
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, crate::error::ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(crate::error::ApiError::internal)
}
