//! 政策找企业 through `App`: facts from the registry and entered ones (with source, date, audit),
//! scopes (an enterprise its own, a district clerk its district, the bureau all), matching both
//! ways with routing, 政策评估, and rule versions checked on save with the line of the error.

use innomesh_app::policy::{FactInput, ListPage, PolicyMatches, MAX_LIST_PAGE};
use innomesh_app::{App, Code, Principal, Role};
use innomesh_core::model::Organisation;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_policy::Category;
use serde_json::json;
use std::sync::Arc;

fn app() -> Arc<App> {
    let app = App::in_memory().unwrap();
    let local = Principal::local("t");
    let data = generate(SampleConfig::default());
    app.import_records(&local, data.records, "t", &|_| {})
        .unwrap()
        .unwrap();
    app.seed_sample_facts(&local, &data.policy_facts).unwrap();
    app
}

fn principal(app: &App, name: &str, role: Role, scope: &str) -> Principal {
    let local = Principal::local("t");
    app.add_user(&local, name, name, role, scope).unwrap();
    let (_, token) = app.create_token(&local, name, Some(1), "t").unwrap();
    app.token_principal(&token, "test").unwrap()
}

fn enterprises(app: &App) -> Vec<Organisation> {
    app.repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Organisation(o)
                if o.kind == innomesh_core::model::OrgKind::Enterprise
                    && o.region.as_str().starts_with("1502") =>
            {
                Some(o)
            }
            _ => None,
        })
        .collect()
}

/// Every enterprise of the three lists, read page by page (the API's paging), each row checked to
/// stand in the list it was listed in (the columnar classification against the per-enterprise
/// verdict that gives the reasons).
fn all_lists(app: &App, who: &Principal, rule: &str) -> PolicyMatches {
    let mut out = app
        .policy_matches(
            who,
            rule,
            ListPage {
                category: None,
                offset: 0,
                limit: 0,
            },
        )
        .unwrap();
    for category in [Category::Eligible, Category::NearMiss, Category::Unknown] {
        let mut rows = Vec::new();
        loop {
            let page = ListPage {
                category: Some(category),
                offset: rows.len(),
                limit: 400,
            };
            let m = app.policy_matches(who, rule, page).unwrap();
            let got = match category {
                Category::Eligible => m.automatic,
                Category::NearMiss => m.near_miss,
                _ => m.unknown,
            };
            assert!(
                got.iter().all(|r| r.category == category),
                "{rule}: {category:?}"
            );
            if got.is_empty() {
                break;
            }
            rows.extend(got);
        }
        match category {
            Category::Eligible => out.automatic = rows,
            Category::NearMiss => out.near_miss = rows,
            _ => out.unknown = rows,
        }
    }
    assert_eq!(out.automatic.len(), out.counts.eligible, "{rule}");
    assert_eq!(out.near_miss.len(), out.counts.near_miss, "{rule}");
    assert_eq!(out.unknown.len(), out.counts.unknown, "{rule}");
    out
}

