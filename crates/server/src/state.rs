//! Shared state of the HTTP layer: the one `App`.

use innomesh_app::App;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    pub fn new(app: Arc<App>) -> Self {
        Self(app)
    }

    /// An application over `repo` with the default configuration (tests, tools).
    pub fn for_store(repo: Arc<dyn innomesh_store::Repository>) -> Self {
        Self(App::new(repo, innomesh_app::Config::default()))
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
