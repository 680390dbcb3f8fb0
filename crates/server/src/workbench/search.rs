//! `/search`: one search box over every kind of record, with facets by kind and district and
//! highlighted snippets; `/dictionaries`: the alias and domain-word dictionaries, edited in place.

use super::{error_page, html};
use crate::api::{param, Params};
use crate::error::Code;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::escape;
use crate::pages::layout::url_encode;
use crate::state::blocking;
use crate::AppState;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use innomesh_app::dictionaries::{self, Which};
use innomesh_core::EntityKind;

const PER_PAGE: usize = 20;

fn link(q: &str, kind: Option<&str>, region: Option<&str>, page: usize) -> String {
    let mut s = format!("/search?q={}", url_encode(q));
    if let Some(k) = kind {
        s.push_str(&format!("&amp;kind={}", url_encode(k)));
    }
    if let Some(r) = region {
        s.push_str(&format!("&amp;region={}", url_encode(r)));
    }
    if page > 1 {
        s.push_str(&format!("&amp;page={page}"));
    }
    s
}

pub async fn page(State(st): State<AppState>, Query(p): Query<Params>) -> Response {
    let q = param(&p, "q").unwrap_or("").trim().to_string();
    let kind = param(&p, "kind")
        .filter(|k| !k.is_empty())
        .map(str::to_string);
    let region = param(&p, "region")
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let page: usize = match param(&p, "page").map(|x| x.parse::<usize>()) {
        None => 1,
        Some(Ok(n)) if (1..=500).contains(&n) => n,
        Some(_) => return error_page(StatusCode::BAD_REQUEST, "页码应为 1–500 的整数", &st),
    };
    let mut b = format!(
        "<h1>全文检索</h1><form class=\"searchbar\" method=\"get\" action=\"/search\" role=\"search\">\
         <label for=\"q\" class=\"muted\">检索词</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" placeholder=\"例如：稀土永磁、包钢、无损检测\" maxlength=\"100\">\
         <button type=\"submit\">搜索</button><a href=\"/dictionaries\">别名与领域词典</a></form>",
        escape(&q)
    );
    if q.is_empty() {
        b.push_str("<p class=\"muted\">在组织、平台、专家、成果、设备、需求、申报、政策、产业链等所有登记记录中检索。按中文分词查找，别名互通（如「包钢」也找「包头钢铁（集团）有限责任公司」）。</p>");
        return html("全文检索", "/search", &b, &st);
    }
    let mut params: Params = vec![
        ("q".into(), q.clone()),
        ("limit".into(), PER_PAGE.to_string()),
        ("offset".into(), ((page - 1) * PER_PAGE).to_string()),
    ];
    if let Some(k) = &kind {
        params.push(("kind".into(), k.clone()));
    }
    if let Some(r) = &region {
        params.push(("region".into(), r.clone()));
    }
    let sq = match crate::api::search::parse(&params) {
        Ok(sq) => sq,
        Err(e) => {
            b.push_str(&format!(
                "<p class=\"notice bad\" role=\"alert\">{}</p>",
                escape(&e.message)
            ));
            return html("全文检索", "/search", &b, &st);
        }
    };
    let st2 = st.clone();
    let res = blocking(move || innomesh_app::search::search(&st2, &sq)).await;
    let r = match res {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return error_page(e.status(), &e.message, &st),
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    };
    b.push_str(
        "<div class=\"listing\"><aside class=\"facets\" aria-label=\"筛选\"><h3>类型</h3><ul>",
    );
    b.push_str(&format!(
        "<li><a href=\"{}\"{}>全部</a></li>",
        link(&q, None, region.as_deref(), 1),
        if kind.is_none() { " class=\"on\"" } else { "" }
    ));
    for f in &r.facets.kinds {
        let plural = EntityKind::from_code(&f.key)
            .map(|k| k.plural())
            .unwrap_or(&f.key);
        let on = kind.as_deref() == Some(plural) || kind.as_deref() == Some(f.key.as_str());
        b.push_str(&format!(
            "<li><a href=\"{}\"{}>{}</a><span class=\"n\">{}</span></li>",
            link(&q, Some(plural), region.as_deref(), 1),
            if on { " class=\"on\"" } else { "" },
            escape(&f.label),
            f.count
        ));
    }
    b.push_str("</ul><h3>旗县区</h3><ul>");
    b.push_str(&format!(
        "<li><a href=\"{}\"{}>全部</a></li>",
        link(&q, kind.as_deref(), None, 1),
        if region.is_none() {
            " class=\"on\""
        } else {
            ""
        }
    ));
    for f in r.facets.districts.iter().take(20) {
        let on = region.as_deref() == Some(f.key.as_str());
        b.push_str(&format!(
            "<li><a href=\"{}\"{}>{}</a><span class=\"n\">{}</span></li>",
            link(&q, kind.as_deref(), Some(&f.key), 1),
            if on { " class=\"on\"" } else { "" },
            escape(&f.label),
            f.count
        ));
    }
    b.push_str(&format!(
        "</ul></aside><section><p>找到 {} 条{}</p>",
        r.total,
        if r.total > PER_PAGE {
            format!("，第 {page} 页")
        } else {
            String::new()
        }
    ));
    if r.hits.is_empty() {
        b.push_str("<p class=\"muted\">没有找到。可以换个说法、减少检索词，或在「别名与领域词典」里补充同义词。</p>");
    }
    b.push_str("<ol class=\"hits\">");
    for h in &r.hits {
        let k = EntityKind::from_code(&h.kind);
        let (plural, label) = k
            .map(|k| (k.plural(), k.label()))
            .unwrap_or((h.kind.as_str(), h.kind.as_str()));
        // name_html and snippet_html are escaped by the index, with <mark> around matches.
        b.push_str(&format!(
            "<li><span class=\"tag\">{label}</span> <a href=\"/{plural}/{}\">{}</a><div class=\"muted\">{}</div></li>",
            url_encode(&h.id),
            h.name_html,
            h.snippet_html
        ));
    }
    b.push_str("</ol>");
    let pages = r.total.div_ceil(PER_PAGE).min(500);
    if pages > 1 {
        b.push_str("<nav class=\"pager\" aria-label=\"分页\">");
        if page > 1 {
            b.push_str(&format!(
                "<a href=\"{}\">上一页</a>",
                link(&q, kind.as_deref(), region.as_deref(), page - 1)
            ));
        }
        b.push_str(&format!("<span class=\"cur\">{page} / {pages}</span>"));
        if page < pages {
            b.push_str(&format!(
                "<a href=\"{}\">下一页</a>",
                link(&q, kind.as_deref(), region.as_deref(), page + 1)
            ));
        }
        b.push_str("</nav>");
    }
    b.push_str("</section></div>");
    html(&format!("检索：{q}"), "/search", &b, &st)
}

