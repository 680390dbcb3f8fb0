//! 开放共享 over HTTP: twenty clients post the same slot at once and exactly one booking holds it;
//! the owner confirms it; a second claim of a completed booking is refused with the reason.

mod support;

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use innomesh_app::{Principal, Role};
use innomesh_core::model::OrgKind;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

async fn call(router: &axum::Router, method: &str, uri: &str, body: Value) -> (u16, Value) {
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
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_clients_post_one_slot_and_one_is_confirmed() {
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
    let firms: Vec<String> = st
        .repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Organisation(o)
                if o.kind == OrgKind::Enterprise && o.region.as_str().starts_with("1502") =>
            {
                Some(o.credit_code.as_str().to_string())
            }
            _ => None,
        })
        .take(20)
        .collect();
    // A service open every day, no lead time, owned by the first institute.
    let owner = st
        .repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Organisation(o) if o.kind == OrgKind::Institute => {
                Some(o.credit_code.as_str().to_string())
            }
            _ => None,
        })
        .unwrap();
    let service = Record::from_json(
        EntityKind::SharedService,
        json!({"name": "稀土元素分析（并发测试）", "service_type": "instrument", "owner": owner,
               "open_hours": "每天 0:00-24:00", "lead_days": 0, "fee_local": 500.0}),
    )
    .unwrap();
    let sid = st.create(&local, service).unwrap().id().to_string();
    let day = innomesh_core::sharing::date_text(
        innomesh_app::sharing::local_now()
            .date
            .checked_add(time::Duration::days(2))
            .unwrap(),
    );
    let routers: Vec<axum::Router> = firms
        .iter()
        .enumerate()
        .map(|(i, f)| support::router_as(st.clone(), &format!("firm{i}"), Role::Enterprise, f))
        .collect();
    let body = json!({"service": sid, "start": format!("{day} 09:00"), "end": format!("{day} 11:00"), "note": "并发"});
    let tasks: Vec<_> = routers
        .iter()
        .map(|r| {
            let (r, body) = (r.clone(), body.clone());
            tokio::spawn(async move { call(&r, "POST", "/api/bookings", body).await })
        })
        .collect();
    let mut created = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        let (status, v) = t.await.unwrap();
        match status {
            201 => created.push(v),
            409 => {
                assert_eq!(v["code"], "conflict");
                assert!(v["message"].as_str().unwrap().contains("已被预约"));
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert_eq!((created.len(), conflicts), (1, 19));
    let id = created[0]["id"].as_str().unwrap().to_string();
    // The owner's account has a display name: the booking's history shows it, not the login.
    st.add_user(&local, "owner", "平台管理员王工", Role::Enterprise, &owner)
        .unwrap();
    let owner_router = support::router_as(st.clone(), "owner", Role::Enterprise, &owner);
    let (status, v) = call(
        &owner_router,
        "POST",
        &format!("/api/bookings/{id}/action"),
        json!({"action": "confirm"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["booking"]["status"], "confirmed");
    let (_, list) = call(
        &owner_router,
        "GET",
        &format!("/api/bookings?service={sid}"),
        Value::Null,
    )
    .await;
    let confirmed: Vec<&Value> = list["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "confirmed")
        .collect();
    assert_eq!(confirmed.len(), 1);
    // Completed, claimed once; the second claim is refused with the reason.
    let (status, v) = call(
        &owner_router,
        "POST",
        &format!("/api/bookings/{id}/action"),
        json!({"action": "complete", "hours": 2, "result": "检测报告 C-1"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let year: i32 = day[..4].parse().unwrap();
    let programme = Record::from_json(
        EntityKind::VoucherProgramme,
        json!({"name": "测试创新券", "department": "市科技局", "year": year, "share": 0.5,
               "cap_per_enterprise": 100000.0, "budget": 100.0}),
    )
    .unwrap();
    let pid = st.create(&local, programme).unwrap().id().to_string();
    let requester = routers
        .iter()
        .zip(&firms)
        .find(|(_, f)| created[0]["requester"] == f.as_str())
        .unwrap()
        .0;
    let claim = json!({"booking": id, "programme": pid});
    let page = owner_router
        .clone()
        .oneshot(
            Request::get(format!("/sharing/bookings/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html =
        String::from_utf8_lossy(&page.into_body().collect().await.unwrap().to_bytes()).to_string();
    let history = &html[html.find("流转记录").expect("history")..];
    assert!(
        history.contains("平台管理员王工（owner）"),
        "history names the account: {history}"
    );
    let (status, v) = call(requester, "POST", "/api/voucher-claims", claim.clone()).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["amount"], 500.0);
    let (status, v) = call(requester, "POST", "/api/voucher-claims", claim).await;
    assert_eq!(status, 409);
    assert!(
        v["message"].as_str().unwrap().contains("不能重复申领"),
        "{v}"
    );
}
