//! Login, the administrators' second factor, logout, and changing one's password.

use super::common::{param, Params};
use super::layout::{escape, frame};
use crate::auth::{cookie_value, session_cookie, source_of, MaybeWho, Who, LOGIN_LIMIT};
use crate::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use innomesh_app::auth::accounts::{LoggedIn, SessionState};
use innomesh_app::Code;

fn page(st: &AppState, title: &str, body: &str, status: StatusCode) -> Response {
    (
        status,
        Html(frame(title, "", body, st.sample_label().as_deref())),
    )
        .into_response()
}

/// Where to go after login: a local path only (never another site).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() < 2000 =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

fn login_form(st: &AppState, next: &str, message: Option<&str>, username: &str) -> String {
    let notice = message
        .map(|m| format!("<p class=\"notice bad\" role=\"alert\">{}</p>", escape(m)))
        .unwrap_or_default();
    let demo = demo_table(st);
    format!(
        "<h1>登录</h1>{notice}\
         <form class=\"record\" method=\"post\" action=\"/login\">\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\
         <div class=\"field\"><label for=\"u\">用户名</label><input id=\"u\" name=\"username\" autocomplete=\"username\" required value=\"{}\"></div>\
         <div class=\"field\"><label for=\"p\">密码</label><input id=\"p\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></div>\
         <button type=\"submit\">登录</button></form>\
         <p class=\"hint\">连续 10 次密码错误账号将被锁定。忘记密码请联系安全管理员重置。</p>{demo}",
        escape(next),
        escape(username),
    )
}

/// The demo accounts, shown on the login page only when the registry holds 示例数据.
fn demo_table(st: &AppState) -> String {
    let accounts = innomesh_app::auth::demo::demo_accounts(st);
    if accounts.is_empty() {
        return String::new();
    }
    let now = innomesh_store::unix_now() as u64;
    let mut rows = String::new();
    for a in &accounts {
        let code = a
            .totp_secret
            .as_deref()
            .and_then(|s| innomesh_app::auth::accounts::totp_code(s, now).ok())
            .map(|c| format!("动态口令 {c}"))
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            a.role.label(),
            escape(&a.username),
            escape(&a.password),
            escape(&a.scope_name),
            code
        ));
    }
    format!(
        "<section class=\"sample\"><h2>示例账号（示例数据）</h2><p>以下账号仅用于体验示例数据，每个角色一个；管理员登录后还须输入右列的动态口令（每 30 秒变化，刷新本页可见新值；同一口令只能用一次）。</p>\
         <table><thead><tr><th>角色</th><th>用户名</th><th>密码</th><th>范围</th><th>管理员动态口令</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )
}

pub async fn login_page(
    State(st): State<AppState>,
    MaybeWho(who): MaybeWho,
    params: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|q| q.0).unwrap_or_default();
    let next = safe_next(param(&params, "next"));
    if who.is_some() {
        return Redirect::to(&next).into_response();
    }
    let body = login_form(&st, &next, None, "");
    page(&st, "登录", &body, StatusCode::OK)
}

