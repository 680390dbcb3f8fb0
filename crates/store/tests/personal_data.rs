//! Personal data at rest: people's phones and ID numbers, organisations' contact phones and the
//! ID numbers of application teams never reach the database file in plain; reads give them back;
//! a key rotation keeps them readable under a new key; a wrong, exposed or broken key is refused
//! with a message, never a panic; databases of earlier versions are sealed when opened.

use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{CreditCode, EntityKind, IdNumber, Record};
use innomesh_store::{is_sealed, Actor, DataKey, Repository, SqliteStore, StoreError, KEY_FILE};
use rusqlite::Connection;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A valid number (GB 11643 check digit 1; 110101199003077578, often quoted, fails the check).
const ID: &str = "110101199003077571";
const PHONE: &str = "13912345678";

fn who() -> Actor {
    Actor::system("测试")
}

fn org(n: u32) -> Record {
    let code = CreditCode::with_check_digit(&format!("91150203MA{n:07}")).unwrap();
    Record::from_json(
        EntityKind::Organisation,
        serde_json::json!({"credit_code": code.as_str(), "name": format!("单位{n}"), "kind": "enterprise",
                           "region": "150203", "industry": "3985", "contact_phone": "0472-5123456"}),
    )
    .unwrap()
}

fn person() -> Record {
    Record::from_json(
        EntityKind::Person,
        serde_json::json!({"name": "张三", "role": "expert", "region": "150203",
                           "phone": PHONE, "id_number": ID}),
    )
    .unwrap()
}

/// Every byte of the database and its write-ahead log.
fn file_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    if let Ok(w) = std::fs::read(wal) {
        bytes.extend(w);
    }
    bytes
}

/// Runs of digits, `X` and `-` of ten characters or more in the bytes: where a phone or ID
/// number in plain would be.
fn number_runs(bytes: &[u8]) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    for &b in bytes {
        if b.is_ascii_digit() || b == b'X' || b == b'x' || b == b'-' {
            cur.push(b as char);
        } else {
            if cur.len() >= 10 {
                runs.push(std::mem::take(&mut cur));
            }
            cur.clear();
        }
    }
    if cur.len() >= 10 {
        runs.push(cur);
    }
    runs
}

fn assert_absent(db: &Path, values: &[String]) {
    let runs = number_runs(&file_bytes(db));
    for v in values {
        assert!(
            !runs.iter().any(|r| r.contains(v.as_str())),
            "{v} is in the database file in plain"
        );
    }
}

fn raw_data(db: &Path, kind: &str, id: &str) -> String {
    Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT data FROM entities WHERE kind = $1 AND id = $2",
            [kind, id],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_test_id_number_is_valid() {
    assert!(IdNumber::parse(ID).is_ok());
}

#[test]
fn personal_values_are_sealed_in_the_file_and_plain_to_readers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("innomesh.db");
    let store = SqliteStore::open(&db).unwrap();
    store.create(org(1), &who()).unwrap();
    let p = store.create(person(), &who()).unwrap();
    let Some(Record::Person(back)) = store.get(EntityKind::Person, p.id()).unwrap() else {
        panic!("person not read back")
    };
    assert_eq!(back.id_number.unwrap().full(), ID);
    assert_eq!(back.phone.unwrap().full(), PHONE);
    let Some(Record::Organisation(o)) = store.get(EntityKind::Organisation, org(1).id()).unwrap()
    else {
        panic!()
    };
    assert_eq!(o.contact_phone.unwrap().full(), "0472-5123456");
    // Lists and full reads open them too.
    let all = store.all(EntityKind::Person).unwrap();
    assert_eq!(all[0], p);

    // The stored document holds the sealed form; no other column, nor the audit log, holds the
    // plain value (the audit detail is masked).
    let raw: serde_json::Value = serde_json::from_str(&raw_data(&db, "person", p.id())).unwrap();
    assert!(is_sealed(raw["id_number"].as_str().unwrap()), "{raw}");
    assert!(is_sealed(raw["phone"].as_str().unwrap()), "{raw}");
    let conn = Connection::open(&db).unwrap();
    let leaks: i64 = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM entities WHERE name LIKE $1 OR search_text LIKE $1 OR data LIKE $1)
                  + (SELECT COUNT(*) FROM audit_log WHERE detail LIKE $1)",
            [format!("%{ID}%")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaks, 0);
    drop(conn);

    // With the store open (pages in the log) and after it closed.
    let plain = vec![
        ID.to_string(),
        PHONE.to_string(),
        "0472-5123456".to_string(),
    ];
    assert_absent(&db, &plain);
    drop(store);
    assert_absent(&db, &plain);

    // The key file is owner-only and is what opens the data again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.get(EntityKind::Person, p.id()).unwrap().unwrap(), p);
}

