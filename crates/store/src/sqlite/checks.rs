//! The reference checks (`crate::checks`) read from a SQLite connection.

use crate::checks::Lookup;
use crate::{BatchError, StoreError};
use innomesh_core::{EntityKind, Record};
use rusqlite::{Connection, OptionalExtension, ToSql};
use std::collections::{HashMap, HashSet};

struct Sqlite<'a>(&'a Connection);

impl Lookup for Sqlite<'_> {
    fn stored(
        &mut self,
        kind: EntityKind,
        ids: &HashSet<&str>,
    ) -> Result<HashMap<String, Option<String>>, StoreError> {
        let mut out = HashMap::new();
        let list: Vec<&str> = ids.iter().copied().collect();
        for chunk in list.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT id, region FROM entities WHERE kind = $1 AND id IN ({})",
                placeholders.join(",")
            );
            let mut stmt = self.0.prepare(&sql)?;
            let code = kind.code();
            let mut params: Vec<&dyn ToSql> = vec![&code];
            params.extend(chunk.iter().map(|s| s as &dyn ToSql));
            let rows = stmt.query_map(params.as_slice(), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            for row in rows {
                let (id, region) = row?;
                out.insert(id, region);
            }
        }
        Ok(out)
    }

    fn person_role(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .0
            .query_row(
                "SELECT json_extract(data, '$.role') FROM entities WHERE kind = 'person' AND id = $1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }
}

/// A single record for create/update: its own rules, then its references.
pub(super) fn checked_single(conn: &Connection, record: Record) -> Result<Record, StoreError> {
    crate::checks::checked_single(&mut Sqlite(conn), record)
}

/// Reference checks shared by single writes and imports.
pub(super) fn check_references(
    conn: &Connection,
    records: &mut [Record],
) -> Result<Vec<BatchError>, StoreError> {
    crate::checks::check_references(&mut Sqlite(conn), records)
}
