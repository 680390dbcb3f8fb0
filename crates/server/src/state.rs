//! Shared state of the HTTP layer.

use innomesh_store::Repository;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub repo: Arc<dyn Repository>,
}

impl AppState {
    pub fn new(repo: Arc<dyn Repository>) -> Self {
        Self { repo }
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
