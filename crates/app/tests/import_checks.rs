//! What a careless file gets: every silent acceptance of the past is now a refusal naming the
//! row and column, and nothing is written.

use innomesh_app::Actor;
use innomesh_app::{App, Code};
use innomesh_core::EntityKind;
use innomesh_sheets::Format;

fn import_csv(app: &App, text: &str) -> innomesh_app::Error {
    let err = app
        .import_file(
            EntityKind::Person,
            text.as_bytes(),
            Format::Csv,
            &Actor::system("t"),
            "t.csv",
            &innomesh_app::transfer::NoProgress,
        )
        .unwrap_err();
    assert_eq!(app.count(EntityKind::Person).unwrap(), 0, "nothing written");
    err
}

#[test]
fn control_characters_are_refused_with_row_and_column() {
    let app = App::in_memory().unwrap();
    let err = import_csv(&app, "姓名,人员类型\n张\u{0}三,专家\n");
    assert_eq!(err.code, Code::ImportRejected);
    let e = &err.errors[0];
    assert_eq!((e.row, e.column.as_str()), (2, "姓名"));
    assert!(e.reason.contains("控制字符"), "{}", e.reason);
}

#[test]
fn a_duplicated_header_is_refused_naming_both_columns() {
    let app = App::in_memory().unwrap();
    let err = import_csv(&app, "姓名,人员类型,姓名\n张三,专家,李四\n");
    assert_eq!(err.code, Code::ImportRejected);
    assert!(
        err.errors[0].reason.contains("第 1 列和第 3 列"),
        "{}",
        err.errors[0].reason
    );
}
