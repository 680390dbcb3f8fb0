//! Every door a write can come through is visible to search at once: JSON create, update and
//! delete, the web forms, the web import page, the API import, a demand's workflow transition and
//! a solver's response. Each write is followed by `/api/search` and the `/search` page, which must
//! find the record (or, after a delete, must not).

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_core::{CreditCode, EntityKind, Record};
use innomesh_server::AppState;
use innomesh_sheets::pipeline::export_bytes;
use innomesh_sheets::Format;
use innomesh_store::SqliteStore;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

fn state() -> AppState {
    AppState::for_store(Arc::new(SqliteStore::open_in_memory().unwrap()))
}

struct Reply {
    status: StatusCode,
    location: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

async fn send(app: &axum::Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        location,
        body,
    }
}

async fn call(app: &axum::Router, method: &str, uri: &str, body: Value) -> Reply {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(if body.is_null() {
            Body::empty()
        } else {
            Body::from(body.to_string())
        })
        .unwrap();
    send(app, req).await
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn post_form(app: &axum::Router, uri: &str, fields: &[(&str, &str)]) -> Reply {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    send(app, req).await
}

fn code(first17: &str) -> String {
    CreditCode::with_check_digit(first17)
        .unwrap()
        .as_str()
        .to_string()
}

fn org(code: &str, name: &str, products: &str) -> Value {
    json!({"credit_code": code, "name": name, "kind": "enterprise",
        "region": "150203", "industry": "3985", "products": products})
}

/// Whether `/api/search?q=` and the `/search?q=` page both list record `id` of `kind` (and agree).
async fn found(app: &axum::Router, q: &str, kind: EntityKind, id: &str) -> bool {
    let r = call(
        app,
        "GET",
        &format!("/api/search?q={}&limit=100", encode(q)),
        Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    let in_api = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == id && h["kind"] == kind.code());
    let page = send(
        app,
        Request::get(format!("/search?q={}", encode(q)))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let in_page = page
        .text()
        .contains(&format!("href=\"/{}/{}\"", kind.plural(), id));
    assert_eq!(
        in_api, in_page,
        "API and page disagree on {q:?} → {kind:?} {id}"
    );
    in_api
}

async fn assert_found(app: &axum::Router, q: &str, kind: EntityKind, id: &str) {
    assert!(found(app, q, kind, id).await, "{q:?} should find {id}");
}

async fn assert_gone(app: &axum::Router, q: &str, kind: EntityKind, id: &str) {
    assert!(!found(app, q, kind, id).await, "{q:?} should not find {id}");
}

#[tokio::test]
async fn json_create_update_delete_are_searchable_at_once() {
    let app = support::router(state());
    // Search first, so the index exists before the writes (the catch-up path, not the first build).
    assert_gone(&app, "青鸾", EntityKind::Organisation, "x").await;
    let c = code("91150203MA0WP0001");
    let r = call(
        &app,
        "POST",
        "/api/organisations",
        org(&c, "包头青鸾磁业有限公司", "钐钴磁钢"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_found(&app, "青鸾磁业", EntityKind::Organisation, &c).await;
    assert_found(&app, "钐钴磁钢", EntityKind::Organisation, &c).await;
    assert_found(&app, &c, EntityKind::Organisation, &c).await;

    let r = call(
        &app,
        "PUT",
        &format!("/api/organisations/{c}"),
        org(&c, "包头玄武磁业有限公司", "钐钴磁钢"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_found(&app, "玄武磁业", EntityKind::Organisation, &c).await;
    assert_gone(&app, "青鸾", EntityKind::Organisation, &c).await;

    // A person: id assigned by the store.
    let r = call(
        &app,
        "POST",
        "/api/people",
        json!({"name": "欧阳翠微", "role": "expert", "expertise": "氢燃料电堆"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let pid = r.json()["id"].as_str().unwrap().to_string();
    assert_found(&app, "欧阳翠微", EntityKind::Person, &pid).await;
    let r = call(&app, "DELETE", &format!("/api/people/{pid}"), Value::Null).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_gone(&app, "欧阳翠微", EntityKind::Person, &pid).await;

    let r = call(
        &app,
        "DELETE",
        &format!("/api/organisations/{c}"),
        Value::Null,
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_gone(&app, "玄武磁业", EntityKind::Organisation, &c).await;
    assert_gone(&app, &c, EntityKind::Organisation, &c).await;
}

#[tokio::test]
async fn web_form_create_and_edit_are_searchable_at_once() {
    let app = support::router(state());
    assert_gone(&app, "白泽", EntityKind::Organisation, "x").await;
    let c = code("91150203MA0WP0002");
    let r = post_form(
        &app,
        "/organisations/new",
        &[
            ("credit_code", &c),
            ("name", "包头白泽精密机械有限公司"),
            ("kind", "enterprise"),
            ("region", "150203"),
            ("products", "谐波减速器"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_found(&app, "白泽精密", EntityKind::Organisation, &c).await;
    assert_found(&app, "谐波减速器", EntityKind::Organisation, &c).await;

    let r = post_form(
        &app,
        &format!("/organisations/{c}/edit"),
        &[
            ("credit_code", &c),
            ("name", "包头毕方精密机械有限公司"),
            ("kind", "enterprise"),
            ("region", "150203"),
            ("products", "谐波减速器"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_found(&app, "毕方精密", EntityKind::Organisation, &c).await;
    assert_gone(&app, "白泽", EntityKind::Organisation, &c).await;

    let r = post_form(
        &app,
        "/people/new",
        &[
            ("name", "司马青黛"),
            ("role", "expert"),
            ("title", "研究员"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let pid = r
        .location
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_found(&app, "司马青黛", EntityKind::Person, &pid).await;
    let r = post_form(
        &app,
        &format!("/people/{pid}/edit"),
        &[
            ("name", "司马玄参"),
            ("role", "expert"),
            ("title", "研究员"),
            ("phone", ""),
            ("id_number", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_found(&app, "司马玄参", EntityKind::Person, &pid).await;
    assert_gone(&app, "青黛", EntityKind::Person, &pid).await;
}

/// Three organisations as an XLSX file, as an export writes it.
fn three_orgs(names: &[(&str, &str, &str); 3]) -> Vec<u8> {
    let records: Vec<Record> = names
        .iter()
        .map(|(c, n, p)| Record::from_json(EntityKind::Organisation, org(c, n, p)).unwrap())
        .collect();
    export_bytes(&records, EntityKind::Organisation, Format::Xlsx, true, None).unwrap()
}

fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----innomesh-write-paths";
    let mut body = Vec::new();
    for (name, file, bytes) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn web_import_page_makes_every_row_searchable() {
    let app = support::router(state());
    assert_gone(&app, "有限公司", EntityKind::Organisation, "x").await;
    let rows = [
        (
            code("91150203MA0WP0011"),
            "包头烛龙新材料有限公司",
            "石墨烯导热膜",
        ),
        (
            code("91150203MA0WP0012"),
            "包头当康稀土有限公司",
            "氧化镨钕粉",
        ),
        (
            code("91150203MA0WP0013"),
            "包头狰狞装备有限公司",
            "盾构机刀盘",
        ),
    ];
    let file = three_orgs(&[
        (&rows[0].0, rows[0].1, rows[0].2),
        (&rows[1].0, rows[1].1, rows[1].2),
        (&rows[2].0, rows[2].1, rows[2].2),
    ]);
    let (ct, body) = multipart(&[
        ("kind", None, b"organisations"),
        ("actor", None, "昆区科技局".as_bytes()),
        ("file", Some("三家企业.xlsx"), &file),
    ]);
    let r = send(
        &app,
        Request::post("/import")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("导入成功"), "{}", r.text());
    for (c, name, product) in &rows {
        assert_found(&app, name, EntityKind::Organisation, c).await;
        assert_found(&app, c, EntityKind::Organisation, c).await;
        assert_found(&app, product, EntityKind::Organisation, c).await;
    }
}

#[tokio::test]
async fn api_import_makes_every_row_searchable_and_updates_renames() {
    let app = support::router(state());
    assert_gone(&app, "有限公司", EntityKind::Organisation, "x").await;
    let c = [
        code("91150203MA0WP0021"),
        code("91150203MA0WP0022"),
        code("91150203MA0WP0023"),
    ];
    let import = |file: Vec<u8>| {
        let app = app.clone();
        async move {
            let r = send(
                &app,
                Request::post("/api/organisations/import")
                    // Without a declared type the security guard answers 415.
                    .header("content-type", "application/octet-stream")
                    .body(Body::from(file))
                    .unwrap(),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            r.json()
        }
    };
    let out = import(three_orgs(&[
        (&c[0], "包头鵸鵌光电有限公司", "激光熔覆头"),
        (&c[1], "包头乘黄化工有限公司", "萤石浮选剂"),
        (&c[2], "包头帝江软件有限公司", "工业互联网标识解析"),
    ]))
    .await;
    assert_eq!(out["created"], 3, "{out}");
    assert_found(&app, "鵸鵌光电", EntityKind::Organisation, &c[0]).await;
    assert_found(&app, "萤石浮选剂", EntityKind::Organisation, &c[1]).await;
    assert_found(&app, &c[2], EntityKind::Organisation, &c[2]).await;

    // The same codes again, one renamed: an import that only updates.
    let out = import(three_orgs(&[
        (&c[0], "包头鵸鵌光电有限公司", "激光熔覆头"),
        (&c[1], "包头驺吾化工有限公司", "萤石浮选剂"),
        (&c[2], "包头帝江软件有限公司", "工业互联网标识解析"),
    ]))
    .await;
    assert_eq!(out["updated"], 3, "{out}");
    assert_eq!(out["created"], 0, "{out}");
    assert_found(&app, "驺吾化工", EntityKind::Organisation, &c[1]).await;
    assert_gone(&app, "乘黄", EntityKind::Organisation, &c[1]).await;
}

#[tokio::test]
async fn demand_transition_and_response_reach_the_index() {
    let st = state();
    let app = support::router(st.clone());
    let c = code("91150203MA0WP0031");
    let r = call(
        &app,
        "POST",
        "/api/organisations",
        org(&c, "包头陆吾铸造有限公司", "球墨铸铁"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = call(
        &app,
        "POST",
        "/api/demands",
        json!({"title": "铸件缩松缺陷无损检测", "kind": "technical_problem", "organisation": c,
            "text": "大型球墨铸铁件内部缩松难以在线检出", "status": "posted"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let did = r.json()["id"].as_str().unwrap().to_string();
    assert_found(&app, "缩松缺陷", EntityKind::Demand, &did).await;

    let r = call(
        &app,
        "POST",
        &format!("/api/demands/{did}/transition"),
        json!({"to": "screened", "actor": "昆区科技局", "note": "已初筛"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // The transition is one audited write: the search that follows has replayed it.
    assert_found(&app, "缩松缺陷", EntityKind::Demand, &did).await;
    let ix = innomesh_app::search::index(&st).unwrap();
    assert_eq!(ix.committed_version(), Some(st.registry_version()));

    let r = call(
        &app,
        "POST",
        "/api/people",
        json!({"name": "公孙琥珀", "role": "expert", "expertise": "超声相控阵"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let pid = r.json()["id"].as_str().unwrap().to_string();
    let r = call(
        &app,
        "POST",
        "/api/demand-responses",
        json!({"demand": did, "solver_type": "expert", "solver": pid,
            "proposal": "采用超声相控阵配合全聚焦成像", "submitted": "2025-03-01", "outcome": "pending"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let rid = r.json()["id"].as_str().unwrap().to_string();
    assert_found(&app, "全聚焦成像", EntityKind::DemandResponse, &rid).await;
    assert_eq!(ix.committed_version(), Some(st.registry_version()));
}