#[test]
fn lists_are_paged_in_district_and_name_order_and_a_page_is_bounded() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    let all = all_lists(&app, &city, "hitech_certification");
    let keys: Vec<(String, String)> = all
        .unknown
        .iter()
        .map(|r| (r.region.clone(), r.name.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(all.unknown.len() > 3, "{:?}", all.counts);
    let page = ListPage {
        category: Some(Category::Unknown),
        offset: 2,
        limit: 2,
    };
    let m = app
        .policy_matches(&city, "hitech_certification", page)
        .unwrap();
    assert_eq!(
        m.unknown.iter().map(|r| &r.org).collect::<Vec<_>>(),
        all.unknown[2..4].iter().map(|r| &r.org).collect::<Vec<_>>()
    );
    assert!(m.automatic.is_empty() && m.near_miss.is_empty());
    let too_many = ListPage {
        limit: MAX_LIST_PAGE + 1,
        ..ListPage::default()
    };
    assert_eq!(
        app.policy_matches(&city, "hitech_certification", too_many)
            .unwrap_err()
            .code,
        Code::InvalidField
    );
    // 政策评估's counts of missing facts agree with the reasons of the listed enterprises.
    let a = app
        .policy_assessment(&city, "hitech_certification")
        .unwrap();
    let mut missing = std::collections::BTreeMap::<String, usize>::new();
    for r in &all.unknown {
        for name in &r.missing {
            *missing.entry(name.clone()).or_default() += 1;
        }
    }
    let from_assessment: std::collections::BTreeMap<String, usize> = a
        .missing
        .iter()
        .map(|b| (b.text.clone(), b.enterprises))
        .collect();
    assert_eq!(from_assessment, missing);
    let mut blocking = std::collections::BTreeMap::<String, usize>::new();
    for r in &all.near_miss {
        *blocking.entry(r.failed[0].clone()).or_default() += 1;
    }
    let from_assessment: std::collections::BTreeMap<String, usize> = a
        .blocking
        .iter()
        .map(|b| (b.text.clone(), b.enterprises))
        .collect();
    assert_eq!(from_assessment, blocking);
}

fn fact(key: &str, value: serde_json::Value) -> FactInput {
    FactInput {
        key: key.into(),
        value,
    }
}

#[test]
fn the_sample_gives_eligible_near_and_unknown_enterprises_for_every_linked_rule() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    for rule in ["hitech_certification", "tech_sme", "specialised_sme"] {
        let m = all_lists(&app, &city, rule);
        assert!(m.counts.eligible > 0, "{rule}: {:?}", m.counts);
        assert!(m.counts.near_miss > 0, "{rule}: {:?}", m.counts);
        assert!(m.counts.unknown > 0, "{rule}: {:?}", m.counts);
        assert_eq!(m.automatic.len(), m.counts.eligible);
        assert!(m.automatic.iter().all(|r| r.route == "免申即享"));
        // Every 快申快享 invitation names what to supply; every 差一项 names its one condition.
        assert!(m
            .unknown
            .iter()
            .all(|r| r.route == "快申快享" && !r.missing.is_empty()));
        assert!(m.near_miss.iter().all(|r| r.failed.len() == 1));
    }
    let a = app
        .policy_assessment(&city, "hitech_certification")
        .unwrap();
    let by_district: usize = a.by_district.iter().map(|g| g.counts.total).sum();
    assert_eq!(by_district, a.counts.total);
    assert!(a
        .by_district
        .iter()
        .all(|g| !g.name.is_empty() && g.name != g.code));
    assert!(a.by_industry.iter().all(|g| !g.name.is_empty()));
    assert_eq!(
        a.blocking.iter().map(|b| b.enterprises).sum::<usize>(),
        a.counts.near_miss
    );
    let xlsx = app
        .policy_matches_xlsx(&city, "hitech_certification")
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
}

#[test]
fn facts_come_from_the_registry_with_their_source_and_entries_are_audited() {
    let app = app();
    let firm = enterprises(&app)
        .into_iter()
        .find(|o| o.revenue.is_some() && o.founded.is_some())
        .unwrap();
    let code = firm.credit_code.as_str().to_string();
    let me = principal(&app, "firm", Role::Enterprise, &code);
    let view = app.org_policies(&me, &code).unwrap();
    assert!(view.may_enter);
    let revenue = view.facts.iter().find(|f| f.key == "revenue_wan").unwrap();
    assert_eq!(revenue.source_label, "登记库「营业收入」");
    assert_eq!(revenue.value, json!(firm.revenue.unwrap()));
    // A registry fact is not entered here.
    let e = app
        .set_org_facts(&me, &code, &[fact("revenue_wan", json!(1))], None, "")
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidField);
    assert!(e.message.contains("营业收入"), "{}", e.message);
    // A wrong type is refused with the fact's Chinese name; nothing is written (all or nothing).
    let before = app.repo().policy_facts(Some(&code)).unwrap().len();
    let e = app
        .set_org_facts(
            &me,
            &code,
            &[
                fact("innovation_score", json!(80)),
                fact("rd_expense_ratio_3y", json!(4.5)),
            ],
            Some("2025-12-31"),
            "",
        )
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidField);
    assert!(e.message.contains("研发费用占比"), "{}", e.message);
    assert_eq!(app.repo().policy_facts(Some(&code)).unwrap().len(), before);
    // Entered by the enterprise: source, date and the audit entry.
    let view = app
        .set_org_facts(
            &me,
            &code,
            &[
                fact("innovation_score", json!(73)),
                fact("in_supported_field", json!(true)),
            ],
            Some("2025-12-31"),
            "自评",
        )
        .unwrap();
    let score = view
        .facts
        .iter()
        .find(|f| f.key == "innovation_score")
        .unwrap();
    assert_eq!(score.value, json!(73));
    assert_eq!(score.source_label, "企业填报");
    assert_eq!(score.as_of.as_deref(), Some("2025-12-31"));
    let audit = app.repo().audit(None, Some(&code), 5).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "set_policy_facts" && a.detail.contains("innovation_score=73")));
    // Withdrawn: missing again.
    let view = app
        .set_org_facts(
            &me,
            &code,
            &[fact("innovation_score", json!(null))],
            None,
            "",
        )
        .unwrap();
    let hitech = view
        .policies
        .iter()
        .find(|p| p.rule == "hitech_certification")
        .unwrap();
    assert!(
        hitech
            .verdict
            .missing
            .contains(&"innovation_score".to_string())
            || hitech.category == Category::Ineligible
            || hitech.category == Category::NearMiss,
        "{:?}",
        hitech.verdict
    );
}

