//! The installation's identity key: random, created once, kept; never shown by the audit log.

use innomesh_app::{funding, is_secret_key, App, Config, Repository};
use innomesh_store::{SqliteStore, SECRET_HIDDEN};
use std::sync::Arc;

fn app() -> (Arc<App>, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    (App::new(store.clone(), Config::default()), store)
}

fn no_detail_contains(app: &App, value: &str) {
    for (kind, id) in [
        (None, None),
        (None, Some(funding::IDENTITY_KEY)),
        (None, Some("secret.smtp_password")),
    ] {
        for e in app
            .audit(&innomesh_app::Principal::local("t"), kind, id, 10_000)
            .unwrap()
        {
            assert!(!e.detail.contains(value), "audit shows a secret: {e:?}");
        }
    }
}

#[test]
fn a_new_key_is_64_random_hex_digits_kept_and_audited_without_its_value() {
    let (app, store) = app();
    funding::identity_key(app.repo()).unwrap();
    let key = store
        .meta(funding::IDENTITY_KEY)
        .unwrap()
        .expect("key stored");
    assert_eq!(key.len(), 64);
    assert!(key
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));

    // Created once: later calls read it back and write nothing.
    let version = app.registry_version();
    funding::identity_key(app.repo()).unwrap();
    assert_eq!(
        store.meta(funding::IDENTITY_KEY).unwrap(),
        Some(key.clone())
    );
    assert_eq!(app.registry_version(), version);

    // The write is audited, by the store, without the value.
    let raw = store.audit(None, Some(funding::IDENTITY_KEY), 10).unwrap();
    assert_eq!(raw.len(), 1);
    assert_eq!(
        (raw[0].action.as_str(), raw[0].detail.as_str()),
        ("set_secret", SECRET_HIDDEN)
    );
    no_detail_contains(&app, &key);

    // Another installation draws another key.
    let (other, other_store) = self::app();
    funding::identity_key(other.repo()).unwrap();
    assert_ne!(other_store.meta(funding::IDENTITY_KEY).unwrap(), Some(key));
}

#[test]
fn a_key_an_earlier_version_exposed_is_replaced_and_its_old_audit_entry_is_redacted() {
    let (app, store) = app();
    // Earlier versions wrote the key with `set_meta`, so the store's audit entry holds it.
    let legacy = "0123abcd4567ef89";
    store
        .set_meta(
            funding::IDENTITY_KEY,
            legacy,
            &innomesh_store::Actor::system("system"),
        )
        .unwrap();
    assert_eq!(
        store.audit(None, Some(funding::IDENTITY_KEY), 1).unwrap()[0].detail,
        legacy
    );

    funding::identity_key(app.repo()).unwrap();
    let key = store.meta(funding::IDENTITY_KEY).unwrap().unwrap();
    assert_ne!(key, legacy, "an exposed key is replaced");
    assert_eq!(key.len(), 64);
    let shown = app
        .audit(
            &innomesh_app::Principal::local("t"),
            None,
            Some(funding::IDENTITY_KEY),
            10,
        )
        .unwrap();
    assert_eq!(shown.len(), 2);
    assert!(shown.iter().all(|e| e.detail == SECRET_HIDDEN));
    no_detail_contains(&app, legacy);
    no_detail_contains(&app, &key);
    // The new key stays: it was never written in plain.
    funding::identity_key(app.repo()).unwrap();
    assert_eq!(store.meta(funding::IDENTITY_KEY).unwrap(), Some(key));
}

#[test]
fn settings_under_secret_are_written_without_their_value_others_as_before() {
    let (app, store) = app();
    app.set_setting(
        &innomesh_app::Principal::local("t"),
        "secret.smtp_password",
        "hunter2-hunter2",
    )
    .unwrap();
    app.set_setting(
        &innomesh_app::Principal::local("t"),
        "home_region",
        "150200",
    )
    .unwrap();
    assert_eq!(
        store.meta("secret.smtp_password").unwrap().as_deref(),
        Some("hunter2-hunter2")
    );
    let raw = store.audit(None, None, 10).unwrap();
    assert!(raw.iter().all(|e| !e.detail.contains("hunter2")));
    no_detail_contains(&app, "hunter2");
    // An ordinary setting's audit entry still shows what was set.
    let region = app
        .audit(
            &innomesh_app::Principal::local("t"),
            None,
            Some("home_region"),
            1,
        )
        .unwrap();
    assert_eq!(region[0].detail, "150200");
}

#[test]
fn secret_keys_are_the_identity_key_and_the_secret_prefix() {
    assert!(is_secret_key("identity_key"));
    assert!(is_secret_key("secret.identity_key"));
    assert!(is_secret_key("secret.anything"));
    assert!(!is_secret_key("home_region"));
    assert!(!is_secret_key("chain_rules"));
    assert!(!is_secret_key("secretary"));
    assert!(!is_secret_key("identity_keys"));
}
