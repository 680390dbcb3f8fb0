//! Workbench pages of the engines: funding picture, duplicate pair with highlights, pre-submission
//! form, capacity plan view.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::chains;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use std::sync::Arc;
use tower::ServiceExt;

fn app() -> axum::Router {
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
    store
        .set_meta(
            "sample_data",
            "示例数据",
            &innomesh_store::Actor::system("t"),
        )
        .unwrap();
    let st = AppState::for_store(Arc::new(store));
    chains::seed_models(&st, &innomesh_app::Principal::local("t")).unwrap();
    support::router(st)
}

async fn page(app: &axum::Router, method: &str, uri: &str, form: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = res.into_body().collect().await.unwrap().to_bytes();
    (s, String::from_utf8_lossy(&b).to_string())
}

#[tokio::test]
async fn funding_pages() {
    let app = app();
    let (s, html) = page(&app, "GET", "/funding", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("资金一盘棋") && html.contains("按专项") && html.contains("示例数据"));
    let (s, _) = page(&app, "GET", "/funding?year=abc", "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, list) = page(&app, "GET", "/funding/duplicates", "").await;
    assert_eq!(s, StatusCode::OK);
    // Follow the first text duplicate to its side-by-side view: reused passages are marked.
    let link = list
        .split("href=\"/funding/duplicates/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("at least one flagged pair in the sample")
        .to_string();
    let (s, pair) = page(&app, "GET", &format!("/funding/duplicates/{link}"), "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(pair.contains("疑似重复申报对照"));
    assert!(
        !pair
            .as_bytes()
            .windows(18)
            .any(|w| w.iter().all(u8::is_ascii_digit)),
        "no full ID number"
    );
    let (s, _) = page(&app, "GET", "/funding/duplicates/AP000001/NOPE", "").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, form) = page(&app, "GET", "/funding/check", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("本单位以往的申报"));
    let (s, bad) = page(
        &app,
        "POST",
        "/funding/check",
        "applicant=123&title=x&text=abc",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(bad.contains("统一社会信用代码无效"));
}

#[tokio::test]
async fn capacity_page_shows_a_plan() {
    let app = app();
    let (s, html) = page(&app, "GET", "/capacity?parts=4&seed=2", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("机床时间表") && html.contains("<svg") && html.contains("谁做什么"));
    let (s, _) = page(&app, "GET", "/capacity?parts=999", "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----innomeshtest";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &axum::Router, name: &str, bytes: &[u8]) -> (StatusCode, String) {
    let (ct, body) = multipart(name, bytes);
    let req = Request::builder()
        .method("POST")
        .uri("/capacity")
        .header("content-type", ct)
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = res.into_body().collect().await.unwrap().to_bytes();
    (s, String::from_utf8_lossy(&b).to_string())
}

#[tokio::test]
async fn uploaded_order_is_planned_or_every_bad_cell_named() {
    let app = app();
    let tpl = innomesh_app::alloc::order_template().unwrap();
    let (s, html) = upload(&app, "订单.xlsx", &tpl).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("已导入订单") && html.contains("机床时间表"));
    let bad = "零件编号,零件名称,数量,材料,尺寸（mm）,公差（μm）,交期（小时）,可拆分,工艺路线\nP1,轴,0,木头,3x4,a,10,也许,车削:x\n";
    let (s, html) = upload(&app, "bad.csv", bad.as_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for col in [
        "数量",
        "材料",
        "尺寸（mm）",
        "公差（μm）",
        "可拆分",
        "工艺路线",
    ] {
        assert!(html.contains(&format!("<td>{col}</td>")), "{col} named");
    }
    let (s, _) = upload(&app, "x.xlsx", b"PK\x03\x04broken").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
