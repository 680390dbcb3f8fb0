//! `/audit`: the audit trail for auditors — search by record kind, record id, who (user, role or
//! address) and action; the security log of logins; both exportable as XLSX or CSV. Reading it
//! needs `Perm::Audit` (auditor, audit administrator), decided by `App`.

use super::common::{download, param, Params};
use super::layout::{escape, frame, url_encode};
use crate::auth::Who;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use innomesh_app::{AuditFilter, Perm};
use innomesh_core::tabular::Cell;
use innomesh_core::EntityKind;

fn filter_of(p: &Params) -> Result<AuditFilter, String> {
    let kind = match param(p, "kind") {
        None => None,
        Some(k) => {
            Some(EntityKind::from_plural(k).ok_or_else(|| format!("没有「{k}」这种记录类型"))?)
        }
    };
    let limit = match param(p, "limit") {
        None => 200,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or("条数应为 1–10000 的整数")?,
    };
    Ok(AuditFilter {
        kind,
        id: param(p, "id").map(str::to_string),
        actor: param(p, "actor").map(str::to_string),
        action: param(p, "action").map(str::to_string),
        limit,
    })
}

/// `用户名（角色）@来源` of an entry (entries of earlier versions have no role or source).
fn who_text(e: &innomesh_store::AuditEntry) -> String {
    let mut t = e.actor.clone();
    if !e.role.is_empty() {
        t.push_str(&format!("（{}）", e.role));
    }
    if !e.source.is_empty() {
        t.push_str(&format!("@{}", e.source));
    }
    t
}

fn page(st: &AppState, body: &str, status: StatusCode) -> Response {
    (
        status,
        Html(frame("审计日志", "", body, st.sample_label().as_deref())),
    )
        .into_response()
}

const HEADERS: [&str; 7] = [
    "序号",
    "时间（UTC）",
    "操作人（角色@来源）",
    "操作",
    "记录类型",
    "记录编号",
    "内容（个人信息已脱敏）",
];

pub async fn audit_page(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let filter = match filter_of(&p) {
        Ok(f) => f,
        Err(m) => {
            return page(
                &st,
                &format!(
                    "<h1>审计日志</h1><p class=\"notice bad\">{}</p>",
                    escape(&m)
                ),
                StatusCode::BAD_REQUEST,
            )
        }
    };
    let format = param(&p, "format").map(str::to_string);
    let app = st.clone();
    let w = who.clone();
    let f2 = filter.clone();
    let data = tokio::task::spawn_blocking(move || {
        let entries = app.audit_search(&w, &f2)?;
        let logins = app.auth_events(&w, 200)?;
        Ok::<_, innomesh_app::Error>((entries, logins))
    })
    .await;
    let (entries, logins) = match data {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => {
            return page(
                &st,
                &format!(
                    "<h1>审计日志</h1><p class=\"notice bad\">{}</p>",
                    escape(&e.message)
                ),
                crate::error::status_of(e.code),
            )
        }
        Err(e) => return crate::error::ApiError::internal(e).into_response(),
    };
    if let Some(fmt) = format.as_deref() {
        let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        let rows: Vec<Vec<Cell>> = entries
            .iter()
            .map(|e| {
                vec![
                    Cell::Text(e.seq.to_string()),
                    Cell::Text(e.at.clone()),
                    Cell::Text(who_text(e)),
                    Cell::Text(e.action.clone()),
                    Cell::Text(e.kind.clone().unwrap_or_default()),
                    Cell::Text(e.entity_id.clone().unwrap_or_default()),
                    Cell::Text(e.detail.clone()),
                ]
            })
            .collect();
        let out = match fmt {
            "csv" => innomesh_sheets::write_csv(&headers, &rows)
                .map(|b| (b, "审计日志.csv", "text/csv; charset=utf-8")),
            "xlsx" => innomesh_sheets::write_xlsx(&[innomesh_sheets::Sheet {
                name: "审计日志",
                headers: &headers,
                rows: &rows,
            }])
            .map(|b| {
                (
                    b,
                    "审计日志.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            }),
            _ => {
                return page(
                    &st,
                    "<h1>审计日志</h1><p class=\"notice bad\">导出格式只能是 xlsx 或 csv</p>",
                    StatusCode::BAD_REQUEST,
                )
            }
        };
        return match out {
            Ok((bytes, name, mime)) => download(bytes, name, mime),
            Err(e) => crate::error::ApiError::internal(e).into_response(),
        };
    }
    let mut kinds = String::from("<option value=\"\">全部</option>");
    for k in EntityKind::ALL {
        let sel = if filter.kind == Some(k) {
            " selected"
        } else {
            ""
        };
        kinds.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            k.plural(),
            k.label()
        ));
    }
    let v = |s: &Option<String>| escape(s.as_deref().unwrap_or(""));
    let mut rows = String::new();
    for e in &entries {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"detail\">{}</td></tr>",
            e.seq,
            escape(&e.at),
            escape(&who_text(e)),
            escape(&e.action),
            escape(e.kind.as_deref().unwrap_or("")),
            escape(e.entity_id.as_deref().unwrap_or("")),
            escape(&e.detail.chars().take(300).collect::<String>())
        ));
    }
    let mut login_rows = String::new();
    for e in &logins {
        login_rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.at),
            escape(&e.username),
            escape(&e.action),
            escape(&e.source),
            escape(&e.detail)
        ));
    }
    let query: Vec<String> = p
        .iter()
        .filter(|(k, v)| k != "format" && !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    let q = query.join("&amp;");
    let body = format!(
        "<h1>审计日志</h1><p class=\"muted\">每次写入、账号变更和查看完整个人信息都记入审计日志，记明账号、角色和来源地址；日志只能追加，不能修改（可用 <code>innomesh audit verify</code> 校验）。{}</p>\
         <form method=\"get\" action=\"/audit\" class=\"inline\"><label>记录类型 <select name=\"kind\">{kinds}</select></label> \
         <label>记录编号 <input name=\"id\" value=\"{}\" size=\"20\"></label> <label>操作人 <input name=\"actor\" value=\"{}\" size=\"16\"></label> \
         <label>操作 <input name=\"action\" value=\"{}\" size=\"12\" placeholder=\"如 update、unmask\"></label> <button type=\"submit\">查询</button></form>\
         <p><a href=\"/audit?{q}&amp;format=xlsx\">导出 XLSX</a> · <a href=\"/audit?{q}&amp;format=csv\">导出 CSV</a> · 共 {} 条</p>\
         <table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>\
         <h2>登录日志（最近 200 条）</h2><table><thead><tr><th>时间（UTC）</th><th>用户名</th><th>事件</th><th>来源</th><th>说明</th></tr></thead><tbody>{login_rows}</tbody></table>",
        if who.may(Perm::Read) { "" } else { "审计管理员只看日志，不看登记库记录。" },
        v(&filter.id),
        v(&filter.actor),
        v(&filter.action),
        entries.len(),
        HEADERS[0], HEADERS[1], HEADERS[2], HEADERS[3], HEADERS[4], HEADERS[5], HEADERS[6],
    );
    page(&st, &body, StatusCode::OK)
}