/// Every personal value of the sample registry, in plain.
fn sample_personal_values(records: &[Record]) -> Vec<String> {
    let mut out = HashSet::new();
    for r in records {
        match r {
            Record::Person(p) => {
                out.extend(p.phone.as_ref().map(|v| v.full().to_string()));
                out.extend(p.id_number.as_ref().map(|v| v.full().to_string()));
            }
            Record::Organisation(o) => {
                out.extend(o.contact_phone.as_ref().map(|v| v.full().to_string()))
            }
            Record::Application(a) => {
                out.extend(a.team.iter().map(|m| m.id_number.full().to_string()))
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}

#[test]
fn no_personal_value_of_the_sample_registry_reaches_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("innomesh.db");
    let store = SqliteStore::open(&db).unwrap();
    let records = generate(SampleConfig::default()).records;
    let plain = sample_personal_values(&records);
    assert!(plain.len() > 50, "the sample holds personal values");
    store
        .import(records, &who(), "sample", &|_| {})
        .unwrap()
        .unwrap();
    assert_absent(&db, &plain);
    // Team ID numbers come back for the engines that need them (duplicate checks).
    let apps = store.all(EntityKind::Application).unwrap();
    let team_ids: Vec<String> = apps
        .iter()
        .filter_map(|r| match r {
            Record::Application(a) => Some(a.team.iter().map(|m| m.id_number.full().to_string())),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(!team_ids.is_empty());
    assert!(team_ids.iter().all(|i| plain.contains(i)));
}

#[test]
fn rotation_keeps_values_readable_under_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("innomesh.db");
    let store = SqliteStore::open(&db).unwrap();
    let p = store.create(person(), &who()).unwrap();
    let old_id = store.key_id();
    let before = raw_data(&db, "person", p.id());

    let done = store.rotate_key(&Actor::system("cli"), &|_, _| {}).unwrap();
    assert_eq!(done.old_id, old_id);
    assert_ne!(done.new_id, old_id);
    assert_eq!(done.records, 1);
    assert_eq!(store.key_id(), done.new_id);
    let after = raw_data(&db, "person", p.id());
    assert_ne!(before, after);
    assert!(
        after.contains(&format!("enc:v1:{}:", done.new_id)),
        "{after}"
    );
    assert!(!after.contains(&old_id));
    assert_eq!(store.get(EntityKind::Person, p.id()).unwrap().unwrap(), p);
    // The rotation is audited and the chain holds.
    let last = &store.audit(None, None, 1).unwrap()[0];
    assert_eq!(last.action, "rotate_data_key");
    assert!(store.verify_audit().unwrap().is_intact());
    // The old key is kept aside, the new one is in place.
    let retired = dir.path().join(format!("{KEY_FILE}.{old_id}.retired"));
    assert_eq!(done.retired.as_deref(), Some(retired.as_path()));
    assert!(retired.exists());
    assert!(!dir.path().join(format!("{KEY_FILE}.new")).exists());
    drop(store);

    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.key_id(), done.new_id);
    assert_eq!(store.get(EntityKind::Person, p.id()).unwrap().unwrap(), p);
    drop(store);
    // The retired key no longer opens the database.
    let old = DataKey::parse(&std::fs::read_to_string(&retired).unwrap()).unwrap();
    let Err(StoreError::DataKey(m)) = SqliteStore::open_with_key(&db, old) else {
        panic!("the retired key opened the database")
    };
    assert!(m.contains("密钥不符"), "{m}");
}

#[test]
fn a_rotation_that_committed_before_its_files_were_swapped_is_finished_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("innomesh.db");
    let store = SqliteStore::open(&db).unwrap();
    let p = store.create(person(), &who()).unwrap();
    let old_id = store.key_id();
    // The database part of a rotation, then "the process dies" before the files move.
    let new = DataKey::generate().unwrap();
    let pending = dir.path().join(format!("{KEY_FILE}.new"));
    write_key(&pending, &new.to_hex());
    store
        .rotate_data_key(new.clone(), &who(), &|_, _| {})
        .unwrap();
    drop(store);
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.key_id(), new.id());
    assert_eq!(store.get(EntityKind::Person, p.id()).unwrap().unwrap(), p);
    assert!(!pending.exists());
    assert!(dir
        .path()
        .join(format!("{KEY_FILE}.{old_id}.retired"))
        .exists());
    drop(store);

    // A `.new` of a rotation that never committed is dropped.
    write_key(&pending, &DataKey::generate().unwrap().to_hex());
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.key_id(), new.id());
    assert!(!pending.exists());
}

