//! 开放共享 in the store: bookings of shared services (no two live bookings of one service
//! overlap — enforced by the database) and innovation-voucher claims (one live claim per booking,
//! whatever the programme — enforced by a unique index). What a booking or a claim may become is
//! decided by the application core; the store applies a change only from the status the caller
//! read (compare and set), so two people acting at once cannot both win.

use crate::{Actor, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Booking {
    pub id: String,
    pub service_id: String,
    /// Credit code of the service's owner.
    pub owner: String,
    /// Credit code of the unit that books.
    pub requester: String,
    /// `YYYY-MM-DD HH:MM`, local time.
    pub start: String,
    pub end: String,
    pub status: String,
    pub hours_used: Option<f64>,
    /// 元, computed at completion from the fee schedule.
    pub fee: Option<f64>,
    pub result: String,
    pub note: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BookingEvent {
    pub seq: i64,
    pub booking_id: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub note: String,
    pub at: String,
}

/// What a booking change sets (fields left `None` keep their value).
#[derive(Debug, Clone, Default)]
pub struct BookingChange {
    pub status: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub hours_used: Option<f64>,
    pub fee: Option<f64>,
    pub result: Option<String>,
    /// Why (shown in the history).
    pub note: String,
}

#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    pub service: Option<String>,
    pub owner: Option<String>,
    pub requester: Option<String>,
    /// Bookings ending after this moment…
    pub from: Option<String>,
    /// …and starting before this one.
    pub to: Option<String>,
    pub statuses: Vec<String>,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VoucherClaim {
    pub id: String,
    pub booking_id: String,
    pub programme_id: String,
    pub enterprise: String,
    /// The booking's fee, 元.
    pub fee: f64,
    /// What the programme pays, 元.
    pub amount: f64,
    /// submitted / approved / rejected.
    pub status: String,
    pub reason: String,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub programme: Option<String>,
    pub enterprise: Option<String>,
    pub booking: Option<String>,
    pub status: Option<String>,
}

/// The statuses in which a booking holds its slot.
pub const LIVE_BOOKING: &[&str] = &["requested", "proposed", "confirmed", "completed", "no_show"];

pub trait SharingStore: Send + Sync {
    /// Inserts a booking (its id is assigned, `BK000001`…); a slot already held is a `Conflict`.
    fn booking_insert(&self, booking: &Booking, actor: &Actor) -> Result<Booking, StoreError>;
    fn booking_get(&self, id: &str) -> Result<Option<Booking>, StoreError>;
    fn bookings(&self, filter: &BookingFilter) -> Result<Vec<Booking>, StoreError>;
    /// Applies `change` if the booking is still in one of `from` (else a `Rule` error naming the
    /// status it is in); a slot taken meanwhile is a `Conflict`. History and audit in the same
    /// transaction.
    fn booking_update(
        &self,
        id: &str,
        from: &[&str],
        change: &BookingChange,
        actor: &Actor,
    ) -> Result<Booking, StoreError>;
    fn booking_events(&self, id: &str) -> Result<Vec<BookingEvent>, StoreError>;
    /// Inserts a claim (`VC000001`…); a booking with a live claim already is a `Conflict` naming
    /// that claim.
    fn claim_insert(&self, claim: &VoucherClaim, actor: &Actor)
        -> Result<VoucherClaim, StoreError>;
    fn claim_get(&self, id: &str) -> Result<Option<VoucherClaim>, StoreError>;
    fn claims(&self, filter: &ClaimFilter) -> Result<Vec<VoucherClaim>, StoreError>;
    /// Approves or rejects a submitted claim (compare and set on `submitted`).
    fn claim_decide(
        &self,
        id: &str,
        approve: bool,
        reason: &str,
        actor: &Actor,
    ) -> Result<VoucherClaim, StoreError>;
}

/// The Chinese name of a booking status.
pub fn status_label(code: &str) -> &'static str {
    match code {
        "requested" => "待确认",
        "proposed" => "待预约方确认改期",
        "confirmed" => "已确认",
        "declined" => "已拒绝",
        "cancelled" => "已取消",
        "no_show" => "爽约",
        "completed" => "已完成",
        _ => "未知状态",
    }
}

/// The Chinese name of a claim status.
pub fn claim_status_label(code: &str) -> &'static str {
    match code {
        "submitted" => "待审核",
        "approved" => "已核准",
        "rejected" => "已驳回",
        _ => "未知状态",
    }
}

/// Every booking status code.
pub const STATUSES: &[&str] = &[
    "requested",
    "proposed",
    "confirmed",
    "declined",
    "cancelled",
    "no_show",
    "completed",
];
