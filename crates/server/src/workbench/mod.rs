//! Workbench pages of the engines that sit outside the registry pages: the funding picture and
//! duplicate review (一盘棋), and the shared-capacity plan view (聚合加工).

mod assessment;
mod capacity;
mod consortium;
mod deals;
mod demands;
mod funding;
mod policy;
mod search;
mod sharing;

pub use demands::detail_sections;

use crate::pages::{escape, frame};
use crate::AppState;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/funding", get(funding::overview))
        .route("/funding/duplicates", get(funding::duplicates))
        .route("/funding/duplicates/{a}/{b}", get(funding::pair))
        .route(
            "/funding/duplicates/{a}/{b}/decision",
            post(funding::decide),
        )
        .route(
            "/funding/check",
            get(funding::check_form).post(funding::check_submit),
        )
        .route(
            "/assessment",
            get(assessment::rounds).post(assessment::create),
        )
        .route("/assessment/compare", get(assessment::compare))
        .route(
            "/assessment/frameworks",
            get(assessment::frameworks).post(assessment::framework_save),
        )
        .route(
            "/assessment/frameworks/{id}/diff",
            get(assessment::framework_diff),
        )
        .route("/assessment/{id}", get(assessment::round))
        .route("/assessment/{id}/publish", post(assessment::publish))
        .route("/assessment/{id}/review", post(assessment::review))
        .route(
            "/assessment/{id}/platforms/{pid}",
            get(assessment::platform),
        )
        .route(
            "/assessment/{id}/platforms/{pid}/entries",
            post(assessment::submit),
        )
        .route(
            "/assessment/{id}/platforms/{pid}/evidence",
            post(assessment::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::assessment::EVIDENCE_BODY_LIMIT + 64 * 1024,
            )),
        )
        .route("/capacity", get(capacity::page).post(capacity::upload))
        .route("/capacity/template", get(capacity::template))
        .route("/demands/{id}/matches", get(demands::matches))
        .route("/demands/{id}/transition", post(demands::transition))
        .route("/achievements/{id}/adopters", get(demands::adopters))
        .route("/demand-funnel", get(demands::funnel))
        .route("/search", get(search::page))
        .route("/policy-rules", get(policy::index))
        .route("/policy-rules/{rule}", get(policy::rule_page))
        .route(
            "/policy-rules/{rule}/assessment",
            get(policy::assessment_page),
        )
        .route(
            "/policy-rules/{rule}/edit",
            get(policy::edit_form).post(policy::edit_save),
        )
        .route(
            "/organisations/{id}/policies",
            get(policy::org_page).post(policy::org_save),
        )
        .route("/deals", get(deals::overview))
        .route("/deals/brokers/{id}", get(deals::broker))
        .route("/deals/network", get(deals::network))
        .route("/deals/problems", get(deals::problems))
        .route("/consortia", get(consortium::index).post(consortium::save))
        .route("/consortia/new", get(consortium::new))
        .route("/consortia/{id}", get(consortium::view))
        .route("/sharing", get(sharing::overview))
        .route("/sharing/book", post(sharing::book))
        .route("/sharing/bookings", get(sharing::bookings))
        .route("/sharing/bookings/{id}", get(sharing::booking))
        .route("/sharing/bookings/{id}/action", post(sharing::act))
        .route("/sharing/claims", get(sharing::claims).post(sharing::claim))
        .route("/sharing/claims/{id}/decision", post(sharing::decide))
        .route("/sharing/outlook", get(sharing::outlook))
        .route(
            "/dictionaries",
            get(search::dictionaries_page).post(search::dictionaries_save),
        )
}

use crate::pages::common::html;
use crate::pages::common::{param, Params};

/// A path or query segment, percent-encoded.
fn enc(s: &str) -> String {
    crate::pages::layout::url_encode(s)
}

/// 303 to `to` (after a form's POST).
fn redirect(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, to)]).into_response()
}

/// The outcome of the last form, carried in `?error=` / `?ok=` (escaped).
fn flash(p: &Params) -> String {
    let mut b = String::new();
    if let Some(e) = param(p, "error") {
        b.push_str(&format!(
            "<p class=\"notice bad\" role=\"alert\">{}</p>",
            escape(e)
        ));
    }
    if let Some(m) = param(p, "ok") {
        b.push_str(&format!(
            "<p class=\"notice ok\" role=\"status\">{}</p>",
            escape(m)
        ));
    }
    b
}

fn error_page(status: StatusCode, message: &str, st: &AppState) -> Response {
    let body = format!(
        "<h1>无法显示</h1><p class=\"notice bad\">{}</p><p><a href=\"/\">返回首页</a></p>",
        escape(message)
    );
    (
        status,
        Html(frame("无法显示", "", &body, st.sample_label().as_deref())),
    )
        .into_response()
}

/// 万元 figures as the registry pages write them: thousands separators, one decimal.
fn wan(x: f64) -> String {
    crate::pages::common::fmt_num(x, 1)
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}
