//! Registry lists and exports through `App`, on the sample city: the chain / chain-node filter
//! (「昆都仑区的稀土企业」), its facet by name, the industry drill-down staying inside the chosen
//! section, exports holding exactly what the filtered list holds and saying so in words, and an
//! exact id or credit code ranking its record first in lists and in search.

use innomesh_app::{App, Code, ListQuery, Principal, Role, Sort};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

fn app() -> &'static Arc<App> {
    static APP: OnceLock<Arc<App>> = OnceLock::new();
    APP.get_or_init(|| {
        let app = App::in_memory().unwrap();
        let local = Principal::local("t");
        app.import_records(
            &local,
            generate(SampleConfig::default()).records,
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
        innomesh_app::chains::seed_models(&app, &local).unwrap();
        app
    })
}

fn city() -> Principal {
    let app = app();
    static P: OnceLock<Principal> = OnceLock::new();
    P.get_or_init(|| {
        let local = Principal::local("t");
        app.add_user(&local, "city", "市局张三", Role::CityStaff, "")
            .unwrap();
        let (_, token) = app.create_token(&local, "city", Some(1), "t").unwrap();
        app.token_principal(&token, "test").unwrap()
    })
    .clone()
}

/// Every id a query lists, all pages.
fn ids(q: &ListQuery) -> BTreeSet<String> {
    let mut q = q.clone();
    q.per_page = 1000;
    let mut out = BTreeSet::new();
    for page in 1.. {
        q.page = page;
        let p = app().list(&city(), &q).unwrap();
        let n = p.records.len();
        out.extend(p.records.iter().map(|r| r.id().to_string()));
        if n < q.per_page {
            break;
        }
    }
    out
}

/// The organisations the chain engine maps to any node of `chain` (or to `node`), by credit code.
fn members(chain: &str, node: Option<&str>) -> BTreeSet<String> {
    let loaded = app().chains_loaded(&city()).unwrap();
    let set = loaded.engine.chains();
    let c = set.chain_index(chain).unwrap();
    let mut out = BTreeSet::new();
    for n in set.chain_nodes(c) {
        let key = &set.node(n).unwrap().key;
        if node.is_some_and(|want| want.replacen('.', "/", 1) != *key) {
            continue;
        }
        for o in loaded.engine.node_orgs(key).unwrap() {
            out.insert(loaded.engine.input().orgs[o as usize].credit_code.clone());
        }
    }
    out
}

fn orgs() -> ListQuery {
    ListQuery::new(EntityKind::Organisation)
}

#[test]
fn chain_filter_lists_a_districts_chain_enterprises() {
    let mut q = orgs().region("150203").unwrap();
    q.chain = Some("rare_earth".into());
    let got = ids(&q);
    let in_district = ids(&orgs().region("150203").unwrap());
    let want: BTreeSet<String> = members("rare_earth", None)
        .intersection(&in_district)
        .cloned()
        .collect();
    assert!(
        !want.is_empty(),
        "the sample has rare-earth firms in 昆都仑区"
    );
    assert_eq!(got, want);
    assert!(got.len() < in_district.len(), "the filter narrows the list");

    // A node narrows further, to its own organisations.
    let mut qn = q.clone();
    qn.node = Some("rare_earth.magnet".into());
    let node = ids(&qn);
    let want_node: BTreeSet<String> = members("rare_earth", Some("rare_earth.magnet"))
        .intersection(&in_district)
        .cloned()
        .collect();
    assert_eq!(node, want_node);
    assert!(node.is_subset(&got));
}

#[test]
fn unknown_or_mismatched_chain_filters_are_refused_with_a_reason() {
    let mut q = orgs();
    q.chain = Some("no_such_chain".into());
    let e = app().list(&city(), &q).unwrap_err();
    assert_eq!(e.code, Code::UnknownReference);
    assert!(e.message.contains("no_such_chain"), "{}", e.message);

    let mut q = orgs();
    q.chain = Some("rare_earth".into());
    q.node = Some("new_energy.polysilicon".into());
    let e = app().list(&city(), &q).unwrap_err();
    assert_eq!(e.code, Code::UnknownReference);
    assert!(
        e.message.contains("多晶硅") && e.message.contains("稀土产业链"),
        "{}",
        e.message
    );

    let mut q = ListQuery::new(EntityKind::Demand);
    q.chain = Some("rare_earth".into());
    assert_eq!(
        app().list(&city(), &q).unwrap_err().code,
        Code::InvalidQuery
    );
}

