//! `DuplicateStore` for SQLite (migration 0014): append-only decisions, each with its audit entry
//! (kind `duplicate_decision`, which is not a registry version).

use super::{audit, SqliteStore};
use crate::duplicates::{ordered, DuplicateDecision, DuplicateStore, DuplicateVerdict};
use crate::{Actor, StoreError};
use rusqlite::{params, Row};

const COLUMNS: &str =
    "seq, app_a, app_b, decision, reason, score, decided_by, decided_role, decided_at";

fn row(r: &Row<'_>) -> rusqlite::Result<DuplicateDecision> {
    let code: String = r.get(3)?;
    Ok(DuplicateDecision {
        seq: r.get(0)?,
        app_a: r.get(1)?,
        app_b: r.get(2)?,
        // The table's CHECK admits only these two.
        decision: DuplicateVerdict::parse(&code).unwrap_or(DuplicateVerdict::Confirmed),
        reason: r.get(4)?,
        score: r.get(5)?,
        decided_by: r.get(6)?,
        decided_role: r.get(7)?,
        decided_at: r.get(8)?,
    })
}

impl DuplicateStore for SqliteStore {
    fn duplicate_decide(
        &self,
        a: &str,
        b: &str,
        decision: DuplicateVerdict,
        reason: &str,
        score: Option<f64>,
        actor: &Actor,
    ) -> Result<DuplicateDecision, StoreError> {
        let (a, b) = ordered(a.trim(), b.trim());
        if a == b {
            return Err(StoreError::Invalid(
                "重复申报审查针对两份不同的申报".to_string(),
            ));
        }
        let reason = reason.trim();
        if decision == DuplicateVerdict::Excluded && reason.is_empty() {
            return Err(StoreError::Invalid("排除须填写理由".to_string()));
        }
        if reason.chars().count() > 2000 {
            return Err(StoreError::Invalid("理由不超过 2000 字".to_string()));
        }
        if score.is_some_and(|s| !s.is_finite()) {
            return Err(StoreError::Invalid("复用比例无效".to_string()));
        }
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        for id in [a, b] {
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM entities WHERE kind = 'application' AND id = $1",
                [id],
                |r| r.get(0),
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    kind: "项目申报",
                    id: id.to_string(),
                });
            }
        }
        let now = crate::now_rfc3339();
        tx.execute(
            "INSERT INTO duplicate_decisions (app_a, app_b, decision, reason, score, decided_by, decided_role, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            params![a, b, decision.code(), reason, score, actor.name, actor.role, now],
        )?;
        let seq = tx.last_insert_rowid();
        audit(
            &tx,
            &now,
            actor,
            "duplicate_decide",
            Some("duplicate_decision"),
            Some(&format!("{a}/{b}")),
            &if reason.is_empty() {
                decision.label().to_string()
            } else {
                format!("{}：{reason}", decision.label())
            },
        )?;
        let saved = tx.query_row(
            &format!("SELECT {COLUMNS} FROM duplicate_decisions WHERE seq = $1"),
            [seq],
            row,
        )?;
        tx.commit()?;
        Ok(saved)
    }

    fn duplicate_decisions(&self) -> Result<Vec<DuplicateDecision>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM duplicate_decisions d \
             WHERE seq = (SELECT MAX(seq) FROM duplicate_decisions e WHERE e.app_a = d.app_a AND e.app_b = d.app_b) \
             ORDER BY app_a, app_b"
        ))?;
        let rows = stmt.query_map([], row)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn duplicate_history(&self, a: &str, b: &str) -> Result<Vec<DuplicateDecision>, StoreError> {
        let (a, b) = ordered(a.trim(), b.trim());
        let conn = self.conns.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM duplicate_decisions WHERE app_a = $1 AND app_b = $2 ORDER BY seq"
        ))?;
        let rows = stmt.query_map(params![a, b], row)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }
}
