//! `/funding…`: where the money goes, and re-filed applications side by side with the reused
//! passages highlighted.

use super::{enc, flash, redirect};
use super::{error_page, html, pct, wan};
use crate::api::{param, Params};
use crate::auth::Who;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::common::derived_html;
use crate::pages::escape;
use crate::state::blocking;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use innomesh_app::duplicates::{
    DecisionFilter, ReviewItem, ReviewKind, ReviewQuery, ReviewSort, Side,
};
use innomesh_app::funding::Bucket;
use innomesh_app::Perm;
use innomesh_dedup::Span;
use innomesh_store::duplicates::{DuplicateDecision, DuplicateVerdict};

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
    // Seconds to minutes on a province-size registry: built in the background (`derived_view`).
    let data = blocking(move || {
        st2.derived_view_kept(
            &who,
            Perm::Funding,
            "funding",
            &format!("{year:?}"),
            move |app, who| -> Result<_, crate::error::ApiError> {
                let o = app.funding_overview(who, year)?;
                // Excluded pairs are no longer suspected: the card counts the default review list.
                let dups = app
                    .duplicate_review(
                        who,
                        &ReviewQuery {
                            limit: 1,
                            ..Default::default()
                        },
                    )?
                    .total;
                Ok(overview_body(&o, dups, year))
            },
        )
    })
    .await;
    let d = match data {
        Ok(Ok(x)) => x,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    derived_html(
        "资金一盘棋",
        "/funding",
        &d,
        d.value().map(|b| b.as_str()),
        &st,
    )
}

/// The body of `/funding` (built with the figures, in the background).
fn overview_body(o: &innomesh_app::funding::Overview, dups: usize, year: Option<i32>) -> String {
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
    body
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

/// The applicant by name (its code beside it, small), linking to its registry page.
fn applicant(s: &Side) -> String {
    let name = if s.applicant_name.is_empty() {
        "（登记库中没有此单位）"
    } else {
        s.applicant_name.as_str()
    };
    format!(
        "<a href=\"/organisations/{code}\">{}</a> <small class=\"muted\" title=\"统一社会信用代码\">{code}</small>",
        escape(name),
        code = escape(&s.applicant)
    )
}

/// The programme by name, with the call year only where the name does not say it.
fn programme(s: &Side) -> String {
    let mut out = escape(&s.programme_name);
    if !s.programme_name.contains(&s.year.to_string()) {
        out.push_str(&format!(" · {} 年", s.year));
    }
    if !s.department.is_empty() {
        out.push_str(&format!(" · {}", escape(&s.department)));
    }
    out
}

fn decision_text(d: &DuplicateDecision) -> String {
    let date: String = d.decided_at.chars().take(10).collect();
    let who = format!(
        "{}（{}）{}",
        escape(&d.decided_by),
        escape(&d.decided_role),
        escape(&date)
    );
    match d.decision {
        DuplicateVerdict::Confirmed => format!(
            "<span class=\"tag hot\">已确认重复</span>{}<br><small class=\"muted\">{who}</small>",
            if d.reason.is_empty() {
                String::new()
            } else {
                format!("：{}", escape(&d.reason))
            }
        ),
        DuplicateVerdict::Excluded => format!(
            "<span class=\"tag good\">已排除</span>：{}<br><small class=\"muted\">{who}</small>",
            escape(&d.reason)
        ),
    }
}

/// A list address with one parameter changed (the others kept, the page reset).
fn list_href(q: &ReviewQuery, change: &[(&str, Option<&str>)]) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    let mut put = |k: &'static str, v: Option<String>| {
        let v = change
            .iter()
            .find(|(c, _)| *c == k)
            .map(|(_, v)| v.map(str::to_string))
            .unwrap_or(v);
        if let Some(v) = v {
            params.push((k, v));
        }
    };
    put(
        "decision",
        (q.decision != DecisionFilter::default()).then(|| q.decision.code().to_string()),
    );
    put("kind", q.kind.map(|k| k.code().to_string()));
    put(
        "sort",
        (q.sort != ReviewSort::default()).then(|| q.sort.code().to_string()),
    );
    if let Some((_, Some(o))) = change.iter().find(|(k, _)| *k == "offset") {
        params.push(("offset", o.to_string()));
    }
    if params.is_empty() {
        "/funding/duplicates".to_string()
    } else {
        let qs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect();
        format!("/funding/duplicates?{}", qs.join("&amp;"))
    }
}

