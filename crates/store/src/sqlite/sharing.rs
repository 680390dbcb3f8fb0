//! `SharingStore` for SQLite: the no-overlap rule and the one-claim-per-booking rule live in the
//! schema (0011), so no path around the application core can break them.

use super::{audit, SqliteStore};
use crate::sharing::{
    Booking, BookingChange, BookingEvent, BookingFilter, ClaimFilter, SharingStore, VoucherClaim,
};
use crate::{Actor, StoreError};
use rusqlite::{params, OptionalExtension, Row, Transaction};

const BOOKING_COLUMNS: &str = "id, service_id, owner, requester, start_at, end_at, status, hours_used, fee, result, note, created_at, updated_at";
const CLAIM_COLUMNS: &str = "id, booking_id, programme_id, enterprise, fee, amount, status, reason, created_at, decided_at, decided_by";

fn booking_row(r: &Row<'_>) -> rusqlite::Result<Booking> {
    Ok(Booking {
        id: r.get(0)?,
        service_id: r.get(1)?,
        owner: r.get(2)?,
        requester: r.get(3)?,
        start: r.get(4)?,
        end: r.get(5)?,
        status: r.get(6)?,
        hours_used: r.get(7)?,
        fee: r.get(8)?,
        result: r.get(9)?,
        note: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

fn claim_row(r: &Row<'_>) -> rusqlite::Result<VoucherClaim> {
    Ok(VoucherClaim {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        programme_id: r.get(2)?,
        enterprise: r.get(3)?,
        fee: r.get(4)?,
        amount: r.get(5)?,
        status: r.get(6)?,
        reason: r.get(7)?,
        created_at: r.get(8)?,
        decided_at: r.get(9)?,
        decided_by: r.get(10)?,
    })
}

fn overlap(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(_, Some(m)) if m.contains("booking_overlap"))
}

fn unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// The next id of a table whose ids are `PREFIX` + six digits.
fn next_id(tx: &Transaction<'_>, table: &str, prefix: &str) -> rusqlite::Result<String> {
    let n: i64 = tx.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
    Ok(format!("{prefix}{:06}", n + 1))
}

fn taken_message(tx: &Transaction<'_>, b: &Booking) -> String {
    let other: Option<(String, String, String)> = tx
        .query_row(
            "SELECT id, start_at, end_at FROM bookings WHERE service_id = $1 AND id <> $2
             AND status IN ('requested', 'proposed', 'confirmed', 'completed', 'no_show')
             AND start_at < $3 AND $4 < end_at ORDER BY start_at LIMIT 1",
            params![b.service_id, b.id, b.end, b.start],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .ok()
        .flatten();
    match other {
        Some((_, s, e)) => format!("该时段已被预约（{s} 至 {e} 已有预约），请选择其他时段"),
        None => "该时段已被预约，请选择其他时段".into(),
    }
}

fn event(
    tx: &Transaction<'_>,
    id: &str,
    from: Option<&str>,
    to: &str,
    actor: &Actor,
    note: &str,
    now: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO booking_events (booking_id, from_status, to_status, actor, note, at) VALUES ($1, $2, $3, $4, $5, $6)",
        params![id, from, to, actor.name, note, now],
    )?;
    Ok(())
}

/// Why a shared service or a voucher programme cannot be deleted: its bookings or claims are
/// kept (history, money), so the record they name stays.
pub(super) fn kept_by(
    tx: &Transaction<'_>,
    kind: innomesh_core::EntityKind,
    id: &str,
) -> rusqlite::Result<Option<String>> {
    let (sql, what) = match kind {
        innomesh_core::EntityKind::SharedService => (
            "SELECT COUNT(*) FROM bookings WHERE service_id = $1",
            "预约记录",
        ),
        innomesh_core::EntityKind::VoucherProgramme => (
            "SELECT COUNT(*) FROM voucher_claims WHERE programme_id = $1",
            "创新券申领",
        ),
        _ => return Ok(None),
    };
    let n: i64 = tx.query_row(sql, [id], |r| r.get(0))?;
    Ok((n > 0).then(|| {
        format!(
            "{}「{id}」已有 {n} 条{what}，不能删除（这些记录须保留）；不再开放请修改其开放时间或说明",
            kind.label()
        )
    }))
}

impl SharingStore for SqliteStore {
    fn booking_insert(&self, booking: &Booking, actor: &Actor) -> Result<Booking, StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let now = crate::now_rfc3339();
        let mut b = booking.clone();
        b.id = next_id(&tx, "bookings", "BK")?;
        b.created_at = now.clone();
        b.updated_at = now.clone();
        let inserted = tx.execute(
            &format!("INSERT INTO bookings ({BOOKING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"),
            params![
                b.id, b.service_id, b.owner, b.requester, b.start, b.end, b.status, b.hours_used,
                b.fee, b.result, b.note, b.created_at, b.updated_at
            ],
        );
        if let Err(e) = inserted {
            if overlap(&e) {
                return Err(StoreError::Conflict(taken_message(&tx, &b)));
            }
            return Err(e.into());
        }
        event(&tx, &b.id, None, &b.status, actor, &b.note, &now)?;
        audit(
            &tx,
            &now,
            actor,
            "create",
            Some("booking"),
            Some(&b.id),
            &format!(
                "{} {} 至 {}（{}）",
                b.service_id, b.start, b.end, b.requester
            ),
        )?;
        tx.commit()?;
        Ok(b)
    }

    fn booking_get(&self, id: &str) -> Result<Option<Booking>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                &format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1"),
                [id],
                booking_row,
            )
            .optional()?)
    }

    fn bookings(&self, f: &BookingFilter) -> Result<Vec<Booking>, StoreError> {
        let conn = self.conns.read();
        let statuses = serde_json::to_string(&f.statuses).unwrap_or_else(|_| "[]".into());
        let limit = if f.limit == 0 { 10_000 } else { f.limit } as i64;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings
             WHERE ($1 IS NULL OR service_id = $1) AND ($2 IS NULL OR owner = $2)
               AND ($3 IS NULL OR requester = $3) AND ($4 IS NULL OR end_at > $4)
               AND ($5 IS NULL OR start_at < $5)
               AND ($6 = '[]' OR status IN (SELECT value FROM json_each($6)))
             ORDER BY start_at, id LIMIT $7"
        ))?;
        let rows = stmt
            .query_map(
                params![
                    f.service,
                    f.owner,
                    f.requester,
                    f.from,
                    f.to,
                    statuses,
                    limit
                ],
                booking_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn booking_update(
        &self,
        id: &str,
        from: &[&str],
        change: &BookingChange,
        actor: &Actor,
    ) -> Result<Booking, StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let now = crate::now_rfc3339();
        let current = tx
            .query_row(
                &format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1"),
                [id],
                booking_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "预约",
                id: id.to_string(),
            })?;
        if !from.contains(&current.status.as_str()) {
            return Err(StoreError::Rule(format!(
                "预约 {id} 当前状态为「{}」，不能执行此操作",
                crate::sharing::status_label(&current.status)
            )));
        }
        let mut b = current.clone();
        b.status = change.status.clone();
        if let Some(s) = &change.start {
            b.start = s.clone();
        }
        if let Some(e) = &change.end {
            b.end = e.clone();
        }
        if change.hours_used.is_some() {
            b.hours_used = change.hours_used;
        }
        if change.fee.is_some() {
            b.fee = change.fee;
        }
        if let Some(r) = &change.result {
            b.result = r.clone();
        }
        if !change.note.is_empty() {
            b.note = change.note.clone();
        }
        b.updated_at = now.clone();
        let updated = tx.execute(
            "UPDATE bookings SET start_at = $1, end_at = $2, status = $3, hours_used = $4, fee = $5, result = $6, note = $7, updated_at = $8 WHERE id = $9",
            params![b.start, b.end, b.status, b.hours_used, b.fee, b.result, b.note, b.updated_at, b.id],
        );
        if let Err(e) = updated {
            if overlap(&e) {
                return Err(StoreError::Conflict(taken_message(&tx, &b)));
            }
            return Err(e.into());
        }
        event(
            &tx,
            id,
            Some(&current.status),
            &b.status,
            actor,
            &change.note,
            &now,
        )?;
        audit(
            &tx,
            &now,
            actor,
            "update",
            Some("booking"),
            Some(id),
            &format!("{} → {} {}", current.status, b.status, change.note),
        )?;
        tx.commit()?;
        Ok(b)
    }

    fn booking_events(&self, id: &str) -> Result<Vec<BookingEvent>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, booking_id, from_status, to_status, actor, note, at FROM booking_events WHERE booking_id = $1 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(BookingEvent {
                    seq: r.get(0)?,
                    booking_id: r.get(1)?,
                    from_status: r.get(2)?,
                    to_status: r.get(3)?,
                    actor: r.get(4)?,
                    note: r.get(5)?,
                    at: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn claim_insert(
        &self,
        claim: &VoucherClaim,
        actor: &Actor,
    ) -> Result<VoucherClaim, StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let now = crate::now_rfc3339();
        let mut c = claim.clone();
        c.id = next_id(&tx, "voucher_claims", "VC")?;
        c.created_at = now.clone();
        let inserted = tx.execute(
            &format!("INSERT INTO voucher_claims ({CLAIM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
            params![
                c.id, c.booking_id, c.programme_id, c.enterprise, c.fee, c.amount, c.status,
                c.reason, c.created_at, c.decided_at, c.decided_by
            ],
        );
        if let Err(e) = inserted {
            if unique_violation(&e) {
                let other: Option<(String, String)> = tx
                    .query_row(
                        "SELECT id, programme_id FROM voucher_claims WHERE booking_id = $1 AND status <> 'rejected'",
                        [&c.booking_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let (oid, prog) = other.unwrap_or_default();
                return Err(StoreError::Conflict(format!(
                    "预约 {} 已申领过创新券（申领 {oid}，专项 {prog}），同一次服务不能重复申领",
                    c.booking_id
                )));
            }
            return Err(e.into());
        }
        audit(
            &tx,
            &now,
            actor,
            "create",
            Some("voucher_claim"),
            Some(&c.id),
            &format!("{} {} {:.2} 元", c.booking_id, c.programme_id, c.amount),
        )?;
        tx.commit()?;
        Ok(c)
    }

    fn claim_get(&self, id: &str) -> Result<Option<VoucherClaim>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                &format!("SELECT {CLAIM_COLUMNS} FROM voucher_claims WHERE id = $1"),
                [id],
                claim_row,
            )
            .optional()?)
    }

    fn claims(&self, f: &ClaimFilter) -> Result<Vec<VoucherClaim>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {CLAIM_COLUMNS} FROM voucher_claims
             WHERE ($1 IS NULL OR programme_id = $1) AND ($2 IS NULL OR enterprise = $2)
               AND ($3 IS NULL OR booking_id = $3) AND ($4 IS NULL OR status = $4)
             ORDER BY id"
        ))?;
        let rows = stmt
            .query_map(
                params![f.programme, f.enterprise, f.booking, f.status],
                claim_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn claim_decide(
        &self,
        id: &str,
        approve: bool,
        reason: &str,
        actor: &Actor,
    ) -> Result<VoucherClaim, StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let now = crate::now_rfc3339();
        let mut c = tx
            .query_row(
                &format!("SELECT {CLAIM_COLUMNS} FROM voucher_claims WHERE id = $1"),
                [id],
                claim_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "创新券申领",
                id: id.to_string(),
            })?;
        if c.status != "submitted" {
            return Err(StoreError::Rule(format!(
                "申领 {id} 已{}，不能再审核",
                if c.status == "approved" {
                    "核准"
                } else {
                    "驳回"
                }
            )));
        }
        c.status = if approve { "approved" } else { "rejected" }.into();
        c.reason = reason.to_string();
        c.decided_at = Some(now.clone());
        c.decided_by = Some(actor.name.clone());
        tx.execute(
            "UPDATE voucher_claims SET status = $1, reason = $2, decided_at = $3, decided_by = $4 WHERE id = $5",
            params![c.status, c.reason, c.decided_at, c.decided_by, c.id],
        )?;
        audit(
            &tx,
            &now,
            actor,
            if approve { "approve" } else { "reject" },
            Some("voucher_claim"),
            Some(id),
            reason,
        )?;
        tx.commit()?;
        Ok(c)
    }
}
