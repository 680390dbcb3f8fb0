//! `/funding…`: where the money goes, and re-filed applications side by side with the reused
//! passages highlighted.

use super::{error_page, html, pct, wan};
use crate::api::{param, Params};
use crate::auth::Who;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::escape;
use crate::state::blocking;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use innomesh_app::funding::{self, Bucket};
use innomesh_app::Principal;
use innomesh_dedup::{FlaggedPair, Span};

/// Flagged pairs, recomputed only when the registry changes (kept by the `App`).
fn cached_duplicates(
    st: &AppState,
    who: &Principal,
) -> Result<Vec<FlaggedPair>, crate::error::ApiError> {
    Ok(st.funding_duplicates(who)?)
}

fn bucket_table(
    title: &str,
    head: &str,
    rows: &[Bucket],
    limit: usize,
    with_budget: bool,
) -> String {
    let total: f64 = rows.iter().map(|b| b.requested).sum::<f64>().max(1e-9);
    let mut s = format!("<section><h2>{}</h2><table><thead><tr><th>{head}</th><th class=\"r\">申报数</th><th class=\"r\">申请金额（万元）</th><th class=\"r\">占比</th>{}</tr></thead><tbody>", escape(title), if with_budget { "<th class=\"r\">预算（万元）</th><th class=\"r\">申请/预算</th>" } else { "" });
    for b in rows.iter().take(limit) {
        s.push_str(&format!(
            "<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td>",
            escape(&b.label),
            b.applications,
            wan(b.requested),
            pct(b.requested / total)
        ));
        if with_budget {
            match b.budget {
                Some(bud) if bud > 0.0 => s.push_str(&format!(
                    "<td class=\"r\">{}</td><td class=\"r\">{}</td>",
                    wan(bud),
                    pct(b.requested / bud)
                )),
                _ => s.push_str("<td class=\"r\">—</td><td class=\"r\">—</td>"),
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></section>");
    s
}

pub async fn overview(
    State(st): State<AppState>,
    Who(who): Who,
    Query(params): Query<Params>,
) -> Response {
    let year = match param(&params, "year").map(|y| y.parse::<i32>()) {
        None => None,
        Some(Ok(y)) if (1949..=2100).contains(&y) => Some(y),
        Some(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "年份无效：请使用 4 位年份，例如 2025",
                &st,
            )
        }
    };
    let st2 = st.clone();
    let data = blocking(move || -> Result<_, crate::error::ApiError> {
        let o = st2.funding_overview(&who, year)?;
        let dups = cached_duplicates(&st2, &who)?.len();
        Ok((o, dups))
    })
    .await;
    let (o, dups) = match data {
        Ok(Ok(x)) => x,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let years = [2023, 2024, 2025];
    let mut body = String::from("<h1>资金一盘棋</h1><p class=\"muted\">全市各部门、各旗县区专项的申报与资金去向；同一家企业同年向多个专项申报、内容或人员预算重复的申报，都在这里一览无余。</p>");
    body.push_str("<nav class=\"tabs\" aria-label=\"年度\"><a href=\"/funding\">全部年度</a>");
    for y in years {
        body.push_str(&format!(
            " · <a href=\"/funding?year={y}\"{}>{y} 年</a>",
            if year == Some(y) {
                " aria-current=\"page\""
            } else {
                ""
            }
        ));
    }
    body.push_str("</nav>");
    body.push_str(&format!(
        "<div class=\"cards\"><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">申报项目</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">申请金额（万元）</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">同年多专项申报的企业</span></div>\
         <a class=\"card\" href=\"/funding/duplicates\"><span class=\"num\">{dups}</span><span class=\"label\">疑似重复申报（对）→</span></a>\
         <a class=\"card\" href=\"/funding/check\"><span class=\"num\">自查</span><span class=\"label\">申报前查重 →</span></a></div>",
        o.applications,
        wan(o.requested),
        o.multi_programme.len()
    ));
    body.push_str(&bucket_table(
        "按主管部门",
        "部门",
        &o.by_department,
        20,
        false,
    ));
    body.push_str(&bucket_table("按专项", "专项", &o.by_programme, 40, true));
    body.push_str(&bucket_table(
        "按旗县区",
        "旗县区",
        &o.by_district,
        20,
        false,
    ));
    body.push_str(&bucket_table(
        "按产业链节点（申报单位所在主节点）",
        "链节点",
        &o.by_chain_node,
        20,
        false,
    ));
    body.push_str("<section><h2>同年向多个专项申报的企业</h2><table><thead><tr><th>企业</th><th>年度</th><th>专项</th><th class=\"r\">申请合计（万元）</th></tr></thead><tbody>");
    for f in o.multi_programme.iter().take(50) {
        body.push_str(&format!(
            "<tr><td><a href=\"/organisations/{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"r\">{}</td></tr>",
            escape(&f.credit_code),
            escape(&f.name),
            f.year,
            escape(&f.programmes.join("；")),
            wan(f.requested)
        ));
    }
    body.push_str("</tbody></table></section>");
    html("资金一盘棋", "/funding", &body, &st)
}

fn kind_label(k: &innomesh_dedup::MatchKind) -> &'static str {
    match serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .as_deref()
    {
        Some("text") => "正文重复",
        Some("applicant") => "同一申报单位",
        Some("people") => "共同成员",
        Some("budget") => "预算重复",
        _ => "其他",
    }
}

pub async fn duplicates(State(st): State<AppState>, Who(who): Who) -> Response {
    let st2 = st.clone();
    let data = blocking(move || -> Result<_, crate::error::ApiError> {
        Ok((
            cached_duplicates(&st2, &who)?,
            st2.funding_applications(&who)?,
        ))
    })
    .await;
    let (pairs, apps) = match data {
        Ok(Ok(x)) => x,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let by_id: std::collections::HashMap<&str, &innomesh_core::model::Application> =
        apps.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut body = format!("<h1>疑似重复申报</h1><p class=\"muted\">在全部 {} 份申报中比对：正文改写、调序、部分复用、换标题仍能识别；多份申报共有的套话不计入。身份证号以密钥哈希比对，页面只显示脱敏号码。</p>", apps.len());
    body.push_str("<table><thead><tr><th>申报 A</th><th>申报 B</th><th>线索</th><th class=\"r\">正文复用</th><th></th></tr></thead><tbody>");
    for p in &pairs {
        let cell = |id: &str| {
            by_id
                .get(id)
                .map(|a| format!("<a href=\"/applications/{}\">{}</a><br><small class=\"muted\">{} · {}</small>", escape(id), escape(&a.title), escape(&a.programme), a.year))
                .unwrap_or_else(|| escape(id))
        };
        let kinds: Vec<&str> = p.kinds.iter().map(kind_label).collect();
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"r\">{}</td><td><a href=\"/funding/duplicates/{}/{}\">对照查看</a></td></tr>",
            cell(&p.a),
            cell(&p.b),
            kinds.join("、"),
            p.text.as_ref().map(|t| pct(t.score)).unwrap_or_else(|| "—".into()),
            escape(&p.a),
            escape(&p.b)
        ));
    }
    if pairs.is_empty() {
        body.push_str("<tr><td colspan=\"5\">没有发现疑似重复的申报。</td></tr>");
    }
    body.push_str("</tbody></table>");
    html("疑似重复申报", "/funding", &body, &st)
}

/// The text with reused passages in `<mark>` and excluded boilerplate greyed.
fn highlighted(text: &str, reused: &[Span], boilerplate: &[Span]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut class = vec![0u8; chars.len()];
    for s in boilerplate {
        for c in class.iter_mut().take(s.end.min(chars.len())).skip(s.start) {
            *c = 2;
        }
    }
    for s in reused {
        for c in class.iter_mut().take(s.end.min(chars.len())).skip(s.start) {
            *c = 1;
        }
    }
    let mut out = String::new();
    let mut cur = 0u8;
    for (ch, &c) in chars.iter().zip(&class) {
        if c != cur {
            match cur {
                1 => out.push_str("</mark>"),
                2 => out.push_str("</span>"),
                _ => {}
            }
            match c {
                1 => out.push_str("<mark>"),
                2 => out.push_str("<span class=\"bp\" title=\"多份申报共有的套话，不计入\">"),
                _ => {}
            }
            cur = c;
        }
        out.push_str(&escape(&ch.to_string()));
    }
    match cur {
        1 => out.push_str("</mark>"),
        2 => out.push_str("</span>"),
        _ => {}
    }
    out
}

pub async fn pair(
    State(st): State<AppState>,
    Who(who): Who,
    Path((a, b)): Path<(String, String)>,
) -> Response {
    let st2 = st.clone();
    let (a2, b2) = (a.clone(), b.clone());
    let data = blocking(move || -> Result<_, crate::error::ApiError> {
        let pairs = cached_duplicates(&st2, &who)?;
        let p = pairs
            .into_iter()
            .find(|p| (p.a == a2 && p.b == b2) || (p.a == b2 && p.b == a2));
        let get = |id: &str| -> Result<
                Option<innomesh_core::model::Application>,
                crate::error::ApiError,
            > { Ok(st2.funding_application(&who, id)?) };
        let found = p.as_ref().map(|p| (get(&p.a), get(&p.b)));
        Ok((p.clone(), get(&a2)?, get(&b2)?, found))
    })
    .await;
    let (p, app_a, app_b, found) = match data {
        Ok(Ok(x)) => x,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let (Some(p), Some(_), Some(_)) = (p, app_a, app_b) else {
        return error_page(
            StatusCode::NOT_FOUND,
            &format!("申报「{a}」与「{b}」没有被判为疑似重复，或其中之一不存在"),
            &st,
        );
    };
    // Evidence offsets refer to the text the detector saw, in the pair's own order.
    let (first, second) = match found {
        Some((Ok(Some(x)), Ok(Some(y)))) => (x, y),
        _ => return error_page(StatusCode::NOT_FOUND, "申报已被删除", &st),
    };
    let ta = funding::to_dedup(&first).text;
    let tb = funding::to_dedup(&second).text;
    let (ra, rb, ba, bb) = match &p.text {
        Some(t) => (
            t.passages.iter().map(|x| x.a).collect::<Vec<_>>(),
            t.passages.iter().map(|x| x.b).collect::<Vec<_>>(),
            t.boilerplate_a.clone(),
            t.boilerplate_b.clone(),
        ),
        None => (vec![], vec![], vec![], vec![]),
    };
    let kinds: Vec<&str> = p.kinds.iter().map(kind_label).collect();
    let mut body = format!(
        "<h1>疑似重复申报对照</h1><p>线索：<strong>{}</strong></p>",
        kinds.join("、")
    );
    if let Some(t) = &p.text {
        body.push_str(&format!(
            "<p>A 的正文有 {} 被 B 复用，B 的正文有 {} 被 A 复用（按句：{} / {}）。<mark>黄色</mark>为对齐的复用段落，<span class=\"bp\">灰色</span>为多份申报共有的套话（不计入）。</p>",
            pct(t.share_a), pct(t.share_b), pct(t.sentence_share_a), pct(t.sentence_share_b)
        ));
    }
    let side = |app: &innomesh_core::model::Application,
                text: &str,
                reused: &[Span],
                bp: &[Span]| {
        format!(
            "<article class=\"side\"><h2><a href=\"/applications/{}\">{}</a></h2><p class=\"muted\">{} · {} 年 · 申报单位 <a href=\"/organisations/{}\">{}</a></p><div class=\"text\">{}</div></article>",
            escape(&app.id), escape(&app.title), escape(&app.programme), app.year, escape(app.applicant.as_str()), escape(app.applicant.as_str()),
            highlighted(text, reused, bp)
        )
    };
    body.push_str("<div class=\"sidebyside\">");
    body.push_str(&side(&first, &ta, &ra, &ba));
    body.push_str(&side(&second, &tb, &rb, &bb));
    body.push_str("</div>");
    if let Some(people) = &p.people {
        body.push_str("<h2>共同成员</h2><table><thead><tr><th>A 中姓名</th><th>B 中姓名</th><th>身份证号（脱敏）</th></tr></thead><tbody>");
        for s in &people.shared {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&s.name_a),
                escape(&s.name_b),
                escape(&s.id_masked)
            ));
        }
        body.push_str("</tbody></table>");
    }
    if let Some(budget) = &p.budget {
        let v = serde_json::to_value(budget).unwrap_or_default();
        body.push_str("<h2>重复的预算明细</h2><table><thead><tr><th>A 中科目</th><th class=\"r\">A 金额（万元）</th><th>B 中科目</th><th class=\"r\">B 金额（万元）</th></tr></thead><tbody>");
        for l in v["lines"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            body.push_str(&format!(
                "<tr><td>{}</td><td class=\"r\">{}</td><td>{}</td><td class=\"r\">{}</td></tr>",
                escape(l["item_a"].as_str().unwrap_or("")),
                l["amount_a"],
                escape(l["item_b"].as_str().unwrap_or("")),
                l["amount_b"]
            ));
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("<style>.sidebyside{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side{background:#fff;border:1px solid #d9e2ec;padding:.8rem 1rem;border-radius:6px}.side .text{line-height:1.9}mark{background:#ffe58f}.bp{color:#9aa5b1}@media (max-width:900px){.sidebyside{grid-template-columns:1fr}}</style>");
    html("疑似重复申报对照", "/funding", &body, &st)
}

const CHECK_FORM: &str = "<form method=\"post\" action=\"/funding/check\" class=\"form\">\
<p><label>申报单位统一社会信用代码 <input name=\"applicant\" required maxlength=\"18\" size=\"24\"></label></p>\
<p><label>项目名称 <input name=\"title\" required size=\"60\"></label></p>\
<p><label>项目摘要与正文<br><textarea name=\"text\" rows=\"12\" cols=\"90\" required></textarea></label></p>\
<p><button type=\"submit\">查重自查</button></p></form>";

pub async fn check_form(State(st): State<AppState>) -> Response {
    let body = format!("<h1>申报前查重自查</h1><p class=\"muted\">草稿只与<strong>本单位以往的申报</strong>比对，不会显示其他单位的任何内容；草稿不保存。</p>{CHECK_FORM}");
    html("申报前查重自查", "/funding", &body, &st)
}

#[derive(serde::Deserialize)]
pub struct CheckInput {
    applicant: String,
    title: String,
    text: String,
}

pub async fn check_submit(
    State(st): State<AppState>,
    Who(who): Who,
    Form(input): Form<CheckInput>,
) -> Response {
    let applicant = match innomesh_core::CreditCode::parse(&input.applicant) {
        Ok(c) => c,
        Err(e) => {
            let body = format!("<h1>申报前查重自查</h1><p class=\"notice bad\">统一社会信用代码无效：{}</p>{CHECK_FORM}", escape(&e.to_string()));
            return html("申报前查重自查", "/funding", &body, &st);
        }
    };
    if input.text.trim().is_empty() || input.text.chars().count() > 100_000 {
        let body = format!("<h1>申报前查重自查</h1><p class=\"notice bad\">正文不能为空，且不超过 100000 字。</p>{CHECK_FORM}");
        return html("申报前查重自查", "/funding", &body, &st);
    }
    let draft = innomesh_core::model::Application {
        id: String::new(),
        title: input.title.clone(),
        programme: "草稿".into(),
        year: 2026,
        applicant: applicant.clone(),
        region: None,
        amount: None,
        team: vec![],
        budget_lines: vec![],
        abstract_text: input.text.clone(),
        sections: vec![],
    };
    let st2 = st.clone();
    let res = blocking(move || {
        st2.check_draft(&who, &draft)
            .map_err(crate::error::ApiError::from)
    })
    .await;
    let matches = match res {
        Ok(Ok(m)) => m,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let mut body = format!(
        "<h1>申报前查重自查</h1><p>申报单位 {}：与本单位以往申报比对，",
        escape(applicant.as_str())
    );
    if matches.is_empty() {
        body.push_str("未发现明显重复。</p>");
    } else {
        body.push_str(&format!(
            "发现 {} 份以往申报与草稿内容重叠：</p><ul>",
            matches.len()
        ));
        for m in &matches {
            body.push_str(&format!(
                "<li><a href=\"/applications/{}\">{}</a>：{}，正文复用 {}</li>",
                escape(&m.b),
                escape(&m.b),
                m.kinds
                    .iter()
                    .map(kind_label)
                    .collect::<Vec<_>>()
                    .join("、"),
                m.text
                    .as_ref()
                    .map(|t| pct(t.score))
                    .unwrap_or_else(|| "—".into())
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str(CHECK_FORM);
    html("申报前查重自查", "/funding", &body, &st)
}
