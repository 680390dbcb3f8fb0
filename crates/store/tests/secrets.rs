//! Secrets in the meta table: kept and read back like any value, audited without the value.

use innomesh_store::Actor;
use innomesh_store::{Repository, SqliteStore, SECRET_HIDDEN};

#[test]
fn a_secret_is_stored_but_its_audit_entry_hides_the_value() {
    let store = SqliteStore::open_in_memory().unwrap();
    let value = "5f1e0c9a7b3d2e4f5f1e0c9a7b3d2e4f5f1e0c9a7b3d2e4f5f1e0c9a7b3d2e4f";
    store
        .set_secret("secret.identity_key", value, &Actor::system("system"))
        .unwrap();
    assert_eq!(
        store.meta("secret.identity_key").unwrap().as_deref(),
        Some(value)
    );

    let entries = store.audit(None, Some("secret.identity_key"), 10).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "set_secret");
    assert_eq!(entries[0].actor, "system");
    assert_eq!(entries[0].detail, SECRET_HIDDEN);
    let everything = store.audit(None, None, 10_000).unwrap();
    let changes = store.changes_since(0, 10_000).unwrap();
    for e in everything.iter().chain(&changes) {
        assert!(!e.detail.contains(value), "audit detail echoes the secret");
    }

    // Replacing a secret is audited the same way.
    store
        .set_secret("secret.identity_key", "another", &Actor::system("admin"))
        .unwrap();
    assert_eq!(
        store.meta("secret.identity_key").unwrap().as_deref(),
        Some("another")
    );
    let entries = store.audit(None, Some("secret.identity_key"), 10).unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.detail == SECRET_HIDDEN));
}
