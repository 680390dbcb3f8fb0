//! Accounts through the `App`: one-time passwords, lockout, API tokens, disabled accounts, the
//! administrators' second factor, and the demo's accounts on the generated sample registry.

use innomesh_app::auth::accounts::{totp_code, SessionState, LOCK_AFTER};
use innomesh_app::auth::demo::{demo_accounts, seed_demo_accounts};
use innomesh_app::auth::password::sha256_hex;
use innomesh_app::auth::ScopeKind;
use innomesh_app::{App, Code, Config, Principal, Role};
use innomesh_core::sample::{generate, SampleConfig, SAMPLE_LABEL};
use innomesh_core::EntityKind;
use innomesh_store::accounts::{AccountStore, ApiToken};
use innomesh_store::{rfc3339, unix_now, SqliteStore};
use std::sync::Arc;

const PASS: &str = "稀土永磁-钢铁-2026";

fn local() -> Principal {
    Principal::local("test")
}

fn app() -> (Arc<App>, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    (App::new(store.clone(), Config::default()), store)
}

fn now() -> u64 {
    unix_now() as u64
}

/// The principal behind a fully logged-in session cookie.
fn active(app: &App, cookie: &str) -> Principal {
    match app.session(cookie, "test").unwrap() {
        SessionState::Active(p) => p,
        other => panic!("session not active: {other:?}"),
    }
}

#[test]
fn a_new_account_logs_in_with_its_one_time_password_and_must_change_it() {
    let (app, _) = app();
    let issued = app
        .add_user(&local(), "zhang", "张三", Role::CityStaff, "")
        .unwrap();
    assert!(issued.user.must_change);
    let login = app
        .login("zhang", &issued.one_time_password, "test")
        .unwrap();
    assert!(login.must_change);
    assert!(!login.needs_second_factor);
    let who = active(&app, &login.cookie);
    assert_eq!(
        (who.role, who.username.as_str()),
        (Role::CityStaff, "zhang")
    );
    assert!(app.must_change_password(&who));

    app.change_password(&who, &issued.one_time_password, PASS)
        .unwrap();
    assert!(!app.login("zhang", PASS, "test").unwrap().must_change);
    assert_eq!(
        app.login("zhang", &issued.one_time_password, "test")
            .unwrap_err()
            .code,
        Code::Unauthorized
    );
}

#[test]
fn ten_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let (app, _) = app();
    app.add_user_with_password(&local(), "wang", "王五", Role::CityStaff, "", PASS)
        .unwrap();
    for i in 1..LOCK_AFTER {
        let e = app.login("wang", "不对的口令-0000", "test").unwrap_err();
        assert_eq!(e.code, Code::Unauthorized, "attempt {i}");
    }
    let e = app.login("wang", "不对的口令-0000", "test").unwrap_err();
    assert_eq!(e.code, Code::AccountLocked, "{}", e.message);
    let e = app.login("wang", PASS, "test").unwrap_err();
    assert_eq!(e.code, Code::AccountLocked, "{}", e.message);

    // The security administrator's reset unlocks it.
    let issued = app.reset_password(&local(), "wang", false).unwrap();
    assert!(app.login("wang", &issued.one_time_password, "test").is_ok());
}

#[test]
fn a_disabled_account_cannot_log_in_and_loses_its_sessions() {
    let (app, _) = app();
    app.add_user_with_password(&local(), "zhao", "赵六", Role::Auditor, "", PASS)
        .unwrap();
    let login = app.login("zhao", PASS, "test").unwrap();
    app.set_user_disabled(&local(), "zhao", true).unwrap();
    let e = app.login("zhao", PASS, "test").unwrap_err();
    assert_eq!(e.code, Code::Unauthorized);
    assert!(e.message.contains("停用"), "{}", e.message);
    assert!(app.session(&login.cookie, "test").is_err());

    app.set_user_disabled(&local(), "zhao", false).unwrap();
    assert!(app.login("zhao", PASS, "test").is_ok());
}

