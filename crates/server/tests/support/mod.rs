//! Test support: the product's router, signed in with a real API token of a real account (the
//! authentication layer runs as in production; the token is added to every request).
#![allow(dead_code)]

pub mod malformed;

use axum::http::{header, HeaderValue};
use innomesh_app::{Principal, Role};
use innomesh_server::AppState;

/// A token for an account `name` of `role` (created on first use) over `state`.
pub fn token(state: &AppState, name: &str, role: Role, scope: &str) -> String {
    let local = Principal::local("test");
    if state
        .users(&local)
        .unwrap()
        .iter()
        .all(|u| u.username != name)
    {
        state.add_user(&local, name, name, role, scope).unwrap();
    }
    state
        .create_token(&local, name, Some(1), "tests")
        .unwrap()
        .1
}

/// The router, every request signed in as `role`.
pub fn router_as(state: AppState, name: &str, role: Role, scope: &str) -> axum::Router {
    let bearer = format!("Bearer {}", token(&state, name, role, scope));
    let value = HeaderValue::from_str(&bearer).unwrap();
    innomesh_server::router(state).layer(axum::middleware::map_request(
        move |mut req: axum::extract::Request| {
            let value = value.clone();
            async move {
                if !req.headers().contains_key(header::AUTHORIZATION) {
                    req.headers_mut().insert(header::AUTHORIZATION, value);
                }
                req
            }
        },
    ))
}

/// The router signed in as city staff (every registry read and write, the engines), allowed to
/// ask for personal data in full (with a reason).
pub fn router(state: AppState) -> axum::Router {
    let local = Principal::local("test");
    token(&state, "city-tester", Role::CityStaff, "");
    state.set_can_unmask(&local, "city-tester", true).unwrap();
    router_as(state, "city-tester", Role::CityStaff, "")
}