fn tab(href: String, label: &str, current: bool) -> String {
    format!(
        "<a href=\"{href}\"{}>{}</a>",
        if current {
            " aria-current=\"page\""
        } else {
            ""
        },
        escape(label)
    )
}

pub async fn duplicates(
    State(st): State<AppState>,
    Who(who): Who,
    Query(params): Query<Params>,
) -> Response {
    let q = match crate::api::funding::review_query(&params) {
        Ok(q) => q,
        Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let st2 = st.clone();
    let q2 = q.clone();
    let key = format!("{q2:?}");
    let data = blocking(move || {
        st2.derived_view(
            &who,
            Perm::Funding,
            "funding/duplicates",
            &key,
            move |app, who| -> Result<_, crate::error::ApiError> {
                Ok(app.duplicate_review(who, &q2)?)
            },
        )
    })
    .await;
    let d = match data {
        Ok(Ok(x)) => x,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let Some(page) = d.value() else {
        return derived_html("疑似重复申报", "/funding", &d, None, &st);
    };
    let mut body = format!(
        "<h1>疑似重复申报</h1><p class=\"muted\">在全部 {} 份申报中比对：正文改写、调序、部分复用、换标题仍能识别；多份申报共有的套话不计入。身份证号以密钥哈希比对，页面只显示脱敏号码。逐对打开「对照审查」，确认重复或排除（排除须写理由）；已排除的不再出现在默认列表中。</p>",
        page.applications
    );
    body.push_str(&flash(&params));
    body.push_str(&format!(
        "<p>待审查 <strong>{}</strong> 对 · 已确认重复 <strong>{}</strong> 对 · 已排除 <strong>{}</strong> 对</p>",
        page.open, page.confirmed, page.excluded
    ));
    let decisions: Vec<String> = DecisionFilter::ALL
        .iter()
        .map(|d| {
            tab(
                list_href(&q, &[("decision", Some(d.code()))]),
                d.label(),
                q.decision == *d,
            )
        })
        .collect();
    body.push_str(&format!(
        "<nav class=\"tabs\" aria-label=\"审查状态\">审查状态：{}</nav>",
        decisions.join(" · ")
    ));
    let all_kinds: usize = page.counts.iter().map(|(_, n)| n).sum();
    let mut kinds = vec![tab(
        list_href(&q, &[("kind", None)]),
        &format!("全部类别（{all_kinds}）"),
        q.kind.is_none(),
    )];
    for (k, n) in &page.counts {
        kinds.push(tab(
            list_href(&q, &[("kind", Some(k.code()))]),
            &format!("{}（{n}）", k.label()),
            q.kind == Some(*k),
        ));
    }
    body.push_str(&format!(
        "<nav class=\"tabs\" aria-label=\"类别\">类别：{}</nav>",
        kinds.join(" · ")
    ));
    let sorts: Vec<String> = ReviewSort::ALL
        .iter()
        .map(|x| {
            tab(
                list_href(&q, &[("sort", Some(x.code()))]),
                x.label(),
                q.sort == *x,
            )
        })
        .collect();
    body.push_str(&format!(
        "<nav class=\"tabs\" aria-label=\"排序\">排序：{}</nav>",
        sorts.join(" · ")
    ));
    if page.items.is_empty() {
        body.push_str("<p>没有符合条件的疑似重复申报。</p>");
    }
    let mut i = 0;
    while i < page.items.len() {
        let kind = page.items[i].row.kind;
        let group: Vec<&ReviewItem> = page.items[i..]
            .iter()
            .take_while(|x| x.row.kind == kind)
            .collect();
        i += group.len();
        let n = page
            .counts
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, n)| *n);
        body.push_str(&format!(
            "<section data-kind=\"{}\"><h2>{}（{n} 对）</h2><table><thead><tr><th>申报 A</th><th>申报 B</th><th>线索</th><th class=\"r\" title=\"{}\">{}</th><th>审查</th><th></th></tr></thead><tbody>",
            kind.code(),
            kind.label(),
            kind.measure(),
            kind.measure()
        ));
        for item in group {
            let r = &item.row;
            let cell = |s: &Side| {
                format!(
                    "<a href=\"/applications/{}\">{}</a><br>{}<br><small class=\"muted\">{}</small>",
                    escape(&s.id),
                    escape(&s.title),
                    applicant(s),
                    programme(s)
                )
            };
            let score = match kind {
                ReviewKind::Text => format!(
                    "{}<br><small class=\"muted\">A {} · B {}</small>",
                    pct(r.score),
                    r.a.reuse.map(pct).unwrap_or_default(),
                    r.b.reuse.map(pct).unwrap_or_default()
                ),
                _ => pct(r.score),
            };
            let kinds: Vec<&str> = r.kinds.iter().map(kind_label).collect();
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"r\">{score}</td><td>{}</td><td><a href=\"/funding/duplicates/{}/{}\">对照审查</a></td></tr>",
                cell(&r.a),
                cell(&r.b),
                kinds.join("、"),
                item.decision
                    .as_ref()
                    .map(decision_text)
                    .unwrap_or_else(|| "待审查".into()),
                escape(&r.a.id),
                escape(&r.b.id)
            ));
        }
        body.push_str("</tbody></table></section>");
    }
    if page.offset > 0 || page.offset + page.items.len() < page.total {
        let mut nav = format!(
            "<p>第 {}–{} 对，共 {} 对",
            page.offset + 1,
            page.offset + page.items.len(),
            page.total
        );
        if page.offset > 0 {
            let prev = page.offset.saturating_sub(page.limit).to_string();
            nav.push_str(&format!(
                " · <a href=\"{}\">上一页</a>",
                list_href(&q, &[("offset", Some(&prev))])
            ));
        }
        if page.offset + page.items.len() < page.total {
            let next = (page.offset + page.limit).to_string();
            nav.push_str(&format!(
                " · <a href=\"{}\">下一页</a>",
                list_href(&q, &[("offset", Some(&next))])
            ));
        }
        nav.push_str("</p>");
        body.push_str(&nav);
    }
    body.push_str("<style>nav.tabs{margin:.3rem 0}nav.tabs a[aria-current]{font-weight:600;color:inherit;text-decoration:none;border-bottom:2px solid currentColor}</style>");
    derived_html("疑似重复申报", "/funding", &d, Some(&body), &st)
}

