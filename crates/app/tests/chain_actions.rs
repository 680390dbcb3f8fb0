//! Chain pages that lead to action, checked through `App` on the sample city: 散 marks a minority
//! of each chain's populated nodes; every verdict carries a plain reason; a gap node with local
//! producers and local buyers gets 本地配套对接 pairs whose names and figures follow from the
//! registry's organisations and supply relations (recomputed here, not hard-coded).

use innomesh_app::{App, Principal};
use innomesh_chain::VerdictKind;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

fn app() -> Arc<App> {
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
}

#[test]
fn scattered_marks_a_minority_and_every_verdict_has_a_reason() {
    let app = app();
    let data = app.chain_reports(&Principal::local("t"), None).unwrap();
    let mut populated_all = 0;
    let mut scattered_all = 0;
    for r in &data.reports {
        let populated = r.nodes.iter().filter(|n| n.metrics.local_firms > 0).count();
        let scattered = r
            .nodes
            .iter()
            .filter(|n| n.verdicts.iter().any(|v| v.kind == VerdictKind::Scattered))
            .count();
        assert!(
            scattered * 2 < populated.max(1),
            "{}: 散 on {scattered} of {populated} populated nodes",
            r.name
        );
        populated_all += populated;
        scattered_all += scattered;
        for n in &r.nodes {
            for v in &n.verdicts {
                assert!(
                    !v.reason.is_empty(),
                    "{} {:?} has no reason",
                    n.metrics.name,
                    v.kind
                );
            }
            if !n.verdicts.is_empty() {
                assert!(n.reason_line().contains(n.verdicts[0].kind.label_zh()));
            }
        }
    }
    assert!(
        populated_all >= 20,
        "sample has {populated_all} populated nodes"
    );
    // Not zero either: the most fragmented nodes are still named.
    assert!(scattered_all >= 1, "散 marks nothing on the sample");
}

#[test]
fn local_pairs_follow_from_the_registry() {
    let app = app();
    let local = Principal::local("t");
    let data = app.chain_reports(&local, None).unwrap();
    let loaded = app.chains_loaded(&local).unwrap();
    let orgs = &loaded.engine.input().orgs;
    let by_code: HashMap<&str, usize> = orgs
        .iter()
        .enumerate()
        .map(|(i, o)| (o.credit_code.as_str(), i))
        .collect();
    // Supply relations as the registry holds them.
    let mut trades: HashSet<(String, String)> = HashSet::new();
    for r in app.repo().all(EntityKind::SupplyRelation).unwrap() {
        if let Record::SupplyRelation(s) = r {
            trades.insert((s.supplier.to_string(), s.customer.to_string()));
        }
    }
    let mut with_pairs = 0;
    for r in &data.reports {
        for n in &r.nodes {
            if n.local_pairs.is_empty() {
                continue;
            }
            with_pairs += 1;
            assert!(n.verdicts.iter().any(|v| v.kind.is_gap()));
            assert!(n.local_pairs.len() <= 10, "bounded");
            let producers: HashSet<u32> = loaded
                .engine
                .node_orgs(&n.metrics.node)
                .unwrap()
                .into_iter()
                .collect();
            for w in n.local_pairs.windows(2) {
                assert!(
                    w[0].buyer_external >= w[1].buyer_external,
                    "most relevant first"
                );
            }
            for p in &n.local_pairs {
                let (s, b) = (
                    by_code[p.supplier_code.as_str()],
                    by_code[p.buyer_code.as_str()],
                );
                assert!(
                    orgs[s].local && orgs[b].local,
                    "{} × {}",
                    p.supplier_name,
                    p.buyer_name
                );
                assert_eq!(orgs[s].name, p.supplier_name);
                assert_eq!(orgs[b].name, p.buyer_name);
                assert!(
                    producers.contains(&(s as u32)),
                    "{} does not make {}",
                    p.supplier_name,
                    n.metrics.name
                );
                assert!(p.buyer_external > 0.0);
                assert!(
                    !trades.contains(&(p.supplier_code.clone(), p.buyer_code.clone())),
                    "{} already supplies {}",
                    p.supplier_name,
                    p.buyer_name
                );
                assert!(p.reason.contains(&p.buyer_name) && p.reason.contains(&p.supplier_name));
            }
        }
    }
    assert!(
        with_pairs >= 1,
        "no gap node of the sample gets a local pair"
    );
}