pub async fn login_submit(State(st): State<AppState>, req: Request) -> Response {
    let source = source_of(req.extensions());
    let form: Result<Form<Params>, FormRejection> =
        <Form<Params> as axum::extract::FromRequest<()>>::from_request(req, &()).await;
    let params = match form {
        Ok(Form(p)) => p,
        Err(_) => {
            let body = login_form(&st, "/", Some("登录表单无效，请重新填写"), "");
            return page(&st, "登录", &body, StatusCode::BAD_REQUEST);
        }
    };
    let username = param(&params, "username").unwrap_or("").trim().to_string();
    let password = params
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let next = safe_next(param(&params, "next"));
    if !LOGIN_LIMIT.hit(&source) {
        let body = login_form(
            &st,
            &next,
            Some("登录尝试过于频繁，请一分钟后再试"),
            &username,
        );
        return page(&st, "登录", &body, StatusCode::TOO_MANY_REQUESTS);
    }
    if username.is_empty() || password.is_empty() || username.len() > 200 || password.len() > 1024 {
        let body = login_form(&st, &next, Some("请填写用户名和密码"), &username);
        return page(&st, "登录", &body, StatusCode::UNAUTHORIZED);
    }
    let app = st.clone();
    let src = source.clone();
    let user2 = username.clone();
    let outcome = tokio::task::spawn_blocking(move || app.login(&user2, &password, &src)).await;
    match outcome {
        Ok(Ok(LoggedIn {
            cookie,
            needs_second_factor,
            must_change,
            ..
        })) => {
            let to = if needs_second_factor {
                "/login/totp".to_string()
            } else if must_change {
                "/account/password".to_string()
            } else {
                next
            };
            let mut res = Redirect::to(&to).into_response();
            res.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(Some(&cookie)));
            res
        }
        Ok(Err(e)) => {
            let status = crate::error::status_of(e.code);
            let body = login_form(&st, &next, Some(&e.message), &username);
            page(&st, "登录", &body, status)
        }
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

fn totp_form(message: Option<&str>, enrol: Option<(String, String)>) -> String {
    let notice = message
        .map(|m| format!("<p class=\"notice bad\" role=\"alert\">{}</p>", escape(m)))
        .unwrap_or_default();
    let enrol = enrol
        .map(|(secret, uri)| {
            format!(
                "<section><h2>首次登录：绑定动态口令</h2><p>管理员账号须使用动态口令（TOTP，RFC 6238）。请在手机的身份验证器应用中添加账户，手动输入密钥：</p>\
                 <p><code class=\"secret\">{}</code></p><p class=\"hint\">或导入：<code>{}</code></p><p>然后输入应用显示的 6 位数字完成绑定。</p></section>",
                escape(&secret),
                escape(&uri)
            )
        })
        .unwrap_or_default();
    format!(
        "<h1>动态口令</h1>{notice}{enrol}\
         <form class=\"record\" method=\"post\" action=\"/login/totp\">\
         <div class=\"field\"><label for=\"c\">6 位动态口令（或恢复码）</label><input id=\"c\" name=\"code\" autocomplete=\"one-time-code\" inputmode=\"numeric\" required></div>\
         <button type=\"submit\">确认</button></form>\
         <form method=\"post\" action=\"/logout\" class=\"inline\"><button type=\"submit\">取消并退出</button></form>"
    )
}

fn pending(st: &AppState, headers: &HeaderMap, source: &str) -> Option<(String, bool)> {
    let cookie = cookie_value(headers)?;
    match st.session(&cookie, source) {
        Ok(SessionState::SecondFactorDue { enrolled, .. }) => Some((cookie, enrolled)),
        _ => None,
    }
}

pub async fn totp_page(State(st): State<AppState>, req: Request) -> Response {
    let source = source_of(req.extensions());
    let headers = req.headers().clone();
    let app = st.clone();
    let res = tokio::task::spawn_blocking(move || {
        let (cookie, enrolled) = pending(&app, &headers, &source)?;
        let enrol = if enrolled {
            None
        } else {
            app.totp_enrolment(&cookie).ok().map(|e| (e.secret, e.uri))
        };
        Some(enrol)
    })
    .await
    .ok()
    .flatten();
    match res {
        None => Redirect::to("/login").into_response(),
        Some(enrol) => page(&st, "动态口令", &totp_form(None, enrol), StatusCode::OK),
    }
}

pub async fn totp_submit(State(st): State<AppState>, req: Request) -> Response {
    let source = source_of(req.extensions());
    let headers = req.headers().clone();
    let form: Result<Form<Params>, FormRejection> =
        <Form<Params> as axum::extract::FromRequest<()>>::from_request(req, &()).await;
    let code = form
        .ok()
        .and_then(|Form(p)| param(&p, "code").map(str::to_string))
        .unwrap_or_default();
    if !LOGIN_LIMIT.hit(&source) {
        return page(
            &st,
            "动态口令",
            &totp_form(Some("尝试过于频繁，请一分钟后再试"), None),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let app = st.clone();
    let out = tokio::task::spawn_blocking(move || {
        let Some((cookie, _)) = pending(&app, &headers, &source) else {
            return Err(None);
        };
        app.second_factor(&cookie, &code, &source).map_err(Some)
    })
    .await;
    match out {
        Ok(Ok((cookie, codes))) => {
            let mut res = match codes {
                Some(codes) => {
                    let list: String = codes
                        .iter()
                        .map(|c| format!("<li><code>{}</code></li>", escape(c)))
                        .collect();
                    page(
                        &st,
                        "恢复码",
                        &format!(
                            "<h1>动态口令已绑定</h1><p>请把下面 10 个恢复码抄写或打印后妥善保管：手机丢失时，每个恢复码可代替动态口令登录一次。本页关闭后不再显示。</p><ol>{list}</ol><p><a href=\"/\">进入系统</a></p>"
                        ),
                        StatusCode::OK,
                    )
                }
                None => Redirect::to("/").into_response(),
            };
            res.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(Some(&cookie)));
            res
        }
        Ok(Err(None)) => Redirect::to("/login").into_response(),
        Ok(Err(Some(e))) => {
            let status = crate::error::status_of(e.code);
            if e.code == Code::AccountLocked {
                let mut res = page(
                    &st,
                    "登录",
                    &login_form(&st, "/", Some(&e.message), ""),
                    status,
                );
                res.headers_mut()
                    .insert(header::SET_COOKIE, session_cookie(None));
                return res;
            }
            page(&st, "动态口令", &totp_form(Some(&e.message), None), status)
        }
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

pub async fn logout(State(st): State<AppState>, req: Request) -> Response {
    let source = source_of(req.extensions());
    if let Some(cookie) = cookie_value(req.headers()) {
        let app = st.clone();
        let _ = tokio::task::spawn_blocking(move || app.logout(&cookie, &source)).await;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(None));
    res
}

fn password_form(who: &innomesh_app::Principal, message: Option<(&str, bool)>) -> String {
    let notice = message
        .map(|(m, bad)| {
            format!(
                "<p class=\"notice{}\" role=\"alert\">{}</p>",
                if bad { " bad" } else { " ok" },
                escape(m)
            )
        })
        .unwrap_or_default();
    let lead = if who.must_change {
        "<p class=\"notice\">您正在使用一次性密码，请先设置自己的密码。</p>"
    } else {
        ""
    };
    format!(
        "<h1>修改密码</h1>{lead}{notice}\
         <form class=\"record\" method=\"post\" action=\"/account/password\">\
         <div class=\"field\"><label for=\"o\">当前密码</label><input id=\"o\" name=\"old\" type=\"password\" autocomplete=\"current-password\" required></div>\
         <div class=\"field\"><label for=\"n\">新密码</label><input id=\"n\" name=\"new\" type=\"password\" autocomplete=\"new-password\" required minlength=\"12\"><small>至少 12 个字符，不能是常见密码，不能包含用户名</small></div>\
         <div class=\"field\"><label for=\"r\">再输入一次</label><input id=\"r\" name=\"repeat\" type=\"password\" autocomplete=\"new-password\" required></div>\
         <button type=\"submit\">保存</button></form>"
    )
}

pub async fn password_page(State(st): State<AppState>, Who(who): Who) -> Response {
    page(&st, "修改密码", &password_form(&who, None), StatusCode::OK)
}

pub async fn password_submit(
    State(st): State<AppState>,
    Who(who): Who,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let params = form.map(|f| f.0).unwrap_or_default();
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (old, new, repeat) = (get("old"), get("new"), get("repeat"));
    if new != repeat {
        return page(
            &st,
            "修改密码",
            &password_form(&who, Some(("两次输入的新密码不一致", true))),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let app = st.clone();
    let w = who.clone();
    let out = tokio::task::spawn_blocking(move || app.change_password(&w, &old, &new)).await;
    match out {
        Ok(Ok(())) => Redirect::to("/").into_response(),
        Ok(Err(e)) => page(
            &st,
            "修改密码",
            &password_form(&who, Some((&e.message, true))),
            crate::error::status_of(e.code),
        ),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}
