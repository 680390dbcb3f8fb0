//! 政策找企业 through the API and the pages: the lists, the XLSX export with Chinese headers, an
//! enterprise entering its facts (refused whole with a Chinese message when one is wrong), the
//! bureau saving a rule (refused with the line of the error), and the enterprise's page.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::{Principal, Role};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_server::AppState;
use innomesh_store::SqliteStore;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

fn state() -> AppState {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    let st = AppState::for_store(store);
    let data = generate(SampleConfig::default());
    let local = Principal::local("t");
    st.import_records(&local, data.records, "t", &|_| {})
        .unwrap()
        .unwrap();
    st.seed_sample_facts(&local, &data.policy_facts).unwrap();
    st
}

async fn call(app: &axum::Router, method: &str, uri: &str, body: Value) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(if body.is_null() {
            Body::empty()
        } else {
            Body::from(body.to_string())
        })
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    (
        s,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

fn json_of(b: &[u8]) -> Value {
    serde_json::from_slice(b).unwrap_or(Value::Null)
}

fn an_enterprise(st: &AppState, region: &str) -> String {
    st.repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Organisation(o)
                if o.kind == innomesh_core::model::OrgKind::Enterprise
                    && o.region.as_str() == region =>
            {
                Some(o.credit_code.as_str().to_string())
            }
            _ => None,
        })
        .unwrap()
}

