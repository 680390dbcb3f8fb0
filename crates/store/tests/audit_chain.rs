//! The audit log's hash chain on SQLite: an entry changed or removed in the database file behind
//! the store's back is found, with its sequence; a database written by the schema before the
//! chain existed is chained when opened and verifies clean.

use innomesh_core::{CreditCode, EntityKind, Record};
use innomesh_store::{
    audit_hash, Actor, AuditFault, AuditFields, Repository, SqliteStore, GENESIS_HASH,
};
use rusqlite::Connection;
use std::path::Path;

fn org(n: u32, name: &str) -> Record {
    let code = CreditCode::with_check_digit(&format!("91150203MA{n:07}")).unwrap();
    Record::from_json(
        EntityKind::Organisation,
        serde_json::json!({"credit_code": code.as_str(), "name": name, "kind": "enterprise", "region": "150203", "industry": "3985"}),
    )
    .unwrap()
}

/// A database file with six audit entries, the store closed again.
fn written(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("registry.db");
    let store = SqliteStore::open(&path).unwrap();
    let who = Actor::new("王科员", "clerk", "10.0.0.7");
    for n in 1..=4 {
        store.create(org(n, &format!("单位{n}")), &who).unwrap();
    }
    store
        .update(
            EntityKind::Organisation,
            org(2, "").id(),
            org(2, "单位二"),
            &who,
        )
        .unwrap();
    store
        .set_meta("home_region", "150200", &Actor::system("cli"))
        .unwrap();
    assert_eq!(store.version().unwrap(), 6);
    assert!(store.verify_audit().unwrap().is_intact());
    path
}

/// Runs `sql` on the file directly, as someone with the file (not the application) could.
fn tamper(path: &Path, sql: &str) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn an_entry_changed_in_the_file_is_found_with_its_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    tamper(
        &path,
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET detail = '{\"name\":\"别人\"}' WHERE seq = 3;",
    );
    let v = SqliteStore::open(&path).unwrap().verify_audit().unwrap();
    assert!(!v.is_intact());
    let b = v.first_break.clone().unwrap();
    assert_eq!((b.seq, b.fault.clone()), (3, AuditFault::Changed));
    assert_eq!(
        (v.checked, v.breaks),
        (6, 1),
        "one changed entry is one break"
    );
    assert!(b.to_string().contains("第 3 条内容被修改"), "{b}");
}

#[test]
fn an_entry_rewritten_with_its_hash_recomputed_breaks_the_link_to_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    let store = SqliteStore::open(&path).unwrap();
    let e = store
        .changes_since(2, 1)
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    drop(store);
    let forged = audit_hash(
        &e.prev_hash,
        e.seq,
        &AuditFields {
            at: &e.at,
            actor: "别人",
            role: &e.role,
            source: &e.source,
            action: &e.action,
            kind: e.kind.as_deref(),
            entity_id: e.entity_id.as_deref(),
            detail: &e.detail,
        },
    );
    tamper(
        &path,
        &format!(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET actor = '别人', hash = '{forged}' WHERE seq = 3;"
        ),
    );
    let v = SqliteStore::open(&path).unwrap().verify_audit().unwrap();
    let b = v.first_break.unwrap();
    assert_eq!((b.seq, b.fault), (4, AuditFault::Unlinked));
}

#[test]
fn a_deleted_entry_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    tamper(
        &path,
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;",
    );
    let v = SqliteStore::open(&path).unwrap().verify_audit().unwrap();
    let b = v.first_break.clone().unwrap();
    assert_eq!(
        (b.seq, b.fault.clone()),
        (4, AuditFault::Removed { from: 3, to: 3 })
    );
    assert_eq!(v.checked, 5);
    assert!(b.to_string().contains("第 3 条被删除"), "{b}");

    // Removing the first entry, or the last ones, is found too.
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    tamper(
        &path,
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 1;",
    );
    let v = SqliteStore::open(&path).unwrap().verify_audit().unwrap();
    assert_eq!(v.first_break.unwrap().seq, 2);

    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    tamper(
        &path,
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 5;",
    );
    let v = SqliteStore::open(&path).unwrap().verify_audit().unwrap();
    assert_eq!(
        v.first_break.unwrap().fault,
        AuditFault::Removed { from: 5, to: 6 }
    );
}

#[test]
fn the_log_stays_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path());
    let conn = Connection::open(&path).unwrap();
    assert!(conn
        .execute("UPDATE audit_log SET detail = 'x' WHERE seq = 1", [])
        .is_err());
    assert!(conn
        .execute("DELETE FROM audit_log WHERE seq = 1", [])
        .is_err());
}

/// The schema and the writes of the version before the chain (migrations 0001–0004, entries
/// written without role, source or hashes).
fn previous_version_database(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .unwrap();
    for (v, sql) in [
        (1, include_str!("../migrations/sqlite/0001_registry.sql")),
        (2, include_str!("../migrations/sqlite/0002_audit.sql")),
        (
            3,
            include_str!("../migrations/sqlite/0003_demand_transitions.sql"),
        ),
        (4, include_str!("../migrations/sqlite/0004_references.sql")),
    ] {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, '2025-01-01T00:00:00Z')",
            [v],
        )
        .unwrap();
    }
    for n in 1..=25_u32 {
        let r = org(n, &format!("旧单位{n}"));
        conn.execute(
            "INSERT INTO entities (kind, id, name, region, data, created_at, updated_at, updated_by)
             VALUES ('organisation', $1, $2, '150203', $3, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'old')",
            rusqlite::params![r.id(), r.name(), r.to_json().to_string()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO audit_log (at, actor, action, kind, entity_id, detail)
             VALUES ('2025-01-01T00:00:00Z', 'old', 'create', 'organisation', $1, $2)",
            rusqlite::params![r.id(), r.to_masked_json().to_string()],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, entity_id, detail)
         VALUES ('2025-01-02T00:00:00Z', 'old', 'set_meta', 'home_region', '150200')",
        [],
    )
    .unwrap();
}

#[test]
fn a_database_of_the_previous_schema_is_chained_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    previous_version_database(&path);

    let store = SqliteStore::open(&path).unwrap();
    let v = store.verify_audit().unwrap();
    assert!(v.is_intact(), "{:?}", v.first_break);
    assert_eq!(v.checked, 26);
    let first = &store.changes_since(0, 1).unwrap()[0];
    assert_eq!(
        (
            first.actor.as_str(),
            first.role.as_str(),
            first.prev_hash.as_str()
        ),
        ("old", "", GENESIS_HASH)
    );
    // New entries continue the chain.
    store
        .create(org(99, "新单位"), &Actor::system("cli"))
        .unwrap();
    let v2 = store.verify_audit().unwrap();
    assert!(v2.is_intact());
    assert_eq!(v2.checked, 27);
    assert_eq!(store.changes_since(26, 1).unwrap()[0].prev_hash, v.head);
    drop(store);
    // The triggers are back.
    let conn = Connection::open(&path).unwrap();
    assert!(conn
        .execute("UPDATE audit_log SET detail = 'x' WHERE seq = 1", [])
        .is_err());
}
