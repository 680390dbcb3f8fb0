//! A panic anywhere in an import — while the file is read, or inside the store's write
//! transaction — is caught at the `App` boundary: the import is refused with a stable code,
//! nothing is written, and the same `App` goes on working (no poisoned lock, no open transaction).
//! The panic is injected through the progress callbacks, which run inside both phases.

use innomesh_app::transfer::Progress;
use innomesh_app::{App, Code, Principal};
use innomesh_core::{CreditCode, EntityKind};
use innomesh_sheets::Format;

/// 1,200 organisations: the store reports progress every 1,000 rows, inside its transaction.
fn organisations_csv(n: usize, offset: usize) -> String {
    let mut s = String::from("统一社会信用代码,名称,组织类型,行政区划代码\n");
    for i in 0..n {
        let code = CreditCode::with_check_digit(&format!("91150203MA0P{:05}", i + offset)).unwrap();
        s.push_str(&format!(
            "{},注入测试企业{}有限公司,企业,150203\n",
            code.as_str(),
            i + offset
        ));
    }
    s
}

enum Phase {
    Parsing,
    Writing,
}

struct Boom(Phase);
impl Progress for Boom {
    fn parsed(&self, _rows: usize) {
        if matches!(self.0, Phase::Parsing) {
            panic!("injected fault while reading");
        }
    }
    fn written(&self, done: usize) {
        if matches!(self.0, Phase::Writing) && done > 0 {
            panic!("injected fault inside the write transaction");
        }
    }
}

#[test]
fn a_panic_in_an_import_is_a_refusal_and_the_app_survives() {
    let app = App::in_memory().unwrap();
    let who = Principal::local("t");
    let version = app.registry_version();
    for phase in [Phase::Parsing, Phase::Writing] {
        let csv = organisations_csv(1200, 0);
        let err = app
            .import_file(
                &who,
                EntityKind::Organisation,
                csv.as_bytes(),
                Format::Csv,
                "t.csv",
                &Boom(phase),
            )
            .unwrap_err();
        assert_eq!(err.code, Code::BadFile, "{}", err.message);
        assert!(err.message.contains("未写入任何数据"), "{}", err.message);
        assert_eq!(app.count(&who, EntityKind::Organisation).unwrap(), 0);
        assert_eq!(
            app.registry_version(),
            version,
            "nothing written, not even the audit log"
        );
    }
    // The same App imports the next file normally.
    let csv = organisations_csv(1200, 5000);
    let done = app
        .import_file(
            &who,
            EntityKind::Organisation,
            csv.as_bytes(),
            Format::Csv,
            "t.csv",
            &innomesh_app::transfer::NoProgress,
        )
        .unwrap();
    assert_eq!(done.created, 1200);
    assert_eq!(app.count(&who, EntityKind::Organisation).unwrap(), 1200);
}
