//! `innomesh user` and `innomesh token` as an operator runs them on the server, checked against
//! what the application then accepts (a login with the printed password, a call with the token).

use innomesh_app::{App, Config, Role};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// Runs the binary on the data directory, returning (exit code, stdout, stderr).
fn innomesh(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_innomesh"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("USER", "ops-test")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = innomesh(dir, args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    out
}

/// The error message of a command that must fail.
fn refused(dir: &Path, args: &[&str]) -> String {
    let (code, _, err) = innomesh(dir, args);
    assert!(code.is_some_and(|c| c != 0), "{args:?} should fail");
    err
}

fn app(dir: &Path) -> Arc<App> {
    let store = innomesh_store::SqliteStore::open(&dir.join("innomesh.db")).unwrap();
    App::new(Arc::new(store), Config::default())
}

/// The one-time password a command printed.
fn one_time_password(out: &str) -> String {
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("一次性密码："))
        .unwrap_or_else(|| panic!("no one-time password in: {out}"));
    assert!(line.ends_with("（首次登录须修改）"), "{line}");
    line.trim_end_matches("（首次登录须修改）").to_string()
}

#[test]
fn user_add_list_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // The first administrator, on an empty data directory.
    let out = ok(d, &["user", "add", "admin", "--role", "security-admin"]);
    assert!(out.contains("安全管理员"), "{out}");
    let pass = one_time_password(&out);
    let login = app(d).login("admin", &pass, "test").unwrap();
    assert!(login.must_change && login.needs_second_factor && login.must_enrol);

    // A district clerk, by the role's Chinese label.
    let out = ok(
        d,
        &[
            "user",
            "add",
            "zhang",
            "--role",
            "旗县区工作人员",
            "--scope",
            "150203",
            "--display-name",
            "张三",
        ],
    );
    one_time_password(&out);

    // Mistakes are explained.
    let err = refused(d, &["user", "add", "li", "--role", "clerk"]);
    assert!(
        err.contains("没有「clerk」这个角色") && err.contains("city-staff（市级工作人员）"),
        "{err}"
    );
    let err = refused(d, &["user", "add", "li", "--role", "district-staff"]);
    assert!(
        err.contains("--scope") && err.contains("行政区划代码"),
        "{err}"
    );
    let err = refused(
        d,
        &[
            "user",
            "add",
            "li",
            "--role",
            "district-staff",
            "--scope",
            "999999",
        ],
    );
    assert!(err.contains("不在 GB/T 2260"), "{err}");
    let err = refused(
        d,
        &[
            "user",
            "add",
            "li",
            "--role",
            "city-staff",
            "--scope",
            "150203",
        ],
    );
    assert!(err.contains("不分范围"), "{err}");
    let err = refused(d, &["user", "add", "zhang", "--role", "city-staff"]);
    assert!(!err.is_empty());

    let list = ok(d, &["user", "list"]);
    let header = list.lines().next().unwrap();
    for col in [
        "用户名",
        "姓名",
        "角色",
        "范围",
        "状态",
        "动态口令",
        "可查看个人信息",
        "最近登录",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let zhang = list.lines().find(|l| l.starts_with("zhang ")).unwrap();
    for cell in [
        "张三",
        "旗县区工作人员",
        "150203 昆都仑区",
        "正常",
        "未绑定",
        "否",
        "从未登录",
    ] {
        assert!(zhang.contains(cell), "{zhang}");
    }
    let admin = list.lines().find(|l| l.starts_with("admin ")).unwrap();
    assert!(admin.contains("安全管理员"), "{admin}");
    assert!(
        !admin.contains("从未登录"),
        "admin logged in above: {admin}"
    );

    ok(d, &["user", "grant-unmask", "zhang"]);
    let list = ok(d, &["user", "list"]);
    let zhang = list.lines().find(|l| l.starts_with("zhang ")).unwrap();
    assert!(zhang.contains(" 是 "), "{zhang}");

    // A token acts with its user's role and scope.
    let out = ok(
        d,
        &[
            "token",
            "create",
            "zhang",
            "--expires",
            "30",
            "--label",
            "区平台同步",
        ],
    );
    let token = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("imt_"))
        .unwrap_or_else(|| panic!("no token in: {out}"))
        .to_string();
    assert!(
        out.contains(&format!("Authorization: Bearer {token}")),
        "{out}"
    );
    let who = app(d).token_principal(&token, "test").unwrap();
    assert_eq!(
        (who.role, who.scope.as_str()),
        (Role::DistrictStaff, "150203")
    );
    let id = token.split('_').nth(1).unwrap().to_string();

    let list = ok(d, &["token", "list"]);
    let row = list.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        row.contains("zhang") && row.contains("区平台同步") && row.contains("有效"),
        "{row}"
    );

    // No tokens for administrators (they log in with a second factor).
    let err = refused(d, &["token", "create", "admin"]);
    assert!(err.contains("管理员"), "{err}");

    ok(d, &["token", "revoke", &id]);
    assert!(app(d).token_principal(&token, "test").is_err());
    let list = ok(d, &["token", "list"]);
    assert!(list
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap()
        .contains("已吊销"));

    // Disabled, then enabled again; a reset gives a new one-time password.
    ok(d, &["user", "disable", "zhang"]);
    let list = ok(d, &["user", "list"]);
    assert!(list
        .lines()
        .find(|l| l.starts_with("zhang "))
        .unwrap()
        .contains("停用"));
    ok(d, &["user", "enable", "zhang"]);
    let out = ok(d, &["user", "reset-password", "zhang"]);
    let pass = one_time_password(&out);
    assert!(app(d).login("zhang", &pass, "test").unwrap().must_change);

    let err = refused(d, &["user", "disable", "nobody"]);
    assert!(err.contains("没有用户「nobody」"), "{err}");
}

#[test]
fn demo_prints_its_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["demo", "--no-serve"]);
    for role in Role::ASSIGNABLE {
        assert!(
            out.contains(role.label()),
            "{} missing from: {out}",
            role.label()
        );
    }
    assert!(
        out.contains("demo-district") && out.contains("管理员动态口令见登录页"),
        "{out}"
    );
    // One account per role, the owner of the shared 稀土元素分析 instrument (开放共享) and a key
    // laboratory's platform account (考核评估).
    assert!(
        out.contains("demo-owner") && out.contains("demo-platform"),
        "{out}"
    );
    let list = ok(dir.path(), &["user", "list"]);
    assert_eq!(
        list.lines().count(),
        1 + Role::ASSIGNABLE.len() + 2,
        "{list}"
    );
}