/// The text with the sentences counted as reused in `<mark>` and boilerplate greyed.
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

/// What the side's figure counts, in one sentence that matches its highlighting.
fn side_figure(label: &str, other: &str, s: &Side) -> String {
    match s.reuse {
        Some(r) => format!(
            "<p class=\"figure\" data-reuse=\"{r:.4}\">{label} 的正文不计套话共 <strong>{}</strong> 字，其中 <strong>{}</strong> 字（<strong>{}</strong>）在 {other} 中复用（<mark>黄色</mark>）；另有 {} 字是多份申报共有的套话（<span class=\"bp\">灰色</span>），不计入。</p>",
            s.counted_chars,
            s.reused_chars,
            pct(r),
            s.boilerplate_chars
        ),
        None => format!(
            "<p class=\"figure muted\">{label} 的正文与 {other} 没有被判为复用（共 {} 字）。</p>",
            s.counted_chars
        ),
    }
}

pub async fn pair(
    State(st): State<AppState>,
    Who(who): Who,
    Path((a, b)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let data = blocking(move || -> Result<_, crate::error::ApiError> {
        let v = st2.duplicate_pair(&who, &a, &b)?;
        let actors: Vec<&str> = v.history.iter().map(|d| d.decided_by.as_str()).collect();
        let names = st2.actor_names(&actors)?;
        Ok((v, names))
    })
    .await;
    let (v, names) = match data {
        Ok(Ok(x)) => x,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let p = &v.pair;
    let r = &v.row;
    let kinds: Vec<&str> = p.kinds.iter().map(kind_label).collect();
    let mut body = format!(
        "<h1>疑似重复申报对照审查</h1>{}<p>类别：<strong>{}</strong> · 线索：<strong>{}</strong> · {}：<strong>{}</strong></p>",
        flash(&params),
        r.kind.label(),
        kinds.join("、"),
        r.kind.measure(),
        pct(r.score)
    );
    if p.text.is_some() {
        body.push_str("<p class=\"muted\">复用比例按字数计：<mark>黄色</mark>的句子在另一份申报中有对应的句子，比例 = 黄色字数 ÷ 不计套话的字数；<span class=\"bp\">灰色</span>的是多份申报共有的套话，既不标黄也不计入。列表中的「正文复用」取 A、B 两者中较小的。</p>");
    }
    let side = |label: &str, other: &str, s: &Side, text: &str, reused: &[Span], bp: &[Span]| {
        format!(
            "<article class=\"side\" data-side=\"{label}\"><h2>{label}：<a href=\"/applications/{}\">{}</a></h2><p class=\"muted\">申报单位 {} · {}</p>{}<div class=\"text\">{}</div></article>",
            escape(&s.id),
            escape(&s.title),
            applicant(s),
            programme(s),
            side_figure(label, other, s),
            highlighted(text, reused, bp)
        )
    };
    body.push_str("<div class=\"sidebyside\">");
    body.push_str(&side(
        "A",
        "B",
        &r.a,
        &v.text_a,
        &v.reused_a,
        &v.boilerplate_a,
    ));
    body.push_str(&side(
        "B",
        "A",
        &r.b,
        &v.text_b,
        &v.reused_b,
        &v.boilerplate_b,
    ));
    body.push_str("</div>");
    if let Some(people) = &p.people {
        body.push_str(&format!("<h2>共同成员（较小团队中的 {}）</h2><table><thead><tr><th>A 中姓名</th><th>B 中姓名</th><th>身份证号（脱敏）</th></tr></thead><tbody>", pct(people.share)));
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
    body.push_str("<section class=\"decision\"><h2>审查决定</h2>");
    match &v.decision {
        Some(d) => body.push_str(&format!(
            "<p id=\"current-decision\">{}</p>",
            decision_text(d)
        )),
        None => body.push_str("<p id=\"current-decision\">待审查</p>"),
    }
    if v.history.len() > 1 {
        body.push_str("<details><summary>审查记录</summary><table><thead><tr><th>时间</th><th>经办人</th><th>决定</th><th>理由</th></tr></thead><tbody>");
        for d in &v.history {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}（{}）</td><td>{}</td><td>{}</td></tr>",
                escape(&crate::pages::beijing_time(&d.decided_at)),
                escape(names.get(&d.decided_by).unwrap_or(&d.decided_by)),
                escape(&d.decided_role),
                d.decision.label(),
                escape(&d.reason)
            ));
        }
        body.push_str("</tbody></table></details>");
    }
    if v.may_decide {
        let action = format!(
            "/funding/duplicates/{}/{}/decision",
            enc(&r.a.id),
            enc(&r.b.id)
        );
        let reason = param(&params, "reason").unwrap_or("");
        body.push_str(&format!(
            "<form method=\"post\" action=\"{action}\" class=\"form\" id=\"confirm-form\"><input type=\"hidden\" name=\"decision\" value=\"confirmed\"><p><label>说明（可选）<br><input type=\"text\" name=\"reason\" size=\"60\" maxlength=\"2000\"></label></p><p><button type=\"submit\">确认重复</button></p></form>\
             <form method=\"post\" action=\"{action}\" class=\"form\" id=\"exclude-form\"><input type=\"hidden\" name=\"decision\" value=\"excluded\"><p><label>排除理由（必填）<br><textarea name=\"reason\" rows=\"3\" cols=\"60\" maxlength=\"2000\" required>{}</textarea></label></p><p><button type=\"submit\" class=\"secondary\">排除（不是重复申报）</button></p></form>",
            escape(reason)
        ));
    }
    body.push_str("<p><a href=\"/funding/duplicates\">返回疑似重复申报列表</a></p></section>");
    body.push_str("<style>.sidebyside{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side{background:#fff;border:1px solid #d9e2ec;padding:.8rem 1rem;border-radius:6px}.side .text{line-height:1.9}mark{background:#ffe58f}.bp{color:#9aa5b1}section.decision{margin-top:1.5rem}section.decision form{margin:.6rem 0}@media (max-width:900px){.sidebyside{grid-template-columns:1fr}}</style>");
    html("疑似重复申报对照审查", "/funding", &body, &st)
}

