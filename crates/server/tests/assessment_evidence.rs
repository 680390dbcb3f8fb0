//! 佐证材料 over HTTP: a platform uploads a file for one of its figures, the type is read from the
//! content, bad files are refused with a stable code and a Chinese message and write nothing,
//! and the file comes back whole with a safe download header — to the platform and the bureau.

mod support;

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use innomesh_app::{Principal, Role};
use innomesh_core::model::PlatformKind;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

struct Reply {
    status: u16,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

async fn send(router: &axum::Router, method: &str, uri: &str, ct: &str, body: Vec<u8>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if !ct.is_empty() {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        bytes,
    }
}

fn jpeg() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    b.extend_from_slice(b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_uploads_evidence_and_bad_files_change_nothing() {
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
    let local = Principal::local("t");
    let mut labs: Vec<String> = st
        .repo()
        .all(EntityKind::Platform)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Platform(p) if p.kind == PlatformKind::KeyLaboratory => Some(p.id),
            _ => None,
        })
        .collect();
    labs.sort();
    let round = st
        .assessment_round_create(&local, "key_laboratory", None, 2030, None)
        .unwrap()
        .id;
    let lab = support::router_as(st.clone(), "lab", Role::Expert, &labs[0]);
    let other = support::router_as(st.clone(), "lab2", Role::Expert, &labs[1]);
    let city = support::router_as(st.clone(), "city", Role::CityStaff, "");
    let url = |unit: &str, name: &str| {
        format!(
            "/api/assessment/rounds/{round}/evidence?unit={unit}&indicator=leading_talent&filename={name}"
        )
    };
    let version = || st.repo().version().unwrap();

    // Refused: each with its status, code and a Chinese message; nothing written.
    let before = version();
    let big = vec![b'%'; innomesh_app::evidence::EVIDENCE_LIMIT + 10];
    let huge = vec![0u8; innomesh_app::evidence::EVIDENCE_LIMIT + 200 * 1024];
    let cases: Vec<(Vec<u8>, &str, u16, &str)> = vec![
        (
            b"GIF89a\x01\x00\x01\x00".to_vec(),
            "image/gif",
            415,
            "unsupported_format",
        ),
        (
            b"%PDF-1.7\n(no end)".to_vec(),
            "application/pdf",
            400,
            "bad_file",
        ),
        (
            vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3],
            "image/jpeg",
            400,
            "bad_file",
        ),
        (Vec::new(), "application/pdf", 400, "bad_file"),
        (big, "application/pdf", 413, "payload_too_large"),
        (huge, "application/octet-stream", 413, "payload_too_large"),
    ];
    for (body, ct, status, code) in cases {
        let r = send(&lab, "POST", &url(&labs[0], "x.pdf"), ct, body).await;
        let v = r.json();
        assert_eq!((r.status, v["code"].as_str()), (status, Some(code)), "{v}");
        let msg = v["message"].as_str().unwrap();
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{msg}"
        );
    }
    // Another platform's figure; a text/plain body (a simple cross-site request); no indicator.
    let r = send(
        &other,
        "POST",
        &url(&labs[0], "x.jpg"),
        "image/jpeg",
        jpeg(),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = send(&lab, "POST", &url(&labs[0], "x.jpg"), "text/plain", jpeg()).await;
    assert_eq!(r.status, 415);
    let r = send(
        &lab,
        "POST",
        &format!("/api/assessment/rounds/{round}/evidence?unit={}", labs[0]),
        "image/jpeg",
        jpeg(),
    )
    .await;
    assert_eq!(r.json()["code"], "invalid_query");
    assert_eq!(version(), before, "a refusal writes nothing");

    // Accepted: a JPEG sent as octet-stream under a name with a path and quotes.
    let r = send(
        &lab,
        "POST",
        &url(&labs[0], "..%2F..%2F%E8%AF%81%E4%B9%A6%22.jpg"),
        "application/octet-stream",
        jpeg(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json());
    let f = r.json();
    assert_eq!(f["media_type"], "image/jpeg");
    assert_eq!(f["file_name"], "证书\".jpg");
    let id = f["id"].as_str().unwrap().to_string();

    // Downloaded whole by the platform and the bureau, with the type found and a safe header;
    // another platform gets 404.
    for who in [&lab, &city] {
        let r = send(
            who,
            "GET",
            &format!("/api/assessment/evidence/{id}"),
            "",
            vec![],
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.bytes, jpeg());
        assert_eq!(r.headers[header::CONTENT_TYPE], "image/jpeg");
        let cd = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            cd.starts_with("attachment;") && !cd.contains("\"证书"),
            "{cd}"
        );
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
    }
    let r = send(
        &other,
        "GET",
        &format!("/api/assessment/evidence/{id}"),
        "",
        vec![],
    )
    .await;
    assert_eq!(r.status, 404);
    let r = send(
        &lab,
        "GET",
        &format!("/api/assessment/rounds/{round}/evidence"),
        "",
        vec![],
    )
    .await;
    assert_eq!(r.json()["files"].as_array().unwrap().len(), 1);
    // The platform's page lists the file beside the figure, with the upload form.
    let r = send(
        &lab,
        "GET",
        &format!("/assessment/{round}/platforms/{}", labs[0]),
        "",
        vec![],
    )
    .await;
    let page = String::from_utf8(r.bytes).unwrap();
    assert!(
        page.contains(&format!("/api/assessment/evidence/{id}")),
        "file link"
    );
    assert!(page.contains("上传佐证文件") && page.contains("multipart/form-data"));
}
