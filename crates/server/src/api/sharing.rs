//! 开放共享 over HTTP: a service's calendar, bookings and their moves, innovation-voucher claims,
//! and the sharing figures. Every decision is the application core's.

use super::{body_bytes, given, param, query_params, Params, JSON_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use innomesh_app::sharing::BookingAction;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/shared-services/{id}/availability", get(availability))
        .route("/api/bookings", get(list).post(create))
        .route("/api/bookings/{id}", get(read))
        .route("/api/bookings/{id}/action", post(act))
        .route("/api/voucher-claims", get(claims).post(claim))
        .route("/api/voucher-claims/{id}/decision", post(decide))
        .route("/api/sharing/figures", get(figures))
        .route("/api/sharing/owners/{code}/outlook", get(outlook))
}

fn is_iso_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// A date parameter: absent is `None` (the default applies); given, it must be `YYYY-MM-DD`.
fn date_param(p: &Params, key: &str) -> Result<Option<String>, ApiError> {
    match given(p, key) {
        None => Ok(None),
        Some(v) if !is_iso_date(v) => Err(ApiError::new(
            Code::InvalidQuery,
            format!("{key}「{v}」应为日期，写成 YYYY-MM-DD，例如 2026-12-08"),
        )),
        Some(v) => innomesh_core::sharing::parse_day(v)
            .map(|d| Some(innomesh_core::sharing::date_text(d)))
            .map_err(|e| {
                ApiError::new(
                    Code::InvalidQuery,
                    format!("{key}「{v}」不是日期（YYYY-MM-DD）：{e}"),
                )
            }),
    }
}

/// A JSON object body of type `T`, or a `bad_json` error saying what was expected.
fn object<T: for<'de> Deserialize<'de>>(
    body: Result<Bytes, BytesRejection>,
    expected: &str,
) -> Result<T, ApiError> {
    let body = body_bytes(body, JSON_LIMIT)?;
    let value = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
        .unwrap_or(Value::Null);
    serde_json::from_value(value)
        .map_err(|e| ApiError::new(Code::BadJson, format!("请求体应为 {expected}：{e}")))
}

async fn availability(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let p = query_params(q)?;
    let from = date_param(&p, "from")?;
    let days = match given(&p, "days") {
        Some(d) => d
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=62).contains(d))
            .ok_or_else(|| ApiError::new(Code::InvalidQuery, "days 应为 1–62 的整数"))?,
        None => 14,
    };
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(json!(st.availability(&who, &id, from.as_deref(), days)?))
    })
    .await??;
    Ok(Json(v))
}

async fn list(
    State(st): State<AppState>,
    Who(who): Who,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let p = query_params(q)?;
    let service = param(&p, "service").map(str::to_string);
    let status = param(&p, "status").map(str::to_string);
    if let Some(s) = &status {
        if !innomesh_store::sharing::STATUSES.contains(&s.as_str()) {
            return Err(ApiError::new(
                Code::InvalidQuery,
                format!(
                    "status「{s}」无效，可选：{}",
                    innomesh_store::sharing::STATUSES.join("、")
                ),
            ));
        }
    }
    let v = blocking(move || -> Result<Value, ApiError> {
        let rows = st.bookings(&who, service.as_deref(), status.as_deref())?;
        Ok(json!({"total": rows.len(), "bookings": rows}))
    })
    .await??;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBooking {
    service: String,
    start: String,
    end: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    requester: Option<String>,
}

async fn create(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let b: NewBooking = object(
        body,
        "{\"service\": 服务编号, \"start\": \"2026-12-08 09:00\", \"end\": \"2026-12-08 12:00\", \"note\": 说明}",
    )?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let v = st.request_booking(
            &who,
            &b.service,
            b.requester.as_deref(),
            &b.start,
            &b.end,
            &b.note,
        )?;
        Ok(json!(v))
    })
    .await??;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn read(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let b = st.booking(&who, &id)?;
        let h = st.booking_history(&who, &id)?;
        Ok(json!({"booking": b, "history": h}))
    })
    .await??;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    action: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    hours: Option<f64>,
    #[serde(default)]
    result: String,
}

