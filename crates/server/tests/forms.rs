//! The record forms as a person uses them: references chosen by name (a unique name saves its
//! code, a shared or unknown one is refused naming the candidates, what was typed kept), a new
//! demand fixed at 已发布, the problem-card check before publishing (nothing saved), a refused
//! workflow move that keeps the chosen stage, manager and note, a region typed by name answered
//! with its code, and the search-as-you-type endpoint.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_core::model::DemandStatus;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{CreditCode, EntityKind, Record};
use innomesh_server::AppState;
use innomesh_store::{Actor, Repository, SqliteStore};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

fn setup() -> (axum::Router, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    store
        .import(
            generate(SampleConfig::default()).records,
            &Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    (support::router(AppState::for_store(store.clone())), store)
}

struct Reply {
    status: StatusCode,
    location: String,
    body: String,
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
        body: String::from_utf8_lossy(&body).to_string(),
    }
}

async fn get(app: &axum::Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
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

async fn post_json(app: &axum::Router, uri: &str, body: &Value) -> (StatusCode, Value) {
    let r = send(
        app,
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

fn demands(store: &SqliteStore) -> Vec<innomesh_core::model::Demand> {
    store
        .all(EntityKind::Demand)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Demand(d) => Some(d),
            _ => None,
        })
        .collect()
}

/// An enterprise whose name no other organisation bears: (name, credit code).
fn uniquely_named(store: &SqliteStore) -> (String, String) {
    let orgs = store.all(EntityKind::Organisation).unwrap();
    let mut count: HashMap<String, usize> = HashMap::new();
    for o in &orgs {
        *count.entry(o.name().to_string()).or_default() += 1;
    }
    let o = orgs
        .iter()
        .find(|o| count[o.name()] == 1 && o.name().chars().count() >= 6)
        .unwrap();
    (o.name().to_string(), o.id().to_string())
}

fn demand_form<'a>(poster: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("kind", "技术难题"),
        ("organisation", poster),
        ("status", "已发布"),
    ]
}

