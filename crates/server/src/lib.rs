//! Innomesh over HTTP: the JSON API (one router per feature), the OpenAPI document and the
//! server-rendered pages. Handlers extract, call `innomesh_app::App`, and map the result.

pub mod api;
pub mod auth;
pub mod error;
pub mod openapi;
pub mod pages;
pub mod security;
mod state;
mod workbench;

pub use state::AppState;

use axum::Router;
use std::net::SocketAddr;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .merge(workbench::router())
        .fallback(api::fallback)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn(security::guard))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    // Counts, dashboard figures and chain reports are built before the first visitor asks.
    state.0.start_background();
    let local = listener.local_addr()?;
    eprintln!("Innomesh 创新资源一张网 已启动：http://{local}/");
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
