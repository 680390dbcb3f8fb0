//! Excel round trip for every kind, through the HTTP boundary: export (personal data masked, the
//! default) → change one text cell → import the same file. The import succeeds, stores the change,
//! and leaves everything else — masked phones and ID numbers included — exactly as stored. A masked
//! value in a new row is refused, row and column named.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::schema::{fields, FieldType};
use innomesh_core::tabular::Cell;
use innomesh_core::{EntityKind, Record};
use innomesh_server::AppState;
use innomesh_sheets::{read, write_xlsx, Format, Sheet, Table};
use innomesh_store::{Repository, SqliteStore};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

fn state() -> AppState {
    let store = SqliteStore::open_in_memory().unwrap();
    store
        .import(
            generate(SampleConfig::default()).records,
            &innomesh_store::Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    store
        .set_meta(
            "sample_data",
            "示例数据",
            &innomesh_store::Actor::system("t"),
        )
        .unwrap();
    let st = AppState::for_store(Arc::new(store));
    innomesh_app::chains::seed_models(&st, &innomesh_app::Principal::local("t")).unwrap();
    st
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, body)
}

async fn export(app: &axum::Router, kind: EntityKind) -> Table {
    let (s, body) = send(
        app,
        Request::get(format!("/api/{}/export", kind.plural()))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    read(&body, Format::Xlsx).unwrap()
}

async fn import(app: &axum::Router, kind: EntityKind, table: &Table) -> (StatusCode, Value) {
    let rows: Vec<Vec<Cell>> = table.rows.iter().map(|(_, c)| c.clone()).collect();
    let file = write_xlsx(&[Sheet {
        name: kind.label(),
        headers: &table.headers,
        rows: &rows,
    }])
    .unwrap();
    let (s, body) = send(
        app,
        Request::post(format!("/api/{}/import", kind.plural()))
            // Without a declared type the security guard answers 415 (a cross-site form post).
            .header("content-type", "application/octet-stream")
            .body(Body::from(file))
            .unwrap(),
    )
    .await;
    (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn by_id(repo: &dyn Repository, kind: EntityKind) -> BTreeMap<String, Value> {
    repo.all(kind)
        .unwrap()
        .iter()
        .map(|r| (r.id().to_string(), r.to_json()))
        .collect()
}

/// The record id a row of an export stands for.
fn row_id(kind: EntityKind, table: &Table, row: usize) -> String {
    let key = fields(kind)
        .iter()
        .find(|f| f.key == "id" || f.key == "credit_code")
        .unwrap();
    let col = table.headers.iter().position(|h| h == key.header).unwrap();
    table.rows[row].1[col].display()
}

/// The column a clerk edits: the name or title, else the first filled free-text column.
fn text_column(kind: EntityKind, table: &Table) -> (&'static str, usize) {
    let specs = fields(kind);
    let filled = |f: &&innomesh_core::schema::FieldSpec| {
        table
            .headers
            .iter()
            .position(|h| h == f.header)
            .filter(|c| !table.rows[0].1[*c].display().trim().is_empty())
            .map(|c| (f.key, c))
    };
    let named = specs
        .iter()
        .filter(|f| ["name", "title", "product"].contains(&f.key))
        .find_map(|f| filled(&f));
    named
        .or_else(|| {
            specs
                .iter()
                .filter(|f| matches!(f.ty, FieldType::LongText) && !f.personal)
                .find_map(|f| filled(&f))
        })
        .or_else(|| {
            specs
                .iter()
                .filter(|f| matches!(f.ty, FieldType::Text) && !f.personal && f.key != "id")
                .find_map(|f| filled(&f))
        })
        .unwrap_or_else(|| panic!("{kind:?}: no filled text column"))
}

/// The kinds the sample leaves empty get one record each, so every kind is round-tripped.
fn fill_empty_kinds(st: &AppState) {
    let node = st.repo().all(EntityKind::ChainNode).unwrap()[0]
        .id()
        .to_string();
    let org = st.repo().all(EntityKind::Organisation).unwrap()[0]
        .id()
        .to_string();
    for (kind, v) in [
        (
            EntityKind::GapAction,
            serde_json::json!({"node": node, "kind": "investment_lead", "title": "引进磁材后段加工企业",
                "owner": "市工信局", "status": "planned", "organisation": org, "note": "已对接两家"}),
        ),
        (
            EntityKind::ChainMapping,
            serde_json::json!({"organisation": org, "node": node, "decision": "confirmed",
                "note": "主营产品属于该环节"}),
        ),
    ] {
        if st.repo().count(kind).unwrap() == 0 {
            st.create(
                &innomesh_app::Principal::local("t"),
                Record::from_json(kind, v).unwrap(),
            )
            .unwrap();
        }
    }
}

#[test]
fn every_stored_field_has_a_column() {
    // A field without a column is lost by export and wiped by an import or a form edit.
    let st = state();
    fill_empty_kinds(&st);
    let mut missing = Vec::new();
    for kind in EntityKind::ALL {
        let keys: Vec<&str> = fields(kind).iter().map(|f| f.key).collect();
        for r in st.repo().all(kind).unwrap().iter().take(50) {
            for k in r.to_json().as_object().unwrap().keys() {
                if !keys.contains(&k.as_str()) && !missing.contains(&(kind, k.clone())) {
                    missing.push((kind, k.clone()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "fields without a column: {missing:?}");
}

#[tokio::test]
async fn every_kind_survives_export_edit_import() {
    let st = state();
    fill_empty_kinds(&st);
    let mut failures = Vec::new();
    for kind in EntityKind::ALL {
        // One account per kind: an account may import at most 20 files a minute, and there are
        // more kinds than that would allow in one run.
        let name = format!("round-trip-{}", kind.code());
        support::token(&st, &name, innomesh_app::Role::CityStaff, "");
        st.set_can_unmask(&innomesh_app::Principal::local("test"), &name, true)
            .unwrap();
        let app = support::router_as(st.clone(), &name, innomesh_app::Role::CityStaff, "");
        let before = by_id(st.repo(), kind);
        if before.is_empty() {
            failures.push(format!("{kind:?}: the sample has no records to round-trip"));
            continue;
        }
        let mut table = export(&app, kind).await;
        assert_eq!(
            table.rows.len(),
            before.len(),
            "{kind:?}: every record exported"
        );
        let (key, col) = text_column(kind, &table);
        let id = row_id(kind, &table, 0);
        let edited = format!("{}（已核对）", table.rows[0].1[col].display());
        table.rows[0].1[col] = Cell::Text(edited.clone());

        let (s, out) = import(&app, kind, &table).await;
        if s != StatusCode::OK {
            failures.push(format!("{kind:?}: import answered {s}: {out}"));
            continue;
        }
        assert_eq!(out["updated"], before.len(), "{kind:?}: {out}");
        assert_eq!(out["created"], 0, "{kind:?}: {out}");

        let after = by_id(st.repo(), kind);
        let mut expected = before.clone();
        expected.get_mut(&id).unwrap()[key] = Value::String(edited.clone());
        if after != expected {
            let diffs: Vec<String> = expected
                .iter()
                .filter(|(k, v)| after.get(*k) != Some(*v))
                .take(3)
                .map(|(k, v)| {
                    format!(
                        "{k}: stored {} expected {v}",
                        after.get(k).cloned().unwrap_or(Value::Null)
                    )
                })
                .collect();
            failures.push(format!(
                "{kind:?}: records changed beyond the edited cell:\n  {}",
                diffs.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn masked_values_keep_stored_full_values() {
    let st = state();
    let app = support::router(st.clone());
    let table = export(&app, EntityKind::Person).await;
    let phone_col = table.headers.iter().position(|h| h == "手机").unwrap();
    let row = table
        .rows
        .iter()
        .position(|(_, c)| c[phone_col].display().contains('*'))
        .expect("a person with a masked phone");
    let id = row_id(EntityKind::Person, &table, row);
    let stored = st.repo().get(EntityKind::Person, &id).unwrap().unwrap();
    let Record::Person(p) = &stored else {
        unreachable!()
    };
    let full = p.phone.as_ref().unwrap().full().to_string();
    assert_ne!(table.rows[row].1[phone_col].display(), full);
    let (s, out) = import(&app, EntityKind::Person, &table).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let Record::Person(after) = st.repo().get(EntityKind::Person, &id).unwrap().unwrap() else {
        unreachable!()
    };
    assert_eq!(after.phone.unwrap().full(), full);
    assert_eq!(after.id_number, p.id_number);
}

#[tokio::test]
async fn masked_phone_in_a_new_row_is_refused() {
    let st = state();
    let app = support::router(st.clone());
    let mut table = export(&app, EntityKind::Person).await;
    let before = by_id(st.repo(), EntityKind::Person);
    let phone_col = table.headers.iter().position(|h| h == "手机").unwrap();
    let id_col = table.headers.iter().position(|h| h == "编号").unwrap();
    let i = table
        .rows
        .iter()
        .position(|(_, c)| c[phone_col].display().contains('*'))
        .unwrap();
    let masked = table.rows[i].1[phone_col].display();
    // The row as a new person: no id.
    let mut new_row = table.rows[i].clone();
    new_row.1[id_col] = Cell::Empty;
    table.rows = vec![new_row];
    let (s, out) = import(&app, EntityKind::Person, &table).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert_eq!(out["code"], "import_rejected", "{out}");
    let errors = out["errors"].as_array().unwrap();
    let phone = errors
        .iter()
        .find(|e| e["column"] == "手机")
        .unwrap_or_else(|| panic!("the phone cell is named: {out}"));
    assert_eq!(phone["row"], 2, "{out}");
    assert_eq!(phone["value"], masked, "{out}");
    assert!(
        phone["reason"]
            .as_str()
            .unwrap()
            .contains("新记录须填写完整值"),
        "{out}"
    );
    assert_eq!(
        by_id(st.repo(), EntityKind::Person),
        before,
        "nothing written"
    );
}

#[tokio::test]
async fn a_file_with_fewer_columns_keeps_what_it_does_not_mention() {
    let st = state();
    let app = support::router(st.clone());
    let full = export(&app, EntityKind::Organisation).await;
    let keep = ["统一社会信用代码", "名称", "组织类型", "行政区划代码"];
    let cols: Vec<usize> = keep
        .iter()
        .map(|h| full.headers.iter().position(|x| x == h).unwrap())
        .collect();
    let pick = |cells: &Vec<Cell>| cols.iter().map(|c| cells[*c].clone()).collect::<Vec<_>>();
    let (row, cells) = full.rows[0].clone();
    let mut narrow = Table {
        headers: keep.iter().map(|s| s.to_string()).collect(),
        rows: vec![(row, pick(&cells))],
    };
    narrow.rows[0].1[1] = Cell::Text(format!("{}（更名）", cells[cols[1]].display()));
    let id = row_id(EntityKind::Organisation, &full, 0);
    let before = st
        .repo()
        .get(EntityKind::Organisation, &id)
        .unwrap()
        .unwrap();
    let (s, out) = import(&app, EntityKind::Organisation, &narrow).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(out["updated"], 1, "{out}");
    let after = st
        .repo()
        .get(EntityKind::Organisation, &id)
        .unwrap()
        .unwrap();
    let mut expected = before.to_json();
    expected["name"] = Value::String(narrow.rows[0].1[1].display());
    assert_eq!(after.to_json(), expected);
}