#[test]
fn tokens_act_with_their_users_role_and_scope_until_revoked_or_expired() {
    let (app, store) = app();
    app.add_user(&local(), "kun", "昆区科技局", Role::DistrictStaff, "150203")
        .unwrap();
    let (token, bearer) = app.create_token(&local(), "kun", Some(30), "同步").unwrap();
    assert!(token.expires_at.is_some());
    let who = app.token_principal(&bearer, "test").unwrap();
    assert_eq!(
        (who.role, who.scope.as_str(), who.via_token),
        (Role::DistrictStaff, "150203", true)
    );
    assert!(app
        .tokens(&local())
        .unwrap()
        .iter()
        .any(|t| t.id == token.id));

    // A wrong secret for a real id is refused.
    let forged = format!("imt_{}_{}", token.id, "0".repeat(64));
    assert_eq!(
        app.token_principal(&forged, "test").unwrap_err().code,
        Code::Unauthorized
    );

    app.revoke_token(&local(), &token.id).unwrap();
    assert_eq!(
        app.token_principal(&bearer, "test").unwrap_err().code,
        Code::Unauthorized
    );

    // One that expired a second ago (written directly: `create_token` only makes future expiries).
    let user = store.user_by_name("kun").unwrap().unwrap();
    let secret = "ab".repeat(32);
    store
        .token_insert(
            &ApiToken {
                id: "0123456789ab".into(),
                hash: sha256_hex(&secret),
                user_id: user.id,
                label: "过期".into(),
                created_at: rfc3339(unix_now() - 86_400),
                expires_at: Some(rfc3339(unix_now() - 1)),
                last_used: None,
                revoked: false,
            },
            &innomesh_store::Actor::system("test"),
        )
        .unwrap();
    assert!(app
        .token_principal(&format!("imt_0123456789ab_{secret}"), "test")
        .is_err());

    // A live token stops working when its user is disabled.
    let (_, bearer) = app.create_token(&local(), "kun", None, "").unwrap();
    assert!(app.token_principal(&bearer, "test").is_ok());
    app.set_user_disabled(&local(), "kun", true).unwrap();
    assert!(app.token_principal(&bearer, "test").is_err());
}

#[test]
fn administrators_need_the_second_factor_and_a_recovery_code_works_once() {
    let (app, _) = app();
    let issued = app
        .add_user(&local(), "admin", "", Role::SecurityAdmin, "")
        .unwrap();
    let login = app
        .login("admin", &issued.one_time_password, "test")
        .unwrap();
    assert!(login.needs_second_factor && login.must_enrol);
    assert!(matches!(
        app.session(&login.cookie, "test").unwrap(),
        SessionState::SecondFactorDue {
            enrolled: false,
            ..
        }
    ));

    // First login: enrol the authenticator; the recovery codes are shown once.
    let enrolment = app.totp_enrolment(&login.cookie).unwrap();
    let right = totp_code(&enrolment.secret, now()).unwrap();
    let wrong: String = right
        .chars()
        .map(|c| if c == '9' { '0' } else { (c as u8 + 1) as char })
        .collect();
    assert_eq!(
        app.second_factor(&login.cookie, &wrong, "test")
            .unwrap_err()
            .code,
        Code::Unauthorized
    );
    let code = totp_code(&enrolment.secret, now()).unwrap();
    let (cookie, codes) = app.second_factor(&login.cookie, &code, "test").unwrap();
    let codes = codes.expect("recovery codes on enrolment");
    assert_eq!(codes.len(), 10);
    assert_ne!(
        cookie, login.cookie,
        "a new session id after the second factor"
    );
    assert!(app.session(&login.cookie, "test").is_err());
    let who = active(&app, &cookie);
    assert_eq!(who.role, Role::SecurityAdmin);
    app.logout(&cookie, "test").unwrap();

    // Later logins: the TOTP code, or a recovery code once.
    let login = app
        .login("admin", &issued.one_time_password, "test")
        .unwrap();
    assert!(login.needs_second_factor && !login.must_enrol);
    let (cookie, shown) = app.second_factor(&login.cookie, &codes[0], "test").unwrap();
    assert!(shown.is_none());
    active(&app, &cookie);
    let login = app
        .login("admin", &issued.one_time_password, "test")
        .unwrap();
    assert_eq!(
        app.second_factor(&login.cookie, &codes[0], "test")
            .unwrap_err()
            .code,
        Code::Unauthorized
    );
    // The enrolment's code was accepted once and is not again; the next window's code is.
    let again = app.second_factor(&login.cookie, &code, "test").unwrap_err();
    assert!(again.message.contains("已用过"), "{}", again.message);
    let next = totp_code(&enrolment.secret, now() + 30).unwrap();
    assert!(app.second_factor(&login.cookie, &next, "test").is_ok());
}