#[test]
fn chain_facet_names_chains_and_counts_what_the_filter_lists() {
    let q = orgs().region("150203").unwrap();
    let f = app().facets(&city(), &q).unwrap().unwrap();
    assert_eq!(f.chains.len(), 4, "{:?}", f.chains);
    for c in &f.chains {
        assert!(!c.name.is_empty() && !c.name.contains('_'), "a name: {c:?}");
        let mut qc = q.clone();
        qc.chain = Some(c.id.clone());
        assert_eq!(
            app().list(&city(), &qc).unwrap().total,
            c.count,
            "chain {}",
            c.name
        );
    }
    assert!(f.nodes.is_empty(), "nodes only under a chosen chain");
    let mut qc = q.clone();
    qc.chain = Some("rare_earth".into());
    let f = app().facets(&city(), &qc).unwrap().unwrap();
    let loaded = app().chains_loaded(&city()).unwrap();
    let set = loaded.engine.chains();
    let rare = set.chain_index("rare_earth").unwrap();
    assert_eq!(
        f.nodes.len(),
        set.chain_nodes(rare).len(),
        "every node, by name"
    );
    assert!(f.nodes.iter().any(|n| n.name == "稀土采矿"));
    for n in &f.nodes {
        let mut qn = qc.clone();
        qn.node = Some(n.id.clone());
        assert_eq!(app().list(&city(), &qn).unwrap().total, n.count, "{n:?}");
    }
}

#[test]
fn industry_facet_under_a_section_lists_only_its_own_divisions() {
    let q = orgs().industry("C").unwrap();
    let f = app().facets(&city(), &q).unwrap().unwrap();
    assert!(!f.industries.is_empty());
    for key in f.industries.keys() {
        let div: u32 = key
            .strip_prefix("C/")
            .unwrap_or_else(|| panic!("{key} is not under C"))
            .parse()
            .unwrap();
        assert!((13..=43).contains(&div), "{key}");
    }
    // Every division of C that has organisations is offered, with the list's count.
    let reference = innomesh_core::reference::industries();
    for div in reference.children("C") {
        let n = app()
            .list(&city(), &orgs().industry(div).unwrap())
            .unwrap()
            .total;
        assert_eq!(
            f.industries.get(&format!("C/{div}")).copied().unwrap_or(0),
            n,
            "division {div}"
        );
    }
    // And the counts add up to the section's total.
    assert_eq!(
        f.industries.values().sum::<usize>(),
        app().list(&city(), &q).unwrap().total
    );
}

#[test]
fn exports_hold_what_the_filtered_list_holds_and_say_so_in_words() {
    let mut q = orgs().region("150203").unwrap();
    q.chain = Some("rare_earth".into());
    q.flag = Some("high_tech".into());
    let records = app().export_records(&city(), &q).unwrap();
    let got: BTreeSet<String> = records.iter().map(|r| r.id().to_string()).collect();
    assert_eq!(got, ids(&q));
    assert!(!got.is_empty());
    let words = app()
        .describe_filters(&city(), &q, &|k, v| format!("{k}={v}"))
        .unwrap();
    let all = words.join("；");
    assert!(all.contains("昆都仑区"), "{all}");
    assert!(all.contains("稀土产业链"), "{all}");
    assert!(!all.contains("rare_earth"), "names, not codes: {all}");
    // Unfiltered: every record.
    assert_eq!(
        app().export_records(&city(), &orgs()).unwrap().len(),
        app().count(&city(), EntityKind::Organisation).unwrap()
    );
    // More than one keyset batch (1,000) comes back whole and in id order.
    let mut big = ListQuery::new(EntityKind::Organisation);
    big.text = Some("有限".into());
    let all = app().export_records(&city(), &big).unwrap();
    assert!(all.len() > 1000, "{}", all.len());
    assert!(all.windows(2).all(|w| w[0].id() < w[1].id()));
    assert_eq!(all.len(), app().list(&city(), &big).unwrap().total);
}

