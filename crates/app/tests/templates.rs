//! Every import template's example row imports through `App` (the same path as the import page,
//! the API and the command line: codes, choices, the record's rules, references to the registry,
//! the workflow's first stage), into a registry holding the records the examples refer to; and a
//! refused cell names the fix the system knows.

use innomesh_app::suggest::target_of;
use innomesh_app::transfer::NoProgress;
use innomesh_app::{App, Code, Principal};
use innomesh_core::schema::{fields, FieldType};
use innomesh_core::tabular::{headers, template_example};
use innomesh_core::EntityKind;
use innomesh_sheets::Format;

fn csv(kind: EntityKind, row: &[String]) -> Vec<u8> {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let heads: Vec<String> = headers(kind, true).iter().map(|h| quote(h)).collect();
    let cells: Vec<String> = row.iter().map(|c| quote(c)).collect();
    format!("{}\n{}\n", heads.join(","), cells.join(",")).into_bytes()
}

fn import(app: &App, kind: EntityKind, row: &[String]) -> Result<(), innomesh_app::Error> {
    app.import_file(
        &Principal::local("t"),
        kind,
        &csv(kind, row),
        Format::Csv,
        "template.csv",
        &NoProgress,
    )
    .map(|_| ())
}

/// What an example row refers to: (kind, id or credit code).
fn references(kind: EntityKind, row: &[String]) -> Vec<(EntityKind, String)> {
    let specs = fields(kind);
    let mut out = Vec::new();
    for (spec, value) in specs.iter().zip(row) {
        if value.is_empty() {
            continue;
        }
        let target = match spec.ty {
            FieldType::RefBy { by, target } => {
                let i = specs.iter().position(|s| s.key == by).unwrap();
                let FieldType::Choice(choices) = specs[i].ty else {
                    panic!("{kind:?} {by}")
                };
                let code = choices()
                    .iter()
                    .find(|(_, l)| *l == row[i])
                    .map(|(c, _)| *c)
                    .unwrap();
                target(code)
            }
            _ => target_of(kind, spec),
        };
        if let Some(t) = target {
            for v in value.split('；') {
                out.push((t, v.to_string()));
            }
        }
    }
    out
}

/// `kind`'s example row with its own id (or credit code) set to `id`.
fn example_with_id(kind: EntityKind, id: &str) -> Vec<String> {
    let mut row = template_example(kind);
    let key = if kind == EntityKind::Organisation {
        "credit_code"
    } else {
        "id"
    };
    let i = fields(kind).iter().position(|f| f.key == key).unwrap();
    row[i] = id.to_string();
    row
}

#[test]
fn every_template_example_row_imports_through_the_app() {
    let app = App::in_memory().unwrap();
    // The records the examples refer to, made from their own kinds' example rows (which refer to
    // others in turn), imported as soon as what they refer to is there.
    let mut pending: Vec<(EntityKind, String)> = Vec::new();
    let add = |pending: &mut Vec<(EntityKind, String)>, refs: Vec<(EntityKind, String)>| {
        for r in refs {
            if !pending.contains(&r) {
                pending.push(r);
            }
        }
    };
    for kind in EntityKind::ALL {
        add(&mut pending, references(kind, &template_example(kind)));
    }
    let mut i = 0;
    while i < pending.len() {
        let (k, id) = pending[i].clone();
        add(&mut pending, references(k, &example_with_id(k, &id)));
        i += 1;
    }
    let mut last = Vec::new();
    while !pending.is_empty() {
        let before = pending.len();
        last.clear();
        pending.retain(|(k, id)| match import(&app, *k, &example_with_id(*k, id)) {
            Ok(()) => false,
            Err(e) => {
                last.push(format!("{k:?} {id}: {e} {:?}", e.errors));
                true
            }
        });
        assert!(
            pending.len() < before,
            "referred records could not be made: {last:#?}"
        );
    }
    for kind in EntityKind::ALL {
        let row = template_example(kind);
        let total = app.count(&Principal::local("t"), kind).unwrap();
        if let Err(e) = import(&app, kind, &row) {
            panic!(
                "{kind:?}: the template's example row is refused: {e} {:#?}",
                e.errors
            );
        }
        assert!(
            app.count(&Principal::local("t"), kind).unwrap() >= total.max(1),
            "{kind:?}"
        );
    }
}

