//! Server-rendered pages (the web workbench): landing, lists with facets, details, forms, import,
//! the 驾驶舱 dashboard and chain maps. Plain HTML and server-drawn SVG: no scripts, no CDN.

mod account;
mod admin;
mod audit;
mod chain;
mod chain_graph;
pub(crate) mod common;
mod dashboard;
use innomesh_app::dashboard as dashboard_data;
mod detail;
use innomesh_app::facets;
mod form;
mod import;
pub(crate) mod layout;
mod list;
pub(crate) mod svg;
pub(crate) mod view;

use crate::auth::Who;
use crate::state::blocking;
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
pub(crate) use detail::beijing_time;
use innomesh_core::reference::regions;
use innomesh_core::EntityKind;
pub use layout::frame;
pub use layout::{escape, page};

pub fn router() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    Router::new()
        .route("/", get(landing))
        .route(
            "/login",
            get(account::login_page).post(account::login_submit),
        )
        .route(
            "/login/totp",
            get(account::totp_page).post(account::totp_submit),
        )
        .route("/logout", axum::routing::post(account::logout))
        .route("/audit", get(audit::audit_page))
        .route(
            "/admin/users",
            get(admin::users_page).post(admin::users_action),
        )
        .route(
            "/account/password",
            get(account::password_page).post(account::password_submit),
        )
        .route("/api", get(api_page))
        .route("/assets/site.css", get(layout::css))
        .route("/assets/suggest.js", get(layout::suggest_js))
        .route(
            "/import",
            get(import::page)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(crate::api::FILE_LIMIT)),
        )
        .route("/import/report/{token}", get(import::report_xlsx))
        .route("/dashboard", get(dashboard::page))
        .route("/chains", get(chain::index))
        .route("/chains/{id}", get(chain::chain_page))
        .route("/chains/{id}/gaps", get(chain::gaps_page))
        .route("/chains/{id}/nodes/{node}", get(chain::node_page))
        .route("/dashboard/{file}", get(dashboard::xlsx))
        .route("/{kind}", get(list::list))
        .route("/{kind}/new", get(form::new_form).post(form::create))
        .route("/{kind}/{id}", get(detail::detail))
        .route("/{kind}/{id}/edit", get(form::edit_form).post(form::update))
}

async fn landing(State(st): State<AppState>, Who(who): Who) -> Html<String> {
    let repo = st.clone();
    let data = blocking(move || {
        // The kinds this account can see at all, with how many it sees.
        let counts: Vec<(EntityKind, usize)> = EntityKind::ALL
            .iter()
            .filter(|k| {
                !matches!(
                    repo.visibility(&who, **k),
                    Ok(innomesh_app::auth::scope::Visibility::Nothing) | Err(_)
                )
            })
            .map(|k| (*k, repo.count(&who, *k).unwrap_or(0)))
            .collect();
        let by_region = repo
            .counts_by_region(&who, EntityKind::Organisation)
            .unwrap_or_default();
        (counts, by_region)
    })
    .await;
    let (counts, by_region) = data.unwrap_or_default();
    let mut body = String::from(
        "<section class=\"hero\"><h1>创新资源一张网</h1><p>包头市创新资源登记与协同平台：企业、高校院所、创新平台、专家、成果、设备、技术需求、项目申报、政策与产业链，\
         全市一张网、一盘棋、一体化。各旗县区、各部门共用同一个登记库，出题解题、补链强链、聚合加工、避免重复申报都建立在它之上。</p></section>",
    );
    body.push_str("<h2>登记库</h2><div class=\"cards\">");
    for (kind, n) in &counts {
        body.push_str(&format!(
            "<a class=\"card\" href=\"/{}\"><span class=\"num\">{}</span><span class=\"label\">{}</span></a>",
            kind.plural(),
            common::fmt_num(*n as f64, 0),
            kind.label()
        ));
    }
    body.push_str("</div>");
    let regs = regions();
    let mut rows = String::new();
    let baotou: Vec<&(String, usize)> = by_region
        .iter()
        .filter(|(r, _)| r.starts_with("1502"))
        .collect();
    for (code, n) in &baotou {
        let name = regs.get(code).map(|r| r.name.clone()).unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td><a href=\"/organisations?region={code}\">{}</a></td><td>{code}</td><td class=\"r\">{n}</td></tr>",
            escape(&name)
        ));
    }
    let outside: usize = by_region
        .iter()
        .filter(|(r, _)| !r.starts_with("1502"))
        .map(|(_, n)| n)
        .sum();
    body.push_str(&format!(
        "<h2>包头市各旗县区组织数</h2><table><thead><tr><th>旗县区</th><th>区划代码</th><th class=\"r\">组织数</th></tr></thead><tbody>{rows}</tbody></table>\
         <p class=\"muted\">另有市外组织 {outside} 家（供应商与招商对象）。</p>"
    ));
    body.push_str(
        "<h2>接口与工具</h2><ul><li><a href=\"/api\">API 说明</a>（<a href=\"/api/openapi.json\">OpenAPI 文档</a>）</li>\
         <li><a href=\"/dashboard\">创新驾驶舱</a> · <a href=\"/chains\">产业链图谱</a> · <a href=\"/import\">批量导入</a>（导入模板：<a href=\"/api/organisations/template\">组织</a>、<a href=\"/api/platforms/template\">创新平台</a>、<a href=\"/api/people/template\">专家人才</a>…）</li>\
         <li>命令行：<code>innomesh import organisations 企业名录.xlsx</code>、<code>innomesh check credit-code</code></li></ul>",
    );
    Html(frame("首页", "/", &body, st.sample_label().as_deref()))
}

async fn api_page(State(st): State<AppState>) -> Html<String> {
    let doc = crate::openapi::build();
    let mut body = String::from("<h1>API 说明</h1><p>所有接口返回 JSON；错误统一为 <code>{\"code\", \"message\"}</code>。完整定义见 <a href=\"/api/openapi.json\">/api/openapi.json</a>。</p>");
    body.push_str("<h2>错误代码</h2><table><thead><tr><th>code</th><th>HTTP</th><th>含义</th></tr></thead><tbody>");
    for (c, s, m) in innomesh_app::Code::ALL
        .iter()
        .map(|c| (c.as_str(), c.status(), c.description()))
    {
        body.push_str(&format!(
            "<tr><td><code>{c}</code></td><td>{s}</td><td>{m}</td></tr>"
        ));
    }
    body.push_str("</tbody></table><h2>接口</h2><table><thead><tr><th>方法</th><th>路径</th><th>说明</th></tr></thead><tbody>");
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            if let Some(ops) = ops.as_object() {
                for (method, op) in ops {
                    let Some(summary) = op.get("summary").and_then(|s| s.as_str()) else {
                        continue;
                    };
                    let link = if method == "get" && !path.contains('{') {
                        format!("<a href=\"{path}\">{path}</a>")
                    } else {
                        escape(path)
                    };
                    body.push_str(&format!(
                        "<tr><td><code>{}</code></td><td>{link}</td><td>{}</td></tr>",
                        method.to_uppercase(),
                        escape(summary)
                    ));
                }
            }
        }
    }
    body.push_str("</tbody></table>");
    Html(page("API 说明", &body, st.sample_label().as_deref()))
}