fn write_key(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn a_wrong_exposed_or_broken_key_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("innomesh.db");
    let store = SqliteStore::open(&db).unwrap();
    store.create(person(), &who()).unwrap();
    drop(store);

    let Err(StoreError::DataKey(m)) = SqliteStore::open_with_key(&db, DataKey::generate().unwrap())
    else {
        panic!("another key opened the database")
    };
    assert!(m.contains("个人信息密钥不符"), "{m}");

    let key_file = dir.path().join(KEY_FILE);
    let good = std::fs::read_to_string(&key_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let Err(StoreError::DataKey(m)) = SqliteStore::open(&db) else {
            panic!("a world-readable key file was used")
        };
        assert!(m.contains("chmod 600"), "{m}");
    }
    write_key(&key_file, "不是密钥");
    let Err(StoreError::DataKey(m)) = SqliteStore::open(&db) else {
        panic!("a broken key file was used")
    };
    assert!(m.contains("已损坏"), "{m}");
    write_key(&key_file, &good);
    assert!(SqliteStore::open(&db).is_ok());
}

/// A database written by the version before sealing: the schema of migrations 0001–0005 and a
/// person with plaintext phone and ID number.
fn plaintext_database(db: &Path) -> String {
    // The current version up to the chain, without the sealing migration: build it with the
    // SQL files as that version did.
    let conn = Connection::open(db).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
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
    let mut p = person();
    p.set_id("PE000001".into());
    conn.execute(
        "INSERT INTO entities (kind, id, name, region, data, created_at, updated_at, updated_by)
         VALUES ('person', 'PE000001', '张三', '150203', $1, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'old')",
        [p.to_json().to_string()],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, kind, entity_id, detail)
         VALUES ('2025-01-01T00:00:00Z', 'old', 'create', 'person', 'PE000001', $1)",
        [p.to_masked_json().to_string()],
    )
    .unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM entities WHERE data LIKE $1",
            [format!("%{ID}%")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    "PE000001".into()
}

#[test]
fn plaintext_of_an_earlier_version_is_sealed_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("innomesh.db");
    let id = plaintext_database(&db);
    let store = SqliteStore::open(&db).unwrap();
    let Some(Record::Person(p)) = store.get(EntityKind::Person, &id).unwrap() else {
        panic!()
    };
    assert_eq!(p.id_number.unwrap().full(), ID);
    let raw = raw_data(&db, "person", &id);
    assert!(!raw.contains(ID) && !raw.contains(PHONE), "{raw}");
    assert_absent(&db, &[ID.to_string(), PHONE.to_string()]);
    let last = &store.audit(None, None, 1).unwrap()[0];
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("seal_personal_data", "migration")
    );
    assert!(store.verify_audit().unwrap().is_intact());
}

#[test]
fn in_memory_stores_seal_with_a_key_of_their_own() {
    let a = SqliteStore::open_in_memory().unwrap();
    let b = SqliteStore::open_in_memory().unwrap();
    assert_ne!(a.key_id(), b.key_id());
    let p = a.create(person(), &who()).unwrap();
    assert_eq!(a.get(EntityKind::Person, p.id()).unwrap().unwrap(), p);
}
