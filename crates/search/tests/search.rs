//! The search index through its API, with records as the store holds them.

use innomesh_core::{CreditCode, EntityKind, Record};
use innomesh_search::{SearchIndex, SearchQuery};

fn org(code17: &str, region: &str, name: &str, products: &str) -> Record {
    let code = CreditCode::with_check_digit(code17).unwrap();
    Record::from_json(
        EntityKind::Organisation,
        serde_json::json!({"credit_code": code.as_str(), "name": name, "kind": "enterprise",
            "region": region, "industry": "3985", "products": products}),
    )
    .unwrap()
}

fn corpus() -> Vec<Record> {
    vec![
        org(
            "91150203MA0000001",
            "150203",
            "包头甲电机有限公司",
            "稀土永磁电机、伺服电机",
        ),
        org(
            "91150207MA0000002",
            "150207",
            "包头乙物流有限公司",
            "为包头钢铁（集团）有限责任公司提供运输",
        ),
        org(
            "91150204MA0000003",
            "150204",
            "丙抛光材料有限公司",
            "稀土抛光粉 <高纯> & 氧化铈",
        ),
        org(
            "91150203MA0000004",
            "150203",
            "丁机械有限公司",
            "数控机床加工、齿轮",
        ),
    ]
}

fn index() -> SearchIndex {
    let ix = SearchIndex::in_memory().unwrap();
    let records = corpus();
    assert_eq!(ix.rebuild(&records).unwrap(), 4);
    ix
}

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        q: text.to_string(),
        limit: 10,
        ..Default::default()
    }
}

/// Names of the hits for `text`, best first.
fn check(ix: &SearchIndex, text: &str, want: &[&str]) {
    let r = ix.search(&q(text)).unwrap();
    let got: Vec<&str> = r.hits.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(got, want, "query {text}");
    assert_eq!(r.total, want.len());
}

#[test]
fn finds_words_inside_compounds() {
    let ix = index();
    check(&ix, "永磁", &["包头甲电机有限公司"]);
    check(&ix, "永磁电机", &["包头甲电机有限公司"]);
    check(&ix, "抛光", &["丙抛光材料有限公司"]);
    check(&ix, "稀土 齿轮", &[]);
}

#[test]
fn aliases_expand_queries() {
    let ix = index();
    check(&ix, "包钢", &["包头乙物流有限公司"]);
    // 钕铁硼 ↔ 稀土永磁
    check(&ix, "钕铁硼", &["包头甲电机有限公司"]);
    // cnc ↔ 数控机床, case folded
    check(&ix, "CNC", &["丁机械有限公司"]);
}

#[test]
fn facets_add_up_and_filters_apply() {
    let ix = index();
    let r = ix.search(&q("有限公司")).unwrap();
    assert_eq!(r.total, 4);
    let kinds: u64 = r.facets.kinds.iter().map(|f| f.count).sum();
    let districts: u64 = r.facets.districts.iter().map(|f| f.count).sum();
    assert_eq!((kinds, districts), (4, 4));
    assert_eq!(r.facets.districts[0].key, "150203");
    assert_eq!(r.facets.districts[0].count, 2);
    assert_eq!(r.facets.districts[0].label, "昆都仑区");
    let mut only = q("有限公司");
    only.region_prefix = Some("150203".into());
    assert_eq!(ix.search(&only).unwrap().total, 2);
    only.region_prefix = Some("1502".into());
    assert_eq!(ix.search(&only).unwrap().total, 4);
    only.kinds = vec![EntityKind::Platform];
    assert_eq!(ix.search(&only).unwrap().total, 0);
    // Paging: the total counts all matches, hits only the page.
    let mut page = q("有限公司");
    page.limit = 1;
    page.offset = 3;
    let r = ix.search(&page).unwrap();
    assert_eq!((r.total, r.hits.len()), (4, 1));
}

#[test]
fn snippets_mark_matches_and_escape() {
    let ix = index();
    let r = ix.search(&q("抛光粉")).unwrap();
    let h = &r.hits[0];
    assert!(
        h.snippet_html.contains("<mark>稀土抛光粉</mark>")
            || h.snippet_html.contains("<mark>抛光粉</mark>"),
        "{}",
        h.snippet_html
    );
    assert!(
        h.snippet_html.contains("&lt;高纯&gt; &amp;"),
        "{}",
        h.snippet_html
    );
    assert!(h.name_html.contains("<mark>抛光</mark>"), "{}", h.name_html);
}

