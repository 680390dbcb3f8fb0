//! The search index converges on the store whatever happened to the process: writes whose index
//! work was never committed (a `kill -9` between the store commit and the index commit), writes
//! made while no index was open (the CLI beside a stopped server), deletes and renames — a
//! restart replays the audit log from the version the index last committed.

use innomesh_app::Actor;
use innomesh_app::{App, Config};
use innomesh_core::{EntityKind, Record};
use innomesh_search::SearchQuery;
use innomesh_store::SqliteStore;
use std::path::Path;
use std::sync::Arc;

fn open(dir: &Path) -> Arc<App> {
    let store = SqliteStore::open(&dir.join("innomesh.db")).unwrap();
    App::new(
        Arc::new(store),
        Config {
            data_dir: Some(dir.to_path_buf()),
        },
    )
}

fn person(name: &str) -> Record {
    let v = serde_json::json!({
        "name": name,
        "role": "expert",
        "region": "150203",
        "expertise": "稀土永磁材料",
    });
    Record::from_json(EntityKind::Person, v).expect("valid person")
}

fn found(app: &App, q: &str) -> Vec<String> {
    let r = innomesh_app::search::search(
        app,
        &SearchQuery {
            q: q.to_string(),
            kinds: vec![EntityKind::Person],
            region_prefix: None,
            limit: 50,
            offset: 0,
        },
    )
    .unwrap();
    r.hits.iter().map(|h| h.id.clone()).collect()
}

#[test]
fn index_converges_after_lost_index_work_and_writes_made_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let (kept, renamed, deleted);
    {
        let app = open(dir.path());
        innomesh_app::search::open(&app, &|_, _| {}).unwrap();
        kept = app
            .create(person("甲乙丙测试专家"), &Actor::system("t"))
            .unwrap()
            .id()
            .to_string();
        let r = app
            .create(person("丁戊己测试专家"), &Actor::system("t"))
            .unwrap();
        renamed = r.id().to_string();
        deleted = app
            .create(person("庚辛壬测试专家"), &Actor::system("t"))
            .unwrap()
            .id()
            .to_string();
        // Committed once, so the index records a version behind what follows.
        innomesh_app::search::flush(&app).unwrap();
        let Record::Person(mut p) = r else { panic!() };
        p.name = "子丑寅改名专家".into();
        app.update(
            EntityKind::Person,
            &renamed,
            Record::Person(p),
            &Actor::system("t"),
        )
        .unwrap();
        app.delete(EntityKind::Person, &deleted, &Actor::system("t"))
            .unwrap();
        // Dropped without a commit: the index work of the last writes is lost, as in a kill -9
        // (the group commit had not come due).
    }
    {
        // Writes while no index is open (the CLI next to a stopped server).
        let app = open(dir.path());
        app.create(person("卯辰巳离线专家"), &Actor::system("cli"))
            .unwrap();
    }
    let app = open(dir.path());
    innomesh_app::search::open(&app, &|_, _| {}).unwrap();
    assert_eq!(found(&app, "甲乙丙测试专家"), vec![kept.clone()]);
    assert_eq!(found(&app, "子丑寅改名专家"), vec![renamed.clone()]);
    assert!(found(&app, "丁戊己测试专家").is_empty(), "old name gone");
    assert!(
        found(&app, "庚辛壬测试专家").is_empty(),
        "deleted record not returned"
    );
    assert_eq!(
        found(&app, "卯辰巳离线专家").len(),
        1,
        "written while the index was closed"
    );
    // Every stored person is findable by its stored name.
    for r in app.all(EntityKind::Person).unwrap() {
        assert!(
            found(&app, r.name()).contains(&r.id().to_string()),
            "{}",
            r.name()
        );
    }
}

#[test]
fn a_write_is_visible_to_the_next_search_without_waiting_for_the_group_commit() {
    let app = App::in_memory().unwrap();
    innomesh_app::search::open(&app, &|_, _| {}).unwrap();
    for i in 0..5 {
        let id = app
            .create(person(&format!("即时可见专家{i}号")), &Actor::system("t"))
            .unwrap()
            .id()
            .to_string();
        assert!(found(&app, &format!("即时可见专家{i}号")).contains(&id));
    }
}
