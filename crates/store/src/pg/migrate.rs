//! Numbered PostgreSQL migrations (`migrations/postgres/`), applied in order once each under an
//! advisory lock, so instances starting together do not apply one twice. A database with a
//! migration this program does not know is refused: it was written by a newer version.

use crate::StoreError;
use postgres::Client;

const MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../../migrations/postgres/0001_schema.sql"))];

/// The newest migration this program knows.
pub const KNOWN_VERSION: i64 = 1;

/// The advisory lock migrations take ("innomesh-migrate").
const MIGRATE_LOCK: i64 = 0x696e_6e6f_6d69_6772;

/// Connects to `url` and applies pending migrations; returns the versions applied.
pub fn migrate(url: &str) -> Result<Vec<i64>, StoreError> {
    let config: postgres::Config = url
        .parse()
        .map_err(|e| StoreError::Invalid(format!("数据库地址无效：{e}")))?;
    let mut c = config
        .connect(postgres::NoTls)
        .map_err(|e| StoreError::Database(format!("无法连接 PostgreSQL 数据库：{e}")))?;
    run(&mut c)
}

pub(super) fn run(c: &mut Client) -> Result<Vec<i64>, StoreError> {
    let mut tx = c.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    let done: Vec<i64> = tx
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    crate::common::refuse_newer(done.last().copied(), KNOWN_VERSION)?;
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[version, &crate::now_rfc3339()],
        )?;
        applied.push(*version);
    }
    tx.commit()?;
    Ok(applied)
}
