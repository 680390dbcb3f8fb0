//! The web pages through the router: every page kind answers in Chinese with the sample banner,
//! forms refuse bad values beside the field and save good ones, an import with one bad row writes
//! nothing and shows the row, the dashboard draws its charts and offers XLSX.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::CreditCode;
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
    innomesh_app::chains::seed_models(&st, &innomesh_app::Principal::local("t")).unwrap();
    support::router(st)
}

struct Reply {
    status: StatusCode,
    location: String,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
}

async fn send(app: &axum::Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let h = |k: header::HeaderName| {
        res.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let location = h(header::LOCATION);
    let content_type = h(header::CONTENT_TYPE);
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        location,
        content_type,
        body,
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

/// A page that loaded: 200, HTML, the sample banner, the footer version, and `wants` in it.
fn check_page(r: &Reply, wants: &[&str]) {
    let t = r.text();
    assert_eq!(r.status, StatusCode::OK, "{}", &t[..t.len().min(2000)]);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
    assert!(t.contains("class=\"sample\""), "sample banner missing");
    assert!(t.contains("版本"), "footer version missing");
    assert!(t.contains("href=\"#main\""), "skip link missing");
    for w in wants {
        assert!(t.contains(w), "page lacks {w:?}");
    }
}

async fn first_enterprise(app: &axum::Router) -> serde_json::Value {
    let r = get(
        app,
        "/api/organisations?kind=enterprise&flag=high_tech&per_page=1",
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    v["items"][0].clone()
}

#[tokio::test]
async fn every_kind_has_list_new_and_detail_pages() {
    let app = app();
    for kind in innomesh_core::EntityKind::ALL {
        let list = get(&app, &format!("/{}", kind.plural())).await;
        check_page(&list, &[kind.label(), "<form class=\"searchbar\""]);
        let new = get(&app, &format!("/{}/new", kind.plural())).await;
        check_page(&new, &["<form class=\"record\"", "保存"]);
        let api = get(&app, &format!("/api/{}?per_page=1", kind.plural())).await;
        let v: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
        if let Some(item) = v["items"].as_array().and_then(|a| a.first()) {
            let id = item["id"]
                .as_str()
                .or(item["credit_code"].as_str())
                .unwrap();
            let detail = get(&app, &format!("/{}/{}", kind.plural(), encode(id))).await;
            check_page(&detail, &["<dl class=\"fields\">", "编辑"]);
            let edit = get(&app, &format!("/{}/{}/edit", kind.plural(), encode(id))).await;
            check_page(&edit, &["readonly"]);
        }
    }
    assert_eq!(
        get(&app, "/no-such-kind").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/organisations/91150203MA0NOTHERE").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn list_filters_facets_and_paging() {
    let app = app();
    let all = get(&app, "/organisations").await;
    check_page(
        &all,
        &["昆都仑区", "行政区划（包头市）", "高新技术企业", "下一页"],
    );
    let kdl = get(
        &app,
        "/organisations?region=150203&flag=high_tech&sort=number&page=2",
    )
    .await;
    check_page(
        &kdl,
        &[
            "区划：昆都仑区 ×",
            "高新技术企业 ×",
            "aria-current=\"page\">2<",
        ],
    );
    // A district shows its townships under it.
    assert!(kdl.text().contains("class=\"sub\""));
    let bad = get(&app, "/organisations?region=999999").await;
    check_page(&bad, &["不在 GB/T 2260 代码表中", "已忽略该筛选条件"]);
    let org = first_enterprise(&app).await;
    let name = org["name"].as_str().unwrap();
    let found = get(&app, &format!("/organisations?q={}", encode(name))).await;
    check_page(&found, &[name, "共 1 条"]);
}

#[tokio::test]
async fn enterprise_detail_shows_names_and_relations() {
    let app = app();
    // The organisation with the most relations is a local leading firm.
    let r = get(&app, "/api/supply-relations?per_page=1").await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let customer = v["items"][0]["customer"].as_str().unwrap().to_string();
    let d = get(&app, &format!("/organisations/{customer}")).await;
    check_page(
        &d,
        &["关联资源", "供应商（本单位作为采购方）", "统一社会信用代码"],
    );
    let t = d.text();
    // Region shown with its name beside the code.
    assert!(
        t.contains("<span class=\"muted\">1502"),
        "region code beside name"
    );
}

#[tokio::test]
async fn edit_form_saves_and_refuses_bad_values_beside_the_field() {
    let app = app();
    let org = first_enterprise(&app).await;
    let code = org["credit_code"].as_str().unwrap();
    let mut fields: Vec<(&str, String)> = vec![
        ("credit_code", code.to_string()),
        ("name", org["name"].as_str().unwrap().to_string()),
        ("kind", "enterprise".into()),
        ("region", org["region"].as_str().unwrap().to_string()),
        ("revenue", "很多".into()),
        ("address", "包头市青山区测试路 1 号".into()),
        ("high_tech", "是".into()),
    ];
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad = post_form(&app, &format!("/organisations/{code}/edit"), &pairs).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = bad.text();
    assert!(t.contains("id=\"err-revenue\""), "error beside the field");
    assert!(t.contains("应为数字"), "Chinese reason");
    assert!(t.contains("尚未保存"));
    assert!(t.contains("测试路 1 号"), "typed values kept");
    fields[4].1 = "12345.5".into();
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let ok = post_form(&app, &format!("/organisations/{code}/edit"), &pairs).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    assert!(
        ok.location
            .starts_with(&format!("/organisations/{code}?saved=1&changed=")),
        "{}",
        ok.location
    );
    assert!(ok.location.contains("address"), "{}", ok.location);
    let shown = get(&app, &ok.location).await;
    check_page(
        &shown,
        &[
            "已保存：修改了「",
            "class=\"changed\"",
            "包头市青山区测试路 1 号",
            "12,345.5",
        ],
    );
}

#[tokio::test]
async fn personal_data_is_never_in_the_form_and_survives_an_edit() {
    let app = app();
    let r = get(
        &app,
        "/api/people?per_page=50&personal=full&reason=%E6%B5%8B%E8%AF%95%E6%A0%B8%E5%AF%B9",
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let person = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phone"].is_string())
        .expect("a person with a phone")
        .clone();
    let id = person["id"].as_str().unwrap();
    let phone = person["phone"].as_str().unwrap();
    let form = get(&app, &format!("/people/{id}/edit")).await;
    check_page(&form, &["留空则保持不变"]);
    assert!(
        !form.text().contains(phone),
        "full phone must not be in the form"
    );
    let detail = get(&app, &format!("/people/{id}")).await;
    assert!(
        !detail.text().contains(phone),
        "full phone must not be on the page"
    );
    let ok = post_form(
        &app,
        &format!("/people/{id}/edit"),
        &[
            ("name", person["name"].as_str().unwrap()),
            ("role", person["role"].as_str().unwrap()),
            ("title", "正高级工程师"),
            ("phone", ""),
            ("id_number", ""),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let after = get(
        &app,
        &format!("/api/people/{id}?personal=full&reason=%E6%B5%8B%E8%AF%95%E6%A0%B8%E5%AF%B9"),
    )
    .await;
    let a: serde_json::Value = serde_json::from_slice(&after.body).unwrap();
    assert_eq!(a["phone"], person["phone"]);
    assert_eq!(a["id_number"], person["id_number"]);
    assert_eq!(a["title"], "正高级工程师");
}

#[tokio::test]
async fn create_form_reports_unknown_reference_and_creates() {
    let app = app();
    let missing = CreditCode::with_check_digit("91150203MA0WEB001").unwrap();
    let r = post_form(
        &app,
        "/platforms/new",
        &[
            ("name", "包头测试重点实验室"),
            ("kind", "key_laboratory"),
            ("tier", "municipal"),
            ("host", missing.as_str()),
            ("status", "operating"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("id=\"err-host\""),
        "reference error beside host"
    );
    let org = first_enterprise(&app).await;
    let r = post_form(
        &app,
        "/platforms/new",
        &[
            ("name", "包头测试重点实验室"),
            ("kind", "key_laboratory"),
            ("tier", "municipal"),
            ("host", org["credit_code"].as_str().unwrap()),
            ("status", "operating"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let shown = get(&app, &r.location).await;
    check_page(&shown, &["包头测试重点实验室", "重点实验室", "市级"]);
    // Required fields left empty are named.
    let r = post_form(&app, "/platforms/new", &[("name", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("必填，不能为空"));
}

fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----innomesh-test-boundary";
    let mut body = Vec::new();
    for (name, file, bytes) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
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

async fn upload(app: &axum::Router, csv: &str) -> Reply {
    let (ct, body) = multipart(&[
        ("kind", None, b"organisations"),
        ("actor", None, "东河区科技局".as_bytes()),
        ("file", Some("orgs.csv"), csv.as_bytes()),
    ]);
    let req = Request::post("/import")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    send(app, req).await
}

#[tokio::test]
async fn import_with_one_bad_row_writes_nothing_and_reports_it() {
    let app = app();
    check_page(
        &get(&app, "/import?kind=organisations").await,
        &[
            "enctype=\"multipart/form-data\"",
            "/api/organisations/template",
        ],
    );
    let good = CreditCode::with_check_digit("91150202MA0WEB002").unwrap();
    let good2 = CreditCode::with_check_digit("91150202MA0WEB003").unwrap();
    let mut bad = good2.as_str().to_string();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    let csv = format!(
        "统一社会信用代码,名称,组织类型,行政区划代码\n{good},包头网页导入测试有限公司,企业,150202\n{bad},包头网页导入测试二公司,企业,150202\n"
    );
    let r = upload(&app, &csv).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text();
    assert!(t.contains("未写入任何数据"));
    assert!(
        t.contains("<td class=\"r\">3</td><td>统一社会信用代码</td>"),
        "row 3 reported"
    );
    assert!(t.contains("校验位"), "reason in Chinese");
    assert_eq!(
        get(&app, &format!("/api/organisations/{good}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let href_start = t.find("/import/report/").unwrap();
    let href: String = t[href_start..].chars().take_while(|c| *c != '"').collect();
    let report = get(&app, &href).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.starts_with(b"PK"), "XLSX");
    assert_eq!(
        get(&app, "/import/report/1-0000").await.status,
        StatusCode::NOT_FOUND
    );

    let fixed = format!(
        "统一社会信用代码,名称,组织类型,行政区划代码\n{good},包头网页导入测试有限公司,企业,150202\n"
    );
    let r = upload(&app, &fixed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("导入成功"));
    assert_eq!(
        get(&app, &format!("/api/organisations/{good}"))
            .await
            .status,
        StatusCode::OK
    );
    let empty = upload(&app, "").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.text().contains("没有收到文件"));
}

#[tokio::test]
async fn dashboard_draws_charts_with_tables_and_xlsx() {
    let app = app();
    let d = get(&app, "/dashboard").await;
    check_page(
        &d,
        &[
            "创新驾驶舱",
            "高新技术企业",
            "研发投入强度",
            "技术需求转化漏斗",
            "机床共享机时",
            "查看数据表",
            "昆都仑区",
            "示意图",
        ],
    );
    let t = d.text();
    assert!(
        t.matches("<svg").count() >= 7,
        "charts: {}",
        t.matches("<svg").count()
    );
    assert!(!t.contains("NaN"), "no NaN in charts");
    assert!(!t.contains("<script"), "no scripts");
    let rd = get(&app, "/dashboard?map=rd").await;
    check_page(
        &rd,
        &["研发投入强度示意图", "<option value=\"rd\" selected>"],
    );
    for chart in [
        "districts",
        "enterprises",
        "rd",
        "platforms",
        "funnel",
        "machines",
        "achievements",
    ] {
        let x = get(&app, &format!("/dashboard/{chart}.xlsx")).await;
        assert_eq!(x.status, StatusCode::OK, "{chart}");
        assert!(x.body.starts_with(b"PK"), "{chart} is XLSX");
    }
    assert_eq!(
        get(&app, "/dashboard/nope.xlsx").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn stylesheet_and_landing() {
    let app = app();
    let css = get(&app, "/assets/site.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type.starts_with("text/css"));
    assert!(css.text().contains("Microsoft YaHei"));
    check_page(
        &get(&app, "/").await,
        &["创新资源一张网", "href=\"/organisations\""],
    );
}

#[tokio::test]
async fn chain_pages_draw_nodes_by_status_with_links() {
    let app = app();
    let index = get(&app, "/chains").await;
    check_page(&index, &["产业链图谱", "href=\"/chains/rare_earth\""]);
    let c = get(&app, "/chains/rare_earth").await;
    check_page(
        &c,
        &[
            "稀土产业链",
            "上游",
            "中游",
            "下游",
            "长板",
            "节点诊断表",
            "/chains/rare_earth/nodes/magnet",
        ],
    );
    let t = c.text();
    assert!(t.contains("<svg"), "graph drawn");
    assert!(!t.contains("NaN"));
    let y = get(&app, "/chains/rare_earth?year=2025").await;
    check_page(&y, &["✓ 2025 年"]);
    let n = get(&app, "/chains/rare_earth/nodes/magnet").await;
    check_page(&n, &["永磁材料", "本地企业", "诊断", "本地配套率"]);
    // A firm of the node lists the node on its own page.
    let t = n.text();
    let at = t
        .find("href=\"/organisations/")
        .expect("a firm of the node");
    let href: String = t[at + 6..].chars().take_while(|c| *c != '"').collect();
    let firm = get(&app, &href).await;
    check_page(
        &firm,
        &["所在产业链节点", "/chains/rare_earth/nodes/magnet"],
    );
    assert_eq!(
        get(&app, "/chains/nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/chains/rare_earth/nodes/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

/// 「昆都仑区的稀土企业」: the chain facet names the chains, choosing one lists its nodes by name and
/// narrows the list; the page's export link carries every filter, and the file holds the same
/// records under a first line 「筛选条件：……」 in names, and imports back.
#[tokio::test]
async fn chain_filter_facet_and_filtered_export() {
    let app = app();
    let all = get(&app, "/organisations?region=150203").await;
    check_page(&all, &["<h3>产业链</h3>", "稀土产业链", "高端装备产业链"]);
    let total = |r: &Reply| -> usize {
        let t = r.text();
        let i = t.find("共 ").unwrap() + "共 ".len();
        t[i..].split(' ').next().unwrap().parse().unwrap()
    };
    let chain = get(&app, "/organisations?region=150203&chain=rare_earth").await;
    check_page(
        &chain,
        &[
            "产业链：稀土产业链 ×",
            "稀土采矿",
            "永磁材料（钕铁硼）",
            "导出筛选结果（XLSX）",
        ],
    );
    assert!(total(&chain) > 0 && total(&chain) < total(&all));
    // The export link carries the filters.
    let t = chain.text();
    let href = "/api/organisations/export?region=150203&amp;chain=rare_earth";
    assert!(
        t.contains(href),
        "export link: {}",
        &t[t.find("导出").unwrap()..][..300]
    );
    let file = get(
        &app,
        "/api/organisations/export?region=150203&chain=rare_earth",
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);
    let table = innomesh_sheets::read(&file.body, innomesh_sheets::Format::Xlsx).unwrap();
    assert_eq!(
        table.rows.len(),
        total(&chain),
        "the file holds the filtered list"
    );
    assert_eq!(table.headers[0], "统一社会信用代码");
    // The first line, read raw: the filters in names.
    let csv = get(
        &app,
        "/api/organisations/export?format=csv&region=150203&chain=rare_earth",
    )
    .await;
    let text = String::from_utf8(csv.body.clone()).unwrap();
    let first = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(
        first.starts_with("筛选条件：")
            && first.contains("昆都仑区")
            && first.contains("稀土产业链"),
        "{first}"
    );
    assert!(!first.contains("rare_earth"), "names, not codes: {first}");
    // A node narrows further; an unknown chain is dropped with a notice (page) or refused (API).
    let node = get(
        &app,
        "/organisations?region=150203&chain=rare_earth&node=rare_earth.magnet",
    )
    .await;
    check_page(&node, &["链节点：永磁材料（钕铁硼） ×"]);
    assert!(total(&node) <= total(&chain));
    let bad = get(&app, "/organisations?chain=no_such").await;
    check_page(&bad, &["没有编号为「no_such」的产业链", "已忽略该筛选条件"]);
    let bad = get(&app, "/api/organisations?chain=no_such").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = get(&app, "/api/organisations/export?chain=no_such").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The API list agrees with the page.
    let api = get(&app, "/api/organisations?region=150203&chain=rare_earth").await;
    let v: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    assert_eq!(v["total"].as_u64().unwrap() as usize, total(&chain));
}

/// Under C 制造业 the industry facet offers manufacturing divisions only (13–43), all of them.
#[tokio::test]
async fn industry_facet_stays_inside_the_chosen_section() {
    let app = app();
    let r = get(&app, "/organisations?industry=C").await;
    check_page(&r, &["行业：制造业 ×"]);
    let t = r.text();
    let group = &t[t.find("<h3>行业</h3>").unwrap()..];
    let group = &group[..group.find("</div>").unwrap()];
    let mut seen = 0;
    for part in group.split("industry=").skip(1) {
        let code: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if code == "C" {
            continue;
        }
        let div: u32 = code.parse().unwrap_or_else(|_| panic!("{code}"));
        assert!(
            (13..=43).contains(&div),
            "division {div} is not manufacturing"
        );
        seen += 1;
    }
    assert!(
        seen > 12,
        "every division with records, not a dozen: {seen}"
    );
}

/// Records named by another record's id show that record's name: a response page is titled by
/// its solver and demand (not 「PE000127」), and its solver and demand fields link by name; the
/// list shows the same titles.
#[tokio::test]
async fn records_referenced_by_id_are_shown_by_name() {
    let app = app();
    let api = get(&app, "/api/demand-responses?per_page=1").await;
    let v: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    let resp = &v["items"][0];
    let (id, solver, demand) = (
        resp["id"].as_str().unwrap(),
        resp["solver"].as_str().unwrap(),
        resp["demand"].as_str().unwrap(),
    );
    let kind = match resp["solver_type"].as_str().unwrap() {
        "expert" | "manager" => "people",
        "platform" => "platforms",
        "achievement" => "achievements",
        "equipment" => "equipment",
        _ => "organisations",
    };
    let name_of = |v: &serde_json::Value| {
        v["name"]
            .as_str()
            .or(v["title"].as_str())
            .unwrap()
            .to_string()
    };
    let s: serde_json::Value =
        serde_json::from_slice(&get(&app, &format!("/api/{kind}/{solver}")).await.body).unwrap();
    let d: serde_json::Value =
        serde_json::from_slice(&get(&app, &format!("/api/demands/{demand}")).await.body).unwrap();
    let (solver_name, demand_title) = (name_of(&s), name_of(&d));
    let page = get(&app, &format!("/demand-responses/{id}")).await;
    let want_title = format!("<h1>{solver_name} 对「{demand_title}」的应答</h1>");
    check_page(&page, &[&want_title]);
    assert!(!page.text().contains(&format!("<h1>{solver}</h1>")));
    check_page(
        &page,
        &[&format!(
            ">{solver_name}</a> <span class=\"muted\">{solver}</span>"
        )],
    );
    check_page(
        &page,
        &[&format!(
            ">{demand_title}</a> <span class=\"muted\">{demand}</span>"
        )],
    );
    let list = get(&app, "/demand-responses").await;
    check_page(
        &list,
        &[&format!("{solver_name} 对「{demand_title}」的应答")],
    );
}

/// Visible text of a page: tags (and so attribute values) removed.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The attribute `attr="…"` values in `html` that start with `prefix`, entity-decoded.
fn hrefs(html: &str, prefix: &str) -> Vec<String> {
    html.match_indices(&format!("href=\"{prefix}"))
        .map(|(i, _)| {
            html[i + 6..]
                .chars()
                .take_while(|c| *c != '"')
                .collect::<String>()
                .replace("&amp;", "&")
        })
        .collect()
}

#[tokio::test]
async fn chain_gaps_lead_to_a_prefilled_action_that_is_then_listed() {
    let app = app();
    let c = get(&app, "/chains/rare_earth").await;
    check_page(
        &c,
        &[
            "href=\"/chains/rare_earth/gaps\"",
            "未闭合缺口",
            "诊断与原因",
        ],
    );
    let t = c.text();
    // Reasons: on hover in the map and in one line beside each node with a verdict.
    assert!(
        t.contains("<title>抛光材料（抛光粉）：") && t.contains("散："),
        "map titles carry reasons"
    );
    let table = &t[t.find("节点诊断表").unwrap()..];
    let rows = table.matches("<tr><td class=\"nw\">").count();
    let tagged = table.matches("<span class=\"tag").count();
    assert!(rows >= 10 && tagged >= rows / 2);
    assert!(table.matches("class=\"muted reason\"").count() >= rows / 2);
    assert!(
        table.contains("远低于本链其他节点"),
        "the 散 reason is in the table"
    );
    // One unit per table: the header names it, the cells are bare numbers.
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    assert!(table.contains("产值（亿元）") || table.contains("产值（万元）"));
    let cells: Vec<&str> = body.split("<td class=\"r\">").skip(1).collect();
    assert!(cells
        .iter()
        .all(|c| !c.starts_with(|ch: char| ch.is_ascii_digit())
            || !c.split('<').next().unwrap_or("").contains('元')));
    // No codes shown as text on the chain pages.
    assert!(
        !visible(&t).contains("rare_earth"),
        "code shown on the chain page"
    );

    // The open-gap count is a link to the list of open gaps; each has a button.
    let gaps = get(&app, "/chains/rare_earth/gaps").await;
    check_page(&gaps, &["未闭合缺口", "新增补链行动", "抛光材料（抛光粉）"]);
    let g = gaps.text();
    assert!(
        !visible(&g).contains("rare_earth"),
        "code shown on the gap list"
    );
    let open_in_card: usize = visible(&t)
        .split("未闭合缺口")
        .next()
        .and_then(|s| s.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .expect("count on the chain page");
    let buttons = hrefs(&g, "/gap-actions/new?");
    assert_eq!(buttons.len(), open_in_card, "one button per open gap");
    let polish = buttons
        .iter()
        .find(|h| h.contains("node=rare_earth.polishing") && h.contains("gap=%E7%BC%BA"))
        .expect("the 缺 gap of 抛光材料 has a button");

    // The form opens with the node picked by name.
    let form = get(&app, polish).await;
    check_page(&form, &["新增补链行动", "<select id=\"f-node\""]);
    let f = form.text();
    let sel = &f[f.find("<select id=\"f-node\"").unwrap()..];
    let sel = &sel[..sel.find("</select>").unwrap()];
    let chosen = sel
        .split("<option")
        .find(|o| o.contains(" selected"))
        .expect("a node is selected");
    assert!(
        chosen.contains("value=\"rare_earth.polishing\""),
        "{chosen}"
    );
    assert!(
        chosen.contains("抛光材料（抛光粉）")
            && !visible(&format!("<option{chosen}")).contains("rare_earth"),
        "{chosen}"
    );
    assert!(
        f.contains("value=\"抛光材料（抛光粉）补链：缺\""),
        "title prefilled"
    );

    // Refused (no 责任单位): 422, the input kept.
    let fields = [
        ("node", "rare_earth.polishing"),
        ("gap", "缺"),
        ("kind", "supplier_onboarding"),
        ("title", "抛光粉本地配套对接会"),
        ("owner", ""),
        ("status", "planned"),
        ("due", "2027-06-30"),
    ];
    let refused = post_form(&app, "/gap-actions/new", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = refused.text();
    assert!(r.contains("value=\"抛光粉本地配套对接会\"") && r.contains("value=\"2027-06-30\""));
    assert!(
        r.contains("value=\"rare_earth.polishing\" selected"),
        "node kept"
    );
    // Accepted: the action shows on the gap list and on the node page.
    let mut ok = fields;
    ok[4] = ("owner", "市工信局产业链办");
    let saved = post_form(&app, "/gap-actions/new", &ok).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let after = get(&app, "/chains/rare_earth/gaps").await.text();
    assert!(
        after.contains("抛光粉本地配套对接会") && after.contains("市工信局产业链办"),
        "the new action is listed"
    );
    let node = get(&app, "/chains/rare_earth/nodes/polishing").await;
    check_page(
        &node,
        &[
            "抛光粉本地配套对接会",
            "诊断：",
            "本地配套对接",
            "/search?q=",
        ],
    );
    let n = node.text();
    // 本地配套对接 is proposed before attracting outside firms.
    let local_at = n.find("本地配套对接").unwrap();
    if let Some(targets_at) = n.find("招商目标") {
        assert!(local_at < targets_at);
    }
    assert!(hrefs(&n, "/gap-actions/new?")
        .iter()
        .any(|h| h.contains("organisation=")));
    assert!(
        !visible(&n).contains("rare_earth"),
        "code shown on the node page"
    );

    // A keyword address is not a 404: it goes to the search.
    let kw = get(&app, "/chain-nodes/%E5%A2%9E%E6%9D%90%E5%88%B6%E9%80%A0").await;
    assert_eq!(kw.status, StatusCode::SEE_OTHER);
    assert!(kw.location.starts_with("/search?q="), "{}", kw.location);
}
