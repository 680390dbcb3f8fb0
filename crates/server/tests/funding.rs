//! Funding through the API: the overview adds up, duplicates carry evidence, and a draft is only
//! ever compared with the applicant's own earlier applications.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::chains;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_server::AppState;
use innomesh_store::duplicates::DuplicateStore;
use innomesh_store::{Repository, SqliteStore};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

fn setup() -> (Arc<SqliteStore>, axum::Router) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    store
        .import(
            generate(SampleConfig::default()).records,
            &innomesh_store::Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    chains::seed_models(
        &innomesh_app::App::new(store.clone(), innomesh_app::Config::default()),
        &innomesh_app::Principal::local("t"),
    )
    .unwrap();
    let app = support::router(AppState::for_store(store.clone()));
    (store, app)
}

async fn call(app: &axum::Router, method: &str, uri: &str, body: String) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = res.into_body().collect().await.unwrap().to_bytes();
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

#[tokio::test]
async fn overview_adds_up_and_finds_multi_programme_firms() {
    let (store, app) = setup();
    let (s, o) = call(&app, "GET", "/api/funding/overview", String::new()).await;
    assert_eq!(s, StatusCode::OK);
    let n = store.count(EntityKind::Application).unwrap() as u64;
    assert_eq!(o["applications"].as_u64().unwrap(), n);
    for key in [
        "by_programme",
        "by_department",
        "by_district",
        "by_chain_node",
    ] {
        let sum: u64 = o[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["applications"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, n, "{key} covers every application");
    }
    for f in o["multi_programme"].as_array().unwrap() {
        assert!(f["programmes"].as_array().unwrap().len() >= 2);
    }
    let (s, y) = call(
        &app,
        "GET",
        "/api/funding/overview?year=2024",
        String::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(y["applications"].as_u64().unwrap() < n);
    let (s, bad) = call(
        &app,
        "GET",
        "/api/funding/overview?year=soon",
        String::new(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(bad["code"], "invalid_query");
}

#[tokio::test]
async fn duplicates_come_with_evidence_and_masked_ids() {
    let (_, app) = setup();
    let (s, d) = call(&app, "GET", "/api/funding/duplicates", String::new()).await;
    assert_eq!(s, StatusCode::OK);
    let pairs = d["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty(), "the sample re-files some applications");
    let text = d.to_string();
    for p in pairs {
        assert!(!p["pair"]["kinds"].as_array().unwrap().is_empty());
        if let Some(people) = p["pair"]["people"]["shared"].as_array() {
            for person in people {
                assert!(person["id_masked"].as_str().unwrap().contains('*'));
            }
        }
    }
    // No full 18-digit ID number anywhere in the answer.
    assert!(!text
        .as_bytes()
        .windows(18)
        .any(|w| w.iter().all(u8::is_ascii_digit)));
}

#[tokio::test]
async fn draft_is_compared_only_with_own_applications() {
    let (store, app) = setup();
    let apps: Vec<_> = store
        .all(EntityKind::Application)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Application(a) => Some(a),
            _ => None,
        })
        .collect();
    let mine = &apps[0];
    let other = apps.iter().find(|a| a.applicant != mine.applicant).unwrap();
    // A draft by `mine`'s applicant that copies another applicant's text: nothing is shown.
    let copy_other = json!({
        "title": "新项目", "programme": mine.programme, "year": 2026, "applicant": mine.applicant.as_str(),
        "abstract_text": other.abstract_text,
    });
    let (s, r) = call(
        &app,
        "POST",
        "/api/funding/check-draft",
        copy_other.to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    for o in r["overlaps"].as_array().unwrap() {
        let b = o["b"].as_str().unwrap();
        assert!(
            apps.iter()
                .any(|a| a.id == b && a.applicant == mine.applicant),
            "only own applications: {o}"
        );
    }
    // Re-using its own earlier application (same team and budget) is found.
    let mut own = serde_json::to_value(mine).unwrap();
    own["id"] = json!("");
    own["year"] = json!(2026);
    let (s, r) = call(&app, "POST", "/api/funding/check-draft", own.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let hits = r["overlaps"].as_array().unwrap();
    assert!(hits.iter().any(|o| o["b"] == mine.id.as_str()), "{r}");
    let (s, e) = call(
        &app,
        "POST",
        "/api/funding/check-draft",
        "{\"title\": 1}".into(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "invalid_field");
}

/// Characters (not whitespace) of `text` inside `spans` (`[{start, end}]`, character offsets).
fn chars_in(text: &str, spans: &Value) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut inside = vec![false; chars.len()];
    for s in spans.as_array().unwrap() {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        for x in inside.iter_mut().take(b).skip(a) {
            *x = true;
        }
    }
    chars
        .iter()
        .zip(&inside)
        .filter(|(c, &i)| i && !c.is_whitespace())
        .count()
}

#[tokio::test]
async fn review_list_names_groups_and_sorts() {
    let (store, app) = setup();
    let (s, d) = call(&app, "GET", "/api/funding/duplicates", String::new()).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let pairs = d["pairs"].as_array().unwrap();
    assert_eq!(d["total"].as_u64().unwrap() as usize, pairs.len());
    let counts: u64 = ["text", "people", "budget"]
        .iter()
        .map(|k| d["counts"][k].as_u64().unwrap())
        .sum();
    assert_eq!(counts, d["total"].as_u64().unwrap());
    assert!(
        d["counts"]["text"].as_u64().unwrap() > 0 && d["counts"]["budget"].as_u64().unwrap() > 0
    );
    // Names, not codes: each side names its applicant as the registry does.
    for p in pairs {
        for side in ["a", "b"] {
            let code = p[side]["applicant"].as_str().unwrap();
            let name = p[side]["applicant_name"].as_str().unwrap();
            let org = store
                .get(EntityKind::Organisation, code)
                .unwrap()
                .expect("applicant registered");
            assert_eq!(name, org.name(), "{p}");
            assert!(!p[side]["programme_name"].as_str().unwrap().is_empty());
        }
    }
    // Grouped by what flagged the pair: text, then people, then budget.
    let rank = |k: &str| {
        ["text", "people", "budget"]
            .iter()
            .position(|x| *x == k)
            .unwrap()
    };
    let kinds: Vec<usize> = pairs
        .iter()
        .map(|p| rank(p["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.windows(2).all(|w| w[0] <= w[1]), "{kinds:?}");
    for p in pairs {
        let flagged: Vec<&str> = p["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        match p["kind"].as_str().unwrap() {
            "text" => assert!(flagged.contains(&"text")),
            "people" => assert!(
                !flagged.contains(&"text")
                    && flagged.contains(&"applicant")
                    && flagged.contains(&"people")
            ),
            _ => assert!(!flagged.contains(&"text") && flagged.contains(&"budget")),
        }
    }
    // Within a group, by score (default), by applicant name, by year.
    let group = |d: &Value, kind: &str| -> Vec<Value> {
        d["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["kind"] == kind)
            .cloned()
            .collect()
    };
    for kind in ["text", "people", "budget"] {
        let g = group(&d, kind);
        assert!(g
            .windows(2)
            .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64()));
    }
    let (_, by_name) = call(
        &app,
        "GET",
        "/api/funding/duplicates?sort=applicant&kind=text",
        String::new(),
    )
    .await;
    let first_name = |p: &Value| {
        let (x, y) = (
            p["a"]["applicant_name"].as_str().unwrap().to_string(),
            p["b"]["applicant_name"].as_str().unwrap().to_string(),
        );
        x.min(y)
    };
    let g = group(&by_name, "text");
    assert_eq!(g.len() as u64, d["counts"]["text"].as_u64().unwrap());
    assert_eq!(by_name["total"], d["counts"]["text"]);
    assert!(g.windows(2).all(|w| first_name(&w[0]) <= first_name(&w[1])));
    let (_, by_year) = call(
        &app,
        "GET",
        "/api/funding/duplicates?sort=year",
        String::new(),
    )
    .await;
    for kind in ["text", "people", "budget"] {
        let newest = |p: &Value| p["a"]["year"].as_i64().max(p["b"]["year"].as_i64());
        let g = group(&by_year, kind);
        assert!(g.windows(2).all(|w| newest(&w[0]) >= newest(&w[1])));
    }
    let (_, paged) = call(
        &app,
        "GET",
        "/api/funding/duplicates?offset=2&limit=3",
        String::new(),
    )
    .await;
    assert_eq!(paged["pairs"].as_array().unwrap().len(), 3);
    assert_eq!(paged["pairs"][0]["a"], d["pairs"][2]["a"]);
    for bad in [
        "sort=name",
        "kind=",
        "decision=maybe",
        "limit=5000",
        "offset=-1",
    ] {
        let (s, e) = call(
            &app,
            "GET",
            &format!("/api/funding/duplicates?{bad}"),
            String::new(),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {e}");
        assert_eq!(e["code"], "invalid_query");
    }
}

#[tokio::test]
async fn the_reuse_figure_counts_exactly_the_highlighted_sentences() {
    let (_, app) = setup();
    let (_, d) = call(
        &app,
        "GET",
        "/api/funding/duplicates?kind=text",
        String::new(),
    )
    .await;
    let pairs = d["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty());
    for p in pairs {
        let (a, b) = (
            p["a"]["id"].as_str().unwrap(),
            p["b"]["id"].as_str().unwrap(),
        );
        // Named in either order.
        let (s, v) = call(
            &app,
            "GET",
            &format!("/api/funding/duplicates/{b}/{a}"),
            String::new(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let mut shares = Vec::new();
        for side in ["a", "b"] {
            let text = v[format!("text_{side}")].as_str().unwrap();
            let reused = &v[format!("reused_{side}")];
            let grey = &v[format!("boilerplate_{side}")];
            let total = text.chars().filter(|c| !c.is_whitespace()).count();
            let grey_chars = chars_in(text, grey);
            let marked = chars_in(text, reused);
            // Highlighted and greyed never overlap.
            let both = chars_in(
                text,
                &json!(reused
                    .as_array()
                    .unwrap()
                    .iter()
                    .chain(grey.as_array().unwrap())
                    .collect::<Vec<_>>()),
            );
            assert_eq!(both, marked + grey_chars, "{a}/{b} {side}");
            assert!(marked > 0);
            let counted = total - grey_chars;
            assert_eq!(v[side]["counted_chars"].as_u64().unwrap() as usize, counted);
            assert_eq!(v[side]["reused_chars"].as_u64().unwrap() as usize, marked);
            let reuse = v[side]["reuse"].as_f64().unwrap();
            assert!(
                (reuse - marked as f64 / counted as f64).abs() < 1e-9,
                "{a}/{b} {side}"
            );
            shares.push(reuse);
        }
        // The list's figure is the smaller side's.
        assert!((p["score"].as_f64().unwrap() - shares[0].min(shares[1])).abs() < 1e-9);
    }
    let (s, e) = call(
        &app,
        "GET",
        "/api/funding/duplicates/AP000001/NOPE",
        String::new(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["code"], "not_found");
}

#[tokio::test]
async fn decisions_are_stored_audited_and_excluded_pairs_leave_the_list() {
    let (store, app) = setup();
    let (_, d) = call(&app, "GET", "/api/funding/duplicates", String::new()).await;
    let total = d["total"].as_u64().unwrap();
    let id = |p: &Value| {
        (
            p["a"]["id"].as_str().unwrap().to_string(),
            p["b"]["id"].as_str().unwrap().to_string(),
        )
    };
    let (a, b) = id(&d["pairs"][0]);
    let (c, e) = id(&d["pairs"][1]);
    let post = |x: &str, y: &str| format!("/api/funding/duplicates/{x}/{y}/decision");
    // An exclusion needs a reason; an unknown decision or field is refused; nothing is written.
    let (s, r) = call(
        &app,
        "POST",
        &post(&a, &b),
        json!({"decision": "excluded", "reason": "  "}).to_string(),
    )
    .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field")),
        "{r}"
    );
    let (s, r) = call(
        &app,
        "POST",
        &post(&a, &b),
        json!({"decision": "maybe"}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let (s, _) = call(
        &app,
        "POST",
        &post(&a, &b),
        json!({"decision": "confirmed", "note": 1}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = call(
        &app,
        "POST",
        &post(&a, "NOPE"),
        json!({"decision": "confirmed"}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(store.duplicate_decisions().unwrap().is_empty());
    // Exclude one pair (named backwards), confirm another.
    let (s, x) = call(
        &app,
        "POST",
        &post(&b, &a),
        json!({"decision": "excluded", "reason": "同一项目的分期申报，已核实"}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{x}");
    assert_eq!(
        (x["app_a"].as_str(), x["decision"].as_str()),
        (Some(a.as_str()), Some("excluded"))
    );
    let (s, _) = call(
        &app,
        "POST",
        &post(&c, &e),
        json!({"decision": "confirmed"}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, d) = call(&app, "GET", "/api/funding/duplicates", String::new()).await;
    assert_eq!(d["total"].as_u64().unwrap(), total - 1);
    assert!(
        d["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| id(p) != (a.clone(), b.clone())),
        "excluded pair not shown again"
    );
    let confirmed = d["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| id(p) == (c.clone(), e.clone()))
        .unwrap();
    assert_eq!(confirmed["decision"]["decision"], "confirmed");
    assert!(!confirmed["decision"]["decided_by"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(
        (
            d["open"].as_u64(),
            d["confirmed"].as_u64(),
            d["excluded"].as_u64()
        ),
        (Some(total - 2), Some(1), Some(1))
    );
    let (_, ex) = call(
        &app,
        "GET",
        "/api/funding/duplicates?decision=excluded",
        String::new(),
    )
    .await;
    assert_eq!(ex["total"], 1);
    assert_eq!(
        ex["pairs"][0]["decision"]["reason"],
        "同一项目的分期申报，已核实"
    );
    let (_, open) = call(
        &app,
        "GET",
        "/api/funding/duplicates?decision=open",
        String::new(),
    )
    .await;
    assert_eq!(open["total"].as_u64().unwrap(), total - 2);
    // Changing one's mind supersedes the decision and keeps the history.
    let (s, _) = call(
        &app,
        "POST",
        &post(&a, &b),
        json!({"decision": "confirmed", "reason": "复核：正文与预算均相同"}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = call(
        &app,
        "GET",
        &format!("/api/funding/duplicates/{a}/{b}"),
        String::new(),
    )
    .await;
    assert_eq!(v["decision"]["decision"], "confirmed");
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
    // Each decision is in the audit log with who made it.
    let log = store.audit(None, Some(&format!("{a}/{b}")), 10).unwrap();
    assert_eq!(log.len(), 2);
    assert!(log
        .iter()
        .all(|l| l.kind.as_deref() == Some("duplicate_decision") && !l.actor.is_empty()));
}

/// The review history of a pair names each officer by the account's display name and gives the
/// time in Beijing time, not the login and a UTC timestamp.
#[tokio::test]
async fn the_review_history_names_the_officers() {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    store
        .import(
            generate(SampleConfig::default()).records,
            &innomesh_store::Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    let st = AppState::for_store(store);
    let local = innomesh_app::Principal::local("t");
    st.add_user(
        &local,
        "officer-li",
        "李审查员",
        innomesh_app::Role::CityStaff,
        "",
    )
    .unwrap();
    let app = support::router_as(st, "officer-li", innomesh_app::Role::CityStaff, "");
    let (_, list) = call(&app, "GET", "/api/funding/duplicates", String::new()).await;
    let row = &list["pairs"][0];
    let (a, b) = (
        row["a"]["id"].as_str().unwrap(),
        row["b"]["id"].as_str().unwrap(),
    );
    for form in [
        "decision=excluded&reason=%E5%88%86%E6%9C%9F",
        "decision=confirmed",
    ] {
        let req = Request::post(format!("/funding/duplicates/{a}/{b}/decision"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = app
        .clone()
        .oneshot(
            Request::get(format!("/funding/duplicates/{a}/{b}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html =
        String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).to_string();
    let history = &html[html.find("审查记录").expect("the history is shown")..];
    let history = &history[..history.find("</table>").unwrap()];
    assert_eq!(
        history.matches("李审查员（officer-li）").count(),
        2,
        "{history}"
    );
    assert!(!history.contains("officer-li</td>"), "{history}");
    assert!(
        !history.contains('T') && !history.contains('Z'),
        "Beijing time: {history}"
    );
}
