//! `ConsortiumStore` for SQLite (migration 0012): insert-only rows, each with its audit entry
//! (kind `consortium`, which is not a registry version).

use super::{audit, SqliteStore};
use crate::consortium::{ConsortiumStore, StoredConsortium};
use crate::{Actor, StoreError};
use rusqlite::{params, OptionalExtension, Row};

const COLUMNS: &str =
    "id, title, basis_kind, basis_id, basis_label, revises, data, note, created_by, created_at";

fn row(r: &Row<'_>) -> rusqlite::Result<StoredConsortium> {
    Ok(StoredConsortium {
        id: r.get(0)?,
        title: r.get(1)?,
        basis_kind: r.get(2)?,
        basis_id: r.get(3)?,
        basis_label: r.get(4)?,
        revises: r.get(5)?,
        data: r.get(6)?,
        note: r.get(7)?,
        created_by: r.get(8)?,
        created_at: r.get(9)?,
    })
}

impl ConsortiumStore for SqliteStore {
    fn consortium_save(
        &self,
        p: &StoredConsortium,
        actor: &Actor,
    ) -> Result<StoredConsortium, StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        if let Some(r) = &p.revises {
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM consortium_proposals WHERE id = $1",
                [r],
                |x| x.get(0),
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    kind: "联合体组建建议",
                    id: r.clone(),
                });
            }
        }
        let n: i64 = tx.query_row("SELECT COUNT(*) FROM consortium_proposals", [], |r| {
            r.get(0)
        })?;
        let id = format!("CS{:06}", n + 1);
        let now = crate::now_rfc3339();
        tx.execute(
            &format!("INSERT INTO consortium_proposals ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
            params![
                id,
                p.title,
                p.basis_kind,
                p.basis_id,
                p.basis_label,
                p.revises,
                p.data,
                p.note,
                actor.name,
                now
            ],
        )?;
        audit(
            &tx,
            &now,
            actor,
            "consortium_save",
            Some("consortium"),
            Some(&id),
            &format!(
                "{}（{}：{}）{}",
                p.title,
                p.basis_kind,
                p.basis_label,
                p.revises
                    .as_deref()
                    .map(|r| format!("，修订 {r}"))
                    .unwrap_or_default()
            ),
        )?;
        let saved = tx.query_row(
            &format!("SELECT {COLUMNS} FROM consortium_proposals WHERE id = $1"),
            [&id],
            row,
        )?;
        tx.commit()?;
        Ok(saved)
    }

    fn consortia(&self) -> Result<Vec<StoredConsortium>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM consortium_proposals ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([], row)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn consortium(&self, id: &str) -> Result<Option<StoredConsortium>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM consortium_proposals WHERE id = $1"),
                [id],
                row,
            )
            .optional()?)
    }
}
