//! `/admin/users`: the security administrator's accounts page — every account with its role,
//! scope and state; add an account (a one-time password is shown once); disable or enable,
//! reset a password (optionally the authenticator too), grant or withdraw the right to see
//! personal data in full; create and revoke API tokens. Every action is decided and audited by
//! `App` (only the security administrator's role has `Perm::Users`).

use super::common::{param, Params};
use super::layout::{escape, frame};
use crate::auth::Who;
use crate::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use innomesh_app::{Principal, Role};

fn page(st: &AppState, body: &str, status: StatusCode) -> Response {
    (
        status,
        Html(frame("账号管理", "", body, st.sample_label().as_deref())),
    )
        .into_response()
}

fn render(st: &AppState, who: &Principal, notice: &str) -> Result<String, innomesh_app::Error> {
    let users = st.users(who)?;
    let tokens = st.tokens(who)?;
    let now = innomesh_store::unix_now();
    let mut rows = String::new();
    for u in &users {
        let role = Role::parse(&u.role)
            .map(|r| r.label())
            .unwrap_or("（未知角色）");
        let locked = u
            .locked_until
            .as_deref()
            .and_then(innomesh_store::parse_rfc3339)
            .filter(|t| *t > now);
        let state = if u.disabled {
            "停用".to_string()
        } else if let Some(t) = locked {
            format!("锁定至 {}", innomesh_store::rfc3339(t))
        } else {
            "正常".to_string()
        };
        let name = escape(&u.username);
        let action = |what: &str, label: &str| {
            format!(
                "<form method=\"post\" action=\"/admin/users\" class=\"inline\"><input type=\"hidden\" name=\"action\" value=\"{what}\"><input type=\"hidden\" name=\"username\" value=\"{name}\"><button type=\"submit\" class=\"btn secondary\">{label}</button></form>"
            )
        };
        let mut actions = String::new();
        actions.push_str(&if u.disabled {
            action("enable", "启用")
        } else {
            action("disable", "停用")
        });
        actions.push_str(&action("reset", "重置密码"));
        if u.totp_enabled {
            actions.push_str(&action("reset-totp", "重置密码和动态口令"));
        }
        actions.push_str(&if u.can_unmask {
            action("revoke-unmask", "收回个人信息权限")
        } else {
            action("grant-unmask", "授予个人信息权限")
        });
        rows.push_str(&format!(
            "<tr><td>{name}</td><td>{}</td><td>{role}</td><td>{}</td><td>{state}</td><td>{}</td><td>{}</td><td>{}</td><td>{actions}</td></tr>",
            escape(&u.display_name),
            escape(&u.scope),
            if u.totp_enabled { "已绑定" } else { "—" },
            if u.can_unmask { "可查看" } else { "脱敏" },
            escape(u.last_login.as_deref().unwrap_or("从未登录")),
        ));
    }
    let mut options = String::new();
    for r in Role::ASSIGNABLE {
        options.push_str(&format!(
            "<option value=\"{}\">{}{}</option>",
            r.code(),
            r.label(),
            if r.scope_label().is_empty() {
                String::new()
            } else {
                format!("（范围：{}）", r.scope_label())
            }
        ));
    }
    let mut token_rows = String::new();
    for t in &tokens {
        let owner = users
            .iter()
            .find(|u| u.id == t.user_id)
            .map(|u| u.username.as_str())
            .unwrap_or("");
        token_rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&t.id),
            escape(owner),
            escape(&t.label),
            escape(t.expires_at.as_deref().unwrap_or("长期")),
            escape(t.last_used.as_deref().unwrap_or("未使用")),
            if t.revoked { "已吊销" } else { "有效" },
            if t.revoked {
                String::new()
            } else {
                format!("<form method=\"post\" action=\"/admin/users\" class=\"inline\"><input type=\"hidden\" name=\"action\" value=\"revoke-token\"><input type=\"hidden\" name=\"token\" value=\"{}\"><button type=\"submit\" class=\"btn secondary\">吊销</button></form>", escape(&t.id))
            }
        ));
    }
    Ok(format!(
        "<h1>账号管理</h1>{notice}\
         <table><thead><tr><th>用户名</th><th>姓名</th><th>角色</th><th>范围</th><th>状态</th><th>动态口令</th><th>个人信息</th><th>最近登录（UTC）</th><th>操作</th></tr></thead><tbody>{rows}</tbody></table>\
         <h2>新增账号</h2><form class=\"record\" method=\"post\" action=\"/admin/users\"><input type=\"hidden\" name=\"action\" value=\"add\">\
         <div class=\"field\"><label for=\"n-u\">用户名</label><input id=\"n-u\" name=\"username\" required maxlength=\"64\"></div>\
         <div class=\"field\"><label for=\"n-d\">姓名</label><input id=\"n-d\" name=\"display_name\" maxlength=\"64\"></div>\
         <div class=\"field\"><label for=\"n-r\">角色</label><select id=\"n-r\" name=\"role\">{options}</select></div>\
         <div class=\"field\"><label for=\"n-s\">范围</label><input id=\"n-s\" name=\"scope\" maxlength=\"64\"><small>旗县区工作人员填区划代码（如 150203），部门工作人员填主管部门，企业填统一社会信用代码，专家和技术经理人填登记库编号；其他角色留空</small></div>\
         <button type=\"submit\">新增（生成一次性密码）</button></form>\
         <h2>接口令牌</h2><p class=\"muted\">供集成系统和脚本以 <code>Authorization: Bearer …</code> 调用，权限与所属账号相同。令牌只在生成时显示一次。</p>\
         <form class=\"record\" method=\"post\" action=\"/admin/users\"><input type=\"hidden\" name=\"action\" value=\"token\">\
         <div class=\"field\"><label for=\"t-u\">账号</label><input id=\"t-u\" name=\"username\" required></div>\
         <div class=\"field\"><label for=\"t-d\">有效天数</label><input id=\"t-d\" name=\"days\" type=\"number\" min=\"1\" max=\"3650\" value=\"90\"></div>\
         <div class=\"field\"><label for=\"t-l\">用途</label><input id=\"t-l\" name=\"label\" maxlength=\"64\"></div>\
         <button type=\"submit\">生成令牌</button></form>\
         <table><thead><tr><th>令牌</th><th>账号</th><th>用途</th><th>有效期至</th><th>最近使用</th><th>状态</th><th></th></tr></thead><tbody>{token_rows}</tbody></table>"
    ))
}