#[test]
fn an_enterprise_missing_a_fact_is_told_what_to_supply_and_what_would_change_it() {
    let app = app();
    let local = Principal::local("t");
    // In the 4 % band, registered long ago, with 10 % or more R&D staff: the registry decides
    // nothing against it, so the entered facts decide.
    let firm = enterprises(&app)
        .into_iter()
        .find(|o| {
            let r = o.revenue.unwrap_or(0.0);
            let staff = o.rd_staff.unwrap_or(0) as f64;
            r > 5000.0
                && r <= 20000.0
                && o.founded
                    .is_some_and(|f| f.to_string().as_str() < "2020-01-01")
                && staff >= 0.1 * o.employees.unwrap_or(u32::MAX) as f64
        })
        .expect("a sample enterprise in the 4 % band with enough R&D staff");
    let code = firm.credit_code.as_str().to_string();
    // Every hitech fact but the R&D expense ratio: 待补充, naming the fact in Chinese.
    let mut facts = vec![
        fact("core_ip_count", json!(3)),
        fact("in_supported_field", json!(true)),
        fact("rd_domestic_share", json!(0.9)),
        fact("hitech_revenue_share", json!(0.7)),
        fact("innovation_score", json!(80)),
        fact("major_incident_last_year", json!(false)),
        fact("rd_expense_ratio_3y", json!(null)),
    ];
    let view = app.set_org_facts(&local, &code, &facts, None, "").unwrap();
    let h = |v: &innomesh_app::policy::OrgPolicies| {
        v.policies
            .iter()
            .find(|p| p.rule == "hitech_certification")
            .unwrap()
            .clone()
    };
    let p = h(&view);
    assert_eq!(p.category, Category::Unknown, "{:?}", p.verdict);
    assert_eq!(p.to_supply, "再补充：研发费用占比");
    assert_eq!(p.route, "快申快享");
    // 3.2 % in the 4 % band with 7,000 万元 of three-year sales: 56 万元 more.
    facts.push(fact("sales_3y_wan", json!(7000)));
    facts.retain(|f| f.key != "rd_expense_ratio_3y");
    facts.push(fact("rd_expense_ratio_3y", json!(0.032)));
    let p = h(&app.set_org_facts(&local, &code, &facts, None, "").unwrap());
    let hints = p.hints.join(" ");
    assert!(
        hints.contains("研发费用占比 3.2% < 4%：再投入约 56 万元可达标"),
        "{hints}"
    );
}

