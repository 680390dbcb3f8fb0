use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_store::{ListQuery, Repository, SqliteStore};

fn org(code17: &str, region: &str, name: &str) -> Record {
    let code = innomesh_core::CreditCode::with_check_digit(code17).unwrap();
    Record::from_json(
        EntityKind::Organisation,
        serde_json::json!({"credit_code": code.as_str(), "name": name, "kind": "enterprise", "region": region, "industry": "3985"}),
    )
    .unwrap()
}

#[test]
fn import_is_all_or_nothing_and_upserts() {
    let store = SqliteStore::open_in_memory().unwrap();
    let a = org("91150203MA0000001", "150203", "甲");
    let b = org("91150207MA0000002", "150207", "乙");
    let s = store
        .import(vec![a.clone(), b], "test", "t", &|_| {})
        .unwrap()
        .unwrap();
    assert_eq!((s.created, s.updated), (2, 0));
    // Same credit code again: updated, not duplicated.
    let a2 = org("91150203MA0000001", "150203", "甲改名");
    let s = store
        .import(vec![a2], "test", "t", &|_| {})
        .unwrap()
        .unwrap();
    assert_eq!((s.created, s.updated), (0, 1));
    assert_eq!(store.count(EntityKind::Organisation).unwrap(), 2);
    // A platform pointing at an unknown host makes the whole batch fail.
    let p = Record::from_json(
        EntityKind::Platform,
        serde_json::json!({"name": "实验室", "kind": "key_laboratory", "tier": "national", "host": innomesh_core::CreditCode::with_check_digit("91150203MA0000009").unwrap().as_str(), "status": "operating"}),
    )
    .unwrap();
    let c = org("91150204MA0000003", "150204", "丙");
    let errs = store
        .import(vec![c, p], "test", "t", &|_| {})
        .unwrap()
        .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].index, 1);
    assert_eq!(
        store.count(EntityKind::Organisation).unwrap(),
        2,
        "nothing written"
    );
    let audit = store.audit(None, None, 100).unwrap();
    assert!(audit.iter().all(|e| e.actor == "test"));
}

#[test]
fn region_and_industry_filters_include_descendants() {
    let store = SqliteStore::open_in_memory().unwrap();
    let data = generate(SampleConfig::default());
    store
        .import(data.records, "sample", "sample", &|_| {})
        .unwrap()
        .unwrap();
    let q = |r: &str| {
        store
            .list(&ListQuery::new(EntityKind::Organisation).region(r).unwrap())
            .unwrap()
    };
    let kdl = q("150203");
    assert!(kdl.total > 1000);
    assert!(kdl
        .records
        .iter()
        .all(|r| matches!(r, Record::Organisation(o) if o.region.as_str() == "150203")));
    let baotou = q("1502").total;
    assert_eq!(baotou, q("150200").total);
    assert!(baotou > 5000 && baotou > kdl.total);
    let mut ind = ListQuery::new(EntityKind::Organisation)
        .industry("C")
        .unwrap();
    ind.per_page = 5;
    let manuf = store.list(&ind).unwrap();
    assert!(manuf.total > 100 && manuf.records.len() == 5);
    let mut text = ListQuery::new(EntityKind::Organisation);
    text.text = Some("磁材".into());
    assert!(store.list(&text).unwrap().total > 10);
    // Deleting a referenced organisation is refused.
    let p = store.all(EntityKind::Platform).unwrap();
    let Record::Platform(p0) = &p[0] else {
        panic!()
    };
    assert!(store
        .delete(EntityKind::Organisation, p0.host.as_str(), "t")
        .is_err());
    assert!(!store.relations(&p0.host).unwrap().is_empty());
}

#[test]
fn audit_log_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let store = SqliteStore::open(&path).unwrap();
    store
        .import(
            vec![org("91150203MA0000001", "150203", "甲")],
            "t",
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    drop(store);
    let conn = rusqlite_conn(&path);
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    assert!(conn
        .execute("UPDATE audit_log SET actor = 'x'", [])
        .is_err());
}

fn rusqlite_conn(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}