pub async fn users_page(State(st): State<AppState>, Who(who): Who) -> Response {
    let app = st.clone();
    let out = tokio::task::spawn_blocking(move || render(&app, &who, "")).await;
    match out {
        Ok(Ok(body)) => page(&st, &body, StatusCode::OK),
        Ok(Err(e)) => {
            let status = crate::error::status_of(e.code);
            page(
                &st,
                &format!(
                    "<h1>账号管理</h1><p class=\"notice bad\">{}</p>",
                    escape(&e.message)
                ),
                status,
            )
        }
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

pub async fn users_action(
    State(st): State<AppState>,
    Who(who): Who,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let p = form.map(|f| f.0).unwrap_or_default();
    let app = st.clone();
    let out = tokio::task::spawn_blocking(move || {
        let get = |k: &str| param(&p, k).unwrap_or("").trim().to_string();
        let username = get("username");
        let done: Result<String, innomesh_app::Error> = match get("action").as_str() {
            "add" => Role::parse(&get("role")).and_then(|role| {
                app.add_user(&who, &username, &get("display_name"), role, &get("scope"))
                    .map(|i| {
                        format!(
                            "已新增账号「{}」（{}）。一次性密码：<code>{}</code>（只显示这一次，请当面或以安全方式交给本人；首次登录须修改）",
                            escape(&i.user.username),
                            role.label(),
                            escape(&i.one_time_password)
                        )
                    })
            }),
            "disable" => app
                .set_user_disabled(&who, &username, true)
                .map(|_| format!("已停用「{}」，其登录已全部失效", escape(&username))),
            "enable" => app
                .set_user_disabled(&who, &username, false)
                .map(|_| format!("已启用「{}」", escape(&username))),
            a @ ("reset" | "reset-totp") => app
                .reset_password(&who, &username, a == "reset-totp")
                .map(|i| {
                    format!(
                        "已重置「{}」的密码{}，一次性密码：<code>{}</code>（只显示这一次）",
                        escape(&username),
                        if a == "reset-totp" { "和动态口令" } else { "" },
                        escape(&i.one_time_password)
                    )
                }),
            "grant-unmask" => app
                .set_can_unmask(&who, &username, true)
                .map(|_| format!("已授予「{}」查看完整个人信息的权限（每次查看须填写事由并记入审计日志）", escape(&username))),
            "revoke-unmask" => app
                .set_can_unmask(&who, &username, false)
                .map(|_| format!("已收回「{}」查看完整个人信息的权限", escape(&username))),
            "token" => {
                let days = get("days").parse::<u32>().ok().filter(|d| (1..=3650).contains(d));
                match days {
                    None => Err(innomesh_app::Error::invalid("有效天数应为 1–3650 的整数")),
                    Some(d) => app
                        .create_token(&who, &username, Some(d), &get("label"))
                        .map(|(_, t)| {
                            format!(
                                "已为「{}」生成令牌（{d} 天有效）：<code>{}</code>（只显示这一次）",
                                escape(&username),
                                escape(&t)
                            )
                        }),
                }
            }
            "revoke-token" => app
                .revoke_token(&who, &get("token"))
                .map(|_| "已吊销令牌".to_string()),
            other => Err(innomesh_app::Error::invalid(format!("未知操作「{other}」"))),
        };
        let (notice, status) = match done {
            Ok(m) => (format!("<p class=\"notice ok\" role=\"status\">{m}</p>"), StatusCode::OK),
            Err(e) => (
                format!("<p class=\"notice bad\" role=\"alert\">{}</p>", escape(&e.message)),
                crate::error::status_of(e.code),
            ),
        };
        render(&app, &who, &notice).map(|b| (b, status))
    })
    .await;
    match out {
        Ok(Ok((body, status))) => page(&st, &body, status),
        Ok(Err(e)) => page(
            &st,
            &format!(
                "<h1>账号管理</h1><p class=\"notice bad\">{}</p>",
                escape(&e.message)
            ),
            crate::error::status_of(e.code),
        ),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}
