//! List pages `/{kind}`: search box, facets with counts (district tree, industry tree, kind, tier,
//! flags), sorting and paging; every row links to its detail page.

use super::common::{html, kind_or_fallback, nav_of, param, run, PageResult, Params};
use super::facets::Facets;
use super::layout::{escape, url_encode};
use super::view::*;
use crate::auth::Who;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use innomesh_core::reference::{industries, regions};
use innomesh_core::EntityKind;
use innomesh_store::{ListQuery, Page, Sort};
use std::collections::HashMap;

const PER_PAGE: usize = 20;
/// Filter keys carried from one list link to the next.
const KEYS: [&str; 9] = [
    "q", "region", "industry", "kind", "tier", "flag", "chain", "node", "sort",
];
/// The filters an export honours (every filter key; not sort or page).
const FILTER_KEYS: [&str; 8] = [
    "q", "region", "industry", "kind", "tier", "flag", "chain", "node",
];

/// Builds the store query; unusable values are dropped with a Chinese notice instead of failing.
fn build_query(kind: EntityKind, p: &Params, notices: &mut Vec<String>) -> ListQuery {
    let mut q = ListQuery::new(kind);
    if let Some(r) = param(p, "region") {
        match q.clone().region(r) {
            Ok(x) => q = x,
            Err(m) => notices.push(m),
        }
    }
    if let Some(i) = param(p, "industry") {
        match q.clone().industry(i) {
            Ok(x) => q = x,
            Err(m) => notices.push(m),
        }
    }
    q.subkind = param(p, "kind").map(str::to_string);
    q.tier = param(p, "tier").map(str::to_string);
    q.flag = param(p, "flag").map(str::to_string);
    q.text = param(p, "q").map(|t| t.chars().take(100).collect());
    if kind == EntityKind::Organisation {
        q.chain = param(p, "chain").map(|t| t.chars().take(100).collect());
        q.node = param(p, "node").map(|t| t.chars().take(100).collect());
    }
    q.sort = match param(p, "sort") {
        Some("name") => Sort::Name,
        Some("number") => Sort::NumberDesc,
        Some("updated") => Sort::UpdatedDesc,
        _ => Sort::Id,
    };
    q.page = param(p, "page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=100_000).contains(n))
        .unwrap_or(1);
    q.per_page = PER_PAGE;
    q
}

/// `/api/{kind}/export` with the list's current filters (not sort or page): the file holds what
/// the list shows.
fn export_link(kind: EntityKind, p: &Params) -> String {
    let parts: Vec<String> = FILTER_KEYS
        .iter()
        .filter_map(|k| param(p, k).map(|v| format!("{k}={}", url_encode(v))))
        .collect();
    if parts.is_empty() {
        format!("/api/{}/export", kind.plural())
    } else {
        format!("/api/{}/export?{}", kind.plural(), parts.join("&"))
    }
}

/// The current filters without `drop`, with `set` (key, value) if given, page reset.
fn link_without(p: &Params, drop: &[&str], set: Option<(&str, &str)>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for k in KEYS {
        let v = match set {
            Some((key, v)) if key == k => Some(v),
            _ if drop.contains(&k) => None,
            _ => param(p, k),
        };
        if let Some(v) = v {
            parts.push(format!("{k}={}", url_encode(v)));
        }
    }
    if parts.is_empty() {
        "?".into()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The current filters as a query string with `key` set to `value` (or removed), page reset.
fn link(p: &Params, key: &str, value: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for k in KEYS {
        let v = if k == key { value } else { param(p, k) };
        if let Some(v) = v {
            parts.push(format!("{k}={}", url_encode(v)));
        }
    }
    if key == "page" {
        if let Some(v) = value {
            parts.push(format!("page={v}"));
        }
    }
    if parts.is_empty() {
        "?".into()
    } else {
        format!("?{}", parts.join("&"))
    }
}

pub async fn list(
    State(st): State<AppState>,
    Who(who): Who,
    Path(segment): Path<String>,
    uri: Uri,
) -> PageResult {
    let kind = match kind_or_fallback(&segment, &uri).await {
        Ok(k) => k,
        Err(resp) => return Ok(resp),
    };
    let p: Params = Query::<Params>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .unwrap_or_default();
    let mut notices = Vec::new();
    let mut q = build_query(kind, &p, &mut notices);
    let st2 = st.clone();
    let (page, facets, names, notices, described) = run(move || {
        // An unknown chain or node is dropped with a notice, like any other unusable filter.
        let page = match st2.list(&who, &q) {
            Err(e)
                if matches!(
                    e.code,
                    innomesh_app::Code::InvalidQuery | innomesh_app::Code::UnknownReference
                ) && (q.chain.is_some() || q.node.is_some()) =>
            {
                notices.push(e.message);
                q.chain = None;
                q.node = None;
                st2.list(&who, &q)?
            }
            other => other?,
        };
        let facets = st2.facets(&who, &q)?.unwrap_or_default();
        let refs: Vec<&innomesh_core::Record> = page.records.iter().collect();
        let names = st2.record_names(&who, &ref_ids(&refs))?;
        let described = st2.describe_filters(&who, &q, &|k, v| filter_label(kind, k, v))?;
        Ok((page, facets, names, notices, described))
    })
    .await?;
    let body = render(kind, &p, &notices, &page, &facets, &names, &described);
    Ok(html(kind.label(), nav_of(kind), &body, &st).into_response())
}

fn render(
    kind: EntityKind,
    p: &Params,
    notices: &[String],
    page: &Page,
    facets: &Facets,
    names: &HashMap<String, String>,
    described: &[String],
) -> String {
    let export = export_link(kind, p);
    let mut b = format!(
        "<h1>{}<small class=\"muted\"> · 共 {} 条</small></h1>\
         <div class=\"actions\"><a class=\"btn\" href=\"/{pl}/new\">新增{}</a>\
         <a class=\"btn secondary\" href=\"/import?kind={pl}\">批量导入</a>\
         <a class=\"btn secondary\" href=\"{export}\" title=\"{export_title}\">{export_label}</a>\
         <a class=\"btn secondary\" href=\"/api/{pl}/template\">下载导入模板</a>{extra}</div>",
        kind.label(),
        page.total,
        kind.label(),
        pl = kind.plural(),
        export = escape(&export),
        export_title = escape(&if described.is_empty() {
            "导出全部记录".to_string()
        } else {
            format!("按当前筛选条件导出：{}", described.join("；"))
        }),
        export_label = if described.is_empty() {
            "导出全部（XLSX）"
        } else {
            "导出筛选结果（XLSX）"
        },
        extra = match kind {
            EntityKind::Demand => {
                "<a class=\"btn secondary\" href=\"/demand-funnel\">需求转化漏斗</a>\
                 <a class=\"btn secondary\" href=\"/demand-responses\">解题方应答</a>"
            }
            _ => "",
        }
    );
    for n in notices {
        b.push_str(&format!(
            "<p class=\"notice bad\" role=\"alert\">{}（已忽略该筛选条件）</p>",
            escape(n)
        ));
    }
    b.push_str("<div class=\"listing\">");
    b.push_str(&facet_panel(kind, p, facets));
    b.push_str("<section aria-label=\"结果\">");
    b.push_str(&search_form(kind, p));
    b.push_str(&chips(kind, p, facets));
    b.push_str(&table(kind, page, names));
    b.push_str(&pager(p, page));
    b.push_str("</section></div>");
    b
}

fn search_form(kind: EntityKind, p: &Params) -> String {
    let mut hidden = String::new();
    for k in [
        "region", "industry", "kind", "tier", "flag", "chain", "node",
    ] {
        if let Some(v) = param(p, k) {
            hidden.push_str(&format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                escape(v)
            ));
        }
    }
    let sort = param(p, "sort").unwrap_or("id");
    let mut opts = vec![
        ("id", "按编号"),
        ("name", "按名称"),
        ("updated", "最近更新"),
    ];
    if let Some(l) = number_label(kind) {
        opts.push(("number", l));
    }
    let options: String = opts
        .iter()
        .map(|(v, l)| {
            format!(
                "<option value=\"{v}\"{}>{l}</option>",
                if *v == sort { " selected" } else { "" }
            )
        })
        .collect();
    format!(
        "<form class=\"searchbar\" method=\"get\" action=\"/{}\" role=\"search\">\
         <label class=\"muted\" for=\"q\">搜索</label>\
         <input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" placeholder=\"名称、代码、产品、关键词…\">{hidden}\
         <label class=\"muted\" for=\"sort\">排序</label><select id=\"sort\" name=\"sort\">{options}</select>\
         <button type=\"submit\">搜索</button></form>",
        kind.plural(),
        escape(param(p, "q").unwrap_or(""))
    )
}

fn chips(kind: EntityKind, p: &Params, f: &Facets) -> String {
    let mut out = String::new();
    let mut add = |key: &str, label: String| {
        // Removing the chain removes its node too.
        let href = match key {
            "chain" => link_without(p, &["chain", "node"], None),
            _ => link(p, key, None),
        };
        out.push_str(&format!(
            "<a class=\"chip\" href=\"{}\" title=\"取消此条件\">{} ×</a>",
            escape(&href),
            escape(&label)
        ));
    };
    if let Some(v) = param(p, "q") {
        add("q", format!("关键词：{v}"));
    }
    if let Some(v) = param(p, "region") {
        let name = regions()
            .resolve(v)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| v.to_string());
        add("region", format!("区划：{name}"));
    }
    if let Some(v) = param(p, "industry") {
        let name = industries()
            .resolve(v)
            .map(|i| i.name.clone())
            .unwrap_or_else(|| v.to_string());
        add("industry", format!("行业：{name}"));
    }
    if let Some(v) = param(p, "kind") {
        add("kind", format!("类型：{}", subkind_label(kind, v)));
    }
    if let Some(v) = param(p, "tier") {
        add("tier", format!("级别：{}", tier_label(v)));
    }
    if let Some(v) = param(p, "flag") {
        add("flag", flag_label(v));
    }
    // Chain and node chips by name (the facet knows the names; an unknown one was dropped).
    if let Some(v) = param(p, "chain") {
        if let Some(c) = f.chains.iter().find(|c| c.id == v) {
            add("chain", format!("产业链：{}", c.name));
        }
    }
    if let Some(v) = param(p, "node") {
        if let Some(n) = f.nodes.iter().find(|n| n.id == v) {
            add("node", format!("链节点：{}", n.name));
        }
    }
    if out.is_empty() {
        out
    } else {
        format!(
            "<div class=\"chips\">{out}<a class=\"chip\" href=\"/{}\">清除全部</a></div>",
            kind.plural()
        )
    }
}

fn facet_item(p: &Params, key: &str, value: &str, label: &str, n: usize, sub: bool) -> String {
    let on = param(p, key) == Some(value);
    let href = if on {
        link(p, key, None)
    } else {
        link(p, key, Some(value))
    };
    format!(
        "<li{}><a href=\"{}\"{}>{}</a><span class=\"n\">{n}</span></li>",
        if sub { " class=\"sub\"" } else { "" },
        escape(&href),
        if on {
            " class=\"on\" aria-current=\"true\""
        } else {
            ""
        },
        escape(label)
    )
}

fn facet_panel(kind: EntityKind, p: &Params, f: &Facets) -> String {
    let mut b = String::from("<nav class=\"facets\" aria-label=\"筛选\">");
    // District tree (Baotou's ten county-level units), townships under the selected district.
    if !f.districts.is_empty() {
        let selected = param(p, "region").and_then(|r| regions().resolve(r));
        let sel_district = selected.map(|r| r.code[..6].to_string());
        b.push_str("<div class=\"fgroup\"><h3>行政区划（包头市）</h3><ul>");
        let mut inside = 0;
        for code in regions().children("150200") {
            let n = f.districts.get(code).copied().unwrap_or(0);
            inside += n;
            b.push_str(&facet_item(p, "region", code, &region_name(code), n, false));
            if sel_district.as_deref() == Some(code.as_str()) {
                for (t, n) in &f.townships {
                    if t.starts_with(code.as_str()) {
                        b.push_str(&facet_item(p, "region", t, &region_name(t), *n, true));
                    }
                }
            }
        }
        let outside: usize = f.districts.values().sum::<usize>() - inside;
        if outside > 0 {
            b.push_str(&format!(
                "<li><span class=\"muted\">市外</span><span class=\"n\">{outside}</span></li>"
            ));
        }
        b.push_str("</ul></div>");
    }
    if !f.industries.is_empty() {
        b.push_str("<div class=\"fgroup\"><h3>行业</h3><ul>");
        if let Some(cur) = param(p, "industry").and_then(|i| industries().resolve(i)) {
            let parent_link = match &cur.parent {
                Some(parent) => link(p, "industry", Some(parent)),
                None => link(p, "industry", None),
            };
            b.push_str(&format!(
                "<li><a href=\"{}\">↑ 上一级</a></li><li class=\"on\"><strong>{}</strong></li>",
                escape(&parent_link),
                escape(&cur.name)
            ));
        }
        // Every child of the chosen level that has records (GB/T 4754 has at most 31 under one
        // section), most records first: a cut at a dozen hid divisions such as 39.
        let mut items: Vec<(&String, &usize)> = f.industries.iter().collect();
        items.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (path, n) in items.iter() {
            let code = path.rsplit('/').next().unwrap_or(path);
            let label = format!("{} {}", code, industry_name(code));
            b.push_str(&facet_item(p, "industry", code, &label, **n, true));
        }
        b.push_str("</ul></div>");
    }
    if !f.chains.is_empty() {
        b.push_str("<div class=\"fgroup\"><h3>产业链</h3><ul>");
        for c in f
            .chains
            .iter()
            .filter(|c| c.count > 0 || param(p, "chain") == Some(&c.id))
        {
            // Choosing another chain (or none) drops the node.
            let on = param(p, "chain") == Some(c.id.as_str());
            let href = if on {
                link_without(p, &["chain", "node"], None)
            } else {
                link_without(p, &["node"], Some(("chain", &c.id)))
            };
            b.push_str(&format!(
                "<li><a href=\"{}\"{}>{}</a><span class=\"n\">{}</span></li>",
                escape(&href),
                if on {
                    " class=\"on\" aria-current=\"true\""
                } else {
                    ""
                },
                escape(&c.name),
                c.count
            ));
            if on {
                for n in &f.nodes {
                    b.push_str(&facet_item(p, "node", &n.id, &n.name, n.count, true));
                }
            }
        }
        b.push_str("</ul></div>");
    }
    let group = |b: &mut String,
                 title: &str,
                 key: &str,
                 m: &std::collections::BTreeMap<String, usize>,
                 label: &dyn Fn(&str) -> String| {
        if m.is_empty() {
            return;
        }
        b.push_str(&format!("<div class=\"fgroup\"><h3>{title}</h3><ul>"));
        for (v, n) in m {
            b.push_str(&facet_item(p, key, v, &label(v), *n, false));
        }
        b.push_str("</ul></div>");
    };
    group(&mut b, "类型", "kind", &f.subkinds, &|v| {
        subkind_label(kind, v)
    });
    group(&mut b, "级别", "tier", &f.tiers, &tier_label);
    group(&mut b, "标识 / 状态", "flag", &f.flags, &flag_label);
    b.push_str("</nav>");
    b
}

fn table(kind: EntityKind, page: &Page, names: &HashMap<String, String>) -> String {
    if page.records.is_empty() {
        return "<p class=\"notice\">没有符合条件的记录。可以减少筛选条件，或换个关键词。</p>"
            .into();
    }
    let cols = list_columns(kind);
    let mut b = String::from("<table class=\"results\"><thead><tr><th>名称</th>");
    for (i, c) in cols.iter().enumerate() {
        b.push_str(&format!(
            "<th{}>{}</th>",
            if i >= 3 { " class=\"opt\"" } else { "" },
            escape(c.header)
        ));
    }
    b.push_str("</tr></thead><tbody>");
    for r in &page.records {
        let v = r.to_masked_json();
        b.push_str(&format!(
            "<tr><td class=\"name\"><a href=\"/{}/{}\">{}</a></td>",
            kind.plural(),
            url_encode(r.id()),
            escape(&title_of(r, names))
        ));
        for (i, c) in cols.iter().enumerate() {
            let numeric = matches!(
                c.ty,
                innomesh_core::schema::FieldType::Decimal | innomesh_core::schema::FieldType::Int
            );
            let class = match (numeric, i >= 3) {
                (true, true) => " class=\"r opt\"",
                (true, false) => " class=\"r\"",
                (false, true) => " class=\"opt\"",
                _ => "",
            };
            b.push_str(&format!("<td{class}>{}</td>", field_html_in(c, &v, names)));
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
    b
}

fn pager(p: &Params, page: &Page) -> String {
    let pages = page.total.div_ceil(page.per_page.max(1)).max(1);
    if pages <= 1 {
        return String::new();
    }
    let cur = page.page.min(pages);
    let mut b = String::from("<nav class=\"pager\" aria-label=\"分页\">");
    let go = |n: usize, label: &str| {
        format!(
            "<a href=\"{}\">{label}</a>",
            escape(&link(p, "page", Some(&n.to_string())))
        )
    };
    if cur > 1 {
        b.push_str(&go(cur - 1, "上一页"));
    }
    let mut last = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || (n + 2 >= cur && n <= cur + 2) {
            if last + 1 < n {
                b.push_str("<span class=\"muted\">…</span>");
            }
            if n == cur {
                b.push_str(&format!(
                    "<span class=\"cur\" aria-current=\"page\">{n}</span>"
                ));
            } else {
                b.push_str(&go(n, &n.to_string()));
            }
            last = n;
        }
    }
    if cur < pages {
        b.push_str(&go(cur + 1, "下一页"));
    }
    b.push_str(&format!(
        "<span class=\"muted\">第 {cur} / {pages} 页，每页 {} 条</span></nav>",
        page.per_page
    ));
    b
}
