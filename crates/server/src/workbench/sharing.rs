//! 开放共享 in the workbench: a service's calendar and booking form (on its registry page),
//! bookings and their moves (`/sharing/bookings`), innovation-voucher claims (`/sharing/claims`),
//! the owner's outlook (`/sharing/outlook`) and the city figures (`/sharing`).

use super::{enc, flash, redirect};
use super::{error_page, html};
use crate::api::{param, Params};
use crate::auth::Who;
use crate::error::ApiError;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::common::fmt_num;
use crate::pages::escape;
use crate::state::blocking;
use crate::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use innomesh_app::sharing::{BookingView, ClaimView};
use innomesh_app::{Perm, Principal, Role};
use innomesh_core::model::SharedService;
use innomesh_core::{EntityKind, Record};

fn yuan(x: f64) -> String {
    fmt_num(x, 2)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn status_tag(b: &BookingView) -> String {
    let class = match b.booking.status.as_str() {
        "confirmed" | "completed" => "tag good",
        "declined" | "cancelled" | "no_show" => "tag hot",
        _ => "tag",
    };
    format!("<span class=\"{class}\">{}</span>", b.status_label)
}

/// The end of a default slot: two hours after `start`, within the window ending at `end`.
fn two_hours_within(start: &str, end: &str) -> String {
    let minutes = |t: &str| {
        t.split_once(':')
            .and_then(|(h, m)| Some(h.parse::<u16>().ok()? * 60 + m.parse::<u16>().ok()?))
    };
    match (minutes(start), minutes(end)) {
        (Some(s), Some(z)) => {
            let e = (s + 120).min(z);
            format!("{:02}:{:02}", e / 60, e % 60)
        }
        _ => end.to_string(),
    }
}

/// The calendar and booking form on a shared service's page.
pub fn service_section(
    st: &AppState,
    who: &Principal,
    s: &SharedService,
    p: &Params,
) -> Result<String, ApiError> {
    let from = param(p, "from").map(str::to_string);
    let av = st.availability(who, &s.id, from.as_deref(), 14)?;
    let mut b = String::from("<h2 id=\"book\">预约日历（未来两周）</h2>");
    b.push_str(&flash(p));
    b.push_str(&format!(
        "<p class=\"muted\">开放时间：{}；最早可约 {}。绿色为空闲时段，点「选此时段」后确认时长与说明再提交；提交后由 {} 确认。</p>",
        escape(&s.open_hours),
        av.earliest,
        escape(&av.owner_name)
    ));
    b.push_str("<table class=\"calendar\"><thead><tr><th>日期</th><th>空闲时段</th><th>已约</th></tr></thead><tbody>");
    let mut first: Option<(String, String, String)> = None;
    for d in &av.days {
        let free = if d.free.is_empty() {
            format!("<span class=\"muted\">{}</span>", escape(&d.note))
        } else {
            d.free
                .iter()
                .map(|(a, z)| {
                    if first.is_none() {
                        first = Some((d.date.clone(), a.clone(), z.clone()));
                    }
                    format!(
                        "<span class=\"tag good\">{a}–{z}</span> <a href=\"?date={}&amp;start={a}&amp;end={}#book-form\">选此时段</a>",
                        d.date,
                        two_hours_within(a, z)
                    )
                })
                .collect::<Vec<_>>()
                .join("　")
        };
        let taken = d
            .taken
            .iter()
            .map(|(a, z)| format!("{a}–{z}"))
            .collect::<Vec<_>>()
            .join("、");
        b.push_str(&format!(
            "<tr><td>{} 周{}</td><td>{free}</td><td class=\"muted\">{taken}</td></tr>",
            d.date, d.weekday
        ));
    }
    b.push_str("</tbody></table>");
    let can_book = who.may(Perm::Write)
        && matches!(who.role, Role::Enterprise | Role::CityStaff | Role::Local);
    if !can_book {
        return Ok(b);
    }
    let (d0, a0, z0) = first.unwrap_or_default();
    let date = param(p, "date").unwrap_or(&d0);
    let start = param(p, "start").unwrap_or(&a0);
    let end = param(p, "end")
        .map(str::to_string)
        .unwrap_or_else(|| two_hours_within(start, &z0));
    let requester = if who.role == Role::Enterprise {
        String::new()
    } else {
        "<label>预约单位信用代码 <input name=\"requester\" required size=\"20\"></label>".into()
    };
    b.push_str(&format!(
        "<form id=\"book-form\" method=\"post\" action=\"/sharing/book\" class=\"inline\">\
         <input type=\"hidden\" name=\"service\" value=\"{}\">{requester}\
         <label>日期 <input type=\"date\" name=\"date\" value=\"{}\" required></label>\
         <label>开始 <input type=\"time\" name=\"start\" value=\"{}\" step=\"1800\" required></label>\
         <label>结束 <input type=\"time\" name=\"end\" value=\"{}\" step=\"1800\" required></label>\
         <label>说明 <input name=\"note\" size=\"30\" placeholder=\"样品、测试项目\"></label>\
         <button type=\"submit\">提交预约</button></form>",
        escape(&s.id),
        escape(date),
        escape(start),
        escape(&end)
    ));
    Ok(b)
}

pub async fn book(
    State(st): State<AppState>,
    Who(who): Who,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let service = param(&p, "service").unwrap_or("").to_string();
    let date = param(&p, "date").unwrap_or("").to_string();
    let start = format!("{date} {}", param(&p, "start").unwrap_or(""));
    let end = format!("{date} {}", param(&p, "end").unwrap_or(""));
    let note = param(&p, "note").unwrap_or("").to_string();
    let requester = param(&p, "requester").map(str::to_string);
    let st2 = st.clone();
    let s2 = service.clone();
    let res =
        blocking(move || st2.request_booking(&who, &s2, requester.as_deref(), &start, &end, &note))
            .await;
    match res {
        Ok(Ok(b)) => redirect(format!(
            "/sharing/bookings/{}?ok={}",
            enc(&b.booking.id),
            enc("已提交预约，等待提供单位确认")
        )),
        Ok(Err(e)) if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => {
            error_page(e.status(), &e.message, &st)
        }
        Ok(Err(e)) => redirect(format!(
            "/shared-services/{}?error={}&date={}&start={}&end={}#book",
            enc(&service),
            enc(&e.message),
            enc(param(&p, "date").unwrap_or("")),
            enc(param(&p, "start").unwrap_or("")),
            enc(param(&p, "end").unwrap_or(""))
        )),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

fn bookings_table(rows: &[BookingView], who: &Principal) -> String {
    if rows.is_empty() {
        return "<p class=\"muted\">没有预约。</p>".into();
    }
    let mut b = String::from(
        "<table><thead><tr><th>预约</th><th>服务</th><th>时段</th><th>提供单位</th><th>预约单位</th><th>状态</th><th>实际机时</th><th>费用（元）</th></tr></thead><tbody>",
    );
    for r in rows {
        let mine = if who.role == Role::Enterprise && who.scope == r.booking.owner {
            " <span class=\"tag\">本单位提供</span>"
        } else {
            ""
        };
        b.push_str(&format!(
            "<tr><td><a href=\"/sharing/bookings/{id}\">{id}</a></td><td><a href=\"/shared-services/{sid}\">{}</a>{mine}</td><td>{} 至 {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"r\">{}</td></tr>",
            escape(&r.service_name),
            escape(&r.booking.start),
            escape(r.booking.end.get(11..).unwrap_or(&r.booking.end)),
            escape(&r.owner_name),
            escape(&r.requester_name),
            status_tag(r),
            r.booking.hours_used.map(|h| fmt_num(h, 1)).unwrap_or_default(),
            r.booking.fee.map(yuan).unwrap_or_default(),
            id = enc(&r.booking.id),
            sid = enc(&r.booking.service_id),
        ));
    }
    b.push_str("</tbody></table>");
    b
}

pub async fn bookings(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let status = param(&p, "status").map(str::to_string);
    let res = blocking(move || -> Result<String, ApiError> {
        let status = status.filter(|s| innomesh_store::sharing::STATUSES.contains(&s.as_str()));
        let rows = st2.bookings(&who, None, status.as_deref())?;
        let mut b = String::from("<h1>预约</h1>");
        b.push_str(&flash(&p));
        b.push_str("<p class=\"actions\">");
        b.push_str("<a class=\"btn secondary\" href=\"/sharing/bookings\">全部</a>");
        for s in innomesh_store::sharing::STATUSES {
            b.push_str(&format!(
                "<a class=\"btn secondary\" href=\"/sharing/bookings?status={s}\">{}</a>",
                innomesh_store::sharing::status_label(s)
            ));
        }
        b.push_str("</p>");
        b.push_str(&format!("<p class=\"muted\">共 {} 次预约。找服务请到 <a href=\"/shared-services\">共享服务</a>。</p>", rows.len()));
        b.push_str(&bookings_table(&rows, &who));
        Ok(b)
    })
    .await;
    match res {
        Ok(Ok(b)) => html("预约", "/sharing", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn booking(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<(String, String), ApiError> {
        let v = st2.booking(&who, &id)?;
        let history = st2.booking_history(&who, &id)?;
        let actors = st2.actor_names(&history.iter().map(|h| h.actor.as_str()).collect::<Vec<_>>())?;
        let b0 = &v.booking;
        let mut b = format!(
            "<h1>预约 {} · {}</h1>",
            escape(&b0.id),
            escape(&v.service_name)
        );
        b.push_str(&flash(&p));
        b.push_str(&format!(
            "<dl class=\"record\"><dt>服务</dt><dd><a href=\"/shared-services/{}\">{}</a></dd>\
             <dt>时段</dt><dd>{} 至 {}（{} 小时）</dd><dt>提供单位</dt><dd>{}</dd><dt>预约单位</dt><dd>{}</dd>\
             <dt>状态</dt><dd>{}</dd><dt>实际机时</dt><dd>{}</dd><dt>费用</dt><dd>{}</dd><dt>交付结果</dt><dd>{}</dd><dt>说明</dt><dd>{}</dd></dl>",
            enc(&b0.service_id),
            escape(&v.service_name),
            escape(&b0.start),
            escape(&b0.end),
            fmt_num(v.hours_booked, 1),
            escape(&v.owner_name),
            escape(&v.requester_name),
            status_tag(&v),
            b0.hours_used.map(|h| format!("{} 小时", fmt_num(h, 1))).unwrap_or_else(|| "—".into()),
            b0.fee.map(|f| format!("{} 元", yuan(f))).unwrap_or_else(|| "—".into()),
            escape(&b0.result),
            escape(&b0.note),
        ));
        let staff = matches!(who.role, Role::CityStaff | Role::Local);
        let owner = staff || (who.role == Role::Enterprise && who.scope == b0.owner);
        let requester = staff || (who.role == Role::Enterprise && who.scope == b0.requester);
        let action = |label: &str, act: &str, extra: &str, secondary: bool| {
            format!(
                "<form method=\"post\" action=\"/sharing/bookings/{}/action\" class=\"inline\"><input type=\"hidden\" name=\"action\" value=\"{act}\">{extra}<button type=\"submit\"{}>{label}</button></form>",
                enc(&b0.id),
                if secondary { " class=\"secondary\"" } else { "" }
            )
        };
        let mut forms = Vec::new();
        if who.may(Perm::Write) {
            match b0.status.as_str() {
                "requested" if owner => {
                    forms.push(action("确认预约", "confirm", "", false));
                    forms.push(action(
                        "建议改期",
                        "propose",
                        "<label>开始 <input name=\"start\" placeholder=\"2026-12-09 09:00\" required></label><label>结束 <input name=\"end\" placeholder=\"2026-12-09 11:00\" required></label><label>说明 <input name=\"reason\"></label>",
                        true,
                    ));
                    forms.push(action("拒绝", "decline", "<label>原因 <input name=\"reason\" required></label>", true));
                }
                "proposed" if requester => {
                    forms.push(action("接受改期", "accept", "", false));
                }
                "confirmed" if owner => {
                    forms.push(action(
                        "登记完成",
                        "complete",
                        &format!("<label>实际机时 <input name=\"hours\" type=\"number\" step=\"0.5\" min=\"0.5\" max=\"{}\" value=\"{}\" required></label><label>交付结果 <input name=\"result\" placeholder=\"检测报告编号\" required></label>", v.hours_booked, v.hours_booked),
                        false,
                    ));
                    forms.push(action("登记爽约", "no_show", "", true));
                }
                _ => {}
            }
            if matches!(b0.status.as_str(), "requested" | "proposed" | "confirmed") && (owner || requester) {
                forms.push(action("取消预约", "cancel", "<label>原因 <input name=\"reason\" required></label>", true));
            }
            if b0.status == "completed" && requester && b0.fee.unwrap_or(0.0) > 0.0 {
                let claims = st2.voucher_claims(&who)?;
                let claimed = claims.iter().find(|c| c.claim.booking_id == b0.id && c.claim.status != "rejected");
                match claimed {
                    Some(c) => b.push_str(&format!(
                        "<p class=\"notice ok\">已申领创新券：{}，{} 元（{}）。</p>",
                        escape(&c.programme_name),
                        yuan(c.claim.amount),
                        c.status_label
                    )),
                    None => {
                        let year = b0.start.get(0..4).unwrap_or("");
                        let mut options = String::new();
                        let q = innomesh_store::ListQuery::new(EntityKind::VoucherProgramme);
                        for r in st2.list(&who, &innomesh_store::ListQuery { per_page: 100, ..q })?.records {
                            if let Record::VoucherProgramme(pr) = r {
                                if pr.year.to_string() == year {
                                    options.push_str(&format!(
                                        "<option value=\"{}\">{}（补贴 {}，每家每年最多 {} 元）</option>",
                                        escape(&pr.id),
                                        escape(&pr.name),
                                        pct(pr.share),
                                        fmt_num(pr.cap_per_enterprise, 0)
                                    ));
                                }
                            }
                        }
                        if options.is_empty() {
                            b.push_str("<p class=\"muted\">没有本年度的创新券专项可申领。</p>");
                        } else {
                            forms.push(format!(
                                "<form method=\"post\" action=\"/sharing/claims\" class=\"inline\"><input type=\"hidden\" name=\"booking\" value=\"{}\"><label>创新券专项 <select name=\"programme\">{options}</select></label><button type=\"submit\">申领创新券</button></form>",
                                escape(&b0.id)
                            ));
                        }
                    }
                }
            }
        }
        if !forms.is_empty() {
            b.push_str("<h2>办理</h2><div class=\"actions\">");
            b.push_str(&forms.join(""));
            b.push_str("</div>");
        }
        b.push_str("<h2>流转记录</h2><table><thead><tr><th>时间</th><th>从</th><th>到</th><th>经办</th><th>说明</th></tr></thead><tbody>");
        for h in &history {
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                crate::pages::beijing_time(&h.at),
                h.from_status.as_deref().map(innomesh_store::sharing::status_label).unwrap_or("—"),
                innomesh_store::sharing::status_label(&h.to_status),
                escape(actors.get(&h.actor).unwrap_or(&h.actor)),
                escape(&h.note)
            ));
        }
        b.push_str("</tbody></table><p><a href=\"/sharing/bookings\">返回预约列表</a></p>");
        Ok((format!("预约 {}", v.booking.id), b))
    })
    .await;
    match res {
        Ok(Ok((t, b))) => html(&t, "/sharing", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn act(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let hours = match param(&p, "hours") {
        Some(h) => match h.trim().parse::<f64>() {
            Ok(x) => Some(x),
            Err(_) => {
                return redirect(format!(
                    "/sharing/bookings/{}?error={}",
                    enc(&id),
                    enc(&format!("实际机时「{h}」不是数字"))
                ))
            }
        },
        None => None,
    };
    let s = |k: &str| param(&p, k).unwrap_or("").to_string();
    let action = match crate::api::sharing::action_of(
        &s("action"),
        s("start"),
        s("end"),
        s("reason"),
        hours,
        s("result"),
    ) {
        Ok(a) => a,
        Err(e) => {
            return redirect(format!(
                "/sharing/bookings/{}?error={}",
                enc(&id),
                enc(&e.message)
            ))
        }
    };
    let st2 = st.clone();
    let id2 = id.clone();
    match blocking(move || st2.booking_act(&who, &id2, action)).await {
        Ok(Ok(v)) => redirect(format!(
            "/sharing/bookings/{}?ok={}",
            enc(&id),
            enc(&format!("已办理：当前状态「{}」", v.status_label))
        )),
        Ok(Err(e)) if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => {
            error_page(e.status(), &e.message, &st)
        }
        Ok(Err(e)) => redirect(format!(
            "/sharing/bookings/{}?error={}",
            enc(&id),
            enc(&e.message)
        )),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn claim(
    State(st): State<AppState>,
    Who(who): Who,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let booking = param(&p, "booking").unwrap_or("").to_string();
    let programme = param(&p, "programme").unwrap_or("").to_string();
    let st2 = st.clone();
    let b2 = booking.clone();
    match blocking(move || st2.claim_voucher(&who, &b2, &programme)).await {
        Ok(Ok(c)) => redirect(format!(
            "/sharing/bookings/{}?ok={}",
            enc(&booking),
            enc(&format!(
                "已提交创新券申领 {}：{} 元，待市科技局审核",
                c.id,
                yuan(c.amount)
            ))
        )),
        Ok(Err(e)) if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => {
            error_page(e.status(), &e.message, &st)
        }
        Ok(Err(e)) => redirect(format!(
            "/sharing/bookings/{}?error={}",
            enc(&booking),
            enc(&e.message)
        )),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

fn claims_table(rows: &[ClaimView], decide: bool) -> String {
    if rows.is_empty() {
        return "<p class=\"muted\">没有创新券申领。</p>".into();
    }
    let mut b = String::from("<table><thead><tr><th>申领</th><th>企业</th><th>专项</th><th>预约</th><th>服务费用（元）</th><th>补贴（元）</th><th>状态</th><th>审核意见</th></tr></thead><tbody>");
    for c in rows {
        let status = if decide && c.claim.status == "submitted" {
            format!(
                "<form method=\"post\" action=\"/sharing/claims/{id}/decision\" class=\"inline\"><input type=\"hidden\" name=\"approve\" value=\"true\"><button type=\"submit\">核准</button></form>\
                 <form method=\"post\" action=\"/sharing/claims/{id}/decision\" class=\"inline\"><input type=\"hidden\" name=\"approve\" value=\"false\"><input name=\"reason\" placeholder=\"驳回理由\" required size=\"12\"><button type=\"submit\" class=\"secondary\">驳回</button></form>",
                id = enc(&c.claim.id)
            )
        } else {
            c.status_label.to_string()
        };
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/sharing/bookings/{}\">{}</a></td><td class=\"r\">{}</td><td class=\"r\">{}</td><td>{status}</td><td>{}</td></tr>",
            escape(&c.claim.id),
            escape(&c.enterprise_name),
            escape(&c.programme_name),
            enc(&c.claim.booking_id),
            escape(&c.claim.booking_id),
            yuan(c.claim.fee),
            yuan(c.claim.amount),
            escape(&c.claim.reason)
        ));
    }
    b.push_str("</tbody></table>");
    b
}

pub async fn claims(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<String, ApiError> {
        let rows = st2.voucher_claims(&who)?;
        let decide = who.may(Perm::Funding) && who.may(Perm::Write);
        let mut b = String::from("<h1>科技创新券申领</h1>");
        b.push_str(&flash(&p));
        b.push_str("<p class=\"muted\">先用后补：企业使用共享服务并由提供单位登记完成后，在预约页申领；市科技局核准后拨付。同一次服务只能申领一次。</p>");
        let (pending, done): (Vec<ClaimView>, Vec<ClaimView>) =
            rows.into_iter().partition(|c| c.claim.status == "submitted");
        b.push_str(&format!("<h2>待审核（{}）</h2>", pending.len()));
        b.push_str(&claims_table(&pending, decide));
        b.push_str(&format!("<h2>已审核（{}）</h2>", done.len()));
        b.push_str(&claims_table(&done, false));
        Ok(b)
    })
    .await;
    match res {
        Ok(Ok(b)) => html("创新券申领", "/sharing", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn decide(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let approve = param(&p, "approve") == Some("true");
    let reason = param(&p, "reason").unwrap_or("").to_string();
    let st2 = st.clone();
    match blocking(move || st2.decide_claim(&who, &id, approve, &reason)).await {
        Ok(Ok(c)) => redirect(format!(
            "/sharing/claims?ok={}",
            enc(&format!(
                "申领 {} 已{}",
                c.id,
                if approve { "核准" } else { "驳回" }
            ))
        )),
        Ok(Err(e)) if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => {
            error_page(e.status(), &e.message, &st)
        }
        Ok(Err(e)) => redirect(format!("/sharing/claims?error={}", enc(&e.message))),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn outlook(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<String, ApiError> {
        let owner = match param(&p, "owner") {
            Some(o) => o.to_string(),
            None if who.role == Role::Enterprise => who.scope.clone(),
            None => {
                return Err(ApiError::new(
                    crate::error::Code::InvalidQuery,
                    "请指定提供单位：/sharing/outlook?owner=统一社会信用代码",
                ))
            }
        };
        let o = st2.owner_outlook(&who, &owner)?;
        let mut b = format!(
            "<h1>{} · 下周共享安排</h1><p class=\"muted\">{} 至 {}：每台仪器/每项服务的开放机时、已约机时和闲置机时，以及可能需要它们的单位。</p>",
            escape(&o.owner_name),
            o.week.0,
            o.week.1
        );
        if o.items.is_empty() {
            b.push_str("<p class=\"muted\">本单位还没有登记共享服务。<a href=\"/shared-services/new\">登记共享服务</a></p>");
        }
        b.push_str("<table><thead><tr><th>服务</th><th>开放（小时）</th><th>已约</th><th>闲置</th><th>可能需要的单位</th></tr></thead><tbody>");
        for it in &o.items {
            let mut who_needs: Vec<String> = it
                .past_users
                .iter()
                .chain(&it.demand_users)
                .map(|u| format!("{}（{}）", escape(&u.name), escape(&u.why)))
                .collect();
            if it.hidden_demands > 0 {
                who_needs.push(format!(
                    "另有 {} 条相关技术需求（由市科技局对接）",
                    it.hidden_demands
                ));
            }
            b.push_str(&format!(
                "<tr><td><a href=\"/shared-services/{}\">{}</a></td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\"><strong>{}</strong></td><td>{}</td></tr>",
                enc(&it.service.id),
                escape(&it.service.name),
                fmt_num(it.open_hours, 1),
                fmt_num(it.booked_hours, 1),
                fmt_num(it.idle_hours, 1),
                if who_needs.is_empty() { "—".into() } else { who_needs.join("；") }
            ));
        }
        b.push_str("</tbody></table>");
        Ok(b)
    })
    .await;
    match res {
        Ok(Ok(b)) => html("下周共享安排", "/sharing", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn overview(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let key = format!("{p:?}");
    let res = blocking(move || {
        st2.derived_view_kept(
            &who,
            Perm::Read,
            "sharing",
            &key,
            move |st2, who| -> Result<String, ApiError> {
        who.require(Perm::Read)?;
        let mut b = String::from("<h1>开放共享</h1>");
        b.push_str(&flash(&p));
        b.push_str("<div class=\"actions\"><a class=\"btn\" href=\"/shared-services\">找共享服务</a><a class=\"btn secondary\" href=\"/sharing/bookings\">预约</a><a class=\"btn secondary\" href=\"/sharing/claims\">创新券申领</a>");
        if who.role == Role::Enterprise {
            b.push_str("<a class=\"btn secondary\" href=\"/sharing/outlook\">本单位下周共享安排</a>");
        }
        b.push_str("<a class=\"btn secondary\" href=\"/voucher-programmes\">创新券专项</a></div>");
        b.push_str("<form method=\"get\" action=\"/shared-services\" class=\"inline\"><label>按服务内容找 <input name=\"q\" placeholder=\"例如 稀土元素分析\" size=\"24\"></label><button type=\"submit\">查找</button></form>");
        if !who.may(Perm::Engines) {
            return Ok(b);
        }
        let (df, dt) = crate::api::sharing::default_period();
        let from = param(&p, "from").unwrap_or(&df).to_string();
        let to = param(&p, "to").unwrap_or(&dt).to_string();
        let f = st2.sharing_figures(who, &from, &to)?;
        let rate = if f.total_available > 0.0 { f.total_outside / f.total_available } else { 0.0 };
        b.push_str(&format!(
            "<form method=\"get\" class=\"inline\"><label>从 <input type=\"date\" name=\"from\" value=\"{}\"></label><label>到 <input type=\"date\" name=\"to\" value=\"{}\"></label><button type=\"submit\">统计</button></form>",
            escape(&f.from), escape(&f.to)
        ));
        b.push_str(&format!(
            "<div class=\"cards tight\"><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">共享服务</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">开放机时（小时）</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">外单位使用机时</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">共享率</span></div></div>",
            f.services.len(),
            fmt_num(f.total_available, 0),
            fmt_num(f.total_outside, 1),
            pct(rate)
        ));
        b.push_str("<p class=\"muted\">共享率 = 外单位（非本单位）已完成预约的实际机时 ÷ 开放时间表内的开放机时（扣除不开放日期）。</p>");
        let idle: f64 = f.next_week.iter().map(|x| x.idle_hours).sum();
        let open_next: f64 = f.next_week.iter().map(|x| x.open_hours).sum();
        b.push_str(&format!(
            "<h2>下周闲置机时</h2><p>下周开放 {} 小时，已约 {} 小时，闲置 <strong>{}</strong> 小时。闲置最多的服务：</p><table><thead><tr><th>服务</th><th>提供单位</th><th>开放</th><th>已约</th><th>闲置</th></tr></thead><tbody>",
            fmt_num(open_next, 0),
            fmt_num(open_next - idle, 1),
            fmt_num(idle, 1)
        ));
        for x in f.next_week.iter().take(10) {
            b.push_str(&format!(
                "<tr><td><a href=\"/shared-services/{}\">{}</a></td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
                enc(&x.id), escape(&x.name), escape(&x.owner_name), fmt_num(x.open_hours, 1), fmt_num(x.booked_hours, 1), fmt_num(x.idle_hours, 1)
            ));
        }
        b.push_str("</tbody></table>");
        b.push_str("<h2>提供单位开放度排名</h2><table><thead><tr><th>#</th><th>提供单位</th><th>服务</th><th>开放机时</th><th>外单位机时</th><th>共享率</th><th>预约响应率</th><th></th></tr></thead><tbody>");
        for (i, o) in f.owners.iter().enumerate() {
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td><a href=\"/sharing/outlook?owner={}\">下周安排</a></td></tr>",
                i + 1,
                escape(&o.owner_name),
                o.services,
                fmt_num(o.available_hours, 0),
                fmt_num(o.outside_hours, 1),
                pct(o.sharing_rate),
                pct(o.answered),
                enc(&o.owner)
            ));
        }
        b.push_str("</tbody></table>");
        b.push_str("<div class=\"grid2\"><div><h2>预约单位所在旗县区</h2><table><thead><tr><th>旗县区</th><th>预约</th><th>机时</th></tr></thead><tbody>");
        for g in &f.by_district {
            b.push_str(&format!("<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>", escape(&g.label), g.bookings, fmt_num(g.hours, 1)));
        }
        b.push_str("</tbody></table></div><div><h2>预约单位所属行业</h2><table><thead><tr><th>行业</th><th>预约</th><th>机时</th></tr></thead><tbody>");
        for g in f.by_industry.iter().take(15) {
            b.push_str(&format!("<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>", escape(&g.label), g.bookings, fmt_num(g.hours, 1)));
        }
        b.push_str("</tbody></table></div></div>");
        b.push_str("<h2>科技创新券</h2><table><thead><tr><th>专项</th><th>预算（元）</th><th>已核准</th><th>待审核</th><th>预算使用</th><th>每笔核准服务补贴</th></tr></thead><tbody>");
        for pr in &f.programmes {
            b.push_str(&format!(
                "<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
                escape(&pr.name),
                yuan(pr.budget_yuan),
                yuan(pr.approved),
                yuan(pr.submitted),
                pct(if pr.budget_yuan > 0.0 { pr.approved / pr.budget_yuan } else { 0.0 }),
                yuan(pr.per_result)
            ));
        }
        b.push_str("</tbody></table>");
        for pr in f.programmes.iter().filter(|p| !p.by_district.is_empty()) {
            b.push_str(&format!(
                "<h3>{} · 已核准资金按企业所在旗县区</h3><table><thead><tr><th>旗县区</th><th>核准笔数</th><th>金额（元）</th></tr></thead><tbody>",
                escape(&pr.name)
            ));
            for g in &pr.by_district {
                b.push_str(&format!(
                    "<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
                    escape(&g.label),
                    g.bookings,
                    yuan(g.amount)
                ));
            }
            b.push_str("</tbody></table>");
        }
        b.push_str("<h2>各服务共享率</h2><table><thead><tr><th>服务</th><th>提供单位</th><th>开放机时</th><th>外单位机时</th><th>共享率</th><th>预约次数</th></tr></thead><tbody>");
        for s in f.services.iter().take(50) {
            b.push_str(&format!(
                "<tr><td><a href=\"/shared-services/{}\">{}</a></td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
                enc(&s.id), escape(&s.name), escape(&s.owner_name), fmt_num(s.available_hours, 0), fmt_num(s.outside_hours, 1), pct(s.sharing_rate), s.bookings
            ));
        }
        b.push_str("</tbody></table>");
        Ok(b)
            },
        )
    })
    .await;
    match res {
        Ok(Ok(d)) => crate::pages::common::derived_html(
            "开放共享",
            "/sharing",
            &d,
            d.value().map(|b| b.as_str()),
            &st,
        ),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}
