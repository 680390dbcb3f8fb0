//! 技术交易 through `App`: the stage rule, who sees which deals, and the contract figures and
//! broker performance against a hand count on the sample.

use innomesh_app::{App, Code, Principal, Role};
use innomesh_core::model::{DealStage, OrgKind, TechDeal};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Labelled, Record};
use std::collections::{BTreeMap, HashMap};
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
    app
}

fn principal(app: &App, name: &str, role: Role, scope: &str) -> Principal {
    let local = Principal::local("t");
    app.add_user(&local, name, name, role, scope).unwrap();
    let (_, token) = app.create_token(&local, name, Some(1), "t").unwrap();
    app.token_principal(&token, "test").unwrap()
}

fn deals(app: &App) -> Vec<TechDeal> {
    app.repo()
        .all(EntityKind::TechDeal)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::TechDeal(d) => Some(d),
            _ => None,
        })
        .collect()
}

#[test]
fn a_deal_moves_one_stage_at_a_time() {
    let app = app();
    let local = Principal::local("t");
    let d = deals(&app)
        .into_iter()
        .find(|d| d.stage == DealStage::Intent)
        .expect("a deal at 意向");
    let mut skip = d.clone();
    skip.stage = DealStage::Signed;
    skip.amount = Some(100.0);
    skip.signed_date = Some(d.intent_date);
    let e = app
        .update(&local, EntityKind::TechDeal, &d.id, Record::TechDeal(skip))
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidTransition);
    assert!(e.message.contains("请先推进到「谈判」"), "{}", e.message);
    let mut next = d.clone();
    next.stage = DealStage::Negotiation;
    app.update(
        &local,
        EntityKind::TechDeal,
        &d.id,
        Record::TechDeal(next.clone()),
    )
    .unwrap();
    // Signing needs the date and the amount.
    next.stage = DealStage::Signed;
    let e = app
        .update(
            &local,
            EntityKind::TechDeal,
            &d.id,
            Record::TechDeal(next.clone()),
        )
        .unwrap_err();
    assert!(e.message.contains("签约日期"), "{}", e.message);
    // An import may not skip either.
    let mut jump = deals(&app).into_iter().find(|x| x.id == d.id).unwrap();
    jump.stage = DealStage::Performing;
    jump.amount = Some(10.0);
    jump.signed_date = Some(d.intent_date);
    jump.registered_date = Some(d.intent_date);
    jump.registration_no = "X".into();
    let e = app
        .import_records(&local, vec![Record::TechDeal(jump)], "t", &|_| {})
        .unwrap_err();
    assert!(e.message.contains("请先推进到「签约」"), "{}", e.message);
}

#[test]
fn parties_see_their_deals_and_managers_theirs() {
    let app = app();
    let all = deals(&app);
    let d = all
        .iter()
        .find(|d| d.intermediary.is_some() && d.manager.is_some())
        .unwrap();
    let seller = principal(&app, "s", Role::Enterprise, d.seller.as_str());
    let broker = principal(
        &app,
        "b",
        Role::Enterprise,
        d.intermediary.as_ref().unwrap().as_str(),
    );
    let manager = principal(&app, "m", Role::TechManager, d.manager.as_deref().unwrap());
    for who in [&seller, &broker, &manager] {
        assert!(
            app.get(who, EntityKind::TechDeal, &d.id).unwrap().is_some(),
            "{}",
            who.username
        );
    }
    let other = all
        .iter()
        .find(|x| {
            x.seller != d.seller
                && x.buyer != d.seller
                && x.intermediary.as_ref() != Some(&d.seller)
        })
        .unwrap();
    assert!(app
        .get(&seller, EntityKind::TechDeal, &other.id)
        .unwrap()
        .is_none());
    // Figures are the bureau's; a broker sees its own performance.
    assert_eq!(
        app.deal_figures(&seller, None).unwrap_err().code,
        Code::Forbidden
    );
    let own = app
        .broker(&broker, d.intermediary.as_ref().unwrap().as_str())
        .unwrap();
    assert!(own.evidence.contains(&d.id));
    assert_eq!(
        app.broker(&broker, d.manager.as_deref().unwrap())
            .unwrap_err()
            .code,
        Code::Forbidden
    );
}