pub async fn decide(
    State(st): State<AppState>,
    Who(who): Who,
    Path((a, b)): Path<(String, String)>,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let decision = param(&p, "decision").unwrap_or("").to_string();
    let reason = param(&p, "reason").unwrap_or("").to_string();
    let st2 = st.clone();
    let (a2, b2, reason2) = (a.clone(), b.clone(), reason.clone());
    let decided = blocking(move || {
        let d = st2.decide_duplicate(&who, &a2, &b2, &decision, &reason2)?;
        // The pair by its titles in the message (names, not codes).
        let titles = st2
            .duplicate_pair(&who, &d.app_a, &d.app_b)
            .map(|v| (v.row.a.title, v.row.b.title))
            .unwrap_or_else(|_| (d.app_a.clone(), d.app_b.clone()));
        Ok::<_, innomesh_app::Error>((d, titles))
    })
    .await;
    match decided {
        Ok(Ok((d, (ta, tb)))) => redirect(format!(
            "/funding/duplicates?ok={}",
            enc(&format!(
                "「{ta}」与「{tb}」：{}{}",
                d.decision.label(),
                if d.decision == DuplicateVerdict::Excluded {
                    "，默认列表不再显示这一对（「已排除」中可查）"
                } else {
                    ""
                }
            ))
        )),
        Ok(Err(e)) if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => {
            error_page(e.status(), &e.message, &st)
        }
        Ok(Err(e)) => redirect(format!(
            "/funding/duplicates/{}/{}?error={}&reason={}",
            enc(&a),
            enc(&b),
            enc(&e.message),
            enc(&reason)
        )),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
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
    let code = applicant.as_str().to_string();
    let res = blocking(move || -> Result<_, crate::error::ApiError> {
        let matches = st2.check_draft(&who, &draft)?;
        // Names, not codes: the applicant and the earlier applications as the caller may read
        // them (an enterprise its own; a missing one keeps its code).
        let name = match st2.get(&who, innomesh_core::EntityKind::Organisation, &code) {
            Ok(Some(r)) => r.name().to_string(),
            _ => String::new(),
        };
        let titles: std::collections::HashMap<String, String> = matches
            .iter()
            .filter_map(
                |m| match st2.get(&who, innomesh_core::EntityKind::Application, &m.b) {
                    Ok(Some(r)) => Some((m.b.clone(), r.name().to_string())),
                    _ => None,
                },
            )
            .collect();
        Ok((matches, name, titles))
    })
    .await;
    let (matches, name, titles) = match res {
        Ok(Ok(m)) => m,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let mut body = format!(
        "<h1>申报前查重自查</h1><p>申报单位 {}{}：与本单位以往申报比对，",
        escape(&name),
        if name.is_empty() {
            escape(applicant.as_str())
        } else {
            format!(
                " <small class=\"muted\">{}</small>",
                escape(applicant.as_str())
            )
        }
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
                escape(titles.get(&m.b).unwrap_or(&m.b)),
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
