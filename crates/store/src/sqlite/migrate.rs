//! Numbered migrations, applied in order once each; an applied migration is never edited. A
//! migration may carry a step in Rust for what SQL cannot derive, run in the same transaction:
//! after the migration's SQL, or between its two halves where the file has a line
//! `-- innomesh:backfill`.

use rusqlite::{params, Connection, Transaction};

use crate::personal::Keyring;
use crate::StoreError;

type Backfill = fn(&Transaction<'_>, &Keyring) -> Result<(), StoreError>;

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
        5,
        include_str!("../../migrations/sqlite/0005_audit_chain.sql"),
        Some(backfill_audit_chain),
    ),
    (
        6,
        include_str!("../../migrations/sqlite/0006_accounts.sql"),
        None,
    ),
    (
        7,
        include_str!("../../migrations/sqlite/0007_personal_data_sealed.sql"),
        Some(super::keys::seal_plaintext),
    ),
    (
        8,
        include_str!("../../migrations/sqlite/0008_totp_step.sql"),
        None,
    ),
    (
        9,
        include_str!("../../migrations/sqlite/0009_policy_facts_rules.sql"),
        None,
    ),
    (
        10,
        include_str!("../../migrations/sqlite/0010_assessment.sql"),
        None,
    ),
    (
        11,
        include_str!("../../migrations/sqlite/0011_sharing.sql"),
        None,
    ),
    (
        12,
        include_str!("../../migrations/sqlite/0012_consortia.sql"),
        None,
    ),
    (
        13,
        include_str!("../../migrations/sqlite/0013_assessment_pairs_evidence.sql"),
        None,
    ),
    (
        14,
        include_str!("../../migrations/sqlite/0014_duplicate_decisions.sql"),
        None,
    ),
    (
        15,
        include_str!("../../migrations/sqlite/0015_policy_fact_columns.sql"),
        None,
    ),
    (
        16,
        include_str!("../../migrations/sqlite/0016_view_snapshots.sql"),
        None,
    ),
    (
        18,
        include_str!("../../migrations/sqlite/0018_list_covering_indexes.sql"),
        None,
    ),
];

/// Where a migration's Rust step runs, when the SQL has to continue after it.
const BACKFILL_MARK: &str = "-- innomesh:backfill\n";

/// Applies pending migrations; returns the versions applied.
pub fn run(conn: &mut Connection, keys: &Keyring) -> Result<Vec<i64>, StoreError> {
    let mut applied = Vec::new();
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    // A database a newer version migrated is refused, not misread.
    let newest: Option<i64> =
        conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })?;
    let known = MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
    crate::common::refuse_newer(newest, known)?;
    for (version, sql, backfill) in MIGRATIONS {
        let done: i64 = conn.query_row(
            "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
            [version],
            |r| r.get(0),
        )?;
        if done == 0 {
            let tx = conn.transaction()?;
            let (before, after) = sql.split_once(BACKFILL_MARK).unwrap_or((sql, ""));
            tx.execute_batch(before)?;
            if let Some(backfill) = backfill {
                backfill(&tx, keys)?;
            }
            tx.execute_batch(after)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                params![version, crate::now_rfc3339()],
            )?;
            tx.commit()?;
            applied.push(*version);
        }
    }
    Ok(applied)
}

/// 0004: the references of every stored record, read from its document by its kind's schema.
fn backfill_references(tx: &Transaction<'_>, _: &Keyring) -> Result<(), StoreError> {
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

/// 0005: the chain over the entries written before it, in sequence order, a batch at a time (the
/// table is not updated under a running scan of it, and memory stays bounded for any length).
fn backfill_audit_chain(tx: &Transaction<'_>, _: &Keyring) -> Result<(), StoreError> {
    const BATCH: i64 = 10_000;
    let mut last_seq = 0i64;
    let mut prev_hash = crate::GENESIS_HASH.to_string();
    let mut read = tx.prepare(&format!(
        "SELECT {} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        super::AUDIT_COLUMNS
    ))?;
    let mut write = tx.prepare("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")?;
    loop {
        let batch = read
            .query_map(params![last_seq, BATCH], super::audit_entry)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if batch.is_empty() {
            return Ok(());
        }
        for mut e in batch {
            e.prev_hash = prev_hash;
            let hash = e.computed_hash();
            write.execute(params![e.prev_hash, hash, e.seq])?;
            last_seq = e.seq;
            prev_hash = hash;
        }
    }
}
