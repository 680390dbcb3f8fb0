//! Roles and scopes decided in `App`, whatever the door: a district clerk sees and changes only
//! their district (another district's id is "not found"), an enterprise only its own records,
//! an import is checked row by row and refused whole, naming the rows.

use innomesh_app::{App, Code, Principal, Role};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_store::ListQuery;
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

fn orgs(app: &App) -> Vec<innomesh_core::model::Organisation> {
    app.repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Organisation(o) => Some(o),
            _ => None,
        })
        .collect()
}

#[test]
fn a_district_clerk_sees_and_changes_only_their_district() {
    let app = app();
    let all = orgs(&app);
    let here = all
        .iter()
        .find(|o| o.region.as_str() == "150203")
        .unwrap()
        .clone();
    let there = all
        .iter()
        .find(|o| o.region.as_str().starts_with("1502") && o.region.as_str() != "150203")
        .unwrap()
        .clone();
    let clerk = principal(&app, "kun", Role::DistrictStaff, "150203");
    let page = app
        .list(&clerk, &ListQuery::new(EntityKind::Organisation))
        .unwrap();
    assert!(page.total > 0);
    assert!(page
        .records
        .iter()
        .all(|r| r.index().region.as_deref() == Some("150203")));
    assert!(page.total < all.len(), "not the whole city");
    // The list's counts per district are the clerk's district only (no other district's figures).
    let facets = app
        .facets(&clerk, &ListQuery::new(EntityKind::Organisation))
        .unwrap()
        .unwrap();
    assert!(!facets.districts.is_empty());
    assert!(
        facets.districts.keys().all(|d| d.starts_with("150203")),
        "{:?}",
        facets.districts
    );
    assert!(app
        .get(&clerk, EntityKind::Organisation, here.credit_code.as_str())
        .unwrap()
        .is_some());
    // Another district's record by id: not found, for reading, editing and deleting.
    assert!(app
        .get(&clerk, EntityKind::Organisation, there.credit_code.as_str())
        .unwrap()
        .is_none());
    let mut edited = there.clone();
    edited.name.push_str("（改）");
    let e = app
        .update(
            &clerk,
            EntityKind::Organisation,
            there.credit_code.as_str(),
            Record::Organisation(edited),
        )
        .unwrap_err();
    assert_eq!(e.code, Code::NotFound);
    let e = app
        .delete(&clerk, EntityKind::Organisation, there.credit_code.as_str())
        .unwrap_err();
    assert_eq!(e.code, Code::NotFound);
    // Moving one of theirs to another district is refused too.
    let mut moved = here.clone();
    moved.region = there.region.clone();
    let e = app
        .update(
            &clerk,
            EntityKind::Organisation,
            here.credit_code.as_str(),
            Record::Organisation(moved),
        )
        .unwrap_err();
    assert_eq!(e.code, Code::Forbidden, "{}", e.message);
    // The audit trail is not theirs to read.
    assert_eq!(
        app.audit(&clerk, None, None, 10).unwrap_err().code,
        Code::Forbidden
    );
}

#[test]
fn an_import_with_another_districts_rows_is_refused_whole_naming_the_rows() {
    let app = app();
    let clerk = principal(&app, "kun", Role::DistrictStaff, "150203");
    let before = app.repo().count(EntityKind::Organisation).unwrap();
    let csv = "统一社会信用代码,名称,组织类型,行政区划代码\n\
               91150203MA0N00000G,昆区新企业,企业,150203\n\
               91150204MA0N00000Y,青山区企业,企业,150204\n";
    let e = app
        .import_file(
            &clerk,
            EntityKind::Organisation,
            csv.as_bytes(),
            innomesh_sheets::Format::Csv,
            "t.csv",
            &innomesh_app::transfer::NoProgress,
        )
        .unwrap_err();
    assert_eq!(e.code, Code::ImportRejected, "{}", e.message);
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    assert_eq!(e.errors[0].row, 3, "the other district's row is named");
    assert!(
        e.errors[0].reason.contains("管辖范围"),
        "{}",
        e.errors[0].reason
    );
    assert_eq!(
        app.repo().count(EntityKind::Organisation).unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn an_enterprise_works_on_its_own_records_only() {
    let app = app();
    let demands: Vec<innomesh_core::model::Demand> = app
        .repo()
        .all(EntityKind::Demand)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Demand(d) => Some(d),
            _ => None,
        })
        .collect();
    let mine = demands[0].clone();
    let theirs = demands
        .iter()
        .find(|d| d.organisation != mine.organisation)
        .unwrap()
        .clone();
    let firm = principal(&app, "qiye", Role::Enterprise, mine.organisation.as_str());
    let page = app
        .list(&firm, &ListQuery::new(EntityKind::Demand))
        .unwrap();
    assert!(page.total >= 1);
    assert!(page
        .records
        .iter()
        .all(|r| matches!(r, Record::Demand(d) if d.organisation == mine.organisation)));
    assert!(app
        .get(&firm, EntityKind::Demand, &theirs.id)
        .unwrap()
        .is_none());
    assert_eq!(
        app.match_demand(&firm, &theirs.id, 5).unwrap_err().code,
        Code::NotFound
    );
    assert!(app.match_demand(&firm, &mine.id, 5).is_ok());
    // A demand for another organisation cannot be posted; nor can people be listed.
    let mut forged = theirs.clone();
    forged.id = String::new();
    assert_eq!(
        app.create(&firm, Record::Demand(forged)).unwrap_err().code,
        Code::Forbidden
    );
    assert_eq!(
        app.list(&firm, &ListQuery::new(EntityKind::Person))
            .unwrap()
            .total,
        0
    );
    // The engines' city-wide views are not an enterprise's.
    assert_eq!(
        app.dashboard(&firm).err().map(|e| e.code),
        Some(Code::Forbidden)
    );
}

#[test]
fn an_import_keeps_the_demand_stage_rule() {
    let app = app();
    let local = Principal::local("t");
    let d = app
        .repo()
        .all(EntityKind::Demand)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Demand(d) if d.status.stage() == 0 => Some(d),
            _ => None,
        })
        .unwrap();
    let mut jumped = d.clone();
    jumped.status = innomesh_core::model::DemandStatus::Contracted;
    let e = app
        .import_records(&local, vec![Record::Demand(jumped)], "t", &|_| {})
        .unwrap_err();
    assert_eq!(e.code, Code::Forbidden, "{}", e.message);
    assert!(e.message.contains("逐级"), "{}", e.message);
}
