//! The page frame shared by every page: header, 示例数据 banner, footer with the version.

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

pub fn page(title: &str, body: &str, sample: Option<&str>) -> String {
    let banner = sample
        .map(|l| format!("<div class=\"sample\" role=\"note\">{l}：本系统当前载入的是程序生成的{l}，机构与人员均为虚构，数字不代表真实情况。</div>"))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · 创新资源一张网</title><link rel=\"stylesheet\" href=\"/assets/site.css\"></head><body>\
         <header><a class=\"brand\" href=\"/\">创新资源一张网</a><nav><a href=\"/\">首页</a><a href=\"/api\">API</a></nav></header>\
         {banner}<main>{body}</main><footer>Innomesh 创新资源一张网 · 版本 {}</footer></body></html>",
        escape(title),
        crate::VERSION
    )
}

const CSS: &str = r#"
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9e2ec;--brand:#0b5cad;--bg:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;color:var(--ink);background:var(--bg);line-height:1.6}
header{display:flex;align-items:center;gap:2rem;padding:.6rem 1.5rem;background:var(--brand);color:#fff}
header a{color:#fff;text-decoration:none}header nav a{margin-right:1rem}
.brand{font-weight:700;font-size:1.15rem;letter-spacing:.08em}
.sample{background:#fff4ce;border-bottom:1px solid #f0d36b;padding:.4rem 1.5rem;color:#7a5b00}
main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-left:4px solid var(--brand);padding-left:.5rem}
.hero p{max-width:60em;color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.8rem}
.card{display:flex;flex-direction:column;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;text-decoration:none;color:var(--ink)}
.card:focus,.card:hover{border-color:var(--brand);outline:2px solid transparent}
.num{font-size:1.5rem;font-weight:700;color:var(--brand);font-variant-numeric:tabular-nums}
.label{color:var(--muted)}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid var(--line);padding:.35rem .6rem;text-align:left}
th{background:#eef2f7}.r{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
code{background:#eef2f7;padding:0 .25rem;border-radius:3px}
footer{text-align:center;color:var(--muted);padding:1.5rem;border-top:1px solid var(--line)}
a:focus{outline:2px solid #f0b429}
"#;

pub async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}
