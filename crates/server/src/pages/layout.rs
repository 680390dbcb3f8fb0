//! The page frame shared by every page: skip link, navigation, 示例数据 banner, footer with the
//! version, and the stylesheet (embedded, served at `/assets/site.css`).

use axum::http::header;
use axum::response::IntoResponse;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value (UTF-8, everything but unreserved characters).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Top navigation: (path, label). The current section is marked with `aria-current`.
const NAV: &[(&str, &str, &str)] = &[
    ("/", "首页", ""),
    ("/search", "检索", "read"),
    ("/dashboard", "驾驶舱", "engines"),
    ("/organisations", "组织", "read"),
    ("/platforms", "创新平台", "read"),
    ("/people", "专家人才", "read"),
    ("/achievements", "科技成果", "read"),
    ("/equipment", "仪器设备", "read"),
    ("/demands", "技术需求", "read"),
    ("/applications", "项目申报", "read"),
    ("/policies", "惠企政策", "read"),
    ("/policy-rules", "政策找企业", "policies"),
    ("/chains", "产业链", "engines"),
    ("/capacity", "聚合加工", "engines"),
    ("/deals", "技术交易", "engines"),
    ("/sharing", "开放共享", "read"),
    ("/funding", "资金一盘棋", "funding"),
    ("/assessment", "考核评估", "assess"),
    ("/import", "导入", "write"),
];

/// A whole page. `active` is the navigation path this page belongs to ("" for none).
pub fn frame(title: &str, active: &str, body: &str, sample: Option<&str>) -> String {
    let banner = sample
        .map(|l| format!("<div class=\"sample\" role=\"note\"><strong>{l}</strong>本系统当前载入的是程序生成的{l}，机构与人员均为虚构，数字不代表真实情况。</div>"))
        .unwrap_or_default();
    let mut nav = String::new();
    for (href, label, perm) in NAV {
        let current = if *href == active {
            " aria-current=\"page\""
        } else {
            ""
        };
        // `data-perm` names what the section needs; the sections a signed-in account cannot use
        // are taken out when the page is sent (`crate::auth`).
        let tag = if perm.is_empty() {
            String::new()
        } else {
            format!(" data-perm=\"{perm}\"")
        };
        nav.push_str(&format!("<a href=\"{href}\"{tag}{current}>{label}</a>"));
    }
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · 创新资源一张网</title><link rel=\"stylesheet\" href=\"/assets/site.css\"></head><body>\
         <a class=\"skip\" href=\"#main\">跳到正文</a>\
         <header class=\"top\"><a class=\"brand\" href=\"/\">创新资源一张网</a><nav aria-label=\"主导航\">{nav}</nav><!--innomesh:user--></header>\
         {banner}<main id=\"main\" tabindex=\"-1\">{body}</main><footer>Innomesh 创新资源一张网<!--innomesh:version-->{}</footer></body></html>",
        escape(title),
        if sample.is_some() { " · 示例数据" } else { "" },
    )
}

/// A page outside any navigation section (kept for callers such as the API fallback).
pub fn page(title: &str, body: &str, sample: Option<&str>) -> String {
    frame(title, "", body, sample)
}

const CSS: &str = include_str!("../../assets/site.css");
const SUGGEST_JS: &str = include_str!("../../assets/suggest.js");

/// The forms' search-as-you-type script (a file, not inline: the CSP allows only 'self' scripts).
pub async fn suggest_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SUGGEST_JS,
    )
}

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}
