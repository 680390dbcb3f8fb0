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
    support::router(state())
}

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
    store
        .set_meta(
            "sample_data",
            "示例数据",
            &innomesh_store::Actor::system("t"),
        )
        .unwrap();
    let st = AppState::for_store(Arc::new(store));
    chains::seed_models(&st, &innomesh_app::Principal::local("t")).unwrap();
    st
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
    // A draft checked against the applicant's own applications names the applicant and the
    // earlier applications by name, not by code.
    let (_, list) = page(&app, "GET", "/api/applications?per_page=1", "").await;
    let first: serde_json::Value = serde_json::from_str(&list).unwrap();
    let a = &first["items"][0];
    let form = format!(
        "applicant={}&title=x&text={}",
        a["applicant"].as_str().unwrap(),
        percent(a["abstract_text"].as_str().unwrap())
    );
    let (s, checked) = page(&app, "POST", "/funding/check", &form).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        checked.contains(&format!(">{}</a>", a["title"].as_str().unwrap())),
        "earlier application by title"
    );
    assert!(!checked.contains(&format!(">{}</a>", a["id"].as_str().unwrap())));
}

/// Form encoding of a value.
fn percent(s: &str) -> String {
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

/// Decodes the few entities the pages write.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Non-whitespace characters of one side's text: (highlighted, greyed, all).
fn counted(side_html: &str) -> (usize, usize, usize) {
    let text = side_html
        .split("<div class=\"text\">")
        .nth(1)
        .and_then(|t| t.split("</div>").next())
        .expect("the side's text");
    let (mut marked, mut grey, mut all) = (0, 0, 0);
    let mut state = 0u8;
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(tag_end) = rest.strip_prefix('<').and_then(|r| r.find('>')) {
            let tag = &rest[1..=tag_end];
            state = if tag.starts_with("mark") {
                1
            } else if tag.starts_with("span") {
                2
            } else {
                0
            };
            rest = &rest[tag_end + 2..];
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        let n = unescape(&rest[..next])
            .chars()
            .filter(|c| !c.is_whitespace())
            .count();
        all += n;
        match state {
            1 => marked += n,
            2 => grey += n,
            _ => {}
        }
        rest = &rest[next..];
    }
    (marked, grey, all)
}

#[tokio::test]
async fn pair_page_figures_count_what_is_highlighted_and_decisions_take_pairs_off_the_list() {
    let app = app();
    let (s, list) = page(&app, "GET", "/funding/duplicates?kind=text", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains("正文相同") && list.contains("待审查"));
    let links: Vec<String> = list
        .split("href=\"/funding/duplicates/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    assert!(links.len() >= 2, "text duplicates in the sample");
    for link in &links {
        let (s, pair) = page(&app, "GET", &format!("/funding/duplicates/{link}"), "").await;
        assert_eq!(s, StatusCode::OK);
        // Names, not codes: the applicant's link text is its name.
        let applicant = pair
            .split("申报单位 <a href=\"/organisations/")
            .nth(1)
            .and_then(|r| r.split('>').nth(1))
            .and_then(|r| r.split('<').next())
            .unwrap();
        assert!(
            !applicant.chars().all(|c| c.is_ascii_alphanumeric()),
            "{applicant}"
        );
        for side in ["A", "B"] {
            let html = pair
                .split(&format!("<article class=\"side\" data-side=\"{side}\">"))
                .nth(1)
                .and_then(|r| r.split("</article>").next())
                .unwrap();
            let (marked, grey, all) = counted(html);
            assert!(marked > 0, "{link} {side}: something is highlighted");
            let shown: f64 = html
                .split("data-reuse=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap()
                .parse()
                .unwrap();
            let recomputed = marked as f64 / (all - grey) as f64;
            assert!(
                (shown - recomputed).abs() < 1e-4,
                "{link} {side}: shown {shown}, highlighted {recomputed}"
            );
            let words = format!(
                "共 <strong>{}</strong> 字，其中 <strong>{marked}</strong> 字（<strong>{:.0}%</strong>）",
                all - grey,
                recomputed * 100.0
            );
            assert!(html.contains(&words), "{link} {side}: {words}");
        }
    }
    // The officer excludes a pair: a reason is required, then the pair leaves the default list
    // and is listed under 已排除 with the reason.
    let link = &links[0];
    let (s, _) = page(
        &app,
        "POST",
        &format!("/funding/duplicates/{link}/decision"),
        "decision=excluded&reason=",
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = page(
        &app,
        "POST",
        &format!("/funding/duplicates/{link}/decision"),
        "decision=excluded&reason=%E5%90%8C%E4%B8%80%E9%A1%B9%E7%9B%AE%E5%88%86%E6%9C%9F%E7%94%B3%E6%8A%A5",
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, after) = page(&app, "GET", "/funding/duplicates", "").await;
    assert!(
        !after.contains(&format!("/funding/duplicates/{link}\"")),
        "excluded pair still listed"
    );
    let (_, excluded) = page(&app, "GET", "/funding/duplicates?decision=excluded", "").await;
    assert!(
        excluded.contains(&format!("/funding/duplicates/{link}\""))
            && excluded.contains("同一项目分期申报")
    );
    let (_, pair) = page(&app, "GET", &format!("/funding/duplicates/{link}"), "").await;
    assert!(pair.contains("已排除") && pair.contains("同一项目分期申报"));
    // Confirming another pair shows the decision and who made it, in the list.
    let other = &links[1];
    let (s, _) = page(
        &app,
        "POST",
        &format!("/funding/duplicates/{other}/decision"),
        "decision=confirmed",
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, after) = page(&app, "GET", "/funding/duplicates?decision=confirmed", "").await;
    assert!(
        after.contains(&format!("/funding/duplicates/{other}\"")) && after.contains("已确认重复")
    );
    let (s, _) = page(&app, "GET", "/funding/duplicates?sort=nonsense", "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn capacity_page_shows_a_plan() {
    let st = state();
    // The plan is built in the background; here the page waits for it.
    st.views().set_wait(std::time::Duration::from_secs(300));
    let app = support::router(st);
    let (s, html) = page(&app, "GET", "/capacity?parts=8&seed=2", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("机床时间表") && html.contains("<svg") && html.contains("谁做什么"));
    // The sample is labelled as such; the seed is not called an order number.
    assert!(html.contains("示例订单") && html.contains("随机种子"));
    assert!(!html.contains("订单编号 <input"));
    // KPIs of the whole order.
    for kpi in [
        "全部安排的零件",
        "已安排数量（件）",
        "未能安排的零件",
        "完工时间（小时）",
        "延误合计（小时）",
    ] {
        assert!(html.contains(kpi), "{kpi}");
    }
    // Gantt: legend, ticks, names not codes on the visible labels.
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert!(html.contains("图例") && html.contains("swatch"));
    let tick_labels = svg.matches("h</text>").count();
    assert!(tick_labels >= 4, "hour ticks: {tick_labels}");
    let visible: String = svg
        .split("<title>")
        .map(|x| x.split_once("</title>").map_or(x, |y| y.1))
        .collect();
    assert!(!visible.contains("EQ0"), "machine codes on labels");
    assert!(!visible.contains("91150"), "credit codes on labels");
    assert!(visible.contains(" · "), "「车间 · 机床」 labels");
    // Hour ticks across the axis, not only 0 and the end.
    let ticks = svg.matches("stroke=\"#d9e2ec\"/>").count();
    assert!(ticks >= 4, "{ticks} ticks");
    // Part names on bars, and every part with a bar in the legend with its colour.
    let legend = &html[html.find("class=\"legend\"").unwrap()..];
    let legend = &legend[..legend.find("</div>").unwrap()];
    let labelled: Vec<&str> = svg
        .split("pointer-events=\"none\">")
        .skip(1)
        .filter_map(|x| x.split('<').next())
        .collect();
    assert!(!labelled.is_empty(), "bars carry part labels");
    for l in &labelled {
        assert!(legend.contains(l), "bar label {l} is in the legend");
    }
    // Row labels are distinct (two machines of one model in a shop get 「#2」).
    let rows: Vec<&str> = svg
        .split("font-size=\"12\"><title>")
        .skip(1)
        .filter_map(|x| x.split_once("</title>").and_then(|y| y.1.split('<').next()))
        .collect();
    let distinct: std::collections::HashSet<&&str> = rows.iter().collect();
    assert_eq!(distinct.len(), rows.len(), "{rows:?}");
    // 谁做什么: no two rows with the same part, operation, shop and machine.
    let who = &html[html.find("<table class=\"who\">").unwrap()..];
    let who = &who[..who.find("</table>").unwrap()];
    let mut seen = std::collections::HashSet::new();
    for row in who.split("<tr>").skip(2) {
        // What a reader sees: part, operation, shop, machine (tags and tooltips dropped).
        let cells: Vec<String> = row
            .split("<td")
            .skip(1)
            .take(4)
            .map(|c| text_of(&format!("<td{c}")))
            .collect();
        assert!(seen.insert(cells.join("|")), "repeated row {cells:?}");
    }
    assert!(seen.len() > 1);
    let (s, _) = page(&app, "GET", "/capacity?parts=999", "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unplaceable_parts_get_one_line_with_names_and_folded_details() {
    let app = app();
    // P1 asks for a tolerance no machine holds (the demo's best is 5 μm); P2 is ordinary.
    let csv = "零件编号,零件名称,数量,材料,尺寸（mm）,公差（μm）,交期（小时）,可拆分,工序1,每件工时1（小时）\n\
               P1,转子轴,10,碳钢,200×50×50,1,160,否,车削,0.5\n\
               P2,端盖,10,碳钢,100×80×40,100,160,是,车削,0.2\n";
    let (s, html) = upload(&app, "order.csv", csv.as_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let li = &html[html.find("<ul class=\"unplaced\">").expect("summary list")..];
    let li = &li[..li.find("</ul>").unwrap()];
    let first = &li[..li.find("<details>").expect("details folded")];
    assert!(
        first.contains("转子轴")
            && first.contains("车削 · 碳钢 · 公差 1μm → 合格机床 0 台；最接近："),
        "{first}"
    );
    assert!(
        first.contains("公差 5μm"),
        "closest machine's tolerance: {first}"
    );
    assert!(first.chars().count() < 300, "one line: {first}");
    assert!(
        !first.contains("EQ0") && !first.contains("91150"),
        "names not codes: {first}"
    );
    assert!(li.contains("全部原因"));
    // A generated order number, not the file name or a seed.
    assert!(html.contains("订单编号：<strong>DD-"), "order number");
    assert!(!li.contains("端盖"), "the ordinary part is placed");
}

/// The text of an HTML fragment without its tags.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
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
    // The template unchanged imports: its example rows are valid.
    let (s, html) = upload(&app, "订单.xlsx", &tpl).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("订单编号：<strong>DD-") && html.contains("机床时间表"));
    // Its drop-down lists: data validation on the order sheet, values on the sheet 可选值.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(tpl.clone())).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let sheet1 = read("xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains("<dataValidation type=\"list\""),
        "list validation"
    );
    assert!(sheet1.contains("可选值!$A$2:$A$10") && sheet1.contains("可选值!$B$2:$B$10"));
    let options = read("xl/sharedStrings.xml");
    for v in ["车削", "电火花", "热处理", "铝合金", "钛合金", "工程塑料"] {
        assert!(options.contains(v), "{v} listed");
    }
    assert!(read("xl/workbook.xml").contains("name=\"可选值\""));
    // A number given in the sheet is the order's number.
    let numbered = "订单编号,零件编号,零件名称,数量,材料,尺寸（mm）,公差（μm）,交期（小时）,可拆分,工序1,每件工时1（小时）\nHT-2026-0042,P1,轴,5,碳钢,100×50×50,50,160,否,车削,0.2\n";
    let (s, html) = upload(&app, "o.csv", numbered.as_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("订单编号：<strong>HT-2026-0042</strong>"));
    let bad = "零件编号,零件名称,数量,材料,尺寸（mm）,公差（μm）,交期（小时）,可拆分,工艺路线\nP1,轴,0,木头,3x4,a,10,也许,车削:x\n";
    let (s, html) = upload(&app, "bad.csv", bad.as_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for (col, letter) in [
        ("数量", "C"),
        ("材料", "D"),
        ("尺寸（mm）", "E"),
        ("公差（μm）", "F"),
        ("可拆分", "H"),
        ("工艺路线", "I"),
    ] {
        assert!(
            html.contains(&format!("<td>{col}（{letter} 列）</td>")),
            "{col} named with its column"
        );
    }
    assert!(html.contains("<td>第 2 行</td>"));
    // The step columns of the template: a process that is not in the list is named with the
    // allowed ones.
    let bad = "零件编号,数量,材料,尺寸（mm）,公差（μm）,交期（小时）,工序1,每件工时1（小时）\nP1,3,碳钢,10×10×10,50,100,锻造,1\n";
    let (s, html) = upload(&app, "bad2.csv", bad.as_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("工序1（G 列）") && html.contains("不是可识别的工艺，可选：车削"));
    let (s, _) = upload(&app, "x.xlsx", b"PK\x03\x04broken").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
