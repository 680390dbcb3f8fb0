//! The demand workflow in the store: every status change goes to the append-only history, edits
//! keep the stage rule, a technology manager carrying demands keeps the role, and moves are read,
//! checked and written in one transaction.

use super::checks::checked_single;
use super::{audit, write_record};
use crate::common::decode;
use crate::{Actor, DemandTransition, StoreError};
use innomesh_core::model::DemandStatus;
use innomesh_core::{EntityKind, Labelled, Record};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// Appends a demand's status change (if it is one) to the workflow history. Every path that writes
/// a demand comes through here, so the history holds every change, however it was made.
pub(super) fn log_status(
    tx: &Transaction<'_>,
    id: &str,
    status: DemandStatus,
    now: &str,
    actor: &str,
    note: &str,
) -> rusqlite::Result<()> {
    let old: Option<String> = tx
        .query_row(
            "SELECT json_extract(data, '$.status') FROM entities WHERE kind = 'demand' AND id = $1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if old.as_deref() == Some(status.code()) {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO demand_transitions (demand_id, from_status, to_status, actor, note, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )?
    .execute(params![id, old, status.code(), actor, note, now])?;
    Ok(())
}

/// Rules an edit of one record must keep beyond the record itself: a demand's status moves one
/// stage forward at most (moving back needs a reason: the workflow form), and a technology manager
/// who carries demands keeps that role.
pub(super) fn guard_update(tx: &Connection, record: &Record) -> Result<(), StoreError> {
    match record {
        Record::Demand(d) => {
            let old: Option<String> = tx
                .query_row(
                    "SELECT json_extract(data, '$.status') FROM entities WHERE kind = 'demand' AND id = $1",
                    [&d.id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let old = old.and_then(|c| DemandStatus::ALL.iter().copied().find(|s| s.code() == c));
            if let Some(old) = old.filter(|o| *o != d.status) {
                old.check_move(d.status, "").map_err(|m| {
                    StoreError::Rule(format!(
                        "{m}（请在需求页面的「需求流转」中操作，退回须写明原因）"
                    ))
                })?;
            }
        }
        Record::Person(p) if p.role.code() != "technology_manager" => {
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM record_refs
                 WHERE kind = 'demand' AND field = 'manager' AND target_kind = 'person' AND target_id = $1",
                [&p.id],
                |r| r.get(0),
            )?;
            if n > 0 {
                return Err(StoreError::Conflict(format!(
                    "该人员仍是 {n} 条技术需求的技术经理人，不能改为其他人员类型：请先为这些需求改派技术经理人"
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// `Repository::transition_demand`: read, check the move and write in one transaction.
pub(super) fn transition(
    conn: &mut Connection,
    keys: &crate::personal::Keyring,
    id: &str,
    to: DemandStatus,
    manager: Option<&str>,
    actor: &Actor,
    note: &str,
) -> Result<Record, StoreError> {
    let tx = conn.transaction()?;
    let data: Option<String> = tx
        .query_row(
            "SELECT data FROM entities WHERE kind = 'demand' AND id = $1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(data) = data else {
        return Err(StoreError::NotFound {
            kind: EntityKind::Demand.label(),
            id: id.to_string(),
        });
    };
    let Record::Demand(mut d) = decode(keys, EntityKind::Demand, &data)? else {
        return Err(StoreError::Database("技术需求记录类型不符".into()));
    };
    d.status.check_move(to, note).map_err(StoreError::Rule)?;
    d.status = to;
    if let Some(m) = manager {
        d.manager = Some(m.to_string());
    }
    // Checked and written in the transaction that read the status.
    let record = checked_single(&tx, Record::Demand(d))?;
    let now = crate::now_rfc3339();
    write_record(&tx, keys, &record, &now, actor, note)?;
    audit(
        &tx,
        &now,
        actor,
        "transition",
        Some(EntityKind::Demand.code()),
        Some(id),
        &serde_json::json!({ "to": to.code(), "note": note, "manager": manager }).to_string(),
    )?;
    tx.commit()?;
    Ok(record)
}

/// `Repository::demand_history`: all rows (`id` none), or one demand's since its id was last deleted.
pub(super) fn history(
    conn: &Connection,
    id: Option<&str>,
) -> Result<Vec<DemandTransition>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, demand_id, from_status, to_status, actor, note, at FROM demand_transitions
         WHERE $1 IS NULL OR demand_id = $1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(DemandTransition {
            seq: r.get(0)?,
            demand: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            actor: r.get(4)?,
            note: r.get(5)?,
            at: r.get(6)?,
        })
    })?;
    let mut rows: Vec<DemandTransition> = rows.collect::<Result<_, _>>()?;
    crate::common::cut_history(&mut rows, id);
    Ok(rows)
}