/// The dictionaries page; `keep` puts a refused text back in its box so the user can fix the
/// line named.
fn dictionaries_body(
    st: &AppState,
    notice: &str,
    keep: Option<(Which, &str)>,
) -> Result<String, crate::error::ApiError> {
    let mut b = String::from(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/search\">全文检索</a> › 词典</p><h1>别名与领域词典</h1>\
         <p class=\"muted\">两部词典同时用于全文检索和出题解题匹配。保存后立即生效：检索索引按新词典重建。</p>",
    );
    b.push_str(notice);
    for (w, help) in [
        (
            Which::Aliases,
            "每行一组同义名称，用「|」分隔，例如：<code>包钢|包头钢铁（集团）有限责任公司</code>、<code>钕铁硼|稀土永磁</code>。以 # 开头的行是注释。",
        ),
        (
            Which::UserWords,
            "每行一个领域词，可跟词频和词性，例如：<code>稀土永磁 2000 n</code>。这些词在分词时保持完整。以 # 开头的行是注释。",
        ),
    ] {
        let (stored, edited) = dictionaries::text(st.repo(), w)?;
        let n = dictionaries::check(w, &stored).unwrap_or(0);
        let text = match keep {
            Some((k, t)) if k == w => t.to_string(),
            _ => stored,
        };
        b.push_str(&format!(
            "<h2 id=\"{code}\">{label}<small class=\"muted\"> · {n} {unit}{state}</small></h2><p class=\"help\">{help}</p>\
             <form class=\"record\" method=\"post\" action=\"/dictionaries\"><input type=\"hidden\" name=\"which\" value=\"{code}\">\
             <label for=\"t-{code}\" class=\"muted\">{label}全文</label><textarea id=\"t-{code}\" name=\"text\" rows=\"14\" spellcheck=\"false\">{}</textarea>\
             <div class=\"actions\"><label for=\"a-{code}\">经办人</label><input type=\"text\" id=\"a-{code}\" name=\"actor\" value=\"web\" maxlength=\"40\">\
             <button type=\"submit\">保存{label}</button><button type=\"submit\" name=\"reset\" value=\"1\" class=\"btn secondary\">恢复默认</button></div></form>",
            escape(&text),
            code = w.code(),
            label = w.label(),
            unit = if w == Which::Aliases { "组" } else { "个词" },
            state = if edited { "，已修改" } else { "，默认" }
        ));
    }
    Ok(b)
}

pub async fn dictionaries_page(State(st): State<AppState>) -> Response {
    let st2 = st.clone();
    match blocking(move || dictionaries_body(&st2, "", None)).await {
        Ok(Ok(b)) => html("别名与领域词典", "/search", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn dictionaries_save(
    State(st): State<AppState>,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let Some(w) = param(&p, "which").and_then(Which::parse) else {
        return error_page(StatusCode::BAD_REQUEST, "没有这部词典", &st);
    };
    let reset = param(&p, "reset").is_some();
    let text = param(&p, "text").unwrap_or("").replace("\r\n", "\n");
    let actor = param(&p, "actor")
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or("web")
        .chars()
        .take(40)
        .collect::<String>();
    let st2 = st.clone();
    let res = blocking(move || {
        let saved = dictionaries::save(&st2, w, (!reset).then_some(text.as_str()), &crate::api::named(actor.as_str()));
        let (notice, keep) = match &saved {
            Ok(n) => (
                format!(
                    "<p class=\"notice ok\" role=\"status\">已保存{}（{n} {}），检索索引已按新词典重建。</p>",
                    w.label(),
                    if w == Which::Aliases { "组" } else { "个词" }
                ),
                None,
            ),
            // Stored, but the index could not follow: say so, do not call it unsaved.
            Err(e) if e.code == Code::ReindexFailed => (
                format!(
                    "<p class=\"notice bad\" role=\"alert\">{}</p>",
                    escape(&e.message)
                ),
                None,
            ),
            Err(e) => (
                format!(
                    "<p class=\"notice bad\" role=\"alert\">{}未保存：{}</p>",
                    w.label(),
                    escape(&e.message)
                ),
                (!reset).then_some((w, text.as_str())),
            ),
        };
        let body = dictionaries_body(&st2, &notice, keep)?;
        Ok::<_, crate::error::ApiError>((saved.is_ok(), body))
    })
    .await;
    match res {
        Ok(Ok((ok, b))) => {
            let mut r = html("别名与领域词典", "/search", &b, &st);
            if !ok {
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            r
        }
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}
