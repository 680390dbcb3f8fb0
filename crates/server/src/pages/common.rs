//! Helpers every page handler shares: kind lookup, error pages, query parameters, store calls.

use super::layout::{escape, frame};
use crate::AppState;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use innomesh_core::EntityKind;

pub use crate::api::{param, Params};

/// A page that could not be shown, with its status and a Chinese explanation.
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
}

impl PageError {
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            title: "未找到".into(),
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            title: "请求有误".into(),
            message: message.into(),
        }
    }
    pub fn internal(message: impl std::fmt::Display) -> Self {
        eprintln!("页面内部错误：{message}");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "服务器错误".into(),
            message: "服务器处理时出错，请稍后重试；若反复出现请联系管理员。".into(),
        }
    }
}

impl From<innomesh_app::Error> for PageError {
    fn from(e: innomesh_app::Error) -> Self {
        let status = crate::error::status_of(e.code);
        if status.is_server_error() {
            PageError::internal(e.message)
        } else if status == StatusCode::NOT_FOUND {
            PageError::not_found(e.message)
        } else if status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED {
            PageError {
                status,
                title: "没有权限".into(),
                message: e.message,
            }
        } else {
            PageError::bad_request(e.message)
        }
    }
}

impl From<innomesh_store::StoreError> for PageError {
    fn from(e: innomesh_store::StoreError) -> Self {
        match e {
            innomesh_store::StoreError::NotFound { .. } => PageError::not_found(e.to_string()),
            innomesh_store::StoreError::Database(_) | innomesh_store::StoreError::DataKey(_) => {
                PageError::internal(e)
            }
            other => PageError::bad_request(other.to_string()),
        }
    }
}

impl From<crate::error::ApiError> for PageError {
    fn from(e: crate::error::ApiError) -> Self {
        innomesh_app::Error::new(e.code, e.message).into()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = format!(
            "<h1>{}</h1><p class=\"notice bad\">{}</p><p><a href=\"/\">返回首页</a></p>",
            escape(&self.title),
            escape(&self.message)
        );
        (self.status, Html(frame(&self.title, "", &body, None))).into_response()
    }
}

pub type PageResult = Result<Response, PageError>;

/// The kind named by a URL segment; unknown segments get the site's 404 (JSON under `/api`).
pub async fn kind_or_fallback(segment: &str, uri: &Uri) -> Result<EntityKind, Response> {
    match EntityKind::from_plural(segment) {
        Some(k) if segment == k.plural() => Ok(k),
        _ => Err(crate::api::fallback(uri.clone()).await),
    }
}

/// Runs store work off the async threads.
pub async fn run<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    crate::state::blocking(f).await?
}

/// A page over a derived view (`App::derived_view`): `body` when there is a value to show (with
/// the 「正在更新（基于 HH:MM 的数据）」 badge when it is a previous version's), else the 「正在准备」
/// notice; while not current the page reloads itself. Never an empty page that reads as "no
/// results".
pub fn derived_html<V>(
    title: &str,
    active: &str,
    d: &innomesh_app::views::Derived<V>,
    body: Option<&str>,
    st: &AppState,
) -> Response {
    let notice = d.notice().map(|n| {
        format!(
            "<p class=\"notice updating\" role=\"status\" data-derived=\"{}\">{}</p>",
            if body.is_some() {
                "updating"
            } else {
                "preparing"
            },
            escape(&n)
        )
    });
    let body = match (body, notice) {
        (Some(b), Some(n)) => format!("{n}{b}"),
        (Some(b), None) => b.to_string(),
        (None, Some(n)) => format!("<h1>{}</h1>{n}", escape(title)),
        (None, None) => format!("<h1>{}</h1>", escape(title)),
    };
    st.0.start_background();
    let mut page = frame(title, active, &body, st.sample_label().as_deref());
    if let Some(secs) = d.refresh_secs() {
        page = page.replacen(
            "<head>",
            &format!("<head><meta http-equiv=\"refresh\" content=\"{secs}\">"),
            1,
        );
    }
    Html(page).into_response()
}

pub fn html(title: &str, active: &str, body: &str, st: &AppState) -> Response {
    st.0.start_background();
    Html(frame(title, active, body, st.sample_label().as_deref())).into_response()
}

/// The navigation section a kind's pages belong to.
pub fn nav_of(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::ChainNode | EntityKind::GapAction | EntityKind::ChainMapping => "/chains",
        EntityKind::SupplyRelation => "/organisations",
        EntityKind::DemandResponse => "/demands",
        EntityKind::SharedService | EntityKind::VoucherProgramme => "/sharing",
        EntityKind::TechDeal => "/deals",
        k => match k.plural() {
            "organisations" => "/organisations",
            "platforms" => "/platforms",
            "people" => "/people",
            "achievements" => "/achievements",
            "equipment" => "/equipment",
            "demands" => "/demands",
            "applications" => "/applications",
            _ => "/policies",
        },
    }
}

/// Formats a number the way a Chinese report does: thousands separators, given decimals.
pub fn fmt_num(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (s.clone(), String::new()),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}{frac}", if x < 0.0 { "-" } else { "" })
}

/// A file download with a UTF-8 file name (RFC 5987), so Chinese names survive.
pub fn download(bytes: Vec<u8>, name: &str, mime: &str) -> Response {
    crate::api::transfer::attachment(bytes, name, mime)
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers() {
        assert_eq!(super::fmt_num(1234567.891, 1), "1,234,567.9");
        assert_eq!(super::fmt_num(-12.0, 0), "-12");
        assert_eq!(super::fmt_num(999.0, 0), "999");
    }
}
