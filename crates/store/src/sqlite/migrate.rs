//! Numbered migrations, applied in order once each; an applied migration is never edited. A
//! migration may carry a step in Rust for what SQL cannot derive, run in the same transaction.

use rusqlite::{params, Connection, Transaction};

type Backfill = fn(&Transaction<'_>) -> rusqlite::Result<()>;

const MIGRATIONS: &[(i64, &str, Option<Backfill>)] = &[
    (
        1,
        include_str!("../../migrations/sqlite/0001_registry.sql"),
        None,
    ),
    (
        2,
        include_str!("../../migrations/sqlite/0002_audit.sql"),
        None,
    ),
    (
        3,
        include_str!("../../migrations/sqlite/0003_demand_transitions.sql"),
        None,
    ),
    (
        4,
        include_str!("../../migrations/sqlite/0004_references.sql"),
        Some(backfill_references),
    ),
    (
        6,
        include_str!("../../migrations/sqlite/0006_accounts.sql"),
        None,
    ),
];

pub fn run(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    for (version, sql, backfill) in MIGRATIONS {
        let done: i64 = conn.query_row(
            "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
            [version],
            |r| r.get(0),
        )?;
        if done == 0 {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            if let Some(backfill) = backfill {
                backfill(&tx)?;
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                params![version, crate::now_rfc3339()],
            )?;
            tx.commit()?;
        }
    }
    Ok(())
}

/// 0004: the references of every stored record, read from its document by its kind's schema.
fn backfill_references(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let mut read = tx.prepare("SELECT kind, id, data FROM entities")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let (kind, id, data): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let (Some(kind), Ok(doc)) = (
            innomesh_core::EntityKind::from_code(&kind),
            serde_json::from_str::<serde_json::Value>(&data),
        ) else {
            continue;
        };
        super::insert_references(tx, kind, &id, &innomesh_core::references_in(kind, &doc))?;
    }
    Ok(())
}