#[test]
fn an_exact_id_or_credit_code_lists_and_searches_first() {
    // An organisation named by the supply relations that mention its credit code.
    let supplies = app().repo().all(EntityKind::SupplyRelation).unwrap();
    let code = supplies
        .iter()
        .find_map(|r| match r {
            Record::SupplyRelation(s) => Some(s.customer.as_str().to_string()),
            _ => None,
        })
        .unwrap();
    let sq = innomesh_search::SearchQuery {
        q: code.clone(),
        limit: 10,
        ..Default::default()
    };
    let r = app().search(&city(), &sq).unwrap();
    assert!(r.total > 1, "the supply relations naming it match too");
    assert_eq!(
        r.hits[0].id,
        code,
        "{:?}",
        r.hits.iter().map(|h| &h.name).collect::<Vec<_>>()
    );

    // Lists: the record whose id was typed (in any case) comes first whatever the sort, ahead
    // of records whose text names it.
    let small = App::in_memory().unwrap();
    let local = Principal::local("t");
    let org = |code17: &str, name: &str, products: &str| {
        let code = innomesh_core::CreditCode::with_check_digit(code17).unwrap();
        Record::from_json(
            EntityKind::Organisation,
            serde_json::json!({"credit_code": code.as_str(), "name": name, "kind": "enterprise",
                "region": "150203", "industry": "3985", "products": products}),
        )
        .unwrap()
    };
    let target = org("91150203MA0000009", "包头庚电机有限公司", "电机");
    let code = target.id().to_string();
    small.create(&local, target).unwrap();
    for (i, name) in ["包头甲贸易有限公司", "包头乙贸易有限公司"]
        .iter()
        .enumerate()
    {
        let text = format!("为 {code} 供货");
        small
            .create(&local, org(&format!("9115020{i}MA0000001"), name, &text))
            .unwrap();
    }
    for sort in [Sort::Name, Sort::Id, Sort::UpdatedDesc] {
        let mut q = orgs();
        q.text = Some(code.to_lowercase());
        q.sort = sort;
        let p = small.list(&local, &q).unwrap();
        assert_eq!(p.total, 3, "{sort:?}");
        assert_eq!(p.records[0].id(), code, "{sort:?}");
    }
}

/// Histories name people, not login names or raw sources: an account by its name (with the
/// login name beside it), the command line as such.
#[test]
fn actors_are_shown_by_the_accounts_name() {
    let who = city();
    let names = app()
        .actor_names(&["city", "city（市级工作人员）@127.0.0.1", "cli:operator"])
        .unwrap();
    assert_eq!(names["city"], "市局张三（city）");
    assert_eq!(names["city（市级工作人员）@127.0.0.1"], "市局张三（city）");
    assert_eq!(names["cli:operator"], "命令行（operator）");
    // A write by this user is audited under a name the page can resolve.
    let mut r = app()
        .repo()
        .all(EntityKind::Policy)
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    if let Record::Policy(p) = &mut r {
        p.title.push('（');
        p.title.push_str("修订）");
    }
    let id = r.id().to_string();
    app().update(&who, EntityKind::Policy, &id, r).unwrap();
    let trail = app().audit(&who, Some(EntityKind::Policy), Some(&id), 5);
    if let Ok(trail) = trail {
        let actors: Vec<&str> = trail.iter().map(|e| e.actor.as_str()).collect();
        let names = app().actor_names(&actors).unwrap();
        assert_eq!(names[actors[0]], "市局张三（city）", "{actors:?}");
    }
}

/// The sample city has its leading enterprises (marked 示例): the rare-earth chain's mining node
/// holds a local mine instead of 空白, the alias dictionary's 包钢 / 一机 / 北重 / 北奔 find them,
/// and 「昆都仑区的稀土企业」 includes the steel group.
#[test]
fn the_sample_city_has_its_leading_enterprises_on_the_chains() {
    let loaded = app().chains_loaded(&city()).unwrap();
    let mine = loaded.engine.node_orgs("rare_earth/mining").unwrap();
    assert!(
        mine.iter()
            .any(|&o| loaded.engine.input().orgs[o as usize].local),
        "稀土采矿 has a local mine"
    );
    for (alias, name) in [
        ("包钢", "包钢（示例）集团有限责任公司"),
        ("一机集团", "内蒙古一机（示例）集团有限公司"),
        ("北重", "内蒙古北方重工业（示例）集团有限公司"),
        ("北奔重汽", "北奔重型汽车（示例）集团有限公司"),
        ("北方稀土", "北方稀土（示例）高科技股份有限公司"),
    ] {
        let sq = innomesh_search::SearchQuery {
            q: alias.into(),
            kinds: vec![EntityKind::Organisation],
            limit: 5,
            ..Default::default()
        };
        let r = app().search(&city(), &sq).unwrap();
        assert!(
            r.hits.iter().any(|h| h.name == name),
            "{alias}: {:?}",
            r.hits.iter().map(|h| &h.name).collect::<Vec<_>>()
        );
    }
    let mut q = orgs().region("150203").unwrap();
    q.chain = Some("rare_earth".into());
    q.text = Some("包钢（示例）".into());
    assert_eq!(app().list(&city(), &q).unwrap().total, 1);
}
