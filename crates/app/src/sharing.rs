//! 开放共享: booking shared services, innovation-voucher claims (先用后补), and the figures that
//! drive sharing. Every rule on who may do what is decided here; the store keeps the two
//! invariants no code path may break (no double booking, one live claim per booking).

use crate::auth::{Perm, Principal, Role};
use crate::{App, Code, Error, Result};
use innomesh_core::model::{OrgKind, Organisation, SharedService, VoucherProgramme};
use innomesh_core::sharing::{
    check_slot, date_text, free_windows, open_hours_between, weekday_label, Moment, OpenHours,
};
use innomesh_core::{EntityKind, Labelled, Record};
use innomesh_store::sharing::{
    status_label, Booking, BookingChange, BookingFilter, ClaimFilter, VoucherClaim, LIVE_BOOKING,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Local (北京时间) date and minute of now.
pub fn local_now() -> Moment {
    let secs = innomesh_store::unix_now() + 8 * 3600;
    let days = secs.div_euclid(86_400);
    let minute = (secs.rem_euclid(86_400) / 60) as u16;
    let epoch =
        time::Date::from_calendar_date(1970, time::Month::January, 1).unwrap_or(time::Date::MIN);
    let date = epoch
        .checked_add(time::Duration::days(days))
        .unwrap_or(epoch);
    Moment { date, minute }
}

fn region_name(code: &str) -> String {
    innomesh_core::reference::regions()
        .resolve(code)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// Next week, Monday to Sunday.
fn next_week() -> (time::Date, time::Date) {
    let now = local_now().date;
    let wd = i64::from(now.weekday().number_days_from_monday());
    let monday = now.checked_add(time::Duration::days(7 - wd)).unwrap_or(now);
    let sunday = monday
        .checked_add(time::Duration::days(6))
        .unwrap_or(monday);
    (monday, sunday)
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(Code::InvalidField, msg)
}

fn rule(msg: impl Into<String>) -> Error {
    Error::new(Code::InvalidTransition, msg)
}

fn forbidden(msg: impl Into<String>) -> Error {
    Error::new(Code::Forbidden, msg)
}

/// A booking with the names a person reads.
#[derive(Debug, Clone, Serialize)]
pub struct BookingView {
    #[serde(flatten)]
    pub booking: Booking,
    pub status_label: &'static str,
    pub service_name: String,
    pub owner_name: String,
    pub requester_name: String,
    /// Hours booked (end − start).
    pub hours_booked: f64,
}

/// One day of a service's calendar: its free windows and its taken ones.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    pub date: String,
    pub weekday: &'static str,
    /// `09:00`–`12:00` pairs.
    pub free: Vec<(String, String)>,
    pub taken: Vec<(String, String)>,
    /// Why nothing is free when nothing is (closed date, not open that weekday, before lead time).
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Availability {
    pub service: SharedService,
    pub owner_name: String,
    pub days: Vec<Day>,
    /// The first day a booking may start (lead time).
    pub earliest: String,
}

/// What an owner does with a booking, or the requester with its own.
#[derive(Debug, Clone)]
pub enum BookingAction {
    /// Owner: accept the requested slot.
    Confirm,
    /// Owner: offer another slot instead.
    Propose {
        start: String,
        end: String,
        note: String,
    },
    /// Requester: accept the owner's other slot.
    Accept,
    /// Owner: refuse, with a reason.
    Decline { reason: String },
    /// Either side, before the start, with a reason.
    Cancel { reason: String },
    /// Owner, after the start: the requester did not come.
    NoShow { note: String },
    /// Owner, after the start: hours used and the result delivered.
    Complete { hours: f64, result: String },
}

fn hm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn hours_between(start: &str, end: &str) -> f64 {
    match (Moment::parse(start), Moment::parse(end)) {
        (Ok(a), Ok(b)) => {
            let days = (b.date - a.date).whole_days() as f64;
            days * 24.0 + (f64::from(b.minute) - f64::from(a.minute)) / 60.0
        }
        _ => 0.0,
    }
}

impl App {
    fn home_region(&self) -> String {
        self.repo
            .meta("home_region")
            .ok()
            .flatten()
            .unwrap_or_else(|| crate::chains::DEFAULT_HOME_REGION.to_string())
    }

    fn org(&self, code: &str) -> Option<Organisation> {
        match self.repo.get(EntityKind::Organisation, code) {
            Ok(Some(Record::Organisation(o))) => Some(o),
            _ => None,
        }
    }

    fn org_name(&self, code: &str) -> String {
        self.org(code)
            .map(|o| o.name)
            .unwrap_or_else(|| code.to_string())
    }

    fn shared_service(&self, who: &Principal, id: &str) -> Result<SharedService> {
        match self.fetch(who, EntityKind::SharedService, id)? {
            Record::SharedService(s) => Ok(s),
            _ => Err(crate::auth::scope::not_found(EntityKind::SharedService, id)),
        }
    }

    fn service_any(&self, id: &str) -> Result<SharedService> {
        match self.repo.get(EntityKind::SharedService, id)? {
            Some(Record::SharedService(s)) => Ok(s),
            _ => Err(crate::auth::scope::not_found(EntityKind::SharedService, id)),
        }
    }

    fn booking_view(&self, b: Booking) -> BookingView {
        let service_name = self
            .service_any(&b.service_id)
            .map(|s| s.name)
            .unwrap_or_else(|_| b.service_id.clone());
        BookingView {
            status_label: status_label(&b.status),
            owner_name: self.org_name(&b.owner),
            requester_name: self.org_name(&b.requester),
            hours_booked: hours_between(&b.start, &b.end),
            service_name,
            booking: b,
        }
    }

    /// Whether `who` is a party to the booking or oversees it (staff of the city, of the service's
    /// district, the auditor).
    fn sees_booking(&self, who: &Principal, b: &Booking) -> Result<bool> {
        Ok(match who.role {
            Role::Local | Role::CityStaff | Role::Auditor => true,
            Role::Enterprise => who.scope == b.owner || who.scope == b.requester,
            Role::DistrictStaff => {
                self.get(who, EntityKind::SharedService, &b.service_id)?
                    .is_some()
                    || self
                        .get(who, EntityKind::Organisation, &b.requester)?
                        .is_some()
            }
            _ => false,
        })
    }

    /// The free and taken time of a service over `days` days from `from` (default: today).
    pub fn availability(
        &self,
        who: &Principal,
        service_id: &str,
        from: Option<&str>,
        days: u32,
    ) -> Result<Availability> {
        let service = self.shared_service(who, service_id)?;
        let hours = OpenHours::parse(&service.open_hours).map_err(invalid)?;
        let now = local_now();
        let start = match from {
            Some(f) if !f.trim().is_empty() => innomesh_core::sharing::parse_day(f)
                .map_err(|e| Error::new(Code::InvalidQuery, e))?,
            _ => now.date,
        };
        let days = days.clamp(1, 62);
        let earliest = now
            .date
            .checked_add(time::Duration::days(i64::from(
                service.lead_days.unwrap_or(0),
            )))
            .unwrap_or(now.date);
        let end = start
            .checked_add(time::Duration::days(i64::from(days)))
            .unwrap_or(start);
        let taken = self.repo.bookings(&BookingFilter {
            service: Some(service.id.clone()),
            from: Some(format!("{} 00:00", date_text(start))),
            to: Some(format!("{} 00:00", date_text(end))),
            statuses: LIVE_BOOKING.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })?;
        let mut out = Vec::new();
        let mut d = start;
        while d < end {
            let day = date_text(d);
            let mut taken_today: Vec<(u16, u16)> = Vec::new();
            for b in &taken {
                if let (Ok(a), Ok(z)) = (Moment::parse(&b.start), Moment::parse(&b.end)) {
                    if a.date == d {
                        taken_today.push((a.minute, if z.date == d { z.minute } else { 1440 }));
                    }
                }
            }
            taken_today.sort();
            let mut free = free_windows(&hours, &service.closed_dates, d, &taken_today);
            let mut note = String::new();
            if d < earliest {
                free.clear();
                note = format!("须提前 {} 天预约", service.lead_days.unwrap_or(0));
            } else if d == now.date {
                free = free
                    .into_iter()
                    .filter_map(|(a, b)| {
                        (b > now.minute).then_some((a.max(now.minute.div_ceil(30) * 30), b))
                    })
                    .filter(|(a, b)| a < b)
                    .collect();
            }
            if free.is_empty() && note.is_empty() {
                note = if service.closed_dates.iter().any(|c| c.trim() == day) {
                    "不开放（休息或检修）".into()
                } else if hours
                    .windows_on(d.weekday().number_days_from_monday())
                    .is_empty()
                {
                    "不开放".into()
                } else if d == now.date {
                    "今天已无空闲时段".into()
                } else {
                    "已约满".into()
                };
            }
            out.push(Day {
                date: day,
                weekday: weekday_label(d),
                free: free.iter().map(|(a, b)| (hm(*a), hm(*b))).collect(),
                taken: taken_today.iter().map(|(a, b)| (hm(*a), hm(*b))).collect(),
                note,
            });
            d = match d.next_day() {
                Some(n) => n,
                None => break,
            };
        }
        Ok(Availability {
            owner_name: self.org_name(service.owner.as_str()),
            earliest: date_text(earliest),
            service,
            days: out,
        })
    }

    /// Requests a slot of a service. An enterprise books for itself; city staff (or the command
    /// line) book for `requester`. The slot must lie in the opening hours, respect the lead time,
    /// and not be held by another booking (the store refuses a double booking).
    pub fn request_booking(
        &self,
        who: &Principal,
        service_id: &str,
        requester: Option<&str>,
        start: &str,
        end: &str,
        note: &str,
    ) -> Result<BookingView> {
        who.require(Perm::Write)?;
        let requester = match who.role {
            Role::Enterprise => who.scope.clone(),
            Role::Local | Role::CityStaff => requester
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .ok_or_else(|| invalid("代为预约时须填写预约单位的统一社会信用代码"))?
                .to_string(),
            _ => {
                return Err(forbidden(format!(
                    "当前账号（{}）不能预约共享服务：请用单位账号预约",
                    who.role.label()
                )))
            }
        };
        let requester = innomesh_core::codes::CreditCode::parse(&requester)
            .map_err(|e| invalid(format!("预约单位：{e}")))?
            .as_str()
            .to_string();
        if self.org(&requester).is_none() {
            return Err(Error::new(
                Code::UnknownReference,
                format!("预约单位「{requester}」不在登记库中"),
            ));
        }
        let service = self.shared_service(who, service_id)?;
        let (a, z) = self.check_requested_slot(&service, start, end)?;
        let b = Booking {
            id: String::new(),
            service_id: service.id.clone(),
            owner: service.owner.as_str().to_string(),
            requester,
            start: a.text(),
            end: z.text(),
            status: "requested".into(),
            hours_used: None,
            fee: None,
            result: String::new(),
            note: note.trim().chars().take(500).collect(),
            created_at: String::new(),
            updated_at: String::new(),
        };
        let b = self.repo.booking_insert(&b, &who.actor())?;
        Ok(self.booking_view(b))
    }

    fn check_requested_slot(
        &self,
        service: &SharedService,
        start: &str,
        end: &str,
    ) -> Result<(Moment, Moment)> {
        let a = Moment::parse(start).map_err(|e| invalid(format!("开始时间：{e}")))?;
        let z = Moment::parse(end).map_err(|e| invalid(format!("结束时间：{e}")))?;
        let hours = OpenHours::parse(&service.open_hours).map_err(invalid)?;
        check_slot(&hours, &service.closed_dates, a, z).map_err(invalid)?;
        let now = local_now();
        if a < now {
            return Err(invalid("不能预约已经过去的时段"));
        }
        let lead = i64::from(service.lead_days.unwrap_or(0));
        if (a.date - now.date).whole_days() < lead {
            return Err(invalid(format!(
                "「{}」须提前 {lead} 天预约：最早可约 {}",
                service.name,
                date_text(
                    now.date
                        .checked_add(time::Duration::days(lead))
                        .unwrap_or(now.date)
                )
            )));
        }
        Ok((a, z))
    }

    /// One booking the caller is party to or oversees.
    pub fn booking(&self, who: &Principal, id: &str) -> Result<BookingView> {
        who.require(Perm::Read)?;
        let b = self
            .repo
            .booking_get(id)?
            .filter(|b| self.sees_booking(who, b).unwrap_or(false))
            .ok_or_else(|| Error::new(Code::NotFound, format!("未找到预约「{id}」")))?;
        Ok(self.booking_view(b))
    }

    /// A booking's history (who moved it, when, why).
    pub fn booking_history(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Vec<innomesh_store::sharing::BookingEvent>> {
        self.booking(who, id)?;
        Ok(self.repo.booking_events(id)?)
    }

    /// The bookings the caller sees: an enterprise its own (as requester and as owner), staff
    /// all or their district's; narrowed by `service` and `status`.
    pub fn bookings(
        &self,
        who: &Principal,
        service: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<BookingView>> {
        who.require(Perm::Read)?;
        let base = BookingFilter {
            service: service.map(str::to_string),
            statuses: status.map(|s| vec![s.to_string()]).unwrap_or_default(),
            limit: 2_000,
            ..Default::default()
        };
        let mut rows = match who.role {
            Role::Enterprise => {
                let mut mine = self.repo.bookings(&BookingFilter {
                    requester: Some(who.scope.clone()),
                    ..base.clone()
                })?;
                for b in self.repo.bookings(&BookingFilter {
                    owner: Some(who.scope.clone()),
                    ..base
                })? {
                    if !mine.iter().any(|m| m.id == b.id) {
                        mine.push(b);
                    }
                }
                mine
            }
            Role::Local | Role::CityStaff | Role::Auditor | Role::DistrictStaff => {
                let all = self.repo.bookings(&base)?;
                let mut keep = Vec::with_capacity(all.len());
                for b in all {
                    if self.sees_booking(who, &b)? {
                        keep.push(b);
                    }
                }
                keep
            }
            _ => vec![],
        };
        rows.sort_by(|a, b| b.start.cmp(&a.start).then(b.id.cmp(&a.id)));
        Ok(rows.into_iter().map(|b| self.booking_view(b)).collect())
    }

    /// Moves a booking: the owner confirms, proposes, declines, records a no-show or the hours
    /// used; the requester accepts a proposal; either cancels before the start.
    pub fn booking_act(
        &self,
        who: &Principal,
        id: &str,
        action: BookingAction,
    ) -> Result<BookingView> {
        who.require(Perm::Write)?;
        let b = self.booking(who, id)?.booking;
        let staff = matches!(who.role, Role::Local | Role::CityStaff);
        let is_owner = staff || (who.role == Role::Enterprise && who.scope == b.owner);
        let is_requester = staff || (who.role == Role::Enterprise && who.scope == b.requester);
        let need = |ok: bool, whom: &str| -> Result<()> {
            if ok {
                Ok(())
            } else {
                Err(forbidden(format!("只有{whom}可以进行此操作")))
            }
        };
        let now = local_now();
        let started = Moment::parse(&b.start).map(|s| s <= now).unwrap_or(false);
        let (from, change): (&[&str], BookingChange) = match action {
            BookingAction::Confirm => {
                need(is_owner, "服务提供单位")?;
                (
                    &["requested"],
                    BookingChange {
                        status: "confirmed".into(),
                        note: "提供单位确认".into(),
                        ..Default::default()
                    },
                )
            }
            BookingAction::Propose { start, end, note } => {
                need(is_owner, "服务提供单位")?;
                let service = self.service_any(&b.service_id)?;
                let (a, z) = self.check_requested_slot(&service, &start, &end)?;
                (
                    &["requested"],
                    BookingChange {
                        status: "proposed".into(),
                        start: Some(a.text()),
                        end: Some(z.text()),
                        note: format!(
                            "提供单位建议改为 {} 至 {}。{}",
                            a.text(),
                            z.text(),
                            note.trim()
                        ),
                        ..Default::default()
                    },
                )
            }
            BookingAction::Accept => {
                need(is_requester, "预约单位")?;
                (
                    &["proposed"],
                    BookingChange {
                        status: "confirmed".into(),
                        note: "预约单位接受改期".into(),
                        ..Default::default()
                    },
                )
            }
            BookingAction::Decline { reason } => {
                need(is_owner, "服务提供单位")?;
                if reason.trim().is_empty() {
                    return Err(invalid("拒绝预约须填写原因"));
                }
                (
                    &["requested", "proposed"],
                    BookingChange {
                        status: "declined".into(),
                        note: reason.trim().to_string(),
                        ..Default::default()
                    },
                )
            }
            BookingAction::Cancel { reason } => {
                need(is_owner || is_requester, "预约双方")?;
                if reason.trim().is_empty() {
                    return Err(invalid("取消预约须填写原因"));
                }
                if started {
                    return Err(rule(
                        "预约时段已开始，不能取消：请由提供单位登记爽约或实际机时",
                    ));
                }
                (
                    &["requested", "proposed", "confirmed"],
                    BookingChange {
                        status: "cancelled".into(),
                        note: reason.trim().to_string(),
                        ..Default::default()
                    },
                )
            }
            BookingAction::NoShow { note } => {
                need(is_owner, "服务提供单位")?;
                if !started {
                    return Err(rule("预约时段尚未开始，不能登记爽约"));
                }
                (
                    &["confirmed"],
                    BookingChange {
                        status: "no_show".into(),
                        note: if note.trim().is_empty() {
                            "预约单位未到".into()
                        } else {
                            note.trim().to_string()
                        },
                        ..Default::default()
                    },
                )
            }
            BookingAction::Complete { hours, result } => {
                // A testing service may deliver before the booked slot (the sample arrived
                // early): completion needs a confirmed booking, not a started one.
                need(is_owner, "服务提供单位")?;
                let booked = hours_between(&b.start, &b.end);
                if !(hours.is_finite() && hours > 0.0 && hours <= booked + 1e-9) {
                    return Err(invalid(format!(
                        "实际机时应大于 0 且不超过预约时长 {booked} 小时，实际填写 {hours}"
                    )));
                }
                if result.trim().is_empty() {
                    return Err(invalid("请填写交付结果（例如 检测报告编号）"));
                }
                let service = self.service_any(&b.service_id)?;
                let rate = self.fee_rate(&service, &b.requester);
                (
                    &["confirmed"],
                    BookingChange {
                        status: "completed".into(),
                        hours_used: Some(hours),
                        fee: Some((rate * hours * 100.0).round() / 100.0),
                        result: Some(result.trim().chars().take(500).collect()),
                        note: format!("实际机时 {hours} 小时"),
                        ..Default::default()
                    },
                )
            }
        };
        let b = self.repo.booking_update(id, from, &change, &who.actor())?;
        Ok(self.booking_view(b))
    }

    /// 元/小时 for this requester: the owner's own staff, a unit in the city, or one outside.
    fn fee_rate(&self, service: &SharedService, requester: &str) -> f64 {
        if requester == service.owner.as_str() {
            return service.fee_internal.or(service.fee_local).unwrap_or(0.0);
        }
        let local = self
            .org(requester)
            .is_some_and(|o| o.region.as_str().starts_with(&self.home_region()));
        if local {
            service.fee_local.or(service.fee_outside).unwrap_or(0.0)
        } else {
            service.fee_outside.or(service.fee_local).unwrap_or(0.0)
        }
    }

    fn programme(&self, id: &str) -> Result<VoucherProgramme> {
        match self.repo.get(EntityKind::VoucherProgramme, id)? {
            Some(Record::VoucherProgramme(p)) => Ok(p),
            _ => Err(crate::auth::scope::not_found(
                EntityKind::VoucherProgramme,
                id,
            )),
        }
    }

    /// Why an enterprise is not eligible for a programme (empty: eligible).
    pub fn voucher_ineligibility(
        &self,
        p: &VoucherProgramme,
        org: &Organisation,
        service: &SharedService,
    ) -> Vec<String> {
        let mut why = Vec::new();
        if org.kind != OrgKind::Enterprise {
            why.push(format!(
                "创新券只发给企业，「{}」是{}",
                org.name,
                org.kind.label()
            ));
        }
        if let Some(r) = &p.region {
            let prefix = innomesh_core::reference::regions()
                .resolve(r.as_str())
                .map(|x| innomesh_core::reference::Regions::descendant_prefix(x).to_string())
                .unwrap_or_else(|| r.as_str().to_string());
            if !org.region.as_str().starts_with(&prefix) {
                why.push(format!(
                    "仅限 {} 的企业，「{}」注册在 {}",
                    region_name(r.as_str()),
                    org.name,
                    region_name(org.region.as_str())
                ));
            }
        }
        if let Some(max) = p.max_employees {
            match org.employees {
                Some(n) if n > max => why.push(format!("从业人员 {n} 人，超过上限 {max} 人")),
                None => why.push("登记库缺少从业人员数，请先补充".into()),
                _ => {}
            }
        }
        if let Some(max) = p.max_revenue {
            match org.revenue {
                Some(v) if v > max => why.push(format!("营业收入 {v} 万元，超过上限 {max} 万元")),
                None => why.push("登记库缺少营业收入，请先补充".into()),
                _ => {}
            }
        }
        if !p.service_types.is_empty()
            && !p
                .service_types
                .iter()
                .any(|t| t == service.service_type.code() || t == service.service_type.label())
        {
            why.push(format!(
                "本专项不支持「{}」类服务",
                service.service_type.label()
            ));
        }
        if org.credit_code == service.owner {
            why.push("使用本单位自己的仪器不能申领创新券".into());
        }
        why
    }

    /// Claims an innovation voucher for a completed booking: the programme's share of the fee,
    /// within the enterprise's yearly cap and the programme's remaining budget. Refused with the
    /// reason when the booking was already claimed (under any programme), when the enterprise is
    /// not eligible, or when nothing is left to pay.
    pub fn claim_voucher(
        &self,
        who: &Principal,
        booking_id: &str,
        programme_id: &str,
    ) -> Result<VoucherClaim> {
        who.require(Perm::Write)?;
        let b = self.booking(who, booking_id)?.booking;
        let staff = matches!(who.role, Role::Local | Role::CityStaff);
        if !(staff || (who.role == Role::Enterprise && who.scope == b.requester)) {
            return Err(forbidden("只有预约单位可以申领创新券"));
        }
        if b.status != "completed" {
            return Err(rule(format!(
                "预约 {booking_id} 当前为「{}」：服务完成并登记实际机时后才能申领创新券",
                status_label(&b.status)
            )));
        }
        let fee = b.fee.unwrap_or(0.0);
        if fee <= 0.0 {
            return Err(rule("该次服务没有收费，无需申领创新券"));
        }
        if let Some(c) = self
            .repo
            .claims(&ClaimFilter {
                booking: Some(booking_id.to_string()),
                ..Default::default()
            })?
            .into_iter()
            .find(|c| c.status != "rejected")
        {
            return Err(Error::new(
                Code::Conflict,
                format!(
                    "预约 {booking_id} 已在专项「{}」下申领过创新券（申领 {}，{}），同一次服务不能重复申领",
                    self.programme(&c.programme_id).map(|p| p.name).unwrap_or(c.programme_id.clone()),
                    c.id,
                    innomesh_store::sharing::claim_status_label(&c.status)
                ),
            ));
        }
        let p = self.programme(programme_id)?;
        let year: i32 = b.start.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        if year != p.year {
            return Err(rule(format!(
                "「{}」是 {} 年度专项，这次服务在 {year} 年",
                p.name, p.year
            )));
        }
        let org = self.org(&b.requester).ok_or_else(|| {
            Error::new(
                Code::UnknownReference,
                format!("预约单位「{}」不在登记库中", b.requester),
            )
        })?;
        let service = self.service_any(&b.service_id)?;
        let why = self.voucher_ineligibility(&p, &org, &service);
        if !why.is_empty() {
            return Err(rule(format!(
                "不符合「{}」的申领条件：{}",
                p.name,
                why.join("；")
            )));
        }
        let live = |f: ClaimFilter| -> Result<f64> {
            Ok(self
                .repo
                .claims(&f)?
                .iter()
                .filter(|c| c.status != "rejected")
                .map(|c| c.amount)
                .sum())
        };
        let used_by_firm = live(ClaimFilter {
            programme: Some(p.id.clone()),
            enterprise: Some(b.requester.clone()),
            ..Default::default()
        })?;
        let used_total = live(ClaimFilter {
            programme: Some(p.id.clone()),
            ..Default::default()
        })?;
        let cap_left = (p.cap_per_enterprise - used_by_firm).max(0.0);
        let budget_left = (p.budget * 10_000.0 - used_total).max(0.0);
        let amount = ((fee * p.share).min(cap_left).min(budget_left) * 100.0).round() / 100.0;
        if amount <= 0.0 {
            return Err(rule(if cap_left <= 0.0 {
                format!(
                    "「{}」已用完本企业年度上限 {} 元",
                    org.name, p.cap_per_enterprise
                )
            } else {
                format!("「{}」预算已用完", p.name)
            }));
        }
        let claim = VoucherClaim {
            id: String::new(),
            booking_id: b.id.clone(),
            programme_id: p.id.clone(),
            enterprise: b.requester.clone(),
            fee,
            amount,
            status: "submitted".into(),
            reason: String::new(),
            created_at: String::new(),
            decided_at: None,
            decided_by: None,
        };
        Ok(self.repo.claim_insert(&claim, &who.actor())?)
    }

    /// The bureau approves or rejects a claim (a rejection needs a reason).
    pub fn decide_claim(
        &self,
        who: &Principal,
        id: &str,
        approve: bool,
        reason: &str,
    ) -> Result<VoucherClaim> {
        who.require(Perm::Funding)?;
        who.require(Perm::Write)?;
        let c = self
            .repo
            .claim_get(id)?
            .ok_or_else(|| Error::new(Code::NotFound, format!("未找到创新券申领「{id}」")))?;
        if who.role == Role::DepartmentStaff {
            let p = self.programme(&c.programme_id)?;
            if p.department.trim() != who.scope.trim() {
                return Err(Error::new(
                    Code::NotFound,
                    format!("未找到创新券申领「{id}」"),
                ));
            }
        }
        if !approve && reason.trim().is_empty() {
            return Err(invalid("驳回须填写理由"));
        }
        Ok(self
            .repo
            .claim_decide(id, approve, reason.trim(), &who.actor())?)
    }

    /// Claims the caller sees: an enterprise its own; staff with funding rights all.
    pub fn voucher_claims(&self, who: &Principal) -> Result<Vec<ClaimView>> {
        who.require(Perm::Read)?;
        let filter = match who.role {
            Role::Enterprise => ClaimFilter {
                enterprise: Some(who.scope.clone()),
                ..Default::default()
            },
            _ if who.may(Perm::Funding) => ClaimFilter::default(),
            _ => return Ok(vec![]),
        };
        let mut programmes: HashMap<String, String> = HashMap::new();
        let mut out = Vec::new();
        for c in self.repo.claims(&filter)? {
            let pname = programmes
                .entry(c.programme_id.clone())
                .or_insert_with(|| {
                    self.programme(&c.programme_id)
                        .map(|p| p.name)
                        .unwrap_or_else(|_| c.programme_id.clone())
                })
                .clone();
            out.push(ClaimView {
                status_label: innomesh_store::sharing::claim_status_label(&c.status),
                programme_name: pname,
                enterprise_name: self.org_name(&c.enterprise),
                claim: c,
            });
        }
        out.reverse();
        Ok(out)
    }

    /// The figures that drive sharing, over `from`..=`to` (dates): sharing rate per service and
    /// owner, idle capacity next week, bookings by district and industry, voucher money.
    pub fn sharing_figures(&self, who: &Principal, from: &str, to: &str) -> Result<SharingFigures> {
        who.require(Perm::Engines)?;
        let from_d = innomesh_core::sharing::parse_day(from)
            .map_err(|e| Error::new(Code::InvalidQuery, format!("起始日期：{e}")))?;
        let to_d = innomesh_core::sharing::parse_day(to)
            .map_err(|e| Error::new(Code::InvalidQuery, format!("截止日期：{e}")))?;
        if to_d < from_d {
            return Err(Error::new(Code::InvalidQuery, "截止日期早于起始日期"));
        }
        let services: Vec<SharedService> = self
            .repo
            .all(EntityKind::SharedService)?
            .into_iter()
            .filter_map(|r| match r {
                Record::SharedService(s) => Some(s),
                _ => None,
            })
            .filter(|s| {
                self.allows(who, &Record::SharedService(s.clone()))
                    .unwrap_or(false)
            })
            .collect();
        let bookings = self.repo.bookings(&BookingFilter {
            from: Some(format!("{} 00:00", date_text(from_d))),
            to: Some(format!(
                "{} 00:00",
                date_text(to_d.next_day().unwrap_or(to_d))
            )),
            ..Default::default()
        })?;
        let mut f = figures(self, &services, &bookings, from_d, to_d);
        f.next_week = self.idle_next_week(&services)?;
        Ok(f)
    }

    /// Open, booked and idle hours of each service next week (Monday to Sunday).
    fn idle_next_week(&self, services: &[SharedService]) -> Result<Vec<IdleFigure>> {
        let (monday, sunday) = next_week();
        let booked = self.repo.bookings(&BookingFilter {
            from: Some(format!("{} 00:00", date_text(monday))),
            to: Some(format!(
                "{} 00:00",
                date_text(sunday.next_day().unwrap_or(sunday))
            )),
            statuses: LIVE_BOOKING.iter().map(|x| x.to_string()).collect(),
            ..Default::default()
        })?;
        let mut by_service: HashMap<&str, f64> = HashMap::new();
        for b in &booked {
            *by_service.entry(b.service_id.as_str()).or_default() +=
                hours_between(&b.start, &b.end);
        }
        let mut out: Vec<IdleFigure> = services
            .iter()
            .filter_map(|s| {
                let hours = OpenHours::parse(&s.open_hours).ok()?;
                let open = open_hours_between(&hours, &s.closed_dates, monday, sunday);
                let booked = by_service.get(s.id.as_str()).copied().unwrap_or(0.0);
                Some(IdleFigure {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    owner_name: self.org_name(s.owner.as_str()),
                    open_hours: open,
                    booked_hours: booked,
                    idle_hours: (open - booked).max(0.0),
                })
            })
            .collect();
        out.sort_by(|a, b| b.idle_hours.total_cmp(&a.idle_hours).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// An owner's instruments that sit idle next week, and who is likely to need them: units that
    /// booked them before, and open demands that mention what they measure.
    pub fn owner_outlook(&self, who: &Principal, owner: &str) -> Result<OwnerOutlook> {
        who.require(Perm::Read)?;
        let allowed = match who.role {
            Role::Enterprise => who.scope == owner,
            _ => who.may(Perm::Engines),
        };
        if !allowed {
            return Err(forbidden("只能查看本单位的共享服务情况"));
        }
        let (monday, sunday) = next_week();
        let services: Vec<SharedService> = self
            .repo
            .list(&innomesh_store::ListQuery {
                per_page: 500,
                scope: Some(vec![innomesh_store::ScopeFilter::RefersTo {
                    kind: EntityKind::Organisation,
                    ids: vec![owner.to_string()],
                }]),
                ..innomesh_store::ListQuery::new(EntityKind::SharedService)
            })?
            .records
            .into_iter()
            .filter_map(|r| match r {
                Record::SharedService(s) => Some(s),
                _ => None,
            })
            .collect();
        let mut items = Vec::new();
        for s in services {
            let Ok(hours) = OpenHours::parse(&s.open_hours) else {
                continue;
            };
            let open = open_hours_between(&hours, &s.closed_dates, monday, sunday);
            let booked: f64 = self
                .repo
                .bookings(&BookingFilter {
                    service: Some(s.id.clone()),
                    from: Some(format!("{} 00:00", date_text(monday))),
                    to: Some(format!(
                        "{} 00:00",
                        date_text(sunday.next_day().unwrap_or(sunday))
                    )),
                    statuses: LIVE_BOOKING.iter().map(|x| x.to_string()).collect(),
                    ..Default::default()
                })?
                .iter()
                .map(|b| hours_between(&b.start, &b.end))
                .sum();
            let mut past: BTreeMap<String, usize> = BTreeMap::new();
            for b in self.repo.bookings(&BookingFilter {
                service: Some(s.id.clone()),
                statuses: vec!["completed".into(), "confirmed".into()],
                ..Default::default()
            })? {
                if b.requester != owner {
                    *past.entry(b.requester).or_default() += 1;
                }
            }
            let mut past: Vec<(String, usize)> = past.into_iter().collect();
            past.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let past_users = past
                .into_iter()
                .take(5)
                .map(|(code, n)| LikelyUser {
                    name: self.org_name(&code),
                    code,
                    why: format!("曾预约 {n} 次"),
                })
                .collect();
            // Open demands that mention what the service measures (the search index ranks them).
            let q = format!("{} {}", s.name, s.measures);
            let demands = crate::search::search(
                self,
                &innomesh_search::SearchQuery {
                    q: q.chars().take(200).collect(),
                    kinds: vec![EntityKind::Demand],
                    region_prefix: None,
                    limit: 5,
                    offset: 0,
                },
            )
            .map(|r| r.hits)
            .unwrap_or_default();
            let mut demand_users = Vec::new();
            let mut hidden = 0;
            for h in demands {
                // Names are shown only to callers who may read the demand.
                match self.get(who, EntityKind::Demand, &h.id)? {
                    Some(Record::Demand(d)) => demand_users.push(LikelyUser {
                        name: self.org_name(d.organisation.as_str()),
                        code: d.organisation.as_str().to_string(),
                        why: format!("需求「{}」（{}）", d.title, d.id),
                    }),
                    _ => hidden += 1,
                }
            }
            items.push(OutlookItem {
                idle_hours: (open - booked).max(0.0),
                open_hours: open,
                booked_hours: booked,
                past_users,
                demand_users,
                hidden_demands: hidden,
                service: s,
            });
        }
        items.sort_by(|a, b| b.idle_hours.total_cmp(&a.idle_hours));
        Ok(OwnerOutlook {
            owner: owner.to_string(),
            owner_name: self.org_name(owner),
            week: (date_text(monday), date_text(sunday)),
            items,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimView {
    #[serde(flatten)]
    pub claim: VoucherClaim,
    pub status_label: &'static str,
    pub programme_name: String,
    pub enterprise_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LikelyUser {
    pub code: String,
    pub name: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutlookItem {
    pub service: SharedService,
    pub open_hours: f64,
    pub booked_hours: f64,
    pub idle_hours: f64,
    pub past_users: Vec<LikelyUser>,
    pub demand_users: Vec<LikelyUser>,
    /// Matching demands the caller may not read (counted, not named).
    pub hidden_demands: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnerOutlook {
    pub owner: String,
    pub owner_name: String,
    /// Next week, Monday to Sunday.
    pub week: (String, String),
    pub items: Vec<OutlookItem>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ServiceFigure {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub owner_name: String,
    /// Open hours in the period.
    pub available_hours: f64,
    /// Hours used by units other than the owner (completed bookings).
    pub outside_hours: f64,
    /// All hours used (completed bookings).
    pub used_hours: f64,
    /// outside_hours / available_hours.
    pub sharing_rate: f64,
    pub bookings: usize,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct OwnerFigure {
    pub owner: String,
    pub owner_name: String,
    pub services: usize,
    pub available_hours: f64,
    pub outside_hours: f64,
    pub sharing_rate: f64,
    /// Share of bookings answered (confirmed, proposed or declined) rather than left waiting.
    pub answered: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct GroupCount {
    pub key: String,
    pub label: String,
    /// Bookings (or, for voucher money, approved claims).
    pub bookings: usize,
    pub hours: f64,
    /// 元 (voucher money only).
    pub amount: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ProgrammeFigure {
    pub id: String,
    pub name: String,
    pub budget_yuan: f64,
    pub submitted: f64,
    pub approved: f64,
    /// Approved money per completed service with a result delivered.
    pub per_result: f64,
    pub by_district: Vec<GroupCount>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct IdleFigure {
    pub id: String,
    pub name: String,
    pub owner_name: String,
    pub open_hours: f64,
    pub booked_hours: f64,
    pub idle_hours: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct SharingFigures {
    /// Next week's open, booked and idle hours per service, the most idle first.
    pub next_week: Vec<IdleFigure>,
    pub from: String,
    pub to: String,
    pub services: Vec<ServiceFigure>,
    /// Owners ranked by openness (sharing rate, then answered share).
    pub owners: Vec<OwnerFigure>,
    pub by_district: Vec<GroupCount>,
    pub by_industry: Vec<GroupCount>,
    pub programmes: Vec<ProgrammeFigure>,
    pub total_available: f64,
    pub total_outside: f64,
}

fn figures(
    app: &App,
    services: &[SharedService],
    bookings: &[Booking],
    from: time::Date,
    to: time::Date,
) -> SharingFigures {
    let mut by_service: Vec<ServiceFigure> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for s in services {
        let available = OpenHours::parse(&s.open_hours)
            .map(|h| open_hours_between(&h, &s.closed_dates, from, to))
            .unwrap_or(0.0);
        index.insert(s.id.as_str(), by_service.len());
        by_service.push(ServiceFigure {
            id: s.id.clone(),
            name: s.name.clone(),
            owner: s.owner.as_str().to_string(),
            owner_name: app.org_name(s.owner.as_str()),
            available_hours: available,
            ..Default::default()
        });
    }
    let mut district: BTreeMap<String, GroupCount> = BTreeMap::new();
    let mut industry: BTreeMap<String, GroupCount> = BTreeMap::new();
    let mut answered: HashMap<String, (usize, usize)> = HashMap::new();
    let mut orgs: HashMap<String, Option<Organisation>> = HashMap::new();
    for b in bookings {
        let Some(&i) = index.get(b.service_id.as_str()) else {
            continue;
        };
        let f = &mut by_service[i];
        f.bookings += 1;
        let a = answered.entry(b.owner.clone()).or_default();
        a.0 += 1;
        if b.status != "requested" {
            a.1 += 1;
        }
        if b.status == "completed" {
            let h = b.hours_used.unwrap_or(0.0);
            f.used_hours += h;
            if b.requester != b.owner {
                f.outside_hours += h;
            }
        }
        if matches!(b.status.as_str(), "declined" | "cancelled") {
            continue;
        }
        let org = orgs
            .entry(b.requester.clone())
            .or_insert_with(|| app.org(&b.requester))
            .clone();
        let hours = b
            .hours_used
            .unwrap_or_else(|| hours_between(&b.start, &b.end));
        let (dk, dl) = match &org {
            Some(o) => (
                o.region.as_str().to_string(),
                region_name(o.region.as_str()),
            ),
            None => (String::new(), "未登记".to_string()),
        };
        let g = district.entry(dk.clone()).or_insert_with(|| GroupCount {
            key: dk,
            label: dl,
            ..Default::default()
        });
        g.bookings += 1;
        g.hours += hours;
        let (ik, il) = match org.as_ref().and_then(|o| o.industry.clone()) {
            Some(code) => {
                // Counted by division (大类): `C/39/398/3985` → `39`.
                let path = code.path();
                let div = path.split('/').nth(1).unwrap_or(code.as_str()).to_string();
                let label = innomesh_core::reference::industries()
                    .resolve(&div)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| code.name());
                (div, label)
            }
            None => (String::new(), "未填行业".to_string()),
        };
        let g = industry.entry(ik.clone()).or_insert_with(|| GroupCount {
            key: ik,
            label: il,
            ..Default::default()
        });
        g.bookings += 1;
        g.hours += hours;
    }
    for f in &mut by_service {
        f.sharing_rate = if f.available_hours > 0.0 {
            f.outside_hours / f.available_hours
        } else {
            0.0
        };
    }
    let mut owners: BTreeMap<String, OwnerFigure> = BTreeMap::new();
    for f in &by_service {
        let o = owners
            .entry(f.owner.clone())
            .or_insert_with(|| OwnerFigure {
                owner: f.owner.clone(),
                owner_name: f.owner_name.clone(),
                ..Default::default()
            });
        o.services += 1;
        o.available_hours += f.available_hours;
        o.outside_hours += f.outside_hours;
    }
    let mut owners: Vec<OwnerFigure> = owners
        .into_values()
        .map(|mut o| {
            o.sharing_rate = if o.available_hours > 0.0 {
                o.outside_hours / o.available_hours
            } else {
                0.0
            };
            o.answered = answered
                .get(&o.owner)
                .map(|(n, a)| if *n > 0 { *a as f64 / *n as f64 } else { 0.0 })
                .unwrap_or(0.0);
            o
        })
        .collect();
    owners.sort_by(|a, b| {
        b.sharing_rate
            .total_cmp(&a.sharing_rate)
            .then(b.answered.total_cmp(&a.answered))
            .then(a.owner.cmp(&b.owner))
    });
    let mut programmes = Vec::new();
    if let Ok(all) = app.repo.all(EntityKind::VoucherProgramme) {
        for r in all {
            let Record::VoucherProgramme(p) = r else {
                continue;
            };
            let claims = app
                .repo
                .claims(&ClaimFilter {
                    programme: Some(p.id.clone()),
                    ..Default::default()
                })
                .unwrap_or_default();
            let mut by_d: BTreeMap<String, GroupCount> = BTreeMap::new();
            let mut submitted = 0.0;
            let mut approved = 0.0;
            let mut approved_results = 0usize;
            for c in &claims {
                match c.status.as_str() {
                    "submitted" => submitted += c.amount,
                    "approved" => {
                        approved += c.amount;
                        approved_results += 1;
                        let o = orgs
                            .entry(c.enterprise.clone())
                            .or_insert_with(|| app.org(&c.enterprise))
                            .clone();
                        let (k, l) = match o {
                            Some(o) => (
                                o.region.as_str().to_string(),
                                region_name(o.region.as_str()),
                            ),
                            None => (String::new(), "未登记".into()),
                        };
                        let g = by_d.entry(k.clone()).or_insert_with(|| GroupCount {
                            key: k,
                            label: l,
                            ..Default::default()
                        });
                        g.bookings += 1;
                        g.amount += c.amount;
                    }
                    _ => {}
                }
            }
            programmes.push(ProgrammeFigure {
                budget_yuan: p.budget * 10_000.0,
                per_result: if approved_results > 0 {
                    approved / approved_results as f64
                } else {
                    0.0
                },
                by_district: by_d.into_values().collect(),
                submitted,
                approved,
                id: p.id,
                name: p.name,
            });
        }
    }
    let total_available = by_service.iter().map(|f| f.available_hours).sum();
    let total_outside = by_service.iter().map(|f| f.outside_hours).sum();
    let mut by_district: Vec<GroupCount> = district.into_values().collect();
    by_district.sort_by(|a, b| b.bookings.cmp(&a.bookings).then(a.key.cmp(&b.key)));
    let mut by_industry: Vec<GroupCount> = industry.into_values().collect();
    by_industry.sort_by(|a, b| b.bookings.cmp(&a.bookings).then(a.key.cmp(&b.key)));
    by_service.sort_by(|a, b| {
        b.sharing_rate
            .total_cmp(&a.sharing_rate)
            .then(a.id.cmp(&b.id))
    });
    SharingFigures {
        next_week: vec![],
        from: date_text(from),
        to: date_text(to),
        services: by_service,
        owners,
        by_district,
        by_industry,
        programmes,
        total_available,
        total_outside,
    }
}

/// A small deterministic generator for the sample's bookings (SplitMix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// 示例数据 for 开放共享: bookings of the sample's shared services over the last 90 days and the
/// next 7 (completed with hours and results, cancelled, declined, no-shows, confirmed and waiting)
/// and voucher claims for some completed ones, written through the store's booking rules (an
/// overlapping draw is skipped). Deterministic for a registry and a date; at most the first 200
/// services, so a ×100 registry seeds in seconds. Returns (bookings, claims) written.
pub fn seed_sample(app: &App, who: &Principal) -> Result<(usize, usize)> {
    who.require(Perm::Write)?;
    if app.repo.meta("sample_data")?.is_none() {
        return Err(Error::invalid("只有示例数据库才能生成示例预约"));
    }
    if !app
        .repo
        .bookings(&BookingFilter {
            limit: 1,
            ..Default::default()
        })?
        .is_empty()
    {
        return Ok((0, 0));
    }
    let services: Vec<SharedService> = app
        .repo
        .list(&innomesh_store::ListQuery {
            per_page: 200,
            ..innomesh_store::ListQuery::new(EntityKind::SharedService)
        })?
        .records
        .into_iter()
        .filter_map(|r| match r {
            Record::SharedService(s) => Some(s),
            _ => None,
        })
        .collect();
    let enterprises: Vec<Organisation> = app
        .repo
        .list(&innomesh_store::ListQuery {
            per_page: 400,
            subkind: Some(OrgKind::Enterprise.code().to_string()),
            ..innomesh_store::ListQuery::new(EntityKind::Organisation)
        })?
        .records
        .into_iter()
        .filter_map(|r| match r {
            Record::Organisation(o) => Some(o),
            _ => None,
        })
        .collect();
    if services.is_empty() || enterprises.is_empty() {
        return Ok((0, 0));
    }
    let mut rng = Mix(0x5a4e_d0c5_0b00_c4e5);
    let today = local_now().date;
    let actor = who.actor();
    let mut made = 0;
    let mut completed: Vec<Booking> = Vec::new();
    for s in &services {
        let Ok(hours) = OpenHours::parse(&s.open_hours) else {
            continue;
        };
        // About ten percent of the open hours used by other units, as the national network
        // reports for its instruments.
        let draws = 10 + rng.below(25);
        for _ in 0..draws {
            let offset = rng.below(97) as i64 - 90;
            let Some(day) = today.checked_add(time::Duration::days(offset)) else {
                continue;
            };
            let windows = hours.windows_on(day.weekday().number_days_from_monday());
            if windows.is_empty() || s.closed_dates.iter().any(|c| c.trim() == date_text(day)) {
                continue;
            }
            let (a, z) = windows[rng.below(windows.len())];
            let span = 60 * (1 + rng.below(4) as u16);
            let latest = z.saturating_sub(span);
            if latest < a {
                continue;
            }
            let start = a + 30 * rng.below(usize::from((latest - a) / 30) + 1) as u16;
            let requester = &enterprises[rng.below(enterprises.len())];
            let past = offset < 0;
            let status = if past {
                match rng.below(20) {
                    0..=13 => "completed",
                    14 => "no_show",
                    15 | 16 => "cancelled",
                    17 => "declined",
                    _ => "completed",
                }
            } else if rng.chance(0.6) {
                "confirmed"
            } else {
                "requested"
            };
            let booked = f64::from(span) / 60.0;
            let (used, fee, result) = if status == "completed" {
                let used = (booked * (0.5 + 0.5 * rng.below(3) as f64 / 2.0) * 2.0).round() / 2.0;
                let rate = app.fee_rate(s, requester.credit_code.as_str());
                (
                    Some(used),
                    Some((rate * used * 100.0).round() / 100.0),
                    format!("检测报告 {}-{}", s.id, made + 1),
                )
            } else {
                (None, None, String::new())
            };
            let b = Booking {
                id: String::new(),
                service_id: s.id.clone(),
                owner: s.owner.as_str().to_string(),
                requester: requester.credit_code.as_str().to_string(),
                start: Moment {
                    date: day,
                    minute: start,
                }
                .text(),
                end: Moment {
                    date: day,
                    minute: start + span,
                }
                .text(),
                status: status.into(),
                hours_used: used,
                fee,
                result,
                note: match status {
                    "cancelled" => "示例数据：样品未能按时送达".into(),
                    "declined" => "示例数据：设备检修".into(),
                    _ => "示例数据".into(),
                },
                created_at: String::new(),
                updated_at: String::new(),
            };
            match app.repo.booking_insert(&b, &actor) {
                Ok(b) => {
                    made += 1;
                    if b.status == "completed" {
                        completed.push(b);
                    }
                }
                Err(innomesh_store::StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    let programmes: Vec<VoucherProgramme> = app
        .repo
        .all(EntityKind::VoucherProgramme)?
        .into_iter()
        .filter_map(|r| match r {
            Record::VoucherProgramme(p) => Some(p),
            _ => None,
        })
        .collect();
    let mut claims = 0;
    for b in completed {
        if !rng.chance(0.45) {
            continue;
        }
        let year: i32 = b.start.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let Some(p) = programmes
            .iter()
            .find(|p| p.year == year && p.region.is_none())
        else {
            continue;
        };
        match app.claim_voucher(who, &b.id, &p.id) {
            Ok(c) => {
                claims += 1;
                match rng.below(10) {
                    0 => {
                        app.decide_claim(who, &c.id, false, "示例数据：发票与检测报告单位不一致")?;
                    }
                    1..=6 => {
                        app.decide_claim(who, &c.id, true, "示例数据：材料齐全")?;
                    }
                    _ => {}
                }
            }
            // Not eligible, over the cap: the sample keeps what the rules allow.
            Err(_) => continue,
        }
    }
    Ok((made, claims))
}