#[test]
fn a_refused_cell_names_the_fix_the_system_knows() {
    let app = App::in_memory().unwrap();
    let kind = EntityKind::Organisation;
    let specs = fields(kind);
    let mut row = template_example(kind);
    let region = specs.iter().position(|f| f.key == "region").unwrap();
    row[region] = "九原区".into();
    let e = import(&app, kind, &row).unwrap_err();
    assert_eq!(e.code, Code::ImportRejected);
    let cell = e
        .errors
        .iter()
        .find(|e| e.column == "行政区划代码")
        .unwrap();
    assert!(cell.reason.contains("应为 150207"), "{}", cell.reason);

    // A credit code whose check digit is wrong: the right one is named.
    let mut row = template_example(kind);
    let code = specs.iter().position(|f| f.key == "credit_code").unwrap();
    let good = row[code].clone();
    let wrong = if good.ends_with('0') { '1' } else { '0' };
    row[code] = format!("{}{wrong}", &good[..17]);
    let e = import(&app, kind, &row).unwrap_err();
    let cell = e
        .errors
        .iter()
        .find(|e| e.column.contains("信用代码"))
        .unwrap();
    assert!(cell.reason.contains(&good), "{}", cell.reason);
    assert_eq!(app.count(&Principal::local("t"), kind).unwrap(), 0);
}

#[test]
fn a_new_demand_cannot_be_imported_past_its_first_stage() {
    let app = App::in_memory().unwrap();
    let org = EntityKind::Organisation;
    let org_row = template_example(org);
    import(&app, org, &org_row).unwrap();
    let credit = org_row[fields(org)
        .iter()
        .position(|f| f.key == "credit_code")
        .unwrap()]
    .clone();
    let kind = EntityKind::Demand;
    let specs = fields(kind);
    let mut row = template_example(kind);
    for (i, f) in specs.iter().enumerate() {
        if f.key == "organisation" {
            row[i] = credit.clone();
        }
        if f.key == "status" {
            row[i] = "已交付".into();
        }
    }
    let e = import(&app, kind, &row).unwrap_err();
    assert_eq!(e.code, Code::ImportRejected, "{e}");
    assert!(e.errors[0].reason.contains("已交付"), "{:?}", e.errors);
    assert_eq!(app.count(&Principal::local("t"), kind).unwrap(), 0);
    let status = specs.iter().position(|f| f.key == "status").unwrap();
    row[status] = "已发布".into();
    import(&app, kind, &row).unwrap();
    assert_eq!(app.count(&Principal::local("t"), kind).unwrap(), 1);
}

#[test]
fn a_reference_is_resolved_by_a_unique_name_and_refused_when_shared() {
    let app = App::in_memory().unwrap();
    let who = Principal::local("t");
    let org = EntityKind::Organisation;
    let key = fields(org)
        .iter()
        .position(|f| f.key == "credit_code")
        .unwrap();
    let name_at = fields(org).iter().position(|f| f.key == "name").unwrap();
    let mut a = template_example(org);
    a[name_at] = "包头示例稀土材料有限公司".into();
    import(&app, org, &a).unwrap();
    let code_a = a[key].clone();
    assert_eq!(
        app.resolve_reference(&who, org, "发布单位", "包头示例稀土材料有限公司")
            .unwrap(),
        code_a
    );
    let e = app
        .resolve_reference(&who, org, "发布单位", "没有这家公司")
        .unwrap_err();
    assert_eq!(e.code, Code::UnknownReference);
    // A second one of that name: ambiguous, both named.
    let mut b = template_example(org);
    let code_b = innomesh_core::CreditCode::with_check_digit("91150207MA0N99998")
        .unwrap()
        .as_str()
        .to_string();
    b[key] = code_b.clone();
    b[name_at] = "包头示例稀土材料有限公司".into();
    import(&app, org, &b).unwrap();
    let e = app
        .resolve_reference(&who, org, "发布单位", "包头示例稀土材料有限公司")
        .unwrap_err();
    assert_eq!(e.code, Code::AmbiguousReference);
    assert!(
        e.message.contains(&code_a) && e.message.contains(&code_b),
        "{}",
        e.message
    );
    // The picker's 「名称（代码）」 picks one.
    assert_eq!(
        app.resolve_reference(
            &who,
            org,
            "发布单位",
            &format!("包头示例稀土材料有限公司（{code_b}）")
        )
        .unwrap(),
        code_b
    );
}
