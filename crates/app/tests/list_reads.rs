//! Province scale (#14): a list page reads the records it shows, never a whole kind — not on a
//! warm page, not on the first page after a write. Checked on a ×5 sample registry by counting
//! the registry rows the store hands out (`Repository::rows_read`) while pages are built the way
//! the list page builds them (`App::list`, then `App::facets`).

use innomesh_app::{App, Principal};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_store::ListQuery;

#[test]
fn a_list_page_reads_its_page_not_the_kind() {
    let app = App::in_memory().unwrap();
    let local = Principal::local("测试");
    let data = generate(SampleConfig {
        scale: 5,
        seed: 2026,
    });
    app.import_records(&local, data.records, "测试", &|_| {})
        .unwrap()
        .unwrap();
    let kind = EntityKind::Organisation;
    let n = app.repo().count(kind).unwrap() as u64;
    assert!(n > 20_000, "a ×5 registry: {n} organisations");
    let page = |q: &ListQuery| {
        let p = app.list(&local, q).unwrap();
        let f = app.facets(&local, q).unwrap().unwrap();
        assert!(!f.districts.is_empty() || p.total == 0);
        p.records.len() as u64
    };
    let queries = {
        let mut qs = vec![ListQuery::new(kind)];
        let mut q = ListQuery::new(kind);
        q.region_prefix = Some("150203".into());
        qs.push(q);
        let mut q = ListQuery::new(kind);
        q.industry_prefix = Some("C".into());
        q.page = 40;
        qs.push(q);
        let mut q = ListQuery::new(kind);
        q.text = Some("稀土".into());
        qs.push(q);
        let mut q = ListQuery::new(kind);
        q.flag = Some("high_tech".into());
        q.page = 3;
        qs.push(q);
        qs
    };
    // The first page ever builds what the counts come from (the facet index from the kind's
    // list columns, the chain mapping): once.
    page(&queries[0]);

    // Warm pages read their own rows only.
    let before = app.repo().rows_read();
    let shown: u64 = queries.iter().map(page).sum();
    let read = app.repo().rows_read() - before;
    assert!(shown > 100);
    assert_eq!(read, shown, "warm pages read {read} rows to show {shown}");

    // After a write: the page re-reads the written record's columns, not the kind.
    let id = app
        .list(&local, &ListQuery::new(kind))
        .unwrap()
        .records
        .into_iter()
        .nth(3)
        .unwrap()
        .id()
        .to_string();
    let Some(Record::Organisation(mut o)) = app.repo().get(kind, &id).unwrap() else {
        panic!("organisation {id}")
    };
    o.name = format!("{}（更名）", o.name);
    app.update(&local, kind, &id, Record::Organisation(o))
        .unwrap();
    let before = app.repo().rows_read();
    let shown: u64 = queries.iter().map(page).sum();
    let read = app.repo().rows_read() - before;
    assert!(
        read <= shown + 1,
        "after one write, pages read {read} rows to show {shown} (the kind has {n})"
    );
}