#[test]
fn every_demo_account_logs_in_with_its_role_and_a_scope_to_work_in() {
    let (app, _) = app();
    let who = local();
    let data = generate(SampleConfig::default());
    app.import_records(&who, data.records, SAMPLE_LABEL, &|_| {})
        .unwrap()
        .unwrap();
    // Not before the registry says it holds sample data.
    assert!(seed_demo_accounts(&app, &who).is_err());
    assert!(demo_accounts(&app).is_empty());
    app.set_setting(&who, "sample_data", SAMPLE_LABEL).unwrap();

    let seeded = seed_demo_accounts(&app, &who).unwrap();
    let roles: Vec<Role> = seeded.iter().map(|a| a.role).collect();
    // One account per role, then the owner of the shared 稀土元素分析 instrument (开放共享) and a
    // key laboratory's platform account (考核评估).
    let mut expected = Role::ASSIGNABLE.to_vec();
    expected.push(Role::Enterprise);
    expected.push(Role::Expert);
    assert_eq!(roles, expected);
    let names: Vec<&str> = seeded.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names[names.len() - 2..], ["demo-owner", "demo-platform"]);
    assert_eq!(demo_accounts(&app), seeded, "read back as seeded");
    // Seeding again changes nothing.
    assert_eq!(seed_demo_accounts(&app, &who).unwrap(), seeded);
    // The passwords and secrets stay out of the audit trail.
    for e in app.audit(&who, None, None, 100_000).unwrap() {
        assert!(!e.detail.contains(&seeded[0].password), "{e:?}");
    }

    for a in &seeded {
        let login = app
            .login(&a.username, &a.password, "test")
            .unwrap_or_else(|e| panic!("{}: {}", a.username, e.message));
        assert!(!login.must_change, "{}", a.username);
        let cookie = if a.role.is_admin() {
            assert!(
                login.needs_second_factor && !login.must_enrol,
                "{}",
                a.username
            );
            let code = a.totp_now().expect("administrators have a TOTP secret");
            let code_then = totp_code(a.totp_secret.as_deref().unwrap(), now()).unwrap();
            assert_eq!(code.len(), 6);
            app.second_factor(&login.cookie, &code_then, "test")
                .unwrap_or_else(|e| panic!("{}: {}", a.username, e.message))
                .0
        } else {
            assert!(!login.needs_second_factor);
            assert!(a.totp_secret.is_none());
            login.cookie
        };
        let p = active(&app, &cookie);
        assert_eq!((p.role, p.username.as_str()), (a.role, a.username.as_str()));
        assert_eq!(p.scope, a.scope);
        if a.role.scope_kind() == ScopeKind::None {
            assert!(p.scope.is_empty(), "{}", a.username);
        } else {
            assert!(!p.scope.is_empty(), "{}", a.username);
            assert!(!a.scope_name.is_empty(), "{}: scope has a name", a.username);
        }
        // Each scoped account has something to see in its scope.
        let sees = |kind: EntityKind| app.count(&p, kind).unwrap();
        match a.role {
            Role::DistrictStaff => assert!(sees(EntityKind::Organisation) > 0),
            Role::DepartmentStaff => {
                assert!(sees(EntityKind::Programme) > 0);
            }
            Role::Enterprise if a.username == "demo-owner" => {
                // The instrument owner: its unit and the services it offers.
                assert_eq!(sees(EntityKind::Organisation), 1);
                let own = app
                    .list(&p, &innomesh_store::ListQuery::new(EntityKind::SharedService))
                    .unwrap()
                    .records
                    .iter()
                    .filter(|r| matches!(r, innomesh_core::Record::SharedService(s) if s.owner.as_str() == p.scope))
                    .count();
                assert!(own > 0);
            }
            Role::Enterprise => {
                assert_eq!(sees(EntityKind::Organisation), 1);
                assert!(sees(EntityKind::Demand) > 0 && sees(EntityKind::Application) > 0);
            }
            Role::Expert if a.username == "demo-platform" => {
                // A key laboratory's account: it opens 考核评估 and its scope is that platform.
                assert!(innomesh_app::assessment::may_open(&p));
                match app.repo().get(EntityKind::Platform, &p.scope).unwrap() {
                    Some(innomesh_core::Record::Platform(pf)) => {
                        assert_eq!(pf.kind, innomesh_core::model::PlatformKind::KeyLaboratory)
                    }
                    other => panic!("demo-platform's scope is not a platform: {other:?}"),
                }
            }
            Role::Expert => assert!(sees(EntityKind::DemandResponse) > 0),
            Role::TechManager => assert!(sees(EntityKind::Demand) > 0),
            _ => {}
        }
    }
}
