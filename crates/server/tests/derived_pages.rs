//! Engine pages never block on a first build: while it runs they answer at once with
//! 「正在准备」 and reload themselves, then show the figures; after a write they show the
//! previous figures with 「正在更新」; a caller without the permission is refused at once.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::Role;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

fn state() -> AppState {
    let store = SqliteStore::open_in_memory().unwrap();
    store
        .import(
            generate(SampleConfig::default()).records,
            &innomesh_store::Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    let st = AppState::for_store(Arc::new(store));
    innomesh_app::chains::seed_models(&st, &innomesh_app::Principal::local("t")).unwrap();
    st
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = res.into_body().collect().await.unwrap().to_bytes();
    (s, String::from_utf8_lossy(&b).to_string())
}

const PAGES: &[(&str, &str)] = &[
    // (page, a text its figures show once built)
    ("/funding", "申报项目"),
    ("/funding/duplicates", "待审查"),
    ("/capacity", "重新生成并排产"),
    ("/deals", "交易进度"),
    ("/demand-funnel", "各阶段到达的需求数"),
    ("/sharing", "下周闲置机时"),
    ("/policy-rules", "政策依据"),
    ("/policy-rules/hitech_certification", "申报条件"),
    ("/dashboard", "研发投入强度"),
    ("/chains", "产业链图谱</h1><p class=\"muted\">"),
];

#[tokio::test]
async fn engine_pages_answer_preparing_then_figures_then_updating() {
    let st = state();
    let app = support::router(st.clone());
    let district = support::router_as(st.clone(), "district-1", Role::DistrictStaff, "150203");
    st.views().set_wait(Duration::ZERO);
    let held = st.views().hold_builds();
    for (page, figures) in PAGES {
        let (s, body) = get(&app, page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(body.contains("正在准备"), "{page}: {body}");
        assert!(body.contains("页面会自动刷新"), "{page}");
        assert!(body.contains("<meta http-equiv=\"refresh\""), "{page}");
        assert!(
            !body.contains(figures),
            "{page} shows figures it has not built"
        );
    }
    // The permission is checked before any build: refused at once, not 「正在准备」.
    let (s, body) = get(&district, "/funding").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    drop(held);
    st.views().set_wait(Duration::from_secs(120));
    for (page, figures) in PAGES {
        let (s, body) = get(&app, page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(body.contains(figures), "{page}: {body}");
        assert!(!body.contains("正在准备"), "{page}");
        assert!(!body.contains("http-equiv=\"refresh\""), "{page}");
    }
    // A write: the previous figures stay on screen, marked, while the new ones are built.
    st.set_setting(&innomesh_app::Principal::local("t"), "k", "v")
        .unwrap();
    st.views().set_wait(Duration::ZERO);
    let held = st.views().hold_builds();
    let (s, body) = get(&app, "/funding").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("申报项目"), "{body}");
    assert!(body.contains("正在更新（基于 "), "{body}");
    drop(held);
}

#[tokio::test]
async fn an_unknown_policy_rule_is_refused_at_once() {
    let st = state();
    let app = support::router(st.clone());
    st.views().set_wait(Duration::ZERO);
    let _held = st.views().hold_builds();
    let (s, _) = get(&app, "/policy-rules/no_such_rule").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