#[tokio::test]
async fn a_demand_poster_is_chosen_by_name_and_a_shared_name_lists_the_candidates() {
    let (app, store) = setup();
    let (name, code) = uniquely_named(&store);

    // The blank form offers the poster as a search-as-you-type field, not a code box.
    let page = get(&app, "/demands/new").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-suggest=\"organisations\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("/assets/suggest.js"));

    // A unique name saves the organisation's credit code.
    let r = post_form(
        &app,
        "/demands/new",
        &demand_form(&name, "按名称选择发布单位"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let saved = demands(&store)
        .into_iter()
        .find(|d| d.title == "按名称选择发布单位")
        .unwrap();
    assert_eq!(saved.organisation.as_str(), code);

    // The picker's label 「名称（代码）」 saves the code too.
    let label = format!("{name}（{code}）");
    let r = post_form(
        &app,
        "/demands/new",
        &demand_form(&label, "按候选项选择发布单位"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Two organisations of one name: refused, both candidates named, what was typed kept,
    // nothing written.
    let Record::Organisation(mut twin) =
        store.get(EntityKind::Organisation, &code).unwrap().unwrap()
    else {
        unreachable!()
    };
    let twin_code = CreditCode::with_check_digit("91150207MA0N99998").unwrap();
    twin.credit_code = twin_code.clone();
    store
        .create(Record::Organisation(twin), &Actor::system("t"))
        .unwrap();
    let before = demands(&store).len();
    let r = post_form(&app, "/demands/new", &demand_form(&name, "同名的发布单位")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("有 2 条"), "{}", r.body);
    assert!(r.body.contains(&code) && r.body.contains(twin_code.as_str()));
    assert!(
        r.body.contains(&format!("value=\"{name}\"")),
        "typed name kept"
    );
    assert!(r.body.contains("value=\"同名的发布单位\""), "title kept");
    assert_eq!(demands(&store).len(), before, "nothing written");

    // A name nobody bears.
    let r = post_form(
        &app,
        "/demands/new",
        &demand_form("登记库里没有的某某公司", "未知的发布单位"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("没有名为「登记库里没有的某某公司」"),
        "{}",
        r.body
    );
    assert_eq!(demands(&store).len(), before, "nothing written");
}

#[tokio::test]
async fn a_new_demand_starts_at_posted_on_the_page_and_through_the_api() {
    let (app, store) = setup();
    let (_, code) = uniquely_named(&store);
    let page = get(&app, "/demands/new").await;
    assert!(
        page.body.contains("value=\"已发布\" readonly"),
        "the status is shown fixed: {}",
        page.body
    );
    assert!(!page.body.contains("<select id=\"f-status\""));

    let before = demands(&store).len();
    let mut form = demand_form(&code, "直接登记为已交付");
    form.retain(|(k, _)| *k != "status");
    form.push(("status", "已交付"));
    let r = post_form(&app, "/demands/new", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不能直接登记为「已交付」"), "{}", r.body);
    assert_eq!(demands(&store).len(), before);

    let mut body = serde_json::json!({
        "title": "接口直接登记为已交付",
        "kind": "technical_problem",
        "organisation": code,
        "status": "delivered",
    });
    let (s, e) = post_json(&app, "/api/demands", &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "status_not_initial", "{e}");
    assert_eq!(demands(&store).len(), before);
    body["status"] = "posted".into();
    let (s, e) = post_json(&app, "/api/demands", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["status"], "posted");
}

#[tokio::test]
async fn the_problem_card_is_checked_before_publishing_without_saving() {
    let (app, store) = setup();
    let (_, code) = uniquely_named(&store);
    let before = demands(&store).len();
    let mut form = demand_form(&code, "稀土永磁电机高温退磁");
    form.push(("check_card", "1"));
    let r = post_form(&app, "/demands/new", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"card-check\""), "{}", r.body);
    assert!(r.body.contains("问题卡还有"), "{}", r.body);
    assert!(r.body.contains("目标指标"));
    assert!(
        r.body.contains("value=\"稀土永磁电机高温退磁\""),
        "input kept"
    );
    assert_eq!(demands(&store).len(), before, "a check saves nothing");

    let complete = [
        ("text", "我公司生产烧结钕铁硼磁体，用于新能源汽车驱动电机，需在不增加重稀土用量的前提下提高剩磁和矫顽力。"),
        ("goal_metric", "剩磁 Br ≥ 1.45 T"),
        ("current_state", "目前 Br 为 1.38 T"),
        ("trl_target", "4"),
        ("budget_band", "50–200万元"),
        ("deadline", "2027-12-31"),
        ("ip_terms", "成果归企业所有，解题方可用于教学科研"),
    ];
    form.extend(complete);
    let r = post_form(&app, "/demands/new", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("问题卡完整"), "{}", r.body);
    assert_eq!(demands(&store).len(), before);
    // The same form saved: one more demand.
    form.retain(|(k, _)| *k != "check_card");
    let r = post_form(&app, "/demands/new", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(demands(&store).len(), before + 1);
}

#[tokio::test]
async fn a_refused_move_keeps_the_chosen_stage_manager_and_note() {
    let (app, store) = setup();
    let posted = demands(&store)
        .into_iter()
        .find(|d| d.status == DemandStatus::Posted)
        .unwrap()
        .id;
    let r = post_form(
        &app,
        &format!("/demands/{posted}/transition"),
        &[("to", "screened"), ("note", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location.contains("moved=1"), "{}", r.location);
    // Now 已初筛: back to 已发布 without a reason is refused; the page shows 已发布 still chosen
    // (not the default 下一步).
    let r = post_form(
        &app,
        &format!("/demands/{posted}/transition"),
        &[("to", "posted"), ("note", "")],
    )
    .await;
    assert!(r.location.contains("flow_error="), "{}", r.location);
    let page = get(&app, &r.location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<option value=\"posted\" selected>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<option value=\"matched\" selected>"));
    // An unknown manager with a note: the note and the chosen stage come back.
    let note = "请王工先与企业对接，了解退磁温度";
    let r = post_form(
        &app,
        &format!("/demands/{posted}/transition"),
        &[("to", "matched"), ("manager", "PE999999"), ("note", note)],
    )
    .await;
    assert!(r.location.contains("flow_error="), "{}", r.location);
    let page = get(&app, &r.location).await;
    assert!(
        page.body.contains(&format!(">{note}</textarea>")),
        "{}",
        page.body
    );
    assert!(page.body.contains("<option value=\"matched\" selected>"));
    let d = demands(&store)
        .into_iter()
        .find(|d| d.id == posted)
        .unwrap();
    assert_eq!(d.status, DemandStatus::Screened, "nothing moved");
}

#[tokio::test]
async fn a_region_typed_by_name_is_answered_with_its_code() {
    let (app, store) = setup();
    let (_, code) = uniquely_named(&store);
    let mut form = demand_form(&code, "按区名填写的行政区划");
    form.push(("region", "九原区"));
    let r = post_form(&app, "/demands/new", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("应为 150207"), "{}", r.body);
}

#[tokio::test]
async fn suggest_answers_names_the_caller_may_read_and_refuses_bad_parameters() {
    let (app, store) = setup();
    let (name, code) = uniquely_named(&store);
    let part: String = name.chars().take(4).collect();
    let r = get(
        &app,
        &format!("/api/suggest?kind=organisations&q={}", encode(&name)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        v["items"][0]["id"],
        code.as_str(),
        "the exact name first: {v}"
    );
    assert_eq!(v["items"][0]["label"], format!("{name}（{code}）"));
    let r = get(
        &app,
        &format!(
            "/api/suggest?kind=organisations&q={}&limit=3",
            encode(&part)
        ),
    )
    .await;
    let v: Value = serde_json::from_str(&r.body).unwrap();
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() <= 3, "{v}");
    for i in items {
        assert!(i["name"].as_str().unwrap().contains(&part), "{i}");
    }
    // Empty or odd queries are answered, not refused.
    for q in ["", "%25", "%00", "'%22%3C"] {
        let r = get(&app, &format!("/api/suggest?kind=people&q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    }
    for bad in [
        "/api/suggest?kind=nothing&q=a",
        "/api/suggest?q=a",
        "/api/suggest?kind=people&q=a&limit=0",
        "/api/suggest?kind=people&q=a&limit=x",
    ] {
        let r = get(&app, bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    let long = "长".repeat(101);
    let r = get(
        &app,
        &format!("/api/suggest?kind=people&q={}", encode(&long)),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}
