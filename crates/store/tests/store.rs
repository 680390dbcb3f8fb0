use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_store::Actor;
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
        .import(vec![a.clone(), b], &Actor::system("test"), "t", &|_| {})
        .unwrap()
        .unwrap();
    assert_eq!((s.created, s.updated), (2, 0));
    // Same credit code again: updated, not duplicated.
    let a2 = org("91150203MA0000001", "150203", "甲改名");
    let s = store
        .import(vec![a2], &Actor::system("test"), "t", &|_| {})
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
        .import(vec![c, p], &Actor::system("test"), "t", &|_| {})
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
        .import(data.records, &Actor::system("sample"), "sample", &|_| {})
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
        .delete(
            EntityKind::Organisation,
            p0.host.as_str(),
            &Actor::system("t")
        )
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
            &Actor::system("t"),
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

fn person(role: &str, org: &str) -> Record {
    Record::from_json(
        EntityKind::Person,
        serde_json::json!({"name": "张三", "role": role, "organisation": org}),
    )
    .unwrap()
}

#[test]
fn demand_workflow_moves_one_stage_at_a_time_and_keeps_history() {
    use innomesh_core::model::DemandStatus;
    let store = SqliteStore::open_in_memory().unwrap();
    let a = org("91150203MA0000001", "150203", "甲");
    let code = a.id().to_string();
    store
        .import(vec![a], &Actor::system("t"), "t", &|_| {})
        .unwrap()
        .unwrap();
    let tm = store
        .create(person("technology_manager", &code), &Actor::system("t"))
        .unwrap();
    let d = Record::from_json(
        EntityKind::Demand,
        serde_json::json!({"title": "磁体良品率提升", "kind": "technical_problem", "organisation": code, "status": "posted"}),
    )
    .unwrap();
    let d = store.create(d, &Actor::system("企业甲")).unwrap();
    let id = d.id().to_string();
    // Skipping a stage is refused and writes nothing.
    let e = store
        .transition_demand(&id, DemandStatus::Matched, None, &Actor::system("局"), "")
        .unwrap_err();
    assert!(
        e.to_string().contains("不能从「已发布」直接跳到「已匹配」"),
        "{e}"
    );
    // A person who is not a technology manager cannot carry a demand.
    let expert = store
        .create(person("expert", &code), &Actor::system("t"))
        .unwrap();
    let e = store
        .transition_demand(
            &id,
            DemandStatus::Screened,
            Some(expert.id()),
            &Actor::system("局"),
            "",
        )
        .unwrap_err();
    assert!(e.to_string().contains("不是技术经理人"), "{e}");
    // A manager that is not in the registry is refused.
    let e = store
        .transition_demand(
            &id,
            DemandStatus::Screened,
            Some("PE999999"),
            &Actor::system("局"),
            "",
        )
        .unwrap_err();
    assert!(e.to_string().contains("PE999999"), "{e}");
    let r = store
        .transition_demand(
            &id,
            DemandStatus::Screened,
            Some(tm.id()),
            &Actor::system("王经理"),
            "卡片完整",
        )
        .unwrap();
    let Record::Demand(d) = r else { panic!() };
    assert_eq!(d.status, DemandStatus::Screened);
    assert_eq!(d.manager.as_deref(), Some(tm.id()));
    // Back without a reason: refused; with one: allowed.
    assert!(store
        .transition_demand(
            &id,
            DemandStatus::Posted,
            None,
            &Actor::system("王经理"),
            " "
        )
        .is_err());
    store
        .transition_demand(
            &id,
            DemandStatus::Posted,
            None,
            &Actor::system("王经理"),
            "目标指标不清，退回企业补充",
        )
        .unwrap();
    let h = store.demand_history(Some(&id)).unwrap();
    let steps: Vec<(Option<&str>, &str, &str)> = h
        .iter()
        .map(|t| (t.from.as_deref(), t.to.as_str(), t.actor.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (None, "posted", "企业甲"),
            (Some("posted"), "screened", "王经理"),
            (Some("screened"), "posted", "王经理"),
        ]
    );
    assert_eq!(h[2].note, "目标指标不清，退回企业补充");
    // An edit that does not change the status adds no history; one that does is recorded.
    let Some(Record::Demand(mut d)) = store.get(EntityKind::Demand, &id).unwrap() else {
        panic!()
    };
    d.text = "补充说明".into();
    store
        .update(
            EntityKind::Demand,
            &id,
            Record::Demand(d.clone()),
            &Actor::system("企业甲"),
        )
        .unwrap();
    assert_eq!(store.demand_history(Some(&id)).unwrap().len(), 3);
    d.status = DemandStatus::Screened;
    store
        .update(
            EntityKind::Demand,
            &id,
            Record::Demand(d),
            &Actor::system("导表员"),
        )
        .unwrap();
    let h = store.demand_history(None).unwrap();
    assert_eq!(h.len(), 4);
    assert_eq!(h[3].note, "编辑记录");
    // An edit may not skip stages either: it is pointed to the workflow.
    let Some(Record::Demand(mut d)) = store.get(EntityKind::Demand, &id).unwrap() else {
        panic!()
    };
    d.status = DemandStatus::Contracted;
    let e = store
        .update(
            EntityKind::Demand,
            &id,
            Record::Demand(d),
            &Actor::system("导表员"),
        )
        .unwrap_err();
    assert!(matches!(e, innomesh_store::StoreError::Rule(_)), "{e}");
    assert!(e.to_string().contains("需求流转"), "{e}");
    assert_eq!(store.demand_history(Some(&id)).unwrap().len(), 4);
    // The manager cannot be deleted, nor stop being a technology manager, while a demand names them.
    let e = store
        .delete(EntityKind::Person, tm.id(), &Actor::system("t"))
        .unwrap_err();
    assert!(e.to_string().contains("引用"), "{e}");
    let Some(Record::Person(mut p)) = store.get(EntityKind::Person, tm.id()).unwrap() else {
        panic!()
    };
    p.role = innomesh_core::model::PersonRole::Expert;
    let e = store
        .update(
            EntityKind::Person,
            tm.id(),
            Record::Person(p),
            &Actor::system("t"),
        )
        .unwrap_err();
    assert!(e.to_string().contains("技术经理人"), "{e}");
    assert!(store
        .transition_demand(
            "DM404",
            DemandStatus::Screened,
            None,
            &Actor::system("x"),
            ""
        )
        .is_err());
    // A deleted demand's history does not follow a new demand that reuses its id.
    store
        .delete(EntityKind::Demand, &id, &Actor::system("t"))
        .unwrap();
    let again = Record::from_json(
        EntityKind::Demand,
        serde_json::json!({"id": id, "title": "新需求", "kind": "technical_problem", "organisation": code, "status": "posted"}),
    )
    .unwrap();
    store.create(again, &Actor::system("企业乙")).unwrap();
    let h = store.demand_history(Some(&id)).unwrap();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].actor, "企业乙");
}