#[test]
fn scopes_decide_who_sees_and_enters_which_facts() {
    let app = app();
    let all = enterprises(&app);
    let here = all.iter().find(|o| o.region.as_str() == "150203").unwrap();
    let there = all.iter().find(|o| o.region.as_str() == "150271").unwrap();
    let clerk = principal(&app, "kun", Role::DistrictStaff, "150203");
    let m = all_lists(&app, &clerk, "hitech_certification");
    assert!(m.counts.total > 0);
    assert!(m
        .automatic
        .iter()
        .chain(&m.near_miss)
        .chain(&m.unknown)
        .all(|r| r.region.starts_with("150203")));
    let e = app
        .set_org_facts(
            &clerk,
            there.credit_code.as_str(),
            &[fact("innovation_score", json!(75))],
            None,
            "",
        )
        .unwrap_err();
    assert_eq!(e.code, Code::NotFound);
    app.set_org_facts(
        &clerk,
        here.credit_code.as_str(),
        &[fact("innovation_score", json!(75))],
        None,
        "",
    )
    .unwrap();
    let entered = app
        .repo()
        .policy_facts(Some(here.credit_code.as_str()))
        .unwrap();
    assert!(entered
        .iter()
        .any(|f| f.key == "innovation_score" && f.source == "bureau"));

    let firm = principal(&app, "firm", Role::Enterprise, here.credit_code.as_str());
    assert_eq!(
        app.policy_matches(&firm, "hitech_certification", ListPage::default())
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    assert_eq!(
        app.org_policies(&firm, there.credit_code.as_str())
            .unwrap_err()
            .code,
        Code::NotFound
    );
    let expert = principal(&app, "dept", Role::DepartmentStaff, "包头市科学技术局");
    let e = app
        .set_org_facts(
            &expert,
            here.credit_code.as_str(),
            &[fact("innovation_score", json!(75))],
            None,
            "",
        )
        .unwrap_err();
    assert_eq!(e.code, Code::Forbidden);
}

#[test]
fn rule_versions_are_checked_on_save_and_name_the_line() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    let clerk = principal(&app, "kun", Role::DistrictStaff, "150203");
    let shipped = app.policy_rule(&city, "hitech_certification").unwrap();
    assert!(shipped.saved.is_none());
    assert!(
        !shipped.policies.is_empty(),
        "sample policies link the rule"
    );
    // An undeclared fact: the message names the line where it is used.
    let bad = shipped
        .yaml
        .replacen("fact: rd_staff_ratio", "fact: rd_staf_ratio", 1);
    let line = bad
        .lines()
        .position(|l| l.contains("rd_staf_ratio"))
        .unwrap()
        + 1;
    let e = app
        .save_policy_rule(&city, "hitech_certification", &bad, "")
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidField);
    assert!(
        e.message.starts_with(&format!("第 {line} 行")),
        "{}",
        e.message
    );
    let e = app
        .save_policy_rule(&city, "hitech_certification", "id: x\n  - : [", "")
        .unwrap_err();
    assert!(e.message.starts_with("第 "), "{}", e.message);
    assert_eq!(
        app.save_policy_rule(&clerk, "hitech_certification", &shipped.yaml, "")
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    // A stricter score: a new version, in force, with history.
    let stricter = shipped.yaml.replacen("value: 71", "value: 95", 1);
    let before = all_lists(&app, &city, "hitech_certification");
    let saved = app
        .save_policy_rule(&city, "hitech_certification", &stricter, "试行 95 分")
        .unwrap();
    assert_eq!(saved.saved.as_ref().unwrap().note, "试行 95 分");
    let after = all_lists(&app, &city, "hitech_certification");
    assert!(after.counts.eligible < before.counts.eligible || before.counts.eligible == 0);
    assert_eq!(
        app.policy_rule_history(&city, "hitech_certification")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_policy_record_links_only_an_existing_rule() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    let Some(Record::Policy(mut p)) = app
        .repo()
        .all(EntityKind::Policy)
        .unwrap()
        .into_iter()
        .next()
    else {
        panic!("the sample has policies")
    };
    p.rule = "hitech_certificatoin".into();
    let e = app
        .update(
            &city,
            EntityKind::Policy,
            &p.id.clone(),
            Record::Policy(p.clone()),
        )
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidField);
    assert!(
        e.message
            .contains("hitech_certification（高新技术企业认定）"),
        "{}",
        e.message
    );
    p.rule = "tech_sme".into();
    app.update(&city, EntityKind::Policy, &p.id.clone(), Record::Policy(p))
        .unwrap();
}

#[test]
fn an_import_linking_a_policy_to_an_unknown_rule_is_refused_naming_it() {
    let app = app();
    let local = Principal::local("t");
    let mut policy = app
        .repo()
        .all(EntityKind::Policy)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Policy(p) => Some(p),
            _ => None,
        })
        .unwrap();
    let before = app.repo().version().unwrap();
    policy.rule = "no_such_rule".into();
    let e = app
        .import_records(&local, vec![Record::Policy(policy)], "t", &|_| {})
        .unwrap_err();
    assert!(e.message.contains("no_such_rule"), "{}", e.message);
    assert_eq!(app.repo().version().unwrap(), before, "nothing written");
}
