//! The matching page a broker can use, through `App`: a demand posted by an enterprise gets a
//! top ten mixed across solver types, near-identical results of one owner folded into one line,
//! evidence that names only informative terms, each hit with its organisation, district, tier and
//! contact route; platforms and instruments are found when they are the best solvers.

use innomesh_app::{App, Principal, Role};
use innomesh_core::model::{Demand, DemandKind, DemandStatus, OrgKind};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
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

fn principal(app: &App, name: &str, role: Role, scope: &str) -> Principal {
    let local = Principal::local("t");
    app.add_user(&local, name, name, role, scope).unwrap();
    let (_, token) = app.create_token(&local, name, Some(1), "t").unwrap();
    app.token_principal(&token, "test").unwrap()
}

/// An enterprise of the sample whose products name `word`.
fn enterprise_making(app: &App, word: &str) -> innomesh_core::model::Organisation {
    app.repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Organisation(o)
                if o.kind == OrgKind::Enterprise && o.products.contains(word) =>
            {
                Some(o)
            }
            _ => None,
        })
        .unwrap()
}

/// Posts a demand as the enterprise itself (as a user of the page would) and returns it.
fn post(
    app: &App,
    word: &str,
    title: &str,
    text: &str,
    goal: &str,
    now: &str,
) -> (Principal, Demand) {
    let org = enterprise_making(app, word);
    let firm = principal(
        app,
        &format!("qiye{}", title.chars().count()),
        Role::Enterprise,
        org.credit_code.as_str(),
    );
    let d = Demand {
        id: String::new(),
        title: title.into(),
        kind: DemandKind::TechnicalProblem,
        organisation: org.credit_code.clone(),
        region: Some(org.region.clone()),
        industry: org.industry.clone(),
        text: text.into(),
        goal_metric: goal.into(),
        current_state: now.into(),
        trl_target: Some(6),
        budget_band: None,
        deadline: None,
        ip_terms: String::new(),
        status: DemandStatus::Posted,
        manager: None,
    };
    let Record::Demand(d) = app.create(&firm, Record::Demand(d)).unwrap() else {
        unreachable!()
    };
    (firm, d)
}

fn informative(term: &str) -> bool {
    term.chars().count() >= 2 && !term.chars().all(|c| !c.is_alphabetic())
}

/// The demand of issue 16's trial: an enterprise making rare-earth permanent-magnet motors posts
/// a problem of demagnetisation at high temperature.
fn magnet_demand(app: &App) -> (Principal, Demand) {
    post(
        app,
        "稀土永磁电机",
        "稀土永磁电机高温退磁问题",
        "我公司稀土永磁电机在 150℃ 以上长期运行后磁钢出现不可逆退磁，输出转矩下降约 8%。磁钢为烧结钕铁硼，希望 6 个月内找到提高磁体高温矫顽力或改进电机散热的方案，并对磁体做高温退磁曲线测量。",
        "150℃ 下不可逆退磁率 ≤ 2%",
        "目前退磁率约 8%，不能满足整车厂要求",
    )
}

#[test]
fn the_top_ten_is_mixed_folded_and_its_evidence_informative() {
    let app = app();
    let (firm, d) = magnet_demand(&app);
    let (_, hits) = app.broker_matches(&firm, &d.id, None, 10).unwrap();
    for h in &hits {
        let t: Vec<&str> = h
            .evidence
            .matched_terms
            .iter()
            .map(|m| m.term.as_str())
            .collect();
        println!(
            "{:?} {} {:.3} {:?} {} | {:?} {:?} {} | {} | {}",
            h.kind,
            h.name,
            h.score,
            t,
            h.folded.len(),
            h.organisation_name,
            h.district_name,
            h.tier,
            h.contact,
            h.reason
        );
    }
    assert_eq!(hits.len(), 10);
    let mut kinds: Vec<_> = hits.iter().map(|h| h.kind).collect();
    kinds.sort_by_key(|k| format!("{k:?}"));
    kinds.dedup();
    assert!(
        kinds.len() >= 3,
        "top ten of {} types only: {kinds:?}",
        kinds.len()
    );
    for (i, a) in hits.iter().enumerate() {
        for b in &hits[i + 1..] {
            assert!(
                !(a.name == b.name && a.organisation == b.organisation),
                "「{}」 of {:?} twice",
                a.name,
                a.organisation
            );
        }
        for t in &a.evidence.matched_terms {
            assert!(
                informative(&t.term),
                "evidence term 「{}」 of 「{}」",
                t.term,
                a.name
            );
            assert!(
                !t.term
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '%' || c == '.'),
                "numeric evidence term 「{}」",
                t.term
            );
        }
        // Each line names who and where, its tier, how to reach it and why, in one sentence.
        assert!(
            a.organisation_name
                .as_deref()
                .is_some_and(|n| !n.is_empty()),
            "{a:?}"
        );
        assert!(
            a.district_name.as_deref().is_some_and(|n| n.ends_with('区')
                || n.ends_with('县')
                || n.ends_with('旗')
                || n.ends_with('市')),
            "{a:?}"
        );
        assert!(!a.tier.is_empty() && !a.contact.is_empty(), "{a:?}");
        assert!(
            a.reason.ends_with('。') && a.reason.matches('。').count() == 1,
            "one sentence: {}",
            a.reason
        );
    }
    // Not quotas: every line scores nearly as well as the weakest line of the plain ranking
    // (the engine's order, near-identical lines folded).
    let (_, plain) = app.match_demand(&firm, &d.id, 200).unwrap();
    let mut scores: Vec<f32> = Vec::new();
    let mut shown: Vec<(String, String)> = Vec::new();
    for h in &plain {
        let key = (h.name.clone(), format!("{:?}", h.kind));
        if h.kind != innomesh_matching::SolverKind::Equipment || !shown.contains(&key) {
            shown.push(key);
            scores.push(h.score);
        }
    }
    let floor = scores[9] * innomesh_app::matching::RELEVANCE_FLOOR;
    for h in &hits {
        assert!(
            h.score >= floor * 0.999,
            "「{}」 {} below {floor}",
            h.name,
            h.score
        );
    }
    // The same ranking over HTTP is the same App call; the page shows what the API returns.
    let again = app.broker_matches(&firm, &d.id, None, 10).unwrap().1;
    assert_eq!(
        hits.iter().map(|h| &h.id).collect::<Vec<_>>(),
        again.iter().map(|h| &h.id).collect::<Vec<_>>()
    );
}

