//! 重复申报审查 through `App`: who may read and decide flagged pairs, a department's scope, the
//! reason an exclusion needs, the audit entry naming the officer, and excluded pairs leaving the
//! default list without invalidating derived data.

use innomesh_app::duplicates::{DecisionFilter, ReviewKind, ReviewQuery};
use innomesh_app::{App, Code, Principal, Role};
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
    app
}

fn principal(app: &App, name: &str, role: Role, scope: &str) -> Principal {
    let local = Principal::local("t");
    app.add_user(&local, name, name, role, scope).unwrap();
    let (_, token) = app.create_token(&local, name, Some(1), "t").unwrap();
    app.token_principal(&token, "10.1.2.3").unwrap()
}

fn department_of(app: &App, application: &str) -> String {
    let Some(Record::Application(a)) = app
        .repo()
        .get(EntityKind::Application, application)
        .unwrap()
    else {
        panic!("no application {application}")
    };
    let Some(Record::Programme(p)) = app.repo().get(EntityKind::Programme, &a.programme).unwrap()
    else {
        panic!("no programme {}", a.programme)
    };
    p.department
}

#[test]
fn officers_decide_auditors_read_others_are_refused() {
    let app = app();
    let city = principal(&app, "kjj", Role::CityStaff, "");
    let auditor = principal(&app, "sj", Role::Auditor, "");
    let district = principal(&app, "kq", Role::DistrictStaff, "150203");
    let all = app
        .duplicate_review(&city, &ReviewQuery::default())
        .unwrap();
    assert!(all.total > 0);
    let first = &all.items[0].row;
    let (a, b) = (first.a.id.clone(), first.b.id.clone());
    // The department of the first pair's A sees the pairs touching its programmes only.
    let dept_name = department_of(&app, &a);
    let dept = principal(&app, "bm", Role::DepartmentStaff, &dept_name);
    let mine = app
        .duplicate_review(
            &dept,
            &ReviewQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        mine.total > 0 && mine.total < all.total,
        "{} of {}",
        mine.total,
        all.total
    );
    assert!(mine
        .items
        .iter()
        .all(|i| i.row.a.department == dept_name || i.row.b.department == dept_name));
    let foreign = app
        .duplicate_review(
            &city,
            &ReviewQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.row.a.department != dept_name && i.row.b.department != dept_name)
        .expect("a pair of other departments");
    let (fa, fb) = (foreign.row.a.id.clone(), foreign.row.b.id.clone());
    // Reading: auditors yes, district clerks no (no funding review), a department not another's pair.
    assert!(app.duplicate_pair(&auditor, &a, &b).is_ok());
    assert_eq!(
        app.duplicate_review(&district, &ReviewQuery::default())
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    assert_eq!(
        app.duplicate_pair(&dept, &fa, &fb).unwrap_err().code,
        Code::NotFound
    );
    // Deciding: auditors and district clerks are refused; a department only its own pairs.
    assert_eq!(
        app.decide_duplicate(&auditor, &a, &b, "confirmed", "")
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    assert_eq!(
        app.decide_duplicate(&district, &a, &b, "confirmed", "")
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    assert_eq!(
        app.decide_duplicate(&dept, &fa, &fb, "confirmed", "")
            .unwrap_err()
            .code,
        Code::NotFound
    );
    assert!(!app.duplicate_pair(&auditor, &a, &b).unwrap().may_decide);
    assert!(app.duplicate_pair(&dept, &a, &b).unwrap().may_decide);
    // Bad decisions change nothing.
    assert_eq!(
        app.decide_duplicate(&city, &a, &b, "excluded", " \n")
            .unwrap_err()
            .code,
        Code::InvalidField
    );
    assert_eq!(
        app.decide_duplicate(&city, &a, &b, "确认", "")
            .unwrap_err()
            .code,
        Code::InvalidField
    );
    assert_eq!(
        app.decide_duplicate(&city, &a, &b, "excluded", &"长".repeat(2001))
            .unwrap_err()
            .code,
        Code::InvalidField
    );
    assert_eq!(
        app.decide_duplicate(&city, &a, "AP999999", "confirmed", "")
            .unwrap_err()
            .code,
        Code::NotFound
    );
    assert!(app
        .duplicate_pair(&city, &a, &b)
        .unwrap()
        .history
        .is_empty());
    // The department confirms its pair: stored with who, role and source, audited.
    let d = app
        .decide_duplicate(&dept, &b, &a, "confirmed", "")
        .unwrap();
    assert_eq!(
        (d.decided_by.as_str(), d.decided_role.as_str()),
        ("bm", Role::DepartmentStaff.label())
    );
    let log = app
        .repo()
        .audit(None, Some(&format!("{}/{}", d.app_a, d.app_b)), 5)
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].actor.as_str(),
            log[0].source.as_str(),
            log[0].action.as_str()
        ),
        ("bm", "10.1.2.3", "duplicate_decide")
    );
    let view = app.duplicate_pair(&auditor, &a, &b).unwrap();
    assert_eq!(
        view.decision.as_ref().map(|x| x.decided_by.as_str()),
        Some("bm")
    );
}

#[test]
fn excluded_pairs_leave_the_default_list_and_stay_findable() {
    let app = app();
    let city = principal(&app, "kjj", Role::CityStaff, "");
    let q = ReviewQuery {
        limit: 1000,
        ..Default::default()
    };
    let before = app.duplicate_review(&city, &q).unwrap();
    let version = app.registry_version();
    let target = before
        .items
        .iter()
        .find(|i| i.row.kind == ReviewKind::Budget)
        .expect("a budget-only pair in the sample")
        .row
        .clone();
    app.decide_duplicate(
        &city,
        &target.a.id,
        &target.b.id,
        "excluded",
        "预算科目为常见科目，金额巧合",
    )
    .unwrap();
    // A decision is no registry version: the engines' derived data stay as they were.
    assert_eq!(app.registry_version(), version);
    let after = app.duplicate_review(&city, &q).unwrap();
    assert_eq!(after.total, before.total - 1);
    assert!(after
        .items
        .iter()
        .all(|i| (i.row.a.id.as_str(), i.row.b.id.as_str())
            != (target.a.id.as_str(), target.b.id.as_str())));
    assert_eq!((after.open, after.excluded), (before.open - 1, 1));
    let budget_before = before
        .counts
        .iter()
        .find(|(k, _)| *k == ReviewKind::Budget)
        .unwrap()
        .1;
    let budget_after = after
        .counts
        .iter()
        .find(|(k, _)| *k == ReviewKind::Budget)
        .unwrap()
        .1;
    assert_eq!(budget_after, budget_before - 1);
    for filter in [
        DecisionFilter::Excluded,
        DecisionFilter::Decided,
        DecisionFilter::All,
    ] {
        let found = app
            .duplicate_review(
                &city,
                &ReviewQuery {
                    decision: filter,
                    limit: 1000,
                    ..Default::default()
                },
            )
            .unwrap();
        let item = found
            .items
            .iter()
            .find(|i| i.row.a.id == target.a.id && i.row.b.id == target.b.id)
            .expect("listed under its filter");
        assert_eq!(
            item.decision.as_ref().unwrap().reason,
            "预算科目为常见科目，金额巧合"
        );
    }
    let open = app
        .duplicate_review(
            &city,
            &ReviewQuery {
                decision: DecisionFilter::Open,
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(open.items.iter().all(|i| i.decision.is_none()));
    assert_eq!(open.total, before.total - 1);
}