/// The action of a body, or an `invalid_field` error naming the choices.
pub fn action_of(
    action: &str,
    start: String,
    end: String,
    reason: String,
    hours: Option<f64>,
    result: String,
) -> Result<BookingAction, ApiError> {
    Ok(match action {
        "confirm" => BookingAction::Confirm,
        "propose" => BookingAction::Propose {
            start,
            end,
            note: reason,
        },
        "accept" => BookingAction::Accept,
        "decline" => BookingAction::Decline { reason },
        "cancel" => BookingAction::Cancel { reason },
        "no_show" => BookingAction::NoShow { note: reason },
        "complete" => BookingAction::Complete {
            hours: hours.ok_or_else(|| {
                ApiError::new(Code::InvalidField, "登记完成须填写实际机时 hours")
            })?,
            result,
        },
        other => {
            return Err(ApiError::new(
                Code::InvalidField,
                format!(
                    "action「{other}」无效，可选：confirm（确认）、propose（建议改期）、accept（接受改期）、decline（拒绝）、cancel（取消）、no_show（爽约）、complete（登记完成）"
                ),
            ))
        }
    })
}

async fn act(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let b: ActionBody = object(
        body,
        "{\"action\": \"confirm|propose|accept|decline|cancel|no_show|complete\", …}",
    )?;
    let action = action_of(&b.action, b.start, b.end, b.reason, b.hours, b.result)?;
    let v = blocking(move || -> Result<Value, ApiError> {
        let b = st.booking_act(&who, &id, action)?;
        let h = st.booking_history(&who, &id)?;
        Ok(json!({"booking": b, "history": h}))
    })
    .await??;
    Ok(Json(v))
}

async fn claims(State(st): State<AppState>, Who(who): Who) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || -> Result<Value, ApiError> {
        let c = st.voucher_claims(&who)?;
        Ok(json!({"total": c.len(), "claims": c}))
    })
    .await??;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewClaim {
    booking: String,
    programme: String,
}

async fn claim(
    State(st): State<AppState>,
    Who(who): Who,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let c: NewClaim = object(
        body,
        "{\"booking\": 预约编号, \"programme\": 创新券专项编号}",
    )?;
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(json!(st.claim_voucher(&who, &c.booking, &c.programme)?))
    })
    .await??;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    approve: bool,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let d: Decision = object(body, "{\"approve\": true 或 false, \"reason\": 理由}")?;
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(json!(st.decide_claim(&who, &id, d.approve, &d.reason)?))
    })
    .await??;
    Ok(Json(v))
}

/// The default period of the figures: the last 90 days and the next 7.
pub fn default_period() -> (String, String) {
    let now = innomesh_app::sharing::local_now().date;
    let from = now.checked_sub(time::Duration::days(90)).unwrap_or(now);
    let to = now.checked_add(time::Duration::days(7)).unwrap_or(now);
    (
        innomesh_core::sharing::date_text(from),
        innomesh_core::sharing::date_text(to),
    )
}

async fn figures(
    State(st): State<AppState>,
    Who(who): Who,
    q: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let p = query_params(q)?;
    let (df, dt) = default_period();
    let from = date_param(&p, "from")?.unwrap_or(df);
    let to = date_param(&p, "to")?.unwrap_or(dt);
    let v = blocking(move || -> Result<Value, ApiError> {
        Ok(json!(st.sharing_figures(&who, &from, &to)?))
    })
    .await??;
    Ok(Json(v))
}

async fn outlook(
    State(st): State<AppState>,
    Who(who): Who,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let v =
        blocking(move || -> Result<Value, ApiError> { Ok(json!(st.owner_outlook(&who, &code)?)) })
            .await??;
    Ok(Json(v))
}