#[test]
fn near_identical_results_of_one_owner_are_one_line() {
    let app = app();
    let (firm, d) = magnet_demand(&app);
    let (_, hits) = app
        .broker_matches(
            &firm,
            &d.id,
            Some(innomesh_matching::SolverKind::Achievement),
            30,
        )
        .unwrap();
    let folded: Vec<_> = hits.iter().filter(|h| !h.folded.is_empty()).collect();
    assert!(
        !folded.is_empty(),
        "the sample repeats result titles per owner"
    );
    for h in &folded {
        for f in &h.folded {
            let id = &f.id;
            let Some(Record::Achievement(a)) = app.repo().get(EntityKind::Achievement, id).unwrap()
            else {
                panic!("{id}")
            };
            assert_eq!(a.owners.first().map(|c| c.to_string()), h.organisation);
            assert!(
                !hits.iter().any(|x| &x.id == id),
                "a folded result is not shown again"
            );
        }
    }
}

/// The type tabs rank within the type: platforms and instruments are found although results
/// and experts outnumber them.
#[test]
fn a_platform_or_an_instrument_is_found_when_it_is_the_best_solver() {
    let app = app();
    // Best answered by an instrument: a measurement the sample's 永磁材料测量系统 offers.
    let (firm, d) = post(
        &app,
        "稀土永磁电机",
        "永磁体剩磁与高温退磁曲线检测",
        "需要对批量钕铁硼永磁体测量剩磁、矫顽力和最大磁能积，并测高温退磁曲线，按月送样检测。",
        "每月检测 50 件样品",
        "目前送外地检测，周期两周",
    );
    let (_, tab) = app
        .broker_matches(
            &firm,
            &d.id,
            Some(innomesh_matching::SolverKind::Equipment),
            10,
        )
        .unwrap();
    assert!(
        tab.first()
            .is_some_and(|h| h.name.contains("永磁材料测量系统") && h.service.is_some()),
        "{:?}",
        tab.iter().map(|h| &h.name).collect::<Vec<_>>()
    );
    let (_, all) = app.broker_matches(&firm, &d.id, None, 10).unwrap();
    assert!(
        all.iter()
            .take(5)
            .any(|h| h.kind == innomesh_matching::SolverKind::Equipment),
        "{:?}",
        all.iter().map(|h| (&h.name, h.score)).collect::<Vec<_>>()
    );

    // Best answered by a platform: a pilot line for sintered NdFeB magnets, a platform's field.
    let (firm, d) = post(
        &app,
        "稀土永磁电机",
        "烧结钕铁硼磁体中试验证平台",
        "寻找能开放中试线、共同开展烧结钕铁硼磁体工艺验证的工程研究中心或企业技术中心。",
        "完成三批次中试",
        "目前只有实验室小样",
    );
    let (_, tab) = app
        .broker_matches(
            &firm,
            &d.id,
            Some(innomesh_matching::SolverKind::Platform),
            10,
        )
        .unwrap();
    assert!(tab.len() >= 5, "{tab:?}");
    assert!(
        tab.iter().all(|h| h.tier.contains("级")),
        "platform tiers are named"
    );
    let (_, all) = app.broker_matches(&firm, &d.id, None, 10).unwrap();
    assert_eq!(
        all[0].kind,
        innomesh_matching::SolverKind::Platform,
        "{:?}",
        all.iter().map(|h| (&h.name, h.score)).collect::<Vec<_>>()
    );
}

#[test]
fn technology_managers_come_with_fields_and_load_best_fitting_first() {
    let app = app();
    let (_, d) = magnet_demand(&app);
    let local = Principal::local("t");
    let ms = app.demand_managers(&local, &d.id).unwrap();
    assert!(ms.len() > 5);
    assert!(ms.iter().all(|m| !m.fields.is_empty()));
    assert!(
        ms.iter().any(|m| m.load > 0),
        "the sample's managers carry demands"
    );
    assert!(ms[0].fit > 0.0 && !ms[0].shared.is_empty(), "{:?}", ms[0]);
    assert!(ms.windows(2).all(|w| w[0].fit >= w[1].fit));
    let last = ms.last().unwrap();
    assert!(ms[0].fit > last.fit);
}