#[tokio::test]
async fn the_bureau_gets_the_lists_the_assessment_and_an_xlsx_with_chinese_headers() {
    let st = state();
    let app = support::router(st.clone());
    let (s, b) = call(
        &app,
        "GET",
        "/api/policy-rules/hitech_certification/matches",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let m = json_of(&b);
    let c = m["counts"].clone();
    // Each list's first page (100 by default); `counts` gives the whole lists.
    for (list, count) in [
        ("automatic", "eligible"),
        ("near_miss", "near_miss"),
        ("unknown", "unknown"),
    ] {
        let n = c[count].as_u64().unwrap();
        assert_eq!(
            m[list].as_array().unwrap().len() as u64,
            n.min(100),
            "{list}"
        );
    }
    for r in m["unknown"].as_array().unwrap() {
        assert_eq!(r["route"], "快申快享");
        assert!(!r["missing"].as_array().unwrap().is_empty());
    }
    // One list, paged: every 待补充 enterprise exactly once across the pages.
    let unknown = c["unknown"].as_u64().unwrap() as usize;
    assert!(unknown > 300, "{c}");
    let mut seen = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let uri = format!(
            "/api/policy-rules/hitech_certification/matches?list=unknown&offset={offset}&limit=300"
        );
        let (s, b) = call(&app, "GET", &uri, Value::Null).await;
        assert_eq!(s, StatusCode::OK);
        let m = json_of(&b);
        assert!(m["automatic"].as_array().unwrap().is_empty());
        let rows = m["unknown"].as_array().unwrap();
        if rows.is_empty() {
            break;
        }
        for r in rows {
            assert!(seen.insert(r["org"].as_str().unwrap().to_string()));
        }
        offset += rows.len();
    }
    assert_eq!(seen.len(), unknown);
    for bad in ["list=all", "limit=1001", "offset=-1", "limit=x"] {
        let uri = format!("/api/policy-rules/hitech_certification/matches?{bad}");
        let (s, b) = call(&app, "GET", &uri, Value::Null).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(json_of(&b)["code"], "invalid_query", "{bad}");
    }
    let (s, b) = call(
        &app,
        "GET",
        "/api/policy-rules/hitech_certification/export",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let table = innomesh_sheets::read(&b, innomesh_sheets::Format::Xlsx).unwrap();
    assert_eq!(table.headers[0], "统一社会信用代码");
    assert!(table.headers.iter().any(|h| h == "需补充的事实"));
    let (s, b) = call(
        &app,
        "GET",
        "/api/policy-rules/hitech_certification/assessment",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let a = json_of(&b);
    assert!(
        a["by_district"][0]["name"]
            .as_str()
            .unwrap()
            .ends_with('区')
            || a["by_district"][0]["name"]
                .as_str()
                .unwrap()
                .ends_with('旗')
            || a["by_district"][0]["name"]
                .as_str()
                .unwrap()
                .ends_with('县')
    );
    let (s, _) = call(
        &app,
        "GET",
        "/api/policy-rules/no_such_rule/matches",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The pages: the rule's conditions in Chinese and the three lists; the assessment.
    let (s, b) = call(
        &app,
        "GET",
        "/policy-rules/hitech_certification",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let page = String::from_utf8(b).unwrap();
    for needle in [
        "申报条件",
        "免申即享",
        "差一项",
        "快申快享",
        "导出名单 XLSX",
        "（四）科技人员",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    // A long list shows its first page with a way to page through all of it.
    assert!(page.contains("逐页查看全部"));
    let (s, b) = call(
        &app,
        "GET",
        "/policy-rules/hitech_certification?list=unknown&page=2",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let second = String::from_utf8(b).unwrap();
    assert!(second.contains("第 101–"), "second page");
    assert!(second.contains("上一页") && second.contains("返回三张名单"));
    assert!(!second.contains("id=\"near_miss\""));
    let (s, _) = call(
        &app,
        "GET",
        "/policy-rules/hitech_certification?list=nonsense",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = call(
        &app,
        "GET",
        "/policy-rules/hitech_certification/assessment",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(b).unwrap().contains("卡在哪一条"));
}

#[tokio::test]
async fn an_enterprise_enters_its_facts_and_sees_its_policies() {
    let st = state();
    let code = an_enterprise(&st, "150203");
    let other = an_enterprise(&st, "150204");
    let app = support::router_as(st.clone(), "firm", Role::Enterprise, &code);
    let uri = format!("/api/organisations/{code}/policy-facts");
    // One wrong value: nothing is written, the message names the fact in Chinese.
    let (s, b) = call(
        &app,
        "PUT",
        &uri,
        json!({"facts": [{"key": "innovation_score", "value": 77}, {"key": "hitech_revenue_share", "value": 65}]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let e = json_of(&b);
    assert_eq!(e["code"], "invalid_field");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("高新技术产品（服务）收入占比"),
        "{e}"
    );
    let (s, b) = call(
        &app,
        "GET",
        &format!("/api/organisations/{code}/policies"),
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let before = json_of(&b);
    let score = |v: &Value| {
        v["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == "innovation_score")
            .unwrap()
            .clone()
    };
    assert_ne!(score(&before)["value"], json!(77));
    // Right: saved, shown with its source and date.
    let (s, b) = call(
        &app,
        "PUT",
        &uri,
        json!({"facts": [{"key": "innovation_score", "value": 77}], "as_of": "2025-12-31"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let after = json_of(&b);
    assert_eq!(score(&after)["value"], json!(77));
    assert_eq!(score(&after)["source_label"], "企业填报");
    assert!(after["policies"].as_array().unwrap().len() >= 4);
    // Another enterprise's facts: not found.
    let (s, _) = call(
        &app,
        "PUT",
        &format!("/api/organisations/{other}/policy-facts"),
        json!({"facts": [{"key": "innovation_score", "value": 77}]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The enterprise's page: its policies with what is missing; the form posts facts.
    let (s, b) = call(
        &app,
        "GET",
        &format!("/organisations/{code}/policies"),
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let page = String::from_utf8(b).unwrap();
    assert!(page.contains("高新技术企业认定") && page.contains("逐条依据"));
    assert!(page.contains("name=\"f.innovation_score\""));
    // The bureau's lists are not the enterprise's.
    let (s, _) = call(
        &app,
        "GET",
        "/api/policy-rules/hitech_certification/matches",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_rule_that_does_not_check_is_refused_with_its_line() {
    let st = state();
    let app = support::router(st.clone());
    let (_, b) = call(&app, "GET", "/api/policy-rules/tech_sme", Value::Null).await;
    let yaml = json_of(&b)["yaml"].as_str().unwrap().to_string();
    let broken = yaml.replacen("op: \"<=\"", "op: \"=<\"", 1);
    assert_ne!(broken, yaml, "the rule has a <= comparison to break");
    let line = broken.lines().position(|l| l.contains("\"=<\"")).unwrap() + 1;
    let (s, b) = call(
        &app,
        "PUT",
        "/api/policy-rules/tech_sme",
        json!({"yaml": broken}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = json_of(&b)["message"].as_str().unwrap().to_string();
    assert!(msg.contains("未知比较「=<」"), "{msg}");
    assert!(msg.starts_with(&format!("第 {line} 行")), "{msg}");
    let (s, b) = call(
        &app,
        "PUT",
        "/api/policy-rules/tech_sme",
        json!({"yaml": yaml, "note": "原样保存"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(json_of(&b)["saved_version"].as_i64().is_some());
    let (s, b) = call(
        &app,
        "GET",
        "/api/policy-rules/tech_sme/history",
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(json_of(&b)["versions"][0]["note"], "原样保存");
}