#[test]
fn demand_history_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let store = SqliteStore::open(&path).unwrap();
    let a = org("91150203MA0000001", "150203", "甲");
    let code = a.id().to_string();
    store
        .import(vec![a], &Actor::system("t"), "t", &|_| {})
        .unwrap()
        .unwrap();
    let d = Record::from_json(
        EntityKind::Demand,
        serde_json::json!({"title": "需求", "kind": "technical_problem", "organisation": code, "status": "posted"}),
    )
    .unwrap();
    store.create(d, &Actor::system("t")).unwrap();
    drop(store);
    let conn = rusqlite_conn(&path);
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM demand_transitions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    assert!(conn.execute("DELETE FROM demand_transitions", []).is_err());
    assert!(conn
        .execute("UPDATE demand_transitions SET actor = 'x'", [])
        .is_err());
}

#[test]
fn responses_must_name_a_registered_demand_and_solver() {
    let store = SqliteStore::open_in_memory().unwrap();
    let a = org("91150203MA0000001", "150203", "甲");
    let code = a.id().to_string();
    store
        .import(vec![a], &Actor::system("t"), "t", &|_| {})
        .unwrap()
        .unwrap();
    let expert = store
        .create(person("expert", &code), &Actor::system("t"))
        .unwrap();
    let d = Record::from_json(
        EntityKind::Demand,
        serde_json::json!({"id": "DM000001", "title": "需求", "kind": "technical_problem", "organisation": code, "status": "matched"}),
    )
    .unwrap();
    let response = |demand: &str, solver: &str| {
        Record::from_json(
            EntityKind::DemandResponse,
            serde_json::json!({"demand": demand, "solver_type": "expert", "solver": solver, "submitted": "2026-03-01", "outcome": "pending"}),
        )
        .unwrap()
    };
    // Demand and response in the same batch: fine.
    store
        .import(
            vec![d, response("DM000001", expert.id())],
            &Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    let errs = store
        .import(
            vec![
                response("DM000009", expert.id()),
                response("DM000001", "PE777777"),
            ],
            &Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap_err();
    assert_eq!(errs.len(), 2);
    assert_eq!((errs[0].field, errs[1].field), ("demand", "solver"));
    assert_eq!(store.count(EntityKind::DemandResponse).unwrap(), 1);
    let e = store
        .delete(EntityKind::Demand, "DM000001", &Actor::system("t"))
        .unwrap_err();
    assert!(e.to_string().contains("引用"), "{e}");
}

#[test]
fn readers_do_not_wait_for_a_long_import() {
    use std::sync::mpsc;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("r.db")).unwrap();
    store
        .import(
            vec![org("91150203MA0000001", "150203", "甲")],
            &Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    let batch: Vec<Record> = (2..=1500)
        .map(|i| org(&format!("91150203MA{i:07}"), "150203", "乙"))
        .collect();
    let (inside, import_is_inside) = mpsc::channel::<()>();
    let (read_done, reader_finished) = mpsc::channel::<usize>();
    std::thread::scope(|s| {
        let store = &store;
        let writer = s.spawn(move || {
            // Called inside the import's transaction: the import waits here, holding the writer,
            // until the reader has read (or gives up, which the assertion below reports).
            let seen = std::sync::Mutex::new(None);
            let progress = |_n: usize| {
                let mut seen = seen.lock().unwrap();
                if seen.is_none() {
                    inside.send(()).unwrap();
                    *seen = Some(reader_finished.recv_timeout(Duration::from_secs(20)).ok());
                }
            };
            store
                .import(batch, &Actor::system("t"), "t", &progress)
                .unwrap()
                .unwrap();
            seen.into_inner().unwrap().flatten()
        });
        import_is_inside
            .recv_timeout(Duration::from_secs(60))
            .unwrap();
        // The writer holds an open transaction now; a read must still answer, with the last
        // committed state.
        let n = store.count(EntityKind::Organisation).unwrap();
        let listed = store
            .list(&ListQuery::new(EntityKind::Organisation))
            .unwrap();
        read_done.send(n).unwrap();
        assert_eq!((n, listed.total), (1, 1));
        assert_eq!(
            writer.join().unwrap(),
            Some(1),
            "the read waited for the import"
        );
    });
    // And the import's rows are visible to readers once it committed.
    assert_eq!(store.count(EntityKind::Organisation).unwrap(), 1500);
}

#[test]
fn references_of_a_database_from_before_0004_are_backfilled() {
    // A database as migrations 1–3 left it, with a platform pointing at its host organisation.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let conn = rusqlite_conn(&path);
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
    ] {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES ($1, '2025-01-01T00:00:00Z')",
            [v],
        )
        .unwrap();
    }
    let host = org("91150203MA0000001", "150203", "甲");
    let platform = Record::from_json(
        EntityKind::Platform,
        serde_json::json!({"id": "PF000001", "name": "实验室", "kind": "key_laboratory", "tier": "national", "host": host.id(), "status": "operating"}),
    )
    .unwrap();
    for r in [&host, &platform] {
        conn.execute(
            "INSERT INTO entities (kind, id, name, data, created_at, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, 'x', 'x', 'x')",
            rusqlite::params![r.kind().code(), r.id(), r.name(), r.to_json().to_string()],
        )
        .unwrap();
    }
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    let e = store
        .delete(EntityKind::Organisation, host.id(), &Actor::system("t"))
        .unwrap_err();
    assert!(
        matches!(&e, innomesh_store::StoreError::Referenced(m) if m.contains("PF000001")),
        "{e:?}"
    );
}