#[test]
fn figures_match_a_hand_count_on_the_sample() {
    let app = app();
    let local = Principal::local("t");
    let all = deals(&app);
    let orgs: HashMap<String, innomesh_core::model::Organisation> = app
        .repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Organisation(o) => Some((o.credit_code.as_str().to_string(), o)),
            _ => None,
        })
        .collect();
    for year in [None, Some(2025)] {
        let f = app.deal_figures(&local, year).unwrap();
        let signed: Vec<&TechDeal> = all
            .iter()
            .filter(|d| d.stage.stage() >= DealStage::Signed.stage())
            .filter(|d| year.is_none() || d.signed_date.map(|s| s.year) == year)
            .collect();
        assert!(signed.len() > 10, "{} signed deals", signed.len());
        assert_eq!(f.signed, signed.len());
        let mut by_type: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
        let mut by_buyer: BTreeMap<String, (usize, f64)> = BTreeMap::new();
        let (mut local_n, mut outside_n) = (0, 0);
        for d in &signed {
            let v = d.amount.unwrap();
            let t = by_type.entry(d.contract_type.label()).or_default();
            t.0 += 1;
            t.1 += v;
            let b = &orgs[d.buyer.as_str()];
            let e = by_buyer
                .entry(b.region.as_str()[..6].to_string())
                .or_default();
            e.0 += 1;
            e.1 += v;
            let s = &orgs[d.seller.as_str()];
            if matches!(s.kind, OrgKind::University | OrgKind::Institute)
                && s.region.as_str().starts_with("1502")
            {
                if b.region.as_str().starts_with("1502") {
                    local_n += 1;
                } else {
                    outside_n += 1;
                }
            }
        }
        assert_eq!(f.by_type.len(), by_type.len());
        for g in &f.by_type {
            let (n, v) = by_type[g.label.as_str()];
            assert_eq!(g.deals, n, "{}", g.label);
            assert!((g.value - v).abs() < 1e-6);
        }
        for g in &f.by_buyer_district {
            let (n, v) = by_buyer[&g.key];
            assert_eq!(g.deals, n, "{}", g.label);
            assert!((g.value - v).abs() < 1e-6);
        }
        assert_eq!(
            (f.local_conversion.deals, f.outside_conversion.deals),
            (local_n, outside_n)
        );
        if year.is_none() {
            assert!(local_n > 0 && outside_n > 0, "{local_n} / {outside_n}");
            let stages: usize = f.pipeline.iter().map(|g| g.deals).sum();
            assert_eq!(stages, all.len());
        }
    }
    // Performance: a broker's deals are those naming it.
    let (intermediaries, managers) = app.broker_performance(&local).unwrap();
    assert!(!intermediaries.is_empty() && !managers.is_empty());
    for p in intermediaries {
        let mine: Vec<&TechDeal> = all
            .iter()
            .filter(|d| d.intermediary.as_ref().map(|c| c.as_str()) == Some(p.id.as_str()))
            .collect();
        assert_eq!(p.deals, mine.len());
        let value: f64 = mine
            .iter()
            .filter(|d| d.stage.signed())
            .map(|d| d.amount.unwrap())
            .sum();
        assert!((p.value - value).abs() < 1e-6);
    }
    assert_eq!(DealStage::ALL.len(), 6);
}

#[test]
fn intermediaries_show_services_and_certified_managers_and_bad_values_are_refused() {
    let app = app();
    let local = Principal::local("t");
    let (orgs, _) = app.broker_performance(&local).unwrap();
    let page = orgs
        .iter()
        .filter_map(|o| app.broker(&local, &o.id).ok())
        .find(|p| !p.managers.is_empty())
        .expect("an intermediary with technology managers on its staff");
    assert!(!page.services.is_empty());
    for m in &page.managers {
        assert!(!m.certificate_no.is_empty(), "{m:?}");
        assert!(["初级", "中级", "高级"].contains(&m.certificate_level.as_str()));
        match app.repo().get(EntityKind::Person, &m.id).unwrap() {
            Some(Record::Person(p)) => assert_eq!(p.organisation.unwrap().as_str(), page.id),
            _ => panic!("{} is not a person", m.id),
        }
    }
    // A certificate on an expert, an unknown service, services on an enterprise: refused.
    let expert = app
        .repo()
        .all(EntityKind::Person)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Person(p) if p.role == innomesh_core::model::PersonRole::Expert => Some(p),
            _ => None,
        })
        .unwrap();
    let mut e = expert.clone();
    e.certificate_no = "JSJLR202400001".into();
    let err = app
        .update(&local, EntityKind::Person, &e.id.clone(), Record::Person(e))
        .unwrap_err();
    assert!(err.message.contains("只有技术经理人"), "{}", err.message);
    let mut i = match app.repo().get(EntityKind::Organisation, &page.id).unwrap() {
        Some(Record::Organisation(o)) => o,
        _ => unreachable!(),
    };
    i.intermediary_services.push("卖货".into());
    let err = app
        .update(
            &local,
            EntityKind::Organisation,
            &page.id,
            Record::Organisation(i.clone()),
        )
        .unwrap_err();
    assert!(
        err.message.contains("不是可选的科技中介服务"),
        "{}",
        err.message
    );
    let firm = app
        .repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Organisation(o) if o.kind == OrgKind::Enterprise => Some(o),
            _ => None,
        })
        .unwrap();
    let mut f = firm.clone();
    f.intermediary_services = vec!["孵化".into()];
    let code = f.credit_code.as_str().to_string();
    let err = app
        .update(
            &local,
            EntityKind::Organisation,
            &code,
            Record::Organisation(f),
        )
        .unwrap_err();
    assert!(err.message.contains("科技中介"), "{}", err.message);
}