#[test]
fn writes_are_visible_after_commit() {
    let ix = index();
    check(&ix, "储氢合金", &[]);
    let new = org(
        "91150205MA0000005",
        "150205",
        "戊新材料有限公司",
        "稀土储氢合金",
    );
    ix.upsert(&new).unwrap();
    ix.commit().unwrap();
    check(&ix, "储氢合金", &["戊新材料有限公司"]);
    // Upsert replaces, never duplicates.
    let renamed = org(
        "91150205MA0000005",
        "150205",
        "戊储能有限公司",
        "稀土储氢合金",
    );
    ix.upsert(&renamed).unwrap();
    ix.commit().unwrap();
    check(&ix, "储氢合金", &["戊储能有限公司"]);
    ix.delete(EntityKind::Organisation, renamed.id()).unwrap();
    ix.commit().unwrap();
    check(&ix, "储氢合金", &[]);
}

#[test]
fn on_disk_index_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let ix = SearchIndex::open_or_create(dir.path()).unwrap();
        ix.rebuild(&corpus()).unwrap();
    }
    let ix = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(ix.len(), 4);
    check(&ix, "永磁", &["包头甲电机有限公司"]);
}

fn names(ix: &SearchIndex, text: &str) -> Vec<String> {
    let r = ix.search(&q(text)).unwrap();
    r.hits.into_iter().map(|h| h.name).collect()
}

#[test]
fn edited_dictionaries_take_effect_after_rebuild() {
    use innomesh_matching::{AliasDict, UserDict};
    let ix = index();
    // No alias yet: 伺服马达 finds nothing about 伺服电机.
    assert!(names(&ix, "伺服马达").is_empty());
    let aliases = AliasDict::parse("伺服马达|伺服电机\n").unwrap();
    let user = UserDict::parse("伺服马达 500 n\n").unwrap();
    ix.set_dictionaries(&user, aliases).unwrap();
    ix.rebuild(&corpus()).unwrap();
    assert_eq!(names(&ix, "伺服马达"), vec!["包头甲电机有限公司"]);
    // Back to the bundled dictionaries: the alias is gone again.
    ix.set_dictionaries(&UserDict::bundled(), AliasDict::bundled())
        .unwrap();
    ix.rebuild(&corpus()).unwrap();
    assert!(names(&ix, "伺服马达").is_empty());
}

#[test]
fn a_failed_dictionary_rebuild_leaves_index_and_dictionaries_as_they_were() {
    use innomesh_matching::{AliasDict, UserDict};
    let ix = index();
    let aliases = AliasDict::parse("伺服马达|伺服电机\n").unwrap();
    let e = ix
        .rebuild_with_dictionaries(&UserDict::bundled(), aliases.clone(), || {
            Err("数据库不可用".to_string())
        })
        .unwrap_err();
    assert!(e.to_string().contains("数据库不可用"), "{e}");
    assert!(
        names(&ix, "伺服马达").is_empty(),
        "old aliases still in force"
    );
    assert_eq!(ix.len(), 4, "nothing deleted");
    check(&ix, "永磁", &["包头甲电机有限公司"]);
    // The same call with the records succeeds and the alias works.
    let n = ix
        .rebuild_with_dictionaries(&UserDict::bundled(), aliases, || Ok(corpus()))
        .unwrap();
    assert_eq!(n, 4);
    assert_eq!(names(&ix, "伺服马达"), vec!["包头甲电机有限公司"]);
}

/// A query that is a record's id ranks that record first, above records whose text repeats it
/// (supply relations, contracts and notes name an organisation by its credit code), and finds a
/// record whose text does not contain its own id; lower case and full-width forms count too.
#[test]
fn an_exact_id_ranks_its_record_first() {
    let target = CreditCode::with_check_digit("91150203MA0000004").unwrap();
    let code = target.as_str().to_string();
    let mut records = corpus();
    for i in 5..9 {
        records.push(org(
            &format!("91150203MA000000{i}"),
            "150203",
            &format!("戊{i}贸易有限公司"),
            &format!("客户 {code}，{code} 的齿轮供应商；再次供货 {code}"),
        ));
    }
    let ix = SearchIndex::in_memory().unwrap();
    ix.rebuild(&records).unwrap();
    for typed in [code.clone(), code.to_lowercase(), format!(" {code} ")] {
        let r = ix.search(&q(&typed)).unwrap();
        assert_eq!(
            r.hits.first().map(|h| h.id.as_str()),
            Some(code.as_str()),
            "query {typed}: {:?}",
            r.hits.iter().map(|h| &h.name).collect::<Vec<_>>()
        );
        assert!(r.total >= 5, "the records naming it are still found");
    }
    // An id-like query that is nobody's id changes nothing.
    check(&ix, "ZZ000001", &[]);
}
