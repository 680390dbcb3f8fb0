//! Accounts: users, login sessions, API tokens and the security log of logins. The store keeps
//! rows; what a password, a session or a token means is decided by the application core.

use crate::StoreError;
use serde::Serialize;

/// One account. `scope` is what the role works in: a region code (district staff), a credit code
/// (enterprise), a person or platform id (expert, technology manager), a department name
/// (department staff); empty for city-wide and administrative roles.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope: String,
    pub can_unmask: bool,
    pub disabled: bool,
    pub must_change: bool,
    #[serde(skip)]
    pub password_hash: String,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    /// SHA-256 hashes of the unused recovery codes.
    #[serde(skip)]
    pub recovery_codes: Vec<String>,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub last_login: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// SHA-256 of the cookie value; the value itself is never stored.
    pub id_hash: String,
    pub user_id: i64,
    pub csrf: String,
    /// False while an administrator has given the password but not yet the TOTP code.
    pub second_factor_done: bool,
    pub created_at: String,
    pub last_seen: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ApiToken {
    /// Public part of the token (it names the token in lists and logs).
    pub id: String,
    #[serde(skip)]
    pub hash: String,
    pub user_id: i64,
    pub label: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used: Option<String>,
    pub revoked: bool,
}

/// One login, failure, lockout or logout.
#[derive(Debug, Clone, Serialize)]
pub struct AuthEvent {
    pub seq: i64,
    pub at: String,
    pub username: String,
    pub action: String,
    pub source: String,
    pub detail: String,
}

/// Account persistence. Changes an administrator makes (`user_insert`, `user_save`,
/// `token_insert`, `token_revoke`) are written with an audit entry in the same transaction; the
/// bookkeeping of logins (`user_login_state`, sessions, `auth_event`) is not registry history and
/// goes to the security log instead.
pub trait AccountStore: Send + Sync {
    /// Inserts a user (its `id` is assigned); a taken username is a `Conflict`.
    fn user_insert(&self, user: &User, actor: &crate::Actor) -> Result<User, StoreError>;
    /// Saves every field of an existing user, with an audit entry `action` / `detail`.
    fn user_save(
        &self,
        user: &User,
        actor: &crate::Actor,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError>;
    /// Records the outcome of a login attempt (failure count, lock, last login), unaudited.
    fn user_login_state(
        &self,
        id: i64,
        failed_logins: i64,
        locked_until: Option<&str>,
        last_login: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Records that a TOTP code of time step `step` was accepted; `false` when that step (or a
    /// later one) was already used, so the code must not be accepted again.
    fn totp_step_claim(&self, user_id: i64, step: i64) -> Result<bool, StoreError>;
    fn user_get(&self, id: i64) -> Result<Option<User>, StoreError>;
    fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError>;
    fn users(&self) -> Result<Vec<User>, StoreError>;

    fn session_insert(&self, session: &Session) -> Result<(), StoreError>;
    fn session_get(&self, id_hash: &str) -> Result<Option<Session>, StoreError>;
    fn session_save(&self, session: &Session) -> Result<(), StoreError>;
    fn session_delete(&self, id_hash: &str) -> Result<(), StoreError>;
    /// Ends every session of a user (password reset, disable, role change).
    fn sessions_delete_for(&self, user_id: i64) -> Result<(), StoreError>;

    fn token_insert(&self, token: &ApiToken, actor: &crate::Actor) -> Result<(), StoreError>;
    fn token_get(&self, id: &str) -> Result<Option<ApiToken>, StoreError>;
    fn tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError>;
    fn token_revoke(&self, id: &str, actor: &crate::Actor) -> Result<(), StoreError>;
    fn token_used(&self, id: &str, at: &str) -> Result<(), StoreError>;

    /// An audit entry that changes no data (an unmask: who saw which personal data and why).
    fn audit_event(
        &self,
        actor: &crate::Actor,
        action: &str,
        kind: Option<&str>,
        id: Option<&str>,
        detail: &str,
    ) -> Result<(), StoreError>;

    fn auth_event(
        &self,
        username: &str,
        action: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), StoreError>;
    fn auth_events(&self, limit: usize) -> Result<Vec<AuthEvent>, StoreError>;
}
